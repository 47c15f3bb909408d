//! The block PI services of PLC control (`28`): `_DELE` deletes blocks, `_INSE` inserts
//! downloaded ones.
//!
//! Their argument names the blocks:
//!
//! ```text
//! COUNT 00 | COUNT x ('0' T NNNNN F)
//! 28 00 00 00 00 00 00 FD 00 0A 01 00 30 41 30 30 30 30 31 42 05 _DELE   (delete DB1)
//! 28 00 00 00 00 00 00 FD 00 0A 01 00 30 41 30 30 30 30 31 50 05 _INSE   (insert DB1)
//! ```
//!
//! python-snap7 3.3.0 sends `_DELE` in a layout of its own, which
//! [`parse_compact_delete`] reads:
//!
//! ```text
//! 28 00 00 00 00 00 SPEC_LEN PI_LEN 00 | SPEC ("41" "00001" "P": type letter in hex) | _DELE
//! ```

use alloc::vec::Vec;

use super::{parse_digits, BlockId, BlockType};
use crate::control::{PlcControlRequest, CONTROL_FUNCTION};
use crate::cursor::{wire_u8, Reader};
use crate::Error;

/// The PI service that deletes blocks.
pub const DELETE: &[u8] = b"_DELE";
/// The PI service that inserts downloaded blocks.
pub const INSERT: &[u8] = b"_INSE";

/// The block list argument of `_DELE` and `_INSE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PiBlockList {
    /// The byte after the count, `00`.
    pub reserved: u8,
    /// The blocks.
    pub blocks: Vec<BlockId>,
}

impl PiBlockList {
    /// Decodes an argument.
    pub fn parse(argument: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(argument, "pi block list");
        let count = usize::from(r.u8()?);
        let reserved = r.u8()?;
        let blocks = (0..count)
            .map(|_| BlockId::parse(r.bytes(BlockId::LEN)?))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        Ok(Self { reserved, blocks })
    }

    /// Encodes the argument.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(
            self.blocks
                .len()
                .saturating_mul(BlockId::LEN)
                .saturating_add(2),
        );
        out.push(wire_u8(self.blocks.len(), "pi block count")?);
        out.push(self.reserved);
        for block in &self.blocks {
            block.emit(&mut out)?;
        }
        Ok(out)
    }

    /// A PLC control request calling `service` (`_DELE` or `_INSE`) for `blocks`.
    pub fn request(service: &[u8], blocks: Vec<BlockId>) -> Result<PlcControlRequest, Error> {
        let argument = Self {
            reserved: 0,
            blocks,
        }
        .to_bytes()?;
        Ok(PlcControlRequest::new(argument, service.to_vec()))
    }
}

/// Reads python-snap7 3.3.0's `_DELE` layout (see the [module docs](self)); returns the
/// block and the PI service name.
pub fn parse_compact_delete(params: &[u8]) -> Result<(BlockId, &[u8]), Error> {
    let mut r = Reader::new(params, "compact pi parameters");
    r.expect_u8(CONTROL_FUNCTION, "plc control function")?;
    for _ in 0..5 {
        r.expect_u8(0, "compact pi reserved byte")?;
    }
    let spec_len = usize::from(r.u8()?);
    let pi_len = usize::from(r.u8()?);
    r.expect_u8(0, "compact pi reserved byte")?;
    let spec = r.bytes(spec_len)?;
    let service = r.bytes(pi_len)?;
    r.finish()?;
    let invalid = || Error::InvalidValue {
        what: "compact pi block spec",
        value: 0,
    };
    let mut s = Reader::new(spec, "compact pi block spec");
    let hex = s.bytes(2)?;
    let letter = core::str::from_utf8(hex)
        .ok()
        .and_then(|h| u8::from_str_radix(h, 16).ok())
        .ok_or_else(invalid)?;
    let block_type = BlockType::from_letter(letter).ok_or_else(invalid)?;
    let number = parse_digits(s.bytes(5)?).ok_or_else(invalid)?;
    let file_system = s.u8()?;
    s.finish()?;
    Ok((
        BlockId {
            block_type,
            number,
            file_system,
        },
        service,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::FS_BOTH;
    use alloc::vec;

    #[test]
    fn snap7_delete() {
        let id = BlockId {
            block_type: BlockType::Db,
            number: 1,
            file_system: FS_BOTH,
        };
        let request = PiBlockList::request(DELETE, vec![id]).unwrap();
        let mut out = vec![];
        request.emit(&mut out).unwrap();
        assert_eq!(
            out,
            b"\x28\x00\x00\x00\x00\x00\x00\xfd\x00\x0a\x01\x00\x30\x41\x30\x30\x30\x30\x31\x42\x05_DELE"
        );
        let parsed = PlcControlRequest::parse(&out).unwrap();
        assert_eq!(PiBlockList::parse(&parsed.argument).unwrap().blocks, [id]);
    }

    #[test]
    fn python_snap7_delete() {
        let params = b"\x28\x00\x00\x00\x00\x00\x08\x05\x004100042P_DELE";
        let (id, service) = parse_compact_delete(params).unwrap();
        assert_eq!(service, DELETE);
        assert_eq!(id.number, 42);
        assert_eq!(id.block_type, BlockType::Db);
        assert!(parse_compact_delete(&params[..params.len() - 1]).is_err());
        assert!(PlcControlRequest::parse(params).is_err());
    }
}
