//! The identification strings a CPU reports in SZL `0x0011` and `0x001C`.

/// What the PLC says about itself.
///
/// Strings longer than their SZL field are cut; shorter ones are padded (with spaces in
/// the order number, zeros elsewhere, as CPUs do).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Order number (MLFB), SZL `0x0011` records 1 and 6; 20 characters.
    pub order_number: String,
    /// Firmware version `(major, minor, patch)`, SZL `0x0011` record 7.
    pub firmware_version: (u8, u8, u8),
    /// Name of the automation system, SZL `0x001C` index 1; 24 characters.
    pub system_name: String,
    /// Name of the module, index 2; 24 characters.
    pub module_name: String,
    /// Plant identification, index 3; 32 characters.
    pub plant_id: String,
    /// Copyright, index 4; 26 characters.
    pub copyright: String,
    /// Serial number of the module, index 5; 24 characters.
    pub serial_number: String,
    /// Module type name, index 7; 32 characters.
    pub module_type_name: String,
    /// Serial number of the memory card, index 8; 32 characters.
    pub memory_card_serial: String,
    /// Location designation, index 11; 32 characters.
    pub location: String,
}

impl Default for Identity {
    /// A CPU 315-2 PN/DP with firmware V3.2.6.
    fn default() -> Self {
        Self {
            order_number: "6ES7 315-2EH14-0AB0".into(),
            firmware_version: (3, 2, 6),
            system_name: "S7-MOCK".into(),
            module_name: "CPU 315-2 PN/DP".into(),
            plant_id: String::new(),
            copyright: "Original Siemens Equipment".into(),
            serial_number: "S C-M0CK00000001".into(),
            module_type_name: "CPU 315-2 PN/DP".into(),
            memory_card_serial: String::new(),
            location: String::new(),
        }
    }
}
