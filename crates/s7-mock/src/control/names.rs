//! The names the control API gives functions, areas, transport sizes, return codes,
//! disconnect reasons and reject causes, both ways. Codes without a name are plain numbers.

use iso_tcp::{DisconnectReason, RejectCause};
use s7comm::{Area, ReturnCode, TransportSize};

use crate::plc::CpuState;
use crate::server::Function;

/// Every function name, for error messages.
pub(crate) const FUNCTION_NAMES: &str =
    "setup, read_var, write_var, stop, control, szl, read_clock, set_clock, other";

/// The name of a function, as the request log and fault rules show it.
pub(crate) fn function_name(function: Function) -> &'static str {
    match function {
        Function::SetupCommunication => "setup",
        Function::ReadVar => "read_var",
        Function::WriteVar => "write_var",
        Function::PlcStop => "stop",
        Function::PlcControl => "control",
        Function::ReadSzl => "szl",
        Function::ReadClock => "read_clock",
        Function::SetClock => "set_clock",
        _ => "other",
    }
}

/// The function of a name.
pub(crate) fn function_by_name(name: &str) -> Option<Function> {
    Some(match name {
        "setup" => Function::SetupCommunication,
        "read_var" => Function::ReadVar,
        "write_var" => Function::WriteVar,
        "stop" => Function::PlcStop,
        "control" => Function::PlcControl,
        "szl" => Function::ReadSzl,
        "read_clock" => Function::ReadClock,
        "set_clock" => Function::SetClock,
        "other" => Function::Other,
        _ => return None,
    })
}

/// The name of a group of functions a fault rule can match by one name: `clock` for both
/// clock requests (read and set).
pub(crate) const CLOCK: &str = "clock";

/// The functions a fault rule's `when.function` name matches: the one function of that name,
/// or both clock functions for [`CLOCK`].
pub(crate) fn functions_by_name(name: &str) -> Option<Vec<Function>> {
    if name == CLOCK {
        return Some(vec![Function::ReadClock, Function::SetClock]);
    }
    function_by_name(name).map(|function| vec![function])
}

/// The names of a rule's functions, one per function except that both clock functions
/// together are `clock` (where the first of them stands).
pub(crate) fn functions_names(functions: &[Function]) -> Vec<&'static str> {
    let clock = functions.contains(&Function::ReadClock) && functions.contains(&Function::SetClock);
    let mut names = Vec::with_capacity(functions.len());
    for &function in functions {
        let name = match function {
            Function::ReadClock | Function::SetClock if clock => CLOCK,
            other => function_name(other),
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `"run"` or `"stop"`.
pub(crate) fn cpu_name(state: CpuState) -> &'static str {
    match state {
        CpuState::Run => "run",
        CpuState::Stop => "stop",
    }
}

/// The area of an item address as the request log shows it (`None`: an unnamed code).
pub(crate) fn area_name(area: Area) -> Option<&'static str> {
    Some(match area {
        Area::Inputs => "inputs",
        Area::Outputs => "outputs",
        Area::Flags => "merkers",
        Area::DataBlock => "db",
        Area::Timers => "timers",
        Area::Counters => "counters",
        Area::Other(_) => return None,
    })
}

/// The transport size of an item address (`None`: an unnamed code).
pub(crate) fn transport_name(size: TransportSize) -> Option<&'static str> {
    Some(match size {
        TransportSize::Bit => "bit",
        TransportSize::Byte => "byte",
        TransportSize::Char => "char",
        TransportSize::Word => "word",
        TransportSize::Int => "int",
        TransportSize::DWord => "dword",
        TransportSize::DInt => "dint",
        TransportSize::Real => "real",
        TransportSize::Counter => "counter",
        TransportSize::Timer => "timer",
        TransportSize::Other(_) => return None,
    })
}

const RETURN_CODES: [(&str, ReturnCode); 8] = [
    ("reserved", ReturnCode::Reserved),
    ("hardware_fault", ReturnCode::HardwareFault),
    ("access_denied", ReturnCode::AccessDenied),
    ("address_out_of_range", ReturnCode::AddressOutOfRange),
    (
        "transport_size_not_supported",
        ReturnCode::TransportSizeNotSupported,
    ),
    ("data_size_mismatch", ReturnCode::DataSizeMismatch),
    ("object_does_not_exist", ReturnCode::ObjectDoesNotExist),
    ("success", ReturnCode::Success),
];

const DISCONNECT_REASONS: [(&str, DisconnectReason); 13] = [
    ("not_specified", DisconnectReason::NotSpecified),
    ("congestion", DisconnectReason::Congestion),
    ("session_not_attached", DisconnectReason::SessionNotAttached),
    ("address_unknown", DisconnectReason::AddressUnknown),
    ("normal", DisconnectReason::Normal),
    ("remote_congestion", DisconnectReason::RemoteCongestion),
    ("negotiation_failed", DisconnectReason::NegotiationFailed),
    (
        "duplicate_source_reference",
        DisconnectReason::DuplicateSourceReference,
    ),
    (
        "mismatched_references",
        DisconnectReason::MismatchedReferences,
    ),
    ("protocol_error", DisconnectReason::ProtocolError),
    ("reference_overflow", DisconnectReason::ReferenceOverflow),
    ("connection_refused", DisconnectReason::ConnectionRefused),
    (
        "invalid_header_or_parameter_length",
        DisconnectReason::InvalidHeaderOrParameterLength,
    ),
];

const REJECT_CAUSES: [(&str, RejectCause); 4] = [
    ("not_specified", RejectCause::NotSpecified),
    ("invalid_parameter_code", RejectCause::InvalidParameterCode),
    ("invalid_tpdu_type", RejectCause::InvalidTpduType),
    (
        "invalid_parameter_value",
        RejectCause::InvalidParameterValue,
    ),
];

fn name_of<T: PartialEq + Copy>(table: &[(&'static str, T)], value: T) -> Option<&'static str> {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(name, _)| *name)
}

fn by_name<T: Copy>(table: &[(&'static str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

fn names<T>(table: &[(&'static str, T)]) -> String {
    table
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A return code's name.
pub(crate) fn return_code_name(code: ReturnCode) -> Option<&'static str> {
    name_of(&RETURN_CODES, code)
}

/// The return code of a name.
pub(crate) fn return_code_by_name(name: &str) -> Option<ReturnCode> {
    by_name(&RETURN_CODES, name)
}

/// Every return code name, for error messages.
pub(crate) fn return_code_names() -> String {
    names(&RETURN_CODES)
}

/// A disconnect reason's name.
pub(crate) fn reason_name(reason: DisconnectReason) -> Option<&'static str> {
    name_of(&DISCONNECT_REASONS, reason)
}

/// The disconnect reason of a name.
pub(crate) fn reason_by_name(name: &str) -> Option<DisconnectReason> {
    by_name(&DISCONNECT_REASONS, name)
}

/// Every disconnect reason name, for error messages.
pub(crate) fn reason_names() -> String {
    names(&DISCONNECT_REASONS)
}

/// A reject cause's name.
pub(crate) fn cause_name(cause: RejectCause) -> Option<&'static str> {
    name_of(&REJECT_CAUSES, cause)
}

/// The reject cause of a name.
pub(crate) fn cause_by_name(name: &str) -> Option<RejectCause> {
    by_name(&REJECT_CAUSES, name)
}

/// Every reject cause name, for error messages.
pub(crate) fn cause_names() -> String {
    names(&REJECT_CAUSES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_name_maps_back() {
        for name in FUNCTION_NAMES.split(", ") {
            let function = function_by_name(name);
            assert_eq!(function.map(function_name), Some(name));
        }
    }

    #[test]
    fn clock_names_both_clock_functions_and_maps_back() {
        let both = functions_by_name("clock").unwrap();
        assert_eq!(both, [Function::ReadClock, Function::SetClock]);
        assert_eq!(functions_names(&both), ["clock"]);
        assert_eq!(
            functions_names(&[Function::SetClock, Function::ReadClock]),
            ["clock"]
        );
        assert_eq!(functions_names(&[Function::ReadClock]), ["read_clock"]);
        assert_eq!(
            functions_names(&[Function::ReadVar, Function::WriteVar]),
            ["read_var", "write_var"]
        );
        for name in FUNCTION_NAMES.split(", ") {
            let functions = functions_by_name(name).unwrap();
            assert_eq!(functions_names(&functions), [name]);
        }
        assert_eq!(
            functions_names(&[
                Function::ReadSzl,
                Function::SetClock,
                Function::ReadVar,
                Function::ReadClock
            ]),
            ["szl", "clock", "read_var"]
        );
        assert_eq!(functions_by_name("clocks"), None);
    }

    #[test]
    fn named_codes_map_back() {
        for (name, code) in RETURN_CODES {
            assert_eq!(return_code_by_name(name), Some(code));
            assert_eq!(return_code_name(code), Some(name));
        }
        for (name, reason) in DISCONNECT_REASONS {
            assert_eq!(reason_by_name(name), Some(reason));
            assert_eq!(reason_name(reason), Some(name));
        }
        for (name, cause) in REJECT_CAUSES {
            assert_eq!(cause_by_name(name), Some(cause));
            assert_eq!(cause_name(cause), Some(name));
        }
    }
}
