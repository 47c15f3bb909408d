//! Hex strings for memory contents and written data: lowercase out, either case in.

use super::error::ApiError;

/// `bytes` as lowercase hex, two digits each.
pub(crate) fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0F] {
            if let Some(&digit) = DIGITS.get(usize::from(nibble)) {
                out.push(char::from(digit));
            }
        }
    }
    out
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The bytes of a hex string (an even number of hex digits, nothing else).
pub(crate) fn decode(hex: &str) -> Result<Vec<u8>, ApiError> {
    let digits = hex.as_bytes();
    if digits.len() % 2 != 0 {
        return Err(ApiError::bad_request(format!(
            "hex has an odd number of digits ({})",
            digits.len()
        )));
    }
    digits
        .chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| match pair {
            [hi, lo] => match (nibble(*hi), nibble(*lo)) {
                (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
                _ => Err(ApiError::bad_request(format!(
                    "hex has a non-hex digit at position {}",
                    i.saturating_mul(2)
                ))),
            },
            _ => Err(ApiError::bad_request("hex is malformed")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn round_trip() {
        assert_eq!(encode(&[0x00, 0xAB, 0x7F]), "00ab7f");
        assert_eq!(decode("00aB7f"), Ok(vec![0x00, 0xAB, 0x7F]));
        assert!(decode("abc").is_err());
        assert!(decode("zz").is_err());
        assert_eq!(decode(""), Ok(Vec::new()));
    }
}
