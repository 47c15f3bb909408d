//! Protection, diagnostics and the SZL directory: session passwords (userdata group 5),
//! SZL `0x0232` (protection), `0x00A0` (diagnostic buffer) and `0x0000` (the SZL ids a CPU
//! serves).

use s7comm::clock::S7DateTime;
use s7comm::szl::SzlList;
use s7comm::UserData;

use crate::{Client, Error};

/// SZL `0x0232` index 4: the protection levels (1 none, 2 write, 3 read/write protection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Protection {
    /// `sch_schal`: the level set with the mode selector.
    pub mode_selector_level: u16,
    /// `sch_par`: the level set by parameters (0: no password assigned).
    pub parameter_level: u16,
    /// `sch_rel`: the level in force.
    pub level: u16,
    /// `bart_sch`: the mode selector (1 RUN, 2 RUN-P, 3 STOP, 4 MRES, 0 none).
    pub mode_selector: u16,
    /// `anl_sch`: the start-up switch (1 CRST, 2 WRST, 0 none).
    pub startup_switch: u16,
}

/// One diagnostic buffer entry (SZL `0x00A0`, 20 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DiagnosticEntry {
    /// Event id (e.g. `0x4302`, STARTUP to RUN).
    pub event_id: u16,
    /// Priority class.
    pub priority: u8,
    /// OB number.
    pub ob: u8,
    /// What info 1 and info 2 hold.
    pub dat_id: u16,
    /// Additional information 1.
    pub info1: u16,
    /// Additional information 2.
    pub info2: u32,
    /// Time stamp (`None` if it is not a valid BCD date and time).
    pub time: Option<S7DateTime>,
}

fn word(record: &[u8], at: usize) -> u16 {
    let bytes = [
        record.get(at).copied().unwrap_or(0),
        record.get(at.saturating_add(1)).copied().unwrap_or(0),
    ];
    u16::from_be_bytes(bytes)
}

fn short(what: &'static str) -> Error {
    Error::UnexpectedAnswer {
        expected: what,
        found: "a shorter szl record",
    }
}

impl Client {
    /// Sends the CPU's password ("set session password", scrambled as S7 clients do): the
    /// connection may then do what the protection level refuses. A wrong password is
    /// answered with an [`Error::ErrorAnswer`] `D6 02`.
    ///
    /// # Errors
    /// [`Error::Codec`] for an empty password or one longer than 8 bytes; the CPU's error.
    pub fn set_session_password(&mut self, password: &str) -> Result<(), Error> {
        let request = UserData::set_session_password(password.as_bytes())?;
        self.user_data(request, "set session password", false)?;
        Ok(())
    }

    /// Locks the connection again ("clear session password").
    pub fn clear_session_password(&mut self) -> Result<(), Error> {
        self.user_data(
            UserData::clear_session_password(),
            "clear session password",
            false,
        )?;
        Ok(())
    }

    /// The protection levels (SZL `0x0232` index 4).
    pub fn protection(&mut self) -> Result<Protection, Error> {
        let payload = self.read_szl(0x0232, 4)?;
        let list = SzlList::parse(&payload)?;
        let record = list
            .records()
            .next()
            .filter(|r| r.len() >= 12)
            .ok_or_else(|| short("a protection record"))?;
        Ok(Protection {
            mode_selector_level: word(record, 2),
            parameter_level: word(record, 4),
            level: word(record, 6),
            mode_selector: word(record, 8),
            startup_switch: word(record, 10),
        })
    }

    /// The diagnostic buffer, newest first (SZL `0x00A0`).
    pub fn read_diagnostic_buffer(&mut self) -> Result<Vec<DiagnosticEntry>, Error> {
        let payload = self.read_szl(0x00A0, 0)?;
        let list = SzlList::parse(&payload)?;
        list.records()
            .map(|r| {
                let time: Option<[u8; 8]> = r.get(12..20).and_then(|t| t.try_into().ok());
                if r.len() < 20 {
                    return Err(short("20-byte diagnostic entries"));
                }
                Ok(DiagnosticEntry {
                    event_id: word(r, 0),
                    priority: r.get(2).copied().unwrap_or(0),
                    ob: r.get(3).copied().unwrap_or(0),
                    dat_id: word(r, 4),
                    info1: word(r, 6),
                    info2: u32::from(word(r, 8)).wrapping_shl(16) | u32::from(word(r, 10)),
                    time: time.and_then(|t| S7DateTime::from_date_and_time(t).ok()),
                })
            })
            .collect()
    }

    /// The SZL ids the CPU serves (SZL `0x0000`).
    pub fn read_szl_list(&mut self) -> Result<Vec<u16>, Error> {
        let payload = self.read_szl(0x0000, 0)?;
        let list = SzlList::parse(&payload)?;
        Ok(list.records().map(|r| word(r, 0)).collect())
    }
}
