//! The router: checks the bearer token, finds the route for a method and path below
//! `/api/v1`, and answers 404 (no such path) or 405 (path known, method not).

use super::error::ApiError;
use super::exchange::{Exchange, Reply};
use super::handlers::{Handler, TABLES};
use super::server::Shared;

/// The prefix of every route.
const PREFIX: [&str; 2] = ["api", "v1"];

/// Whether `a` equals `b`, taking as long whatever byte differs.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn authorized(shared: &Shared, exchange: &Exchange) -> bool {
    let Some(token) = &shared.token else {
        return true;
    };
    exchange
        .header("Authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|given| same_secret(given.trim().as_bytes(), token.as_bytes()))
}

/// Whether `pattern` (e.g. `/memory/{}`) matches `segments`; the `{}` segments if so.
fn matches(pattern: &str, segments: &[String]) -> Option<Vec<String>> {
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        if *part == "{}" {
            params.push(segment.clone());
        } else if part != segment {
            return None;
        }
    }
    Some(params)
}

/// The handler for the exchange's method and path, with the path's parameters set.
fn find(exchange: &mut Exchange) -> Result<Handler, ApiError> {
    let segments = exchange.segments()?;
    let below = match segments.split_at_checked(PREFIX.len()) {
        Some((prefix, below)) if prefix.iter().zip(PREFIX).all(|(a, b)| a == b) => below,
        _ => return Err(ApiError::not_found(format!("no route {}", exchange.path()))),
    };
    let method = exchange.method();
    let mut allowed: Vec<&str> = Vec::new();
    let mut found = None;
    for route in TABLES.iter().flat_map(|table| table.iter()) {
        if let Some(params) = matches(route.path, below) {
            if route.method == method {
                found = Some((route.handler, params));
                break;
            }
            allowed.push(route.method);
        }
    }
    match found {
        Some((handler, params)) => {
            exchange.set_params(params);
            Ok(handler)
        }
        None if allowed.is_empty() => {
            Err(ApiError::not_found(format!("no route {}", exchange.path())))
        }
        None => Err(ApiError::method_not_allowed(
            method,
            exchange.path(),
            allowed.join(", "),
        )),
    }
}

/// Serves one exchange: token, route, handler.
pub(crate) fn serve(shared: &Shared, exchange: &mut Exchange) -> Result<Reply, ApiError> {
    if !authorized(shared, exchange) {
        return Err(ApiError::unauthorized());
    }
    let handler = find(exchange)?;
    handler(shared, exchange)
}

#[cfg(test)]
mod tests {
    use super::{matches, same_secret};

    #[test]
    fn patterns_match_whole_paths_and_collect_parameters() {
        let path = |s: &str| -> Vec<String> { s.split('/').map(str::to_owned).collect() };
        assert_eq!(
            matches("/memory/{}", &path("memory/db")),
            Some(vec!["db".to_owned()])
        );
        assert_eq!(matches("/memory/{}", &path("memory")), None);
        assert_eq!(matches("/faults", &path("faults/1")), None);
        assert_eq!(matches("/status", &path("status")), Some(vec![]));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
