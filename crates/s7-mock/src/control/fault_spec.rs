//! The JSON form of a fault rule, both ways:
//!
//! ```json
//! {"fault": "delay", "ms": 200, "when": {"function": "read_var", "connection": 1, "nth": 2}, "times": 1}
//! ```
//!
//! `fault` names a [`Fault`]; its parameters (`ms`, `reason`, `cause`, `hex`, `index`,
//! `return_code`) are fields beside it, and a field that does not belong to the fault is
//! refused. `when` places the rule (all optional; `function` is a name, `clock` for both
//! clock requests, or a list of names) and `times` is a count or `"always"` (default 1).

use std::net::SocketAddr;
use std::time::Duration;

use iso_tcp::{DisconnectReason, RejectCause};
use s7comm::ReturnCode;
use serde::{Deserialize, Serialize};

use crate::server::{Fault, InstalledFault, Server};

use super::error::ApiError;
use super::{hex, names};

/// The kinds of fault, one per [`Fault`] variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    Delay,
    Close,
    HalfFrame,
    Disconnect,
    ErrorTpdu,
    Garbage,
    Stall,
    ItemReturnCode,
    Refuse,
}

/// A code given by name or number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Code {
    Number(u8),
    Name(String),
}

impl Code {
    fn named(name: Option<&'static str>, number: u8) -> Self {
        match name {
            Some(name) => Self::Name(name.to_owned()),
            None => Self::Number(number),
        }
    }
}

/// How often a rule fires: a count or `"always"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Times {
    Count(u64),
    Word(String),
}

/// `when.function`: one name (`clock` for both clock functions) or a list of names, any of
/// which matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum FunctionNames {
    One(String),
    Any(Vec<String>),
}

impl FunctionNames {
    /// The form of a rule's functions; `None` for any function.
    fn of(functions: &[crate::server::Function]) -> Option<Self> {
        match names::functions_names(functions).as_slice() {
            [] => None,
            [name] => Some(Self::One((*name).to_owned())),
            names => Some(Self::Any(names.iter().map(|&n| n.to_owned()).collect())),
        }
    }

    /// The functions named, or a 400 naming the unknown one.
    fn functions(&self) -> Result<Vec<crate::server::Function>, ApiError> {
        let given: &[String] = match self {
            Self::One(name) => std::slice::from_ref(name),
            Self::Any(names) if names.is_empty() => {
                return Err(ApiError::bad_request(
                    "`when.function` lists no function (leave it out to match any)",
                ))
            }
            Self::Any(names) => names,
        };
        let mut functions = Vec::new();
        for name in given {
            let named = names::functions_by_name(name).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "unknown function {name:?} (known: {}, {})",
                    names::FUNCTION_NAMES,
                    names::CLOCK
                ))
            })?;
            functions.extend(named);
        }
        Ok(functions)
    }
}

/// Where a rule fires.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct When {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) function: Option<FunctionNames>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) connection: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) peer: Option<SocketAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nth: Option<u64>,
}

/// A fault rule as JSON (the body of `POST /faults`, the `fault` of a logged request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultSpec {
    pub(crate) fault: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<Code>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cause: Option<Code>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) return_code: Option<Code>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) when: Option<When>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) times: Option<Times>,
}

/// An installed rule as `GET /faults` lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Listed {
    pub(crate) id: u64,
    #[serde(flatten)]
    pub(crate) spec: FaultSpec,
    /// Firings left (`null`: always).
    pub(crate) remaining: Option<u64>,
    pub(crate) hits: u64,
    pub(crate) pending: bool,
}

impl FaultSpec {
    /// The JSON form of a fault, without `when` and `times`.
    pub(crate) fn of(fault: &Fault) -> Self {
        let mut spec = Self {
            fault: Kind::Stall,
            ms: None,
            reason: None,
            cause: None,
            hex: None,
            index: None,
            return_code: None,
            when: None,
            times: None,
        };
        match fault {
            Fault::Delay(delay) => {
                spec.fault = Kind::Delay;
                spec.ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
            }
            Fault::Close => spec.fault = Kind::Close,
            Fault::HalfFrame => spec.fault = Kind::HalfFrame,
            Fault::Disconnect(reason) => {
                spec.fault = Kind::Disconnect;
                spec.reason = Some(Code::named(names::reason_name(*reason), reason.code()));
            }
            Fault::ErrorTpdu(cause) => {
                spec.fault = Kind::ErrorTpdu;
                spec.cause = Some(Code::named(names::cause_name(*cause), cause.code()));
            }
            Fault::Garbage(bytes) => {
                spec.fault = Kind::Garbage;
                spec.hex = Some(hex::encode(bytes));
            }
            Fault::ItemReturnCode { index, return_code } => {
                spec.fault = Kind::ItemReturnCode;
                spec.index = Some(*index);
                spec.return_code = Some(Code::named(
                    names::return_code_name(*return_code),
                    return_code.to_u8(),
                ));
            }
            Fault::Refuse(reason) => {
                spec.fault = Kind::Refuse;
                spec.reason = Some(Code::named(names::reason_name(*reason), reason.code()));
            }
            // Stall, and whatever a later version adds.
            _ => {}
        }
        spec
    }

    /// The JSON form of an installed rule.
    pub(crate) fn listed(rule: &InstalledFault) -> Listed {
        let mut spec = Self::of(&rule.fault);
        let when = When {
            function: FunctionNames::of(&rule.functions),
            connection: rule.connection,
            peer: rule.peer,
            nth: (rule.nth > 1).then_some(rule.nth),
        };
        spec.when = (when != When::default()).then_some(when);
        spec.times = Some(match rule.remaining {
            Some(_) => Times::Count(rule.hits.saturating_add(rule.remaining.unwrap_or(0))),
            None => Times::Word("always".to_owned()),
        });
        Listed {
            id: rule.id.get(),
            spec,
            remaining: rule.remaining,
            hits: rule.hits,
            pending: rule.remaining != Some(0),
        }
    }

    fn refuse_extra(&self) -> Result<(), ApiError> {
        let allowed: &[&str] = match self.fault {
            Kind::Delay => &["ms"],
            Kind::Disconnect | Kind::Refuse => &["reason"],
            Kind::ErrorTpdu => &["cause"],
            Kind::Garbage => &["hex"],
            Kind::ItemReturnCode => &["index", "return_code"],
            Kind::Close | Kind::HalfFrame | Kind::Stall => &[],
        };
        let given = [
            ("ms", self.ms.is_some()),
            ("reason", self.reason.is_some()),
            ("cause", self.cause.is_some()),
            ("hex", self.hex.is_some()),
            ("index", self.index.is_some()),
            ("return_code", self.return_code.is_some()),
        ];
        match given
            .iter()
            .find(|(name, present)| *present && !allowed.contains(name))
        {
            Some((name, _)) => Err(ApiError::bad_request(format!(
                "field `{name}` does not apply to fault `{}`",
                kind_name(self.fault)
            ))),
            None => Ok(()),
        }
    }

    /// The [`Fault`] this describes.
    pub(crate) fn to_fault(&self) -> Result<Fault, ApiError> {
        self.refuse_extra()?;
        Ok(match self.fault {
            Kind::Delay => {
                let ms = self
                    .ms
                    .ok_or_else(|| ApiError::bad_request("fault `delay` needs `ms`"))?;
                Fault::Delay(Duration::from_millis(ms))
            }
            Kind::Close => Fault::Close,
            Kind::HalfFrame => Fault::HalfFrame,
            Kind::Stall => Fault::Stall,
            Kind::Disconnect => {
                Fault::Disconnect(reason(self.reason.as_ref(), DisconnectReason::Normal)?)
            }
            Kind::Refuse => Fault::Refuse(reason(
                self.reason.as_ref(),
                DisconnectReason::ConnectionRefused,
            )?),
            Kind::ErrorTpdu => Fault::ErrorTpdu(match &self.cause {
                None => RejectCause::NotSpecified,
                Some(Code::Number(code)) => RejectCause::from(*code),
                Some(Code::Name(name)) => names::cause_by_name(name).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "unknown cause {name:?} (known: {}, or a number)",
                        names::cause_names()
                    ))
                })?,
            }),
            Kind::Garbage => match &self.hex {
                None => Fault::garbage(),
                Some(text) => Fault::Garbage(hex::decode(text)?),
            },
            Kind::ItemReturnCode => Fault::ItemReturnCode {
                index: self.index.unwrap_or(0),
                return_code: match &self.return_code {
                    None => {
                        return Err(ApiError::bad_request(
                            "fault `item_return_code` needs `return_code`",
                        ))
                    }
                    Some(Code::Number(code)) => ReturnCode::from_u8(*code),
                    Some(Code::Name(name)) => {
                        names::return_code_by_name(name).ok_or_else(|| {
                            ApiError::bad_request(format!(
                                "unknown return code {name:?} (known: {}, or a number)",
                                names::return_code_names()
                            ))
                        })?
                    }
                },
            },
        })
    }

    /// Installs the rule on `server`.
    pub(crate) fn install(&self, server: &Server) -> Result<u64, ApiError> {
        let fault = self.to_fault()?;
        let mut builder = server.inject(fault);
        if let Some(when) = &self.when {
            if let Some(names) = &when.function {
                for function in names.functions()? {
                    builder = builder.when(function);
                }
            }
            if let Some(connection) = when.connection {
                builder = builder.on_connection(connection);
            }
            if let Some(peer) = when.peer {
                builder = builder.on_peer(peer);
            }
            if let Some(nth) = when.nth {
                if nth == 0 {
                    return Err(ApiError::bad_request("`when.nth` counts from 1"));
                }
                builder = builder.nth(nth);
            }
        }
        let id = match &self.times {
            None => builder.once(),
            Some(Times::Count(0)) => {
                return Err(ApiError::bad_request(
                    "`times` must be at least 1 or \"always\"",
                ))
            }
            Some(Times::Count(n)) => builder.times(*n),
            Some(Times::Word(word)) if word == "always" => builder.persistent(),
            Some(Times::Word(word)) => {
                return Err(ApiError::bad_request(format!(
                    "`times` is a count or \"always\", not {word:?}"
                )))
            }
        };
        Ok(id.get())
    }
}

fn reason(code: Option<&Code>, default: DisconnectReason) -> Result<DisconnectReason, ApiError> {
    match code {
        None => Ok(default),
        Some(Code::Number(code)) => Ok(DisconnectReason::from(*code)),
        Some(Code::Name(name)) => names::reason_by_name(name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown reason {name:?} (known: {}, or a number)",
                names::reason_names()
            ))
        }),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Delay => "delay",
        Kind::Close => "close",
        Kind::HalfFrame => "half_frame",
        Kind::Disconnect => "disconnect",
        Kind::ErrorTpdu => "error_tpdu",
        Kind::Garbage => "garbage",
        Kind::Stall => "stall",
        Kind::ItemReturnCode => "item_return_code",
        Kind::Refuse => "refuse",
    }
}
