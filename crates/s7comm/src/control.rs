//! PLC stop (function `29`) and PLC control (function `28`, the "PI service" call that
//! starts the CPU, compresses memory, copies RAM to ROM, ...).
//!
//! Stop request parameters:
//!
//! ```text
//! +------+-------------------+-----+-------------------------+
//! | 0x29 | 00 00 00 00 00    | len | PI service, e.g.        |
//! |      | (5 reserved)      |     | "P_PROGRAM"             |
//! +------+-------------------+-----+-------------------------+
//! ```
//!
//! Control request parameters:
//!
//! ```text
//! +------+----------------------+---------+-----------------+-----+------------+
//! | 0x28 | 00 00 00 00 00 00 FD | arg len | argument        | len | PI service |
//! |      | (7 reserved)         |  (2)    | ("C " = cold)   |     |            |
//! +------+----------------------+---------+-----------------+-----+------------+
//!   hot start:  28 00 00 00 00 00 00 FD 00 00 09 "P_PROGRAM"
//!   cold start: 28 00 00 00 00 00 00 FD 00 02 43 20 09 "P_PROGRAM"
//! ```
//!
//! The answer (ack-data) has the function code as its only parameter byte; a second byte
//! (seen with errors: `07` already stopped, `03` already running) is decoded if present.

use super::cursor::{put_u16, wire_u16, wire_u8, Reader};
use alloc::vec::Vec;

use crate::Error;

/// Function code of PLC stop.
pub const STOP_FUNCTION: u8 = 0x29;
/// Function code of PLC control.
pub const CONTROL_FUNCTION: u8 = 0x28;
/// The PI service that stops or starts the user program.
pub const P_PROGRAM: &[u8] = b"P_PROGRAM";
/// The argument of a cold start.
pub const COLD_START_ARGUMENT: &[u8] = b"C ";
/// The PI service that compresses memory.
pub const COMPRESS: &[u8] = b"_GARB";
/// The PI service that copies RAM to ROM.
pub const COPY_RAM_TO_ROM: &[u8] = b"_MODU";

/// Reserved bytes of a control request before the argument length, as clients send them.
pub const CONTROL_RESERVED: [u8; 7] = [0, 0, 0, 0, 0, 0, 0xFD];

/// A PLC stop request.
///
/// The default stops the user program (`P_PROGRAM`) with zero reserved bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlcStopRequest {
    /// The PI service name (`P_PROGRAM`).
    pub service: Vec<u8>,
    /// The 5 reserved bytes after the function code, zero from every known client. Kept as
    /// received so the request encodes back to its bytes; nothing reads them.
    pub reserved: [u8; 5],
}

impl Default for PlcStopRequest {
    fn default() -> Self {
        Self {
            service: P_PROGRAM.to_vec(),
            reserved: [0; 5],
        }
    }
}

impl PlcStopRequest {
    /// Decodes the parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "plc stop parameters");
        r.expect_u8(STOP_FUNCTION, "plc stop function")?;
        let reserved = r.array::<5>()?;
        let len = usize::from(r.u8()?);
        let service = r.bytes(len)?.to_vec();
        r.finish()?;
        Ok(Self { service, reserved })
    }

    /// Encoded parameter length.
    pub fn buffer_len(&self) -> usize {
        self.service.len().saturating_add(7)
    }

    /// Appends the parameter section.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let len = wire_u8(self.service.len(), "pi service name length")?;
        out.push(STOP_FUNCTION);
        out.extend_from_slice(&self.reserved);
        out.push(len);
        out.extend_from_slice(&self.service);
        Ok(())
    }
}

/// A PLC control (PI service) request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlcControlRequest {
    /// The argument block (empty for a hot start, `"C "` for a cold start).
    pub argument: Vec<u8>,
    /// The PI service name.
    pub service: Vec<u8>,
    /// The 7 reserved bytes after the function code, [`CONTROL_RESERVED`]
    /// (`00 00 00 00 00 00 FD`) from every known client. Kept as received so the request
    /// encodes back to its bytes; nothing reads them.
    pub reserved: [u8; 7],
}

impl Default for PlcControlRequest {
    /// A hot start ([`PlcControlRequest::hot_start`]).
    fn default() -> Self {
        Self::hot_start()
    }
}

impl PlcControlRequest {
    /// A call of PI service `service` with `argument` and the usual reserved bytes.
    pub fn new(argument: Vec<u8>, service: Vec<u8>) -> Self {
        Self {
            argument,
            service,
            reserved: CONTROL_RESERVED,
        }
    }

    /// A hot (warm) restart.
    pub fn hot_start() -> Self {
        Self::new(Vec::new(), P_PROGRAM.to_vec())
    }

    /// A cold restart.
    pub fn cold_start() -> Self {
        Self::new(COLD_START_ARGUMENT.to_vec(), P_PROGRAM.to_vec())
    }

    /// Decodes the parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "plc control parameters");
        r.expect_u8(CONTROL_FUNCTION, "plc control function")?;
        let reserved = r.array::<7>()?;
        let arg_len = usize::from(r.u16()?);
        let argument = r.bytes(arg_len)?.to_vec();
        let len = usize::from(r.u8()?);
        let service = r.bytes(len)?.to_vec();
        r.finish()?;
        Ok(Self {
            argument,
            service,
            reserved,
        })
    }

    /// Encoded parameter length.
    pub fn buffer_len(&self) -> usize {
        self.argument
            .len()
            .saturating_add(self.service.len())
            .saturating_add(11)
    }

    /// Appends the parameter section.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let arg_len = wire_u16(self.argument.len(), "pi argument length")?;
        let len = wire_u8(self.service.len(), "pi service name length")?;
        out.push(CONTROL_FUNCTION);
        out.extend_from_slice(&self.reserved);
        put_u16(out, arg_len);
        out.extend_from_slice(&self.argument);
        out.push(len);
        out.extend_from_slice(&self.service);
        Ok(())
    }
}

/// The answer to a stop or control request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ControlResponse {
    /// The function answered (`28` or `29`).
    pub function: u8,
    /// The optional second parameter byte.
    pub parameter: Option<u8>,
}

impl ControlResponse {
    /// Decodes the parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "plc control answer parameters");
        let function = r.u8()?;
        let parameter = if r.remaining() > 0 {
            Some(r.u8()?)
        } else {
            None
        };
        r.finish()?;
        Ok(Self {
            function,
            parameter,
        })
    }

    /// Encoded parameter length.
    pub fn buffer_len(&self) -> usize {
        if self.parameter.is_some() {
            2
        } else {
            1
        }
    }

    /// Appends the parameter section.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.function);
        if let Some(p) = self.parameter {
            out.push(p);
        }
    }
}
