//! The JSON form of a logged request (`GET /requests`).

use s7comm::{Area, ItemAddress, Request, TransportSize};
use serde::Serialize;

use crate::server::LoggedRequest;

use super::fault_spec::{Code, FaultSpec};
use super::{hex, names};

/// One item of a read or write.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Item {
    /// `inputs`, `outputs`, `merkers`, `db`, `timers`, `counters`, or the area code.
    area: Code,
    /// The data block number (`null` outside data blocks).
    db: Option<u16>,
    /// Byte offset, or the index of the first timer or counter.
    start: u32,
    /// The bit of a bit access.
    #[serde(skip_serializing_if = "Option::is_none")]
    bit: Option<u8>,
    /// Number of elements of `type`.
    len: u16,
    /// The transport size: `bit`, `byte`, `word`, ..., or its code.
    #[serde(rename = "type")]
    transport: Code,
    /// The data written (write requests only).
    #[serde(skip_serializing_if = "Option::is_none")]
    hex: Option<String>,
}

impl Item {
    fn new(address: &ItemAddress, data: Option<&[u8]>) -> Self {
        let element = matches!(
            address.transport_size,
            TransportSize::Timer | TransportSize::Counter
        ) || matches!(address.area, Area::Timers | Area::Counters);
        let area = match names::area_name(address.area) {
            Some(name) => Code::Name(name.to_owned()),
            None => Code::Number(address.area.to_u8()),
        };
        let transport = match names::transport_name(address.transport_size) {
            Some(name) => Code::Name(name.to_owned()),
            None => Code::Number(address.transport_size.to_u8()),
        };
        Self {
            area,
            db: (address.area == Area::DataBlock).then_some(address.db_number),
            start: if element {
                address.address
            } else {
                address.byte_offset()
            },
            bit: (address.transport_size == TransportSize::Bit).then(|| address.bit_offset()),
            len: address.count,
            transport,
            hex: data.map(hex::encode),
        }
    }
}

/// A logged request.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    sequence: u64,
    connection: u64,
    peer: String,
    function: &'static str,
    pdu_ref: u16,
    /// The error code the whole request was refused with (`null`: none).
    error: Option<u16>,
    items: Vec<Item>,
    /// The fault that fired on it (`null`: none).
    fault: Option<FaultSpec>,
}

impl Entry {
    pub(crate) fn new(logged: &LoggedRequest) -> Self {
        let items = match &logged.record.request {
            Some(Request::ReadVar(read)) => read
                .items
                .iter()
                .map(|address| Item::new(address, None))
                .collect(),
            Some(Request::WriteVar(write)) => write
                .items
                .iter()
                .map(|item| Item::new(&item.address, Some(&item.data)))
                .collect(),
            _ => Vec::new(),
        };
        Self {
            sequence: logged.sequence,
            connection: logged.connection,
            peer: logged.peer.to_string(),
            function: names::function_name(logged.function),
            pdu_ref: logged.record.pdu_ref,
            error: logged.record.error.map(|code| code.0),
            items,
            fault: logged.fault.as_ref().map(FaultSpec::of),
        }
    }
}
