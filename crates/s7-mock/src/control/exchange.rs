//! [`Exchange`]: one HTTP request and its answer. Reads the body within the size limit, parses
//! the query string and JSON bodies, and answers with JSON.

use serde::de::DeserializeOwned;
use serde::Serialize;
use tiny_http::{Header, Request, Response};

use super::error::ApiError;

/// Largest request body read, 1 MiB; a larger one is answered with 413.
pub const MAX_BODY: usize = 1 << 20;

/// tiny_http 0.12 discards the unread rest of a body by allocating a buffer of its full
/// declared size. So an unread body up to this size is read to its end here, through a fixed
/// 8 KiB buffer, before the request is dropped; a larger declared body (a forged
/// `Content-Length` would otherwise make tiny_http allocate it) is answered and its
/// connection then leaked instead (one socket and one tiny_http thread, until the process
/// ends).
const UNREAD_BODY_LIMIT: usize = 16 * MAX_BODY;

/// A successful answer: a status and a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Reply {
    /// 200 with `value` as JSON.
    pub(crate) fn ok(value: &impl Serialize) -> Result<Self, ApiError> {
        Self::with_status(200, value)
    }

    /// `status` with `value` as JSON.
    pub(crate) fn with_status(status: u16, value: &impl Serialize) -> Result<Self, ApiError> {
        serde_json::to_string(value)
            .map(|body| Self { status, body })
            .map_err(|error| ApiError {
                status: 500,
                message: format!("cannot encode the answer: {error}"),
                allow: None,
            })
    }
}

/// The query string's `name=value` pairs, taken one by one; whatever is left is refused.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    fn parse(query: &str) -> Result<Self, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if pairs.iter().any(|(n, _)| n == name) {
                return Err(ApiError::bad_request(format!(
                    "query parameter {name:?} is given twice"
                )));
            }
            pairs.push((name.to_owned(), value.to_owned()));
        }
        Ok(Self { pairs })
    }

    /// Takes parameter `name` as an unsigned number.
    pub(crate) fn number<T: std::str::FromStr>(
        &mut self,
        name: &str,
    ) -> Result<Option<T>, ApiError> {
        let Some(position) = self.pairs.iter().position(|(n, _)| n == name) else {
            return Ok(None);
        };
        let (_, value) = self.pairs.swap_remove(position);
        value.parse().map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "query parameter {name}={value:?} is not a non-negative integer in range"
            ))
        })
    }

    /// Refuses parameters nobody took.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        match self.pairs.first() {
            Some((name, _)) => Err(ApiError::bad_request(format!(
                "unknown query parameter {name:?}"
            ))),
            None => Ok(()),
        }
    }
}

/// One HTTP request being served.
pub(crate) struct Exchange {
    request: Request,
    /// The path below `/api/v1`, split at `/` (no empty segments).
    segments: Vec<String>,
    query: String,
    /// The route's parameters (its `{}` segments), set by the router.
    params: Vec<String>,
    /// Whether the body was read to its end (so nothing is left for tiny_http to discard).
    body_read: bool,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("method", &self.request.method())
            .field("url", &self.request.url())
            .finish()
    }
}

impl Exchange {
    pub(crate) fn new(request: Request) -> Self {
        let url = request.url();
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let query = query.to_owned();
        let segments = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(str::to_owned)
            .collect();
        Self {
            request,
            segments,
            query,
            params: Vec::new(),
            body_read: false,
        }
    }

    /// The method, e.g. `GET`.
    pub(crate) fn method(&self) -> &str {
        self.request.method().as_str()
    }

    /// The path as the client sent it, without the query.
    pub(crate) fn path(&self) -> &str {
        let url = self.request.url();
        url.split_once('?').map_or(url, |(path, _)| path)
    }

    /// The path's segments (`/api/v1/memory/db` → `api`, `v1`, `memory`, `db`).
    pub(crate) fn segments(&self) -> &[String] {
        &self.segments
    }

    /// Parameter `index` of the matched route (its `index`-th `{}` segment).
    pub(crate) fn param(&self, index: usize) -> &str {
        self.params.get(index).map_or("", String::as_str)
    }

    pub(crate) fn set_params(&mut self, params: Vec<String>) {
        self.params = params;
    }

    /// The value of a request header.
    pub(crate) fn header(&self, name: &'static str) -> Option<&str> {
        self.request
            .headers()
            .iter()
            .find(|header| header.field.equiv(name))
            .map(|header| header.value.as_str())
    }

    /// The query string's parameters.
    pub(crate) fn query(&self) -> Result<Query, ApiError> {
        Query::parse(&self.query)
    }

    /// The body, at most [`MAX_BODY`] bytes: a larger declared length is refused before
    /// reading, a longer (chunked) body while reading.
    pub(crate) fn body(&mut self) -> Result<Vec<u8>, ApiError> {
        if self.request.body_length().is_some_and(|len| len > MAX_BODY) {
            return Err(ApiError::too_large(MAX_BODY));
        }
        let mut body = Vec::new();
        let mut chunk = [0u8; 8192];
        let reader = self.request.as_reader();
        loop {
            let read = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    return Err(ApiError::bad_request(format!(
                        "cannot read the request body: {error}"
                    )))
                }
            };
            if body.len().saturating_add(read) > MAX_BODY {
                return Err(ApiError::too_large(MAX_BODY));
            }
            body.extend_from_slice(chunk.get(..read).unwrap_or_default());
        }
        self.body_read = true;
        Ok(body)
    }

    /// The body as JSON of type `T` (required: an empty body is refused).
    pub(crate) fn json<T: DeserializeOwned>(&mut self) -> Result<T, ApiError> {
        let body = self.body()?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("a json body is required"));
        }
        serde_json::from_slice(&body)
            .map_err(|error| ApiError::bad_request(format!("invalid json body: {error}")))
    }

    /// Refuses a body other than nothing or `{}`.
    pub(crate) fn no_body(&mut self) -> Result<(), ApiError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Empty {}
        let body = self.body()?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        serde_json::from_slice::<Empty>(&body)
            .map(drop)
            .map_err(|error| ApiError::bad_request(format!("invalid json body: {error}")))
    }

    /// Sends the answer: the reply, or the error as `{"error": "..."}`.
    pub(crate) fn respond(mut self, result: Result<Reply, ApiError>) {
        let (status, body, allow, challenge) = match result {
            Ok(reply) => (reply.status, reply.body, None, false),
            Err(error) => {
                let body = serde_json::json!({ "error": error.message }).to_string();
                (error.status, body, error.allow, error.status == 401)
            }
        };
        let mut response = Response::from_string(body).with_status_code(status);
        let mut headers = vec![("Content-Type", "application/json".to_owned())];
        if let Some(allow) = allow {
            headers.push(("Allow", allow));
        }
        if challenge {
            headers.push(("WWW-Authenticate", "Bearer".to_owned()));
        }
        for (name, value) in headers {
            if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(header);
            }
        }
        let unread = if self.body_read {
            0
        } else {
            self.request.body_length().unwrap_or(0)
        };
        if unread > 0 && unread <= UNREAD_BODY_LIMIT {
            // Nothing is allocated for it; a client that stops sending ends the copy with an
            // error when it closes.
            let _ = std::io::copy(self.request.as_reader(), &mut std::io::sink());
        }
        if unread > UNREAD_BODY_LIMIT {
            // See UNREAD_BODY_LIMIT: answer, then never drop the request's body reader.
            tracing::warn!(
                declared = unread,
                "control api: request with a huge unread body; its connection is abandoned"
            );
            std::mem::forget(self.request.upgrade("close", response));
            return;
        }
        // The client may have gone; nothing to do about it.
        let _ = self.request.respond(response);
    }
}
