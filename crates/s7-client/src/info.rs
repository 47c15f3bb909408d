//! What a CPU says about itself: its state (SZL `0x0424`), order code (SZL `0x0011`) and
//! identification (SZL `0x001C`), decoded from SZL payloads.

use s7comm::szl::{
    COMPONENT_IDENTIFICATION, COMPONENT_IDENTIFICATION_RECORD_LEN, CPU_STATE, MODE_RUN, MODE_STOP,
    MODULE_IDENTIFICATION,
};

use crate::Error;

/// The CPU's operating mode, from SZL `0x0424`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CpuState {
    /// RUN (mode byte `08`).
    Run,
    /// STOP (mode byte `04`).
    Stop,
    /// Any other mode byte (`00` unknown, startup, hold, ...).
    Other(u8),
}

/// The CPU's order code (MLFB) and firmware version, from SZL `0x0011`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderCode {
    /// Order code, e.g. `6ES7 315-2EH14-0AB0` (trailing spaces and NULs removed).
    pub code: String,
    /// Firmware version `(major, minor, patch)`: from the firmware record (index 7,
    /// `V major minor patch`), else the last three bytes of the list.
    pub version: (u8, u8, u8),
}

/// The CPU's identification, from SZL `0x001C`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CpuInfo {
    /// Module type name (index 7), e.g. `CPU 315-2 PN/DP`.
    pub module_type: String,
    /// Serial number of the module (index 5).
    pub serial_number: String,
    /// Name of the automation system (index 1).
    pub as_name: String,
    /// Copyright (index 4).
    pub copyright: String,
    /// Name of the module (index 2).
    pub module_name: String,
}

/// Text of an SZL field: up to the first NUL, trailing spaces removed.
fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    let field = bytes.get(..end).unwrap_or_default();
    String::from_utf8_lossy(field).trim_end().to_string()
}

/// The partial list header and the bytes after it.
fn split_header(payload: &[u8]) -> Option<(usize, usize, &[u8])> {
    let len = u16::from_be_bytes([*payload.first()?, *payload.get(1)?]);
    let count = u16::from_be_bytes([*payload.get(2)?, *payload.get(3)?]);
    Some((usize::from(len), usize::from(count), payload.get(4..)?))
}

/// Records of `len` bytes after the header (at most `count`, whole records only).
fn records(payload: &[u8]) -> impl Iterator<Item = &[u8]> {
    let (len, count, rest) = split_header(payload).unwrap_or((0, 0, &[]));
    let len = len.max(1);
    rest.chunks_exact(len).take(count)
}

/// The CPU state in an SZL `0x0424` payload: byte 3 of the first record.
pub(crate) fn cpu_state(payload: &[u8]) -> Result<CpuState, Error> {
    let mode = records(payload)
        .next()
        .and_then(|r| r.get(3).copied())
        .ok_or(Error::Szl {
            id: CPU_STATE,
            reason: "the answer holds no cpu state record",
        })?;
    Ok(match mode {
        MODE_RUN => CpuState::Run,
        MODE_STOP => CpuState::Stop,
        other => CpuState::Other(other),
    })
}

/// The order code in an SZL `0x0011` payload: record index 1, 20 characters after the index.
pub(crate) fn order_code(payload: &[u8]) -> Result<OrderCode, Error> {
    let record = records(payload)
        .find(|r| r.get(..2) == Some(&[0, 1][..]))
        .or_else(|| records(payload).next())
        .ok_or(Error::Szl {
            id: MODULE_IDENTIFICATION,
            reason: "the answer holds no module identification record",
        })?;
    let code = record.get(2..22).ok_or(Error::Szl {
        id: MODULE_IDENTIFICATION,
        reason: "the module identification record is shorter than its order code",
    })?;
    // The firmware record (index 7) holds `V major minor patch` after the order code and
    // the module type word; without it (python-snap7's server sends one 26-byte record),
    // the last three bytes of the list, as snap7's client takes them. snap7's own client
    // reads the boot loader's version there when a CPU lists record 0x0081 last.
    let firmware = records(payload)
        .find(|r| r.get(..2) == Some(&[0, 7][..]))
        .and_then(|r| match r.get(24..28) {
            Some([b'V', major, minor, patch]) => Some((*major, *minor, *patch)),
            _ => None,
        });
    let last = match payload
        .len()
        .checked_sub(3)
        .and_then(|at| payload.get(at..))
    {
        Some([major, minor, patch]) => (*major, *minor, *patch),
        _ => (0, 0, 0),
    };
    let version = firmware.unwrap_or(last);
    Ok(OrderCode {
        code: text(code),
        version,
    })
}

/// Offsets (in the payload, header included) of the text of records 1, 2, 4, 5 and 7 when
/// the records come in the usual order 1, 2, 3, 4, 5, 7: where snap7's client reads them.
const FIXED_OFFSETS: [(u16, usize, usize); 5] = [
    (1, 6, 24),
    (2, 40, 24),
    (4, 108, 26),
    (5, 142, 24),
    (7, 176, 32),
];

/// The identification in an SZL `0x001C` payload. Records are looked up by index; a payload
/// whose header does not announce 34-byte records (python-snap7's server sends none) is read
/// at the fixed offsets snap7's client uses.
pub(crate) fn cpu_info(payload: &[u8]) -> Result<CpuInfo, Error> {
    let mut fields: [String; 5] = Default::default();
    let by_index = matches!(split_header(payload), Some((len, count, _))
        if len == usize::from(COMPONENT_IDENTIFICATION_RECORD_LEN) && count > 0);
    if by_index {
        for record in records(payload) {
            let index = u16::from_be_bytes([
                record.first().copied().unwrap_or(0),
                record.get(1).copied().unwrap_or(0),
            ]);
            if let Some(slot) = FIXED_OFFSETS
                .iter()
                .position(|(i, _, _)| *i == index)
                .and_then(|at| fields.get_mut(at))
            {
                *slot = text(record.get(2..).unwrap_or_default());
            }
        }
    } else {
        let last = FIXED_OFFSETS
            .iter()
            .map(|(_, at, len)| at.saturating_add(*len))
            .max()
            .unwrap_or(0);
        if payload.len() < last {
            return Err(Error::Szl {
                id: COMPONENT_IDENTIFICATION,
                reason: "the answer is shorter than the component identification records",
            });
        }
        for ((_, at, len), slot) in FIXED_OFFSETS.iter().zip(fields.iter_mut()) {
            *slot = text(
                payload
                    .get(*at..at.saturating_add(*len))
                    .unwrap_or_default(),
            );
        }
    }
    let [as_name, module_name, copyright, serial_number, module_type] = fields;
    Ok(CpuInfo {
        module_type,
        serial_number,
        as_name,
        copyright,
        module_name,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn record(index: u16, text: &str, len: usize) -> Vec<u8> {
        let mut r = index.to_be_bytes().to_vec();
        let mut t = text.as_bytes().to_vec();
        t.resize(len - 2, 0);
        r.extend(t);
        r
    }

    #[test]
    fn cpu_state_is_the_fourth_byte_of_the_record() {
        let mut payload = vec![0, 20, 0, 1];
        let mut rec = vec![0u8; 20];
        rec[3] = 0x08;
        payload.extend(&rec);
        assert_eq!(cpu_state(&payload).unwrap(), CpuState::Run);
        payload[7] = 0x04;
        assert_eq!(cpu_state(&payload).unwrap(), CpuState::Stop);
        payload[7] = 0x00;
        assert_eq!(cpu_state(&payload).unwrap(), CpuState::Other(0));
        assert!(cpu_state(&[0, 20, 0, 0]).is_err());
    }

    #[test]
    fn order_code_from_python_snap7_layout() {
        // 26-byte record, one of them, version 3.3.0 at the end.
        let mut payload = vec![0, 26, 0, 1, 0, 1];
        let mut mlfb = b"6ES7 315-2EH14-0AB0".to_vec();
        mlfb.resize(20, 0);
        payload.extend(mlfb);
        payload.extend([0, 3, 3, 0]);
        let code = order_code(&payload).unwrap();
        assert_eq!(code.code, "6ES7 315-2EH14-0AB0");
        assert_eq!(code.version, (3, 3, 0));
    }

    #[test]
    fn order_code_takes_the_firmware_record_not_the_boot_loader() {
        // snap7's C server (python-snap7 2.0.2): records 1, 6, 7 (V3.2.6) and 0x81 (boot
        // loader, "A 20 09 09") last.
        let hex = "00 01 36 45 53 37 20 33 31 35 2d 32 45 48 31 34 2d 30 41 42 30 20 00 c0 00 04 00 01 \
                   00 06 36 45 53 37 20 33 31 35 2d 32 45 48 31 34 2d 30 41 42 30 20 00 c0 00 04 00 01 \
                   00 07 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 00 c0 56 03 02 06 \
                   00 81 42 6f 6f 74 20 4c 6f 61 64 65 72 20 20 20 20 20 20 20 20 20 00 00 41 20 09 09";
        let mut payload = vec![0, 28, 0, 4];
        payload.extend(
            hex.split_whitespace()
                .map(|b| u8::from_str_radix(b, 16).unwrap()),
        );
        let code = order_code(&payload).unwrap();
        assert_eq!(code.code, "6ES7 315-2EH14-0AB0");
        assert_eq!(code.version, (3, 2, 6));
    }

    #[test]
    fn cpu_info_by_index_and_at_fixed_offsets() {
        let mut payload = vec![0, 34, 0, 6];
        for (i, t) in [
            (1, "AS"),
            (2, "MODULE"),
            (3, ""),
            (4, "COPY"),
            (5, "SERIAL"),
            (7, "TYPE"),
        ] {
            payload.extend(record(i, t, 34));
        }
        let info = cpu_info(&payload).unwrap();
        assert_eq!(
            info,
            CpuInfo {
                module_type: "TYPE".into(),
                serial_number: "SERIAL".into(),
                as_name: "AS".into(),
                copyright: "COPY".into(),
                module_name: "MODULE".into(),
            }
        );
        // The same bytes with a zero header read at the fixed offsets.
        payload[..4].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(cpu_info(&payload).unwrap(), info);
    }
}
