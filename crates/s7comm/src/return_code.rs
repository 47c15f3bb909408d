//! The return code that starts every data item and every write acknowledgement.

/// Per-item result of a read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnCode {
    /// `00`: reserved; what clients put in the data items of write requests.
    Reserved,
    /// `01`: hardware fault.
    HardwareFault,
    /// `03`: accessing the object is not allowed.
    AccessDenied,
    /// `05`: address out of range (also: invalid address, bit count above one).
    AddressOutOfRange,
    /// `06`: transport size not supported.
    TransportSizeNotSupported,
    /// `07`: data size mismatch (write data does not match the address).
    DataSizeMismatch,
    /// `0A`: object does not exist (missing data block, unknown area).
    ObjectDoesNotExist,
    /// `FF`: success.
    Success,
    /// Any other value.
    Other(u8),
}

impl ReturnCode {
    /// The wire value.
    #[inline]
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Reserved => 0x00,
            Self::HardwareFault => 0x01,
            Self::AccessDenied => 0x03,
            Self::AddressOutOfRange => 0x05,
            Self::TransportSizeNotSupported => 0x06,
            Self::DataSizeMismatch => 0x07,
            Self::ObjectDoesNotExist => 0x0A,
            Self::Success => 0xFF,
            Self::Other(v) => v,
        }
    }

    /// Decodes a return code byte; unknown values become [`ReturnCode::Other`].
    #[inline]
    pub fn from_u8(value: u8) -> Self {
        match value {
            0x00 => Self::Reserved,
            0x01 => Self::HardwareFault,
            0x03 => Self::AccessDenied,
            0x05 => Self::AddressOutOfRange,
            0x06 => Self::TransportSizeNotSupported,
            0x07 => Self::DataSizeMismatch,
            0x0A => Self::ObjectDoesNotExist,
            0xFF => Self::Success,
            other => Self::Other(other),
        }
    }

    /// Whether this is [`ReturnCode::Success`].
    #[inline]
    pub fn is_success(self) -> bool {
        matches!(self, Self::Success)
    }
}
