//! Tag addresses from arbitrary bytes: `Tag::parse` never panics, and every tag it accepts
//! prints (canonical STEP7) to text that parses back to the same tag.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s7comm::Tag;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match Tag::parse(text) {
        Ok(tag) => {
            let canonical = tag.to_string();
            assert_eq!(Tag::parse(&canonical), Ok(tag), "{text:?} -> {canonical:?}");
            // Parsing the canonical form again prints it unchanged.
            assert_eq!(tag.to_string(), canonical);
            let _ = tag.item_address();
            let _ = tag.byte_len();
        }
        Err(s7comm::Error::Address { input, at, .. }) => {
            assert_eq!(input, text);
            assert!(text.is_char_boundary(at), "{text:?} at {at}");
        }
        Err(other) => panic!("{text:?}: unexpected error kind {other:?}"),
    }
});
