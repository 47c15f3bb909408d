//! Hooks: how a caller (fault injection) changes answers without touching the handler.

use s7comm::{ItemAddress, ReturnCode};

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
}
