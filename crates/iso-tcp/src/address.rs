//! The remote address a client connects to, resolved at connect time.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use crate::Error;

/// The TCP port ISO-on-TCP listens on (RFC 1006), used when an address names no port.
pub const DEFAULT_PORT: u16 = 102;

/// Where a client connects: a socket address, or a host name with a port that is resolved
/// (possibly to several addresses, IPv4 and IPv6) when the connection is made.
///
/// Conversions accept `SocketAddr`, `(IpAddr, u16)`, `(&str, u16)` and strings: `"10.0.0.5"`,
/// `"10.0.0.5:1102"`, `"[::1]:102"`, `"::1"`, `"plc.local"`, `"plc.local:102"`. A string
/// without a port means port [`DEFAULT_PORT`] (102).
///
/// ```
/// use iso_tcp::RemoteAddr;
/// let a = RemoteAddr::from("192.168.0.1");
/// assert_eq!(a.to_string(), "192.168.0.1:102");
/// let b = RemoteAddr::from("[::1]:1102");
/// assert_eq!(b.to_string(), "[::1]:1102");
/// let c = RemoteAddr::from("plc.local:1102");
/// assert_eq!(c, RemoteAddr::Host { host: "plc.local".into(), port: 1102 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RemoteAddr {
    /// A socket address, used as it is.
    Socket(SocketAddr),
    /// A host name (or address literal) and port, resolved when connecting.
    Host {
        /// Host name or address literal (without brackets).
        host: String,
        /// TCP port.
        port: u16,
    },
}

impl RemoteAddr {
    /// Every address the remote resolves to, in the resolver's order.
    ///
    /// # Errors
    /// [`Error::Resolve`] when the resolver fails, [`Error::NoAddress`] when it finds nothing.
    pub fn resolve(&self) -> Result<Vec<SocketAddr>, Error> {
        match self {
            RemoteAddr::Socket(addr) => Ok(vec![*addr]),
            RemoteAddr::Host { host, port } => {
                let addrs: Vec<SocketAddr> = (host.as_str(), *port)
                    .to_socket_addrs()
                    .map_err(|source| Error::Resolve {
                        addr: self.to_string(),
                        source,
                    })?
                    .collect();
                if addrs.is_empty() {
                    return Err(Error::NoAddress {
                        addr: self.to_string(),
                    });
                }
                Ok(addrs)
            }
        }
    }
}

impl fmt::Display for RemoteAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteAddr::Socket(addr) => write!(f, "{addr}"),
            RemoteAddr::Host { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            RemoteAddr::Host { host, port } => write!(f, "{host}:{port}"),
        }
    }
}

impl From<SocketAddr> for RemoteAddr {
    fn from(addr: SocketAddr) -> Self {
        RemoteAddr::Socket(addr)
    }
}

impl From<(IpAddr, u16)> for RemoteAddr {
    fn from((ip, port): (IpAddr, u16)) -> Self {
        RemoteAddr::Socket(SocketAddr::new(ip, port))
    }
}

impl From<(Ipv4Addr, u16)> for RemoteAddr {
    fn from((ip, port): (Ipv4Addr, u16)) -> Self {
        RemoteAddr::Socket(SocketAddr::new(IpAddr::V4(ip), port))
    }
}

impl From<(Ipv6Addr, u16)> for RemoteAddr {
    fn from((ip, port): (Ipv6Addr, u16)) -> Self {
        RemoteAddr::Socket(SocketAddr::new(IpAddr::V6(ip), port))
    }
}

impl From<(&str, u16)> for RemoteAddr {
    fn from((host, port): (&str, u16)) -> Self {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match host.parse::<IpAddr>() {
            Ok(ip) => RemoteAddr::Socket(SocketAddr::new(ip, port)),
            Err(_) => RemoteAddr::Host {
                host: host.to_owned(),
                port,
            },
        }
    }
}

impl From<&str> for RemoteAddr {
    fn from(text: &str) -> Self {
        let text = text.trim();
        if let Ok(addr) = text.parse::<SocketAddr>() {
            return RemoteAddr::Socket(addr);
        }
        // A bare IPv6 literal holds colons too, so it must be tried before splitting off a port.
        let bare = text.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return RemoteAddr::Socket(SocketAddr::new(ip, DEFAULT_PORT));
        }
        if let Some((host, port)) = text.rsplit_once(':') {
            if let Ok(port) = port.parse::<u16>() {
                if !host.contains(':') {
                    return RemoteAddr::Host {
                        host: host.to_owned(),
                        port,
                    };
                }
            }
        }
        RemoteAddr::Host {
            host: text.to_owned(),
            port: DEFAULT_PORT,
        }
    }
}

impl From<String> for RemoteAddr {
    fn from(text: String) -> Self {
        RemoteAddr::from(text.as_str())
    }
}

impl From<&String> for RemoteAddr {
    fn from(text: &String) -> Self {
        RemoteAddr::from(text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!(
            RemoteAddr::from("10.0.0.5"),
            RemoteAddr::Socket(SocketAddr::from(([10, 0, 0, 5], 102)))
        );
        assert_eq!(
            RemoteAddr::from("10.0.0.5:1102"),
            RemoteAddr::Socket(SocketAddr::from(([10, 0, 0, 5], 1102)))
        );
        assert_eq!(
            RemoteAddr::from("::1"),
            RemoteAddr::Socket(SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 102))
        );
        assert_eq!(
            RemoteAddr::from("[::1]"),
            RemoteAddr::Socket(SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 102))
        );
        assert_eq!(
            RemoteAddr::from("[::1]:7"),
            RemoteAddr::Socket(SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 7))
        );
        assert_eq!(
            RemoteAddr::from("localhost:5"),
            RemoteAddr::Host {
                host: "localhost".into(),
                port: 5
            }
        );
        assert_eq!(
            RemoteAddr::from("plc"),
            RemoteAddr::Host {
                host: "plc".into(),
                port: 102
            }
        );
        assert_eq!(
            RemoteAddr::from(("::1", 9)),
            RemoteAddr::Socket(SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 9))
        );
    }

    #[test]
    fn resolves_localhost_from_the_hosts_file() {
        let addrs = RemoteAddr::from("localhost:1102").resolve().unwrap();
        assert!(!addrs.is_empty());
        assert!(addrs
            .iter()
            .all(|a| a.port() == 1102 && a.ip().is_loopback()));
    }

    #[test]
    fn displays_host_literals_with_brackets() {
        let host = RemoteAddr::Host {
            host: "fe80::1".into(),
            port: 102,
        };
        assert_eq!(host.to_string(), "[fe80::1]:102");
    }
}
