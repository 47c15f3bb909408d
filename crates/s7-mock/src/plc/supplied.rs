//! Read var with a hook that may supply item values itself ([`Hooks::supplies_reads`]): item
//! by item, the memory lock taken only for an item the hook leaves to memory.

use s7comm::{ErrorCode, ReadVarRequestView};

use super::access::{answer_shape, read_item, read_supplied_item, TooLarge};
use super::hooks::{Hooks, ItemOperation, READ_HOOK_LENGTH_MISMATCH};
use super::Plc;

impl Plc {
    /// Appends the answer items of `view` (after the read var parameters), asking `hooks`
    /// for each item's value first, with no memory lock held while it answers.
    pub(super) fn read_supplied<H: Hooks + ?Sized>(
        &self,
        view: &ReadVarRequestView<'_>,
        out: &mut Vec<u8>,
        hooks: &mut H,
        limit: usize,
    ) -> Result<(), ErrorCode> {
        let last = usize::from(view.count()).saturating_sub(1);
        for (i, item) in view.items().enumerate() {
            let forced = hooks.item_return_code(ItemOperation::Read, i, &item);
            let failed = forced.is_some_and(|code| !code.is_success());
            let supplied = match answer_shape(&item) {
                Ok(shape) if !failed => hooks
                    .read_value(i, &item, shape.1)
                    .map(|data| (shape, data)),
                _ => None,
            };
            let result = match supplied {
                Some((shape, data)) => {
                    let result = read_supplied_item(
                        shape,
                        &data,
                        READ_HOOK_LENGTH_MISMATCH,
                        out,
                        i == last,
                        limit,
                    );
                    if data.len() != shape.1 {
                        tracing::warn!(
                            item = i,
                            expected = shape.1,
                            supplied = data.len(),
                            "read hook supplied a value of the wrong length; item failed"
                        );
                    }
                    result
                }
                None => {
                    let memory = self.memory();
                    read_item(&memory, &item, forced, out, i == last, limit)
                }
            };
            result.map_err(|TooLarge| ErrorCode::PDU_SIZE)?;
        }
        Ok(())
    }
}
