//! Replays every input in tests/fuzz-regressions-profile/ (seeds of the `profile_load` fuzz
//! target and any crash input it found) exactly as the target drives them: loading never
//! panics, every load error names the file, and an accepted profile applies to a builder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::Path;

use s7_mock::profile::Profile;
use s7_mock::Server;

#[test]
fn every_profile_seed_loads_or_fails_with_the_file_named() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions-profile");
    let mut seen = 0;
    let mut accepted = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        seen += 1;
        match Profile::from_toml_str(text, "/nonexistent/s7-mock-fuzz/profile.toml") {
            Ok(profile) => {
                accepted += 1;
                let _ = Server::builder().profile(&profile);
            }
            Err(error) => assert!(
                error.to_string().contains("profile.toml"),
                "{}: {error}",
                path.display()
            ),
        }
    }
    assert!(seen >= 7, "only {seen} seeds in {}", dir.display());
    // The preset examples load (their images are not needed: they name none).
    assert!(accepted >= 4, "only {accepted} seeds loaded");
}
