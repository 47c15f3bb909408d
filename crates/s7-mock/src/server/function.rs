//! [`Function`]: what a request asks for, read from its first bytes before it is handled, so
//! that a fault can be chosen by function.

use crate::plc::RequestKind;
use s7comm::control::{CONTROL_FUNCTION, STOP_FUNCTION};
use s7comm::userdata::{
    GROUP_CLOCK, GROUP_SZL, SUBFUNCTION_READ_CLOCK, SUBFUNCTION_READ_SZL, SUBFUNCTION_SET_CLOCK,
};
use s7comm::{read_var, setup, write_var, Header, MessageType};

/// The function of a request, as fault rules match it and the request log reports it.
///
/// ```
/// use s7_mock::server::Function;
///
/// // A read var job: header, then parameters starting with function code 04.
/// let read = [0x32, 0x01, 0, 0, 0, 1, 0, 2, 0, 0, 0x04, 0x00];
/// assert_eq!(Function::of(&read), Function::ReadVar);
/// assert_eq!(Function::of(b"not s7"), Function::Other);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Function {
    /// Setup communication (job function `F0`).
    SetupCommunication,
    /// Read var (job function `04`).
    ReadVar,
    /// Write var (job function `05`).
    WriteVar,
    /// PLC stop (job function `29`).
    PlcStop,
    /// PLC control, e.g. a start (job function `28`).
    PlcControl,
    /// An SZL read, first request or follow-up (userdata group 4, subfunction 1).
    ReadSzl,
    /// Clock read (userdata group 7, subfunction 1).
    ReadClock,
    /// Clock set (userdata group 7, subfunction 2).
    SetClock,
    /// Anything else, including bytes that are not an S7comm request at all.
    Other,
}

impl Function {
    /// Classifies a request PDU by its header and first parameter bytes; never fails (what it
    /// cannot place is [`Function::Other`]) and never allocates.
    pub fn of(request: &[u8]) -> Self {
        let Ok((header, params, _)) = Header::split(request) else {
            return Self::Other;
        };
        match header.message_type {
            MessageType::Job => match params.first().copied() {
                Some(setup::FUNCTION) => Self::SetupCommunication,
                Some(read_var::FUNCTION) => Self::ReadVar,
                Some(write_var::FUNCTION) => Self::WriteVar,
                Some(STOP_FUNCTION) => Self::PlcStop,
                Some(CONTROL_FUNCTION) => Self::PlcControl,
                _ => Self::Other,
            },
            MessageType::UserData => {
                let group = params.get(5).map(|b| b & 0x0F);
                let subfunction = params.get(6).copied();
                match (group, subfunction) {
                    (Some(GROUP_SZL), Some(SUBFUNCTION_READ_SZL)) => Self::ReadSzl,
                    (Some(GROUP_CLOCK), Some(SUBFUNCTION_READ_CLOCK)) => Self::ReadClock,
                    (Some(GROUP_CLOCK), Some(SUBFUNCTION_SET_CLOCK)) => Self::SetClock,
                    _ => Self::Other,
                }
            }
            _ => Self::Other,
        }
    }

    /// The function a handled request's [`RequestKind`] belongs to.
    pub fn of_kind(kind: RequestKind) -> Self {
        match kind {
            RequestKind::SetupCommunication => Self::SetupCommunication,
            RequestKind::ReadVar { .. } => Self::ReadVar,
            RequestKind::WriteVar { .. } => Self::WriteVar,
            RequestKind::PlcStop => Self::PlcStop,
            RequestKind::PlcControl => Self::PlcControl,
            RequestKind::ReadSzl { .. } | RequestKind::ReadSzlFollowUp { .. } => Self::ReadSzl,
            RequestKind::ReadClock => Self::ReadClock,
            RequestKind::SetClock => Self::SetClock,
            RequestKind::UnknownJob { .. } | RequestKind::UnknownUserData { .. } => Self::Other,
        }
    }
}
