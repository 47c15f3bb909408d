//! [`CpuModel`]: what a CPU model reports about itself besides its identity, where CPU
//! families differ: memory sizes, the slot it sits in, its bus rates, and the language its
//! engineering tool gives new code blocks.

use s7comm::block::format::LANG_STL;

/// 1 KiB, the "KB" of Siemens' data sheets.
const KIB: u32 = 1024;
/// 1 MiB.
const MIB: u32 = 1024 * KIB;

/// The model-dependent facts SZL lists and block defaults report. The
/// [`Default`] is a CPU 315-2 PN/DP, the mock's default identity; the profile presets
/// ([`Preset::cpu_model`](crate::profile::Preset::cpu_model)) give the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpuModel {
    /// Work memory in bytes (SZL `0x0013` record 1; occupied by the data blocks).
    pub work_memory: u32,
    /// Integrated load memory in bytes (record 2).
    pub integrated_load_memory: u32,
    /// Plugged load memory (a memory card) in bytes (record 3).
    pub plugged_load_memory: u32,
    /// Largest pluggable load memory in bytes (record 4; [`u32::MAX`] when it does not fit
    /// the record's 4 bytes).
    pub max_load_memory: u32,
    /// Backup (retentive) memory in bytes (record 5; 0 for a CPU whose battery backs all of
    /// its RAM).
    pub backup_memory: u32,
    /// The slot of the CPU in rack 0 (SZL `0x0091`).
    pub slot: u16,
    /// MPI rate in bit/s (SZL `0x0131` index 1), 0 for a CPU without MPI.
    pub mpi_rate: u32,
    /// Communication bus (K-bus) rate in bit/s (SZL `0x0131` index 1), 0 without one.
    pub kbus_rate: u32,
    /// The language byte of code blocks (OB, FC, FB, SFC, SFB) declared without one.
    pub code_language: u8,
}

impl Default for CpuModel {
    /// A CPU 315-2 PN/DP: 384 KB work memory, up to 8 MB load memory on a micro memory card
    /// (plugged), 128 KB retentive memory, slot 2, MPI and K-bus at 187.5 kbit/s, STL.
    fn default() -> Self {
        Self {
            work_memory: 384 * KIB,
            integrated_load_memory: 0,
            plugged_load_memory: 8 * MIB,
            max_load_memory: 8 * MIB,
            backup_memory: 128 * KIB,
            slot: 2,
            mpi_rate: 187_500,
            kbus_rate: 187_500,
            code_language: LANG_STL,
        }
    }
}
