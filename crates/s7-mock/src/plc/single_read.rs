//! The request a polling client sends over and over, a read var job of one item of bytes,
//! answered in one pass: [`Plc::handle`] tries this first and takes the general way
//! ([`handle_read_var`](Plc::handle_read_var)) for anything else.
//!
//! The answer is the general way's to the byte, and so are the side effects: everything that
//! could make this path decline is checked before the first one (the session's download
//! bookkeeping, which the general way repeats harmlessly, comes first, then the memory lock),
//! and the hook is asked about the item exactly once, after which this path answers whatever
//! the hook says. A test compares both ways on many requests.

use s7comm::{read_var, Header, ItemAddress, MessageType};

use super::access::plain_raw;
use super::handled::{Handled, RequestKind};
use super::handler::{read_answer_head, READ_ANSWER_HEAD_LEN};
use super::hooks::{Hooks, ItemOperation};
use super::{Access, Plc, Session};

/// Bytes of a data item's `RC TS LEN`.
const ITEM_HEAD_LEN: usize = 4;

impl Plc {
    /// Answers a read var job whose parameters are one item of bytes (byte, char, word, int,
    /// dword, dint or real) of a region that holds them all, within the PDU size and the
    /// protection level, with no simulated tags and no hook supplying values. `None` for any
    /// other request, with nothing done but the session's download bookkeeping, which the
    /// general way repeats anyway.
    #[inline]
    pub(super) fn single_read<'r, H: Hooks + ?Sized>(
        &self,
        session: &mut Session,
        request: &'r [u8],
        out: &mut Vec<u8>,
        hooks: &mut H,
    ) -> Option<Handled<'r>> {
        let (pdu_ref, params, data) = Header::split_job(request)?;
        let ([read_var::FUNCTION, 1], address) = params.split_first_chunk::<2>()? else {
            return None;
        };
        let raw = <&[u8; ItemAddress::LEN]>::try_from(address).ok()?;
        if !data.is_empty() {
            return None;
        }
        let pdu_size = usize::from(session.pdu_size);
        if request.len() > pdu_size
            || self.check_access(session, Access::Read).is_err()
            || self.simulation().is_some()
            || hooks.supplies_reads()
        {
            return None;
        }
        session
            .blocks
            .on_request(MessageType::Job, Some(read_var::FUNCTION));
        let memory = self.memory();
        // The address is decoded as it is read: no `ItemAddress` unless a hook asks.
        let (head, bytes) = plain_raw(&memory, raw)?;
        // The one item is the last: no fill byte.
        let answer_len = READ_ANSWER_HEAD_LEN
            .checked_add(ITEM_HEAD_LEN)?
            .checked_add(bytes.len())?;
        if answer_len > pdu_size {
            return None;
        }
        // Decided: from here on this path answers, whatever the hook says.
        let forced = hooks
            .item_return_code(ItemOperation::Read, 0, &ItemAddress::from_raw(raw))
            .filter(|code| !code.is_success());
        let data_len = match forced {
            Some(_) => ITEM_HEAD_LEN,
            None => answer_len.saturating_sub(READ_ANSWER_HEAD_LEN),
        };
        let data_len = u16::try_from(data_len).unwrap_or(u16::MAX);
        out.reserve(pdu_size);
        out.extend_from_slice(&read_answer_head(pdu_ref, 1, data_len));
        match forced {
            Some(code) => out.extend_from_slice(&[code.to_u8(), 0, 0, 0]),
            None => {
                out.extend_from_slice(&head);
                out.extend_from_slice(bytes);
            }
        }
        drop(memory);
        let mut handled = Handled::new(pdu_ref, RequestKind::ReadVar { items: 1 }, request);
        handled.items = address;
        Some(handled)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use s7comm::{ErrorCode, ReturnCode, TransportSize};

    use super::*;
    use crate::plc::{FailItem, NoHooks, ProtectionLevel};

    fn request(pdu_ref: u16, params: &[u8], data: &[u8]) -> Vec<u8> {
        let mut pdu = Vec::new();
        Header {
            message_type: MessageType::Job,
            pdu_ref,
            param_len: u16::try_from(params.len()).unwrap(),
            data_len: u16::try_from(data.len()).unwrap(),
            error: ErrorCode::NONE,
            ..Default::default()
        }
        .emit(&mut pdu);
        pdu.extend_from_slice(params);
        pdu.extend_from_slice(data);
        pdu
    }

    fn one_item(item: &ItemAddress) -> Vec<u8> {
        let mut params = vec![read_var::FUNCTION, 1];
        item.emit(&mut params).unwrap();
        params
    }

    /// Answers `request` the general way and, where it takes it, the single-read way, on two
    /// sessions alike; both must answer and report the same.
    fn same_either_way<H: Hooks + Clone>(plc: &Plc, request: &[u8], hooks: &H) -> bool {
        let mut general_session = plc.session();
        let mut single_session = plc.session();
        // Both as `handle` calls them: with `out` cleared.
        let mut general = Vec::new();
        let mut single = Vec::new();
        let (header, params, data) = Header::split(request).unwrap();
        let expected = plc.handle_read_var(
            &mut general_session,
            header.pdu_ref,
            request,
            params,
            data,
            &mut general,
            &mut hooks.clone(),
        );
        let Some(got) = plc.single_read(
            &mut single_session,
            request,
            &mut single,
            &mut hooks.clone(),
        ) else {
            assert!(single.is_empty());
            return false;
        };
        assert_eq!(single, general, "{request:02X?}");
        assert_eq!(got, expected);
        assert_eq!(
            got.items().collect::<Vec<_>>(),
            expected.items().collect::<Vec<_>>()
        );
        assert_eq!(single_session, general_session);
        true
    }

    #[test]
    fn single_read_answers_as_the_general_way() {
        let plc = Plc::builder()
            .max_pdu_size(240)
            .inputs(16)
            .data_block_with(1, (0..=200).collect::<Vec<u8>>())
            .build()
            .unwrap();
        let fail_first = FailItem {
            index: 0,
            return_code: ReturnCode::ObjectDoesNotExist,
            operation: None,
        };
        let fail_second = FailItem {
            index: 1,
            ..fail_first
        };
        let mut taken = 0;
        let areas = [0x81, 0x82, 0x83, 0x84, 0x1C, 0x1D, 0x80].map(s7comm::Area::from_u8);
        for ts in (0..=0x1F).map(TransportSize::from_u8) {
            for area in areas {
                for db in [1, 2] {
                    for count in [0, 1, 2, 4, 7, 60] {
                        for address in [0, 3, 8, 8 * 12, 8 * 199, 8 * 201] {
                            let item = ItemAddress {
                                transport_size: ts,
                                count,
                                db_number: db,
                                area,
                                address,
                            };
                            let request = request(7, &one_item(&item), &[]);
                            for took in [
                                same_either_way(&plc, &request, &NoHooks),
                                same_either_way(&plc, &request, &fail_first),
                                same_either_way(&plc, &request, &fail_second),
                            ] {
                                taken += usize::from(took);
                            }
                        }
                    }
                }
            }
        }
        assert!(taken > 100, "{taken}");
    }

    #[test]
    fn single_read_leaves_anything_else_to_the_general_way() {
        let plc = Plc::builder()
            .data_block_with(1, vec![0; 8])
            .build()
            .unwrap();
        let item = ItemAddress::bytes(s7comm::Area::DataBlock, 1, 0, 4);
        let mut two = vec![read_var::FUNCTION, 2];
        item.emit(&mut two).unwrap();
        item.emit(&mut two).unwrap();
        let mut bad_spec = one_item(&item);
        bad_spec[2] = 0x13;
        for request in [
            request(1, &two, &[]),
            request(1, &bad_spec, &[]),
            request(1, &one_item(&item), &[0]),
            request(1, &one_item(&item)[..13], &[]),
            request(1, &[read_var::FUNCTION], &[]),
        ] {
            assert!(!same_either_way(&plc, &request, &NoHooks));
        }
        let protected = Plc::builder()
            .data_block_with(1, vec![0; 8])
            .password("secret")
            .protection_level(ProtectionLevel::ReadWriteProtected)
            .build()
            .unwrap();
        assert!(!same_either_way(
            &protected,
            &request(1, &one_item(&item), &[]),
            &NoHooks
        ));
        assert!(same_either_way(
            &plc,
            &request(1, &one_item(&item), &[]),
            &NoHooks
        ));
    }
}
