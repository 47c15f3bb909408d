//! Password protection: the CPU's protection level, its password, and which connection has
//! sent it.
//!
//! | level | refused until the connection sends the password |
//! | --- | --- |
//! | 1 (none) | nothing |
//! | 2 (write protection) | write var, PLC stop, PLC start, block download, `_DELE`, `_INSE`, `_GARB`, `_MODU` |
//! | 3 (read/write protection) | the above, read var and block upload |
//!
//! A refused job is answered with the header error `D2 41` ([`ErrorCode::PROTECTION_LEVEL`],
//! "function not allowed in the current protection level"), what a CPU answers and what snap7
//! reports as `errCliNeedPassword`. SZL reads, the clock and the security services stay open
//! at every level, so a client can always find out the level (SZL `0x0232`) and log on. So do
//! the block list, list of type and block info: a CPU shows its list of blocks at every level
//! (the protection level table of Siemens' CPU 410 system manual, A5E31622160, lists "display
//! of list of blocks" as granted at levels 1 to 3 and "load in PG", the upload, as needing the
//! password at level 3). That table also grants "monitor variables" and "S7 communication" at
//! level 3, where the mock refuses read var: a CPU may answer reads the mock refuses.
//!
//! Level 2 or 3 needs a password (the builder refuses the configuration otherwise).
//!
//! "Set session password" with the right password legitimizes that connection (its
//! [`Session`]) only; a wrong one is answered with `D6 02` and changes nothing; with no
//! password configured the answer is `D6 05`. "Clear session password" locks the connection
//! again (always answered with success).
//!
//! Other services call [`Plc::check_access`] with the [`Access`] they need:
//!
//! ```
//! use s7_mock::plc::{Access, Plc, ProtectionLevel};
//! use s7_mock::s7comm::ErrorCode;
//!
//! let plc = Plc::builder()
//!     .password("secret")
//!     .protection_level(ProtectionLevel::WriteProtected)
//!     .build()?;
//! let mut session = plc.session();
//! assert_eq!(plc.check_access(&session, Access::Read), Ok(()));
//! assert_eq!(plc.check_access(&session, Access::Write), Err(ErrorCode::PROTECTION_LEVEL));
//! assert_eq!(plc.log_on(&mut session, b"secret"), Ok(()));
//! assert_eq!(plc.check_access(&session, Access::Write), Ok(()));
//! # Ok::<(), s7_mock::Error>(())
//! ```

use std::sync::atomic::Ordering;

use s7comm::security::{pad_password, unscramble_password, PASSWORD_LEN};
use s7comm::ErrorCode;

use super::{Plc, Session};

/// The protection level of a CPU (SZL `0x0232` index 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ProtectionLevel {
    /// 1: no protection.
    #[default]
    None,
    /// 2: write protection (writes, downloads, deletes, stop/start need the password).
    WriteProtected,
    /// 3: read/write protection (reads too).
    ReadWriteProtected,
}

impl ProtectionLevel {
    /// The level's number, 1..=3.
    pub fn number(self) -> u8 {
        match self {
            Self::None => 1,
            Self::WriteProtected => 2,
            Self::ReadWriteProtected => 3,
        }
    }

    /// The level numbered `n` (1..=3).
    pub fn from_number(n: u8) -> Option<Self> {
        match n {
            1 => Some(Self::None),
            2 => Some(Self::WriteProtected),
            3 => Some(Self::ReadWriteProtected),
            _ => None,
        }
    }
}

/// What a service needs of the protection level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Reading data or blocks (refused at level 3).
    Read,
    /// Changing data, blocks or the operating mode (refused at levels 2 and 3).
    Write,
}

impl Plc {
    /// The protection level in force.
    pub fn protection_level(&self) -> ProtectionLevel {
        ProtectionLevel::from_number(self.shared.protection_level.load(Ordering::Relaxed))
            .unwrap_or_default()
    }

    /// Changes the protection level (connections already legitimized stay so). On a PLC
    /// without a password, level 2 or 3 locks every connection until the level is lowered
    /// again (the builder refuses that configuration).
    pub fn set_protection_level(&self, level: ProtectionLevel) {
        self.shared
            .protection_level
            .store(level.number(), Ordering::Relaxed);
    }

    /// Whether a password is configured.
    pub fn has_password(&self) -> bool {
        self.shared.password.is_some()
    }

    /// `Ok(())` if `session` may do what `access` needs, else the error code to answer
    /// ([`ErrorCode::PROTECTION_LEVEL`]).
    pub fn check_access(&self, session: &Session, access: Access) -> Result<(), ErrorCode> {
        if session.legitimized {
            return Ok(());
        }
        let refused = match (self.protection_level(), access) {
            (ProtectionLevel::None, _) => false,
            (ProtectionLevel::WriteProtected, Access::Read) => false,
            (ProtectionLevel::WriteProtected, Access::Write) => true,
            (ProtectionLevel::ReadWriteProtected, _) => true,
        };
        if refused {
            Err(ErrorCode::PROTECTION_LEVEL)
        } else {
            Ok(())
        }
    }

    /// Legitimizes `session` with a plain `password` (what "set session password" does
    /// after unscrambling): `D6 05` without a configured password, `D6 02` for a wrong one.
    pub fn log_on(&self, session: &mut Session, password: &[u8]) -> Result<(), ErrorCode> {
        let padded = pad_password(password).map_err(|_| ErrorCode::WRONG_PASSWORD)?;
        self.log_on_padded(session, &padded)
    }

    pub(super) fn log_on_scrambled(
        &self,
        session: &mut Session,
        scrambled: &[u8; PASSWORD_LEN],
    ) -> Result<(), ErrorCode> {
        self.log_on_padded(session, &unscramble_password(scrambled))
    }

    fn log_on_padded(
        &self,
        session: &mut Session,
        padded: &[u8; PASSWORD_LEN],
    ) -> Result<(), ErrorCode> {
        let Some(expected) = self.shared.password else {
            return Err(ErrorCode::NO_PASSWORD);
        };
        if *padded == expected {
            session.legitimized = true;
            Ok(())
        } else {
            Err(ErrorCode::WRONG_PASSWORD)
        }
    }

    /// Locks `session` again ("clear session password").
    pub fn log_off(&self, session: &mut Session) {
        session.legitimized = false;
    }
}
