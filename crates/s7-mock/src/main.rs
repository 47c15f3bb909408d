//! `s7-mock` command-line binary.
fn main() {}
