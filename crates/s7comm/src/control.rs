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

/// Reserved bytes of a control request before the argument length.
const CONTROL_RESERVED: [u8; 7] = [0, 0, 0, 0, 0, 0, 0xFD];

/// A PLC stop request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlcStopRequest {
    /// The PI service name (`P_PROGRAM`).
    pub service: Vec<u8>,
}

impl Default for PlcStopRequest {
    fn default() -> Self {
        Self {
            service: P_PROGRAM.to_vec(),
        }
    }
}

impl PlcStopRequest {
    /// Decodes the parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "plc stop parameters");
        r.expect_u8(STOP_FUNCTION, "plc stop function")?;
        let _reserved = r.bytes(5)?;
        let len = usize::from(r.u8()?);
        let service = r.bytes(len)?.to_vec();
        r.finish()?;
        Ok(Self { service })
    }

    /// Encoded parameter length.
    pub fn buffer_len(&self) -> usize {
        self.service.len().saturating_add(7)
    }

    /// Appends the parameter section.
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let len = wire_u8(self.service.len(), "pi service name length")?;
        out.extend_from_slice(&[STOP_FUNCTION, 0, 0, 0, 0, 0, len]);
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
}

impl PlcControlRequest {
    /// A hot (warm) restart.
    pub fn hot_start() -> Self {
        Self {
            argument: Vec::new(),
            service: P_PROGRAM.to_vec(),
        }
    }

    /// A cold restart.
    pub fn cold_start() -> Self {
        Self {
            argument: COLD_START_ARGUMENT.to_vec(),
            service: P_PROGRAM.to_vec(),
        }
    }

    /// Decodes the parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "plc control parameters");
        r.expect_u8(CONTROL_FUNCTION, "plc control function")?;
        let _reserved = r.bytes(CONTROL_RESERVED.len())?;
        let arg_len = usize::from(r.u16()?);
        let argument = r.bytes(arg_len)?.to_vec();
        let len = usize::from(r.u8()?);
        let service = r.bytes(len)?.to_vec();
        r.finish()?;
        Ok(Self { argument, service })
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
        out.extend_from_slice(&CONTROL_RESERVED);
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
