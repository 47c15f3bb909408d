//! [`Exchange`]: one HTTP request and its answer. Reads the body within the size limit, decodes
//! the path's segments and the query string (with `percent-encoding` and `form_urlencoded`),
//! parses JSON bodies, and answers with JSON.

use std::borrow::Cow;

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

/// The query string's `name=value` pairs, decoded as `application/x-www-form-urlencoded`
/// (`%XX` escapes, `+` for a space), taken one by one; whatever is left is refused.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    fn parse(query: &str) -> Result<Self, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(ApiError::bad_request(format!(
                    "query parameter {name:?} is given twice"
                )));
            }
            pairs.push((name.into_owned(), value.into_owned()));
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

/// The segments of a request path, split at `/` (empty ones dropped) and then each
/// percent-decoded, so that an escaped `/` (`%2F`) stays inside its segment.
fn decode_segments(path: &str) -> Result<Vec<String>, ApiError> {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .map(Cow::into_owned)
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "path segment {segment:?} is not utf-8 once decoded"
                    ))
                })
        })
        .collect()
}

/// One HTTP request being served.
pub(crate) struct Exchange {
    request: Request,
    /// The query string, undecoded (see [`Query`]).
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
        // The request target is `path[?query]`; HTTP sends no fragment.
        let query = request
            .url()
            .split_once('?')
            .map_or("", |(_, query)| query)
            .to_owned();
        Self {
            request,
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

    /// The path's segments, percent-decoded (`/api/v1/tags/DB1.DBW0%3AINT` → `api`, `v1`,
    /// `tags`, `DB1.DBW0:INT`); a 400 for one that is not UTF-8 once decoded.
    pub(crate) fn segments(&self) -> Result<Vec<String>, ApiError> {
        decode_segments(self.path())
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{decode_segments, Query};

    #[test]
    fn path_segments_are_split_then_percent_decoded() {
        assert_eq!(
            decode_segments("/api/v1/tags/DB1.DBW0%3AINT").unwrap(),
            ["api", "v1", "tags", "DB1.DBW0:INT"]
        );
        assert_eq!(
            decode_segments("//tags/%25DB1.DBD20/").unwrap(),
            ["tags", "%DB1.DBD20"]
        );
        assert_eq!(decode_segments("/tags/a%2Fb").unwrap(), ["tags", "a/b"]);
        assert_eq!(
            decode_segments("/tags/gr%C3%BC%C3%9Fe").unwrap(),
            ["tags", "grüße"]
        );
        assert!(decode_segments("/tags/%ff").is_err());
        assert!(decode_segments("/tags/%C3").is_err());
    }

    #[test]
    fn query_values_are_decoded_and_taken_once() {
        let mut query = Query::parse("since=%31&limit=1%30&&db=+7").unwrap();
        assert_eq!(query.number::<u64>("since").unwrap(), Some(1));
        assert_eq!(query.number::<u64>("limit").unwrap(), Some(10));
        assert_eq!(query.number::<u64>("wait_ms").unwrap(), None);
        // `+` is a space, and a number with a space is no number.
        assert!(query.number::<u16>("db").is_err());
        query.finish().unwrap();
        let mut query = Query::parse("%73tart=3").unwrap();
        assert_eq!(query.number::<usize>("start").unwrap(), Some(3));
        assert!(Query::parse("a=1&a=2").is_err());
        assert!(Query::parse("a=1&%61=2").is_err());
        assert!(Query::parse("x=1").unwrap().finish().is_err());
    }
}
