//! [`ApiError`]: a failed control API request, answered as `{"error": "..."}` with its status.

use crate::error::Error;

/// A control API request that cannot be served: an HTTP status and a lowercase message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) message: String,
    /// For 405: the methods the route allows.
    pub(crate) allow: Option<String>,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            allow: None,
        }
    }

    /// 400: the request is malformed or asks for something impossible.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 401: the bearer token is missing or wrong.
    pub(crate) fn unauthorized() -> Self {
        Self::new(401, "missing or wrong bearer token")
    }

    /// 409: the request conflicts with what is there (a type other than the tag's).
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }

    /// 404: no such route, area, data block, tag, fault or connection.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// 405: the route exists, not with this method.
    pub(crate) fn method_not_allowed(method: &str, path: &str, allow: String) -> Self {
        Self {
            allow: Some(allow.clone()),
            ..Self::new(
                405,
                format!("method {method} is not allowed on {path} (allowed: {allow})"),
            )
        }
    }

    /// 413: the body is larger than the limit.
    pub(crate) fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            format!("the request body is larger than {limit} bytes"),
        )
    }
}

/// Memory, tag and configuration errors of the library: a missing data block or an unknown
/// tag name is 404, a type other than a tag's 409, anything else (out of range, bad bit
/// number, bad address, a value that does not fit, ...) 400.
impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::NoSuchDataBlock(_) | Error::UnknownTag { .. } => {
                Self::not_found(error.to_string())
            }
            Error::TagTypeConflict { .. } => Self::conflict(error.to_string()),
            other => Self::bad_request(other.to_string()),
        }
    }
}
