//! Profile files from arbitrary bytes: `Profile::from_toml_str` never panics, and a profile it
//! accepts applies to a server builder without panicking (errors are fine: a tag that does not
//! fit, say). Image and block files named by the input are resolved against a directory that
//! does not exist; absolute paths to devices and pseudo files are skipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s7_mock::profile::Profile;
use s7_mock::Server;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    // Image and block file paths are opened for real: keep the fuzzer away from devices and
    // pseudo files (a FIFO or a terminal would block the run). `\u` escapes could spell them.
    if ["/dev", "/proc", "/sys", "/run", "\\u", "\\U"]
        .iter()
        .any(|path| text.contains(path))
    {
        return;
    }
    match Profile::from_toml_str(text, "/nonexistent/s7-mock-fuzz/profile.toml") {
        Ok(profile) => {
            let _ = Server::builder().profile(&profile);
        }
        Err(error) => {
            // Every load error names the file.
            assert!(
                error.to_string().contains("profile.toml"),
                "{text:?}: {error}"
            );
        }
    }
});
