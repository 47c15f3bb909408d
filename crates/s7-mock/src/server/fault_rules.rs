//! Fault rules: which [`Fault`] fires on which request or connection, how often.
//!
//! A rule is a fault plus a filter (function, connection number, client address), a start
//! (the n-th matching request) and a budget (once, n times, or for ever). Rules are consulted
//! in the order they were installed; the first one that is due fires. A request that matches
//! several rules counts towards the start of each of them, but only one fault fires on it.
//! [`Fault::ItemReturnCode`] only matches read var and write var requests, and
//! [`Fault::Refuse`] only new connections.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use iso_tcp::DisconnectReason;

use super::fault::Fault;
use super::function::Function;

/// Names an installed fault rule, to remove it or ask how often it fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultId(u64);

impl FaultId {
    /// The number behind the id (from 1, in installation order), e.g. for a JSON API.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// An installed fault rule as [`Server::faults`](super::Server::faults) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledFault {
    /// Its id.
    pub id: FaultId,
    /// The fault.
    pub fault: Fault,
    /// Only requests of one of these functions ([`FaultBuilder::when`]); empty: any.
    pub functions: Vec<Function>,
    /// Only on this connection ([`FaultBuilder::on_connection`]).
    pub connection: Option<u64>,
    /// Only from this client address ([`FaultBuilder::on_peer`]).
    pub peer: Option<SocketAddr>,
    /// From the n-th matching request or connection on ([`FaultBuilder::nth`]; 1 when not
    /// set).
    pub nth: u64,
    /// Firings left; `None` for a persistent rule.
    pub remaining: Option<u64>,
    /// How many times it fired.
    pub hits: u64,
}

#[derive(Debug, Clone, Default)]
struct Filter {
    /// Empty: any function.
    functions: Vec<Function>,
    connection: Option<u64>,
    peer: Option<std::net::SocketAddr>,
}

impl Filter {
    fn matches(&self, connection: u64, peer: SocketAddr, function: Option<Function>) -> bool {
        self.connection.is_none_or(|n| n == connection)
            && self.peer.is_none_or(|p| p == peer)
            && (self.functions.is_empty()
                || function.is_none_or(|actual| self.functions.contains(&actual)))
    }
}

#[derive(Debug)]
struct Rule {
    id: FaultId,
    fault: Fault,
    filter: Filter,
    /// The rule is due from the `start`-th matching request (or connection) on.
    start: u64,
    /// Matching requests (or connections) seen so far.
    seen: u64,
    /// Firings left; `None` for ever.
    remaining: Option<u64>,
    hits: u64,
}

impl Rule {
    fn is_active(&self) -> bool {
        self.remaining != Some(0)
    }
}

#[derive(Debug, Default)]
struct Rules {
    next_id: u64,
    rules: Vec<Rule>,
}

/// The rules of one server, shared with its workers.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    /// Whether any rule can still fire: lets the request path skip the lock when none can.
    armed: AtomicBool,
    rules: Mutex<Rules>,
}

impl FaultTable {
    fn lock(&self) -> MutexGuard<'_, Rules> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn rearm(&self, rules: &Rules) {
        let armed = rules.rules.iter().any(Rule::is_active);
        self.armed.store(armed, Ordering::Release);
    }

    fn install(&self, builder: FaultBuilder<'_>, remaining: Option<u64>) -> FaultId {
        let mut rules = self.lock();
        rules.next_id = rules.next_id.saturating_add(1);
        let id = FaultId(rules.next_id);
        rules.rules.push(Rule {
            id,
            fault: builder.fault,
            filter: builder.filter,
            start: builder.start,
            seen: 0,
            remaining,
            hits: 0,
        });
        self.rearm(&rules);
        id
    }

    /// Whether any rule can still fire (a cheap check, without the lock).
    pub(crate) fn is_armed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    /// The fault for a request of `function` on connection `connection` from `peer`, if one
    /// is due; counts it as fired.
    pub(crate) fn for_request(
        &self,
        connection: u64,
        peer: SocketAddr,
        function: Function,
    ) -> Option<Fault> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let has_items = matches!(function, Function::ReadVar | Function::WriteVar);
        self.fire(|rule| {
            let applies = match rule.fault {
                Fault::Refuse(_) => false,
                // Only reads and writes have items to fail.
                Fault::ItemReturnCode { .. } => has_items,
                _ => true,
            };
            applies && rule.filter.matches(connection, peer, Some(function))
        })
        .map(|(fault, _)| fault)
    }

    /// The refusal due for new connection number `connection` from `peer`, if one is; counts
    /// it as fired.
    pub(crate) fn for_connection(
        &self,
        connection: u64,
        peer: SocketAddr,
    ) -> Option<DisconnectReason> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        self.fire(|rule| {
            rule.fault.is_connection_fault() && rule.filter.matches(connection, peer, None)
        })
        .and_then(|(fault, _)| match fault {
            Fault::Refuse(reason) => Some(reason),
            _ => None,
        })
    }

    fn fire(&self, applies: impl Fn(&Rule) -> bool) -> Option<(Fault, FaultId)> {
        let mut rules = self.lock();
        let mut fired = None;
        for rule in rules.rules.iter_mut() {
            if !rule.is_active() || !applies(rule) {
                continue;
            }
            rule.seen = rule.seen.saturating_add(1);
            if fired.is_some() || rule.seen < rule.start {
                continue;
            }
            rule.remaining = rule.remaining.map(|n| n.saturating_sub(1));
            rule.hits = rule.hits.saturating_add(1);
            fired = Some((rule.fault.clone(), rule.id));
        }
        if fired.is_some() {
            self.rearm(&rules);
        }
        fired
    }

    pub(crate) fn remove(&self, id: FaultId) -> bool {
        let mut rules = self.lock();
        let before = rules.rules.len();
        rules.rules.retain(|rule| rule.id != id);
        let removed = rules.rules.len() != before;
        self.rearm(&rules);
        removed
    }

    pub(crate) fn clear(&self) {
        let mut rules = self.lock();
        rules.rules.clear();
        self.rearm(&rules);
    }

    pub(crate) fn hits(&self, id: FaultId) -> u64 {
        self.lock()
            .rules
            .iter()
            .find(|rule| rule.id == id)
            .map_or(0, |rule| rule.hits)
    }

    pub(crate) fn list(&self) -> Vec<InstalledFault> {
        self.lock()
            .rules
            .iter()
            .map(|rule| InstalledFault {
                id: rule.id,
                fault: rule.fault.clone(),
                functions: rule.filter.functions.clone(),
                connection: rule.filter.connection,
                peer: rule.filter.peer,
                nth: rule.start,
                remaining: rule.remaining,
                hits: rule.hits,
            })
            .collect()
    }

    pub(crate) fn is_pending(&self, id: FaultId) -> bool {
        self.lock()
            .rules
            .iter()
            .any(|rule| rule.id == id && rule.is_active())
    }
}

/// Chooses where an injected fault fires; finished by [`once`](Self::once),
/// [`times`](Self::times) or [`persistent`](Self::persistent), which install it.
///
/// Without a filter a fault fires on any request (or, for [`Fault::Refuse`], any new
/// connection). Filters combine: all must match.
///
/// ```
/// use std::time::Duration;
/// use s7_mock::server::{Fault, Function, Server};
///
/// let server = Server::builder().data_block(1, 16).start()?;
/// // The second read var request on the first connection is answered 50 ms late.
/// let slow = server
///     .inject(Fault::Delay(Duration::from_millis(50)))
///     .when(Function::ReadVar)
///     .on_connection(1)
///     .nth(2)
///     .once();
/// assert_eq!(server.fault_hits(slow), 0);
/// assert!(server.fault_pending(slow));
/// # Ok::<(), s7_mock::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a fault is installed only by .once(), .times(n) or .persistent()"]
pub struct FaultBuilder<'a> {
    table: &'a FaultTable,
    fault: Fault,
    filter: Filter,
    start: u64,
}

impl<'a> FaultBuilder<'a> {
    pub(crate) fn new(table: &'a FaultTable, fault: Fault) -> Self {
        Self {
            table,
            fault,
            filter: Filter::default(),
            start: 1,
        }
    }

    /// Only requests of this function (ignored for [`Fault::Refuse`]). Called more than
    /// once, requests of any of the functions given: `.when(Function::ReadClock)
    /// .when(Function::SetClock)` matches both clock requests.
    pub fn when(mut self, function: Function) -> Self {
        if !self.filter.functions.contains(&function) {
            self.filter.functions.push(function);
        }
        self
    }

    /// Only on the `n`-th connection the server accepted (from 1, counting every TCP
    /// connection, refused ones too; the request log shows each request's number).
    pub fn on_connection(mut self, n: u64) -> Self {
        self.filter.connection = Some(n);
        self
    }

    /// Only on connections from this client address (e.g. a client connection's
    /// `local_addr()`).
    pub fn on_peer(mut self, peer: SocketAddr) -> Self {
        self.filter.peer = Some(peer);
        self
    }

    /// Starting with the `n`-th request (or connection) that matches the filters, from 1;
    /// `0` counts as 1. Earlier matching ones pass untouched.
    pub fn nth(mut self, n: u64) -> Self {
        self.start = n.max(1);
        self
    }

    /// Installs the fault to fire one time.
    pub fn once(self) -> FaultId {
        self.times(1)
    }

    /// Installs the fault to fire `n` times (on `n` matching requests or connections).
    pub fn times(self, n: u64) -> FaultId {
        let table = self.table;
        table.install(self, Some(n))
    }

    /// Installs the fault to fire on every matching request (or connection) until removed.
    pub fn persistent(self) -> FaultId {
        let table = self.table;
        table.install(self, None)
    }
}
