//! Hooks: how a caller (fault injection, a test's read hook) changes answers without
//! touching the handler.

use s7comm::{ItemAddress, ReturnCode};

/// The return code of a read item whose value a hook supplied with the wrong number of bytes
/// ([`Hooks::read_value`]): `07`, data size mismatch.
pub const READ_HOOK_LENGTH_MISMATCH: ReturnCode = ReturnCode::DataSizeMismatch;

/// Which kind of item a hook is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemOperation {
    /// An item of a read var request.
    Read,
    /// An item of a write var request.
    Write,
}

/// Callbacks [`Plc::handle`](super::Plc::handle) consults while it answers.
///
/// Every method has a default that changes nothing, so an implementation overrides only
/// what it needs. The handler is generic over the hooks type: [`NoHooks`] costs nothing.
pub trait Hooks {
    /// Called for item `index` (from 0) of a read or write request before memory is
    /// touched. Returning a code other than [`ReturnCode::Success`] answers the item with
    /// that code instead (a read item then carries no data; a write item is not written).
    /// `None` or `Some(Success)` processes the item normally.
    fn item_return_code(
        &mut self,
        operation: ItemOperation,
        index: usize,
        item: &ItemAddress,
    ) -> Option<ReturnCode> {
        let _ = (operation, index, item);
        None
    }

    /// Whether [`read_value`](Self::read_value) is to be asked for the items of read
    /// requests. `false` (the default) reads every item from memory under one read lock;
    /// `true` reads item by item, taking the lock only for an item the hook leaves to memory,
    /// so that `read_value` runs with no memory lock held (a multi-item read is then no
    /// longer one atomic snapshot).
    fn supplies_reads(&self) -> bool {
        false
    }

    /// Called, when [`supplies_reads`](Self::supplies_reads) says so, for item `index` (from
    /// 0) of a read request whose address makes sense (transport size served, count and bit
    /// offset valid; the area or data block need not exist in memory) and that
    /// [`item_return_code`](Self::item_return_code) did not fail, with no memory lock held.
    ///
    /// `Some(bytes)` answers the item with these bytes instead of memory's: exactly `len`
    /// bytes (`1` for a bit, two per timer or counter), sent as they are; any other length
    /// fails the item with [`READ_HOOK_LENGTH_MISMATCH`]. `None` reads the item from memory.
    fn read_value(&mut self, index: usize, item: &ItemAddress, len: usize) -> Option<Vec<u8>> {
        let _ = (index, item, len);
        None
    }
}

/// Hooks that change nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoHooks;

impl Hooks for NoHooks {}

/// A fixed fault: answer item `index` of every read and/or write with `return_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailItem {
    /// The item to fail (from 0).
    pub index: usize,
    /// The code to answer it with.
    pub return_code: ReturnCode,
    /// Only reads or only writes; `None` for both.
    pub operation: Option<ItemOperation>,
}

impl Hooks for FailItem {
    fn item_return_code(
        &mut self,
        operation: ItemOperation,
        index: usize,
        _item: &ItemAddress,
    ) -> Option<ReturnCode> {
        let applies = self.operation.is_none_or(|op| op == operation);
        (applies && index == self.index).then_some(self.return_code)
    }
}

impl<H: Hooks + ?Sized> Hooks for &mut H {
    fn item_return_code(
        &mut self,
        operation: ItemOperation,
        index: usize,
        item: &ItemAddress,
    ) -> Option<ReturnCode> {
        (**self).item_return_code(operation, index, item)
    }

    fn supplies_reads(&self) -> bool {
        (**self).supplies_reads()
    }

    fn read_value(&mut self, index: usize, item: &ItemAddress, len: usize) -> Option<Vec<u8>> {
        (**self).read_value(index, item, len)
    }
}
