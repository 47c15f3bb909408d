//! The TPDU type codes of the class 0 TPDUs (byte 1 of every TPDU).
//!
//! For CR and CC the low nibble of the code byte carries the credit, which is always 0 in
//! class 0; the constants here are the values class 0 sends.

/// Connection request (CR).
pub const CONNECTION_REQUEST: u8 = 0xE0;
/// Connection confirm (CC).
pub const CONNECTION_CONFIRM: u8 = 0xD0;
/// Disconnect request (DR).
pub const DISCONNECT_REQUEST: u8 = 0x80;
/// Disconnect confirm (DC).
pub const DISCONNECT_CONFIRM: u8 = 0xC0;
/// Data (DT).
pub const DATA: u8 = 0xF0;
/// TPDU error (ER).
pub const ERROR: u8 = 0x70;
