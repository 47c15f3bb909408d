//! [`TsapFilter`]: which connection requests the server accepts, judged by the called TSAP.

use iso_tcp::Tsap;

/// The S7 connection type in the first byte of a TSAP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionType {
    /// `01`: programming device (PG).
    Pg,
    /// `02`: operator panel (OP).
    Op,
    /// `03`: S7 basic communication.
    S7Basic,
    /// Any other value.
    Other(u8),
}

impl ConnectionType {
    /// The wire value.
    pub fn code(self) -> u8 {
        match self {
            Self::Pg => 1,
            Self::Op => 2,
            Self::S7Basic => 3,
            Self::Other(code) => code,
        }
    }

    /// Decodes a wire value.
    pub fn from_code(code: u8) -> Self {
        match code {
            1 => Self::Pg,
            2 => Self::Op,
            3 => Self::S7Basic,
            other => Self::Other(other),
        }
    }
}

/// Restricts the called TSAP a client may ask for: rack, slot and connection type, as an S7
/// CPU does. Each part left unset accepts anything; the default accepts every request,
/// including ones without a called TSAP or with a TSAP that is not a 2-byte S7 TSAP.
///
/// ```text
///  called TSAP (2 bytes):  | connection type | rack (3 bits) | slot (5 bits) |
///                             01 PG, 02 OP,     e.g. 0x02 = rack 0, slot 2
///                             03 S7 basic
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsapFilter {
    rack_slot: Option<(u8, u8)>,
    connection_types: Option<Vec<ConnectionType>>,
}

impl TsapFilter {
    /// Accepts every request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Accepts only a called TSAP naming this rack and slot.
    #[must_use]
    pub fn rack_slot(mut self, rack: u8, slot: u8) -> Self {
        self.rack_slot = Some((rack, slot));
        self
    }

    /// Accepts only a called TSAP of one of these connection types.
    #[must_use]
    pub fn connection_types(mut self, types: &[ConnectionType]) -> Self {
        self.connection_types = Some(types.to_vec());
        self
    }

    /// Whether the filter accepts everything.
    pub fn is_open(&self) -> bool {
        self.rack_slot.is_none() && self.connection_types.is_none()
    }

    /// Whether a request with this called TSAP is accepted.
    pub fn accepts(&self, called: Option<&Tsap>) -> bool {
        if self.is_open() {
            return true;
        }
        let Some([kind, rack_slot]) =
            called.and_then(|tsap| <[u8; 2]>::try_from(tsap.as_bytes()).ok())
        else {
            return false;
        };
        let rack = rack_slot >> 5;
        let slot = rack_slot & 0x1F;
        let place_ok = self.rack_slot.is_none_or(|wanted| wanted == (rack, slot));
        let kind_ok = self
            .connection_types
            .as_ref()
            .is_none_or(|types| types.contains(&ConnectionType::from_code(kind)));
        place_ok && kind_ok
    }
}
