//! A blocking Siemens S7 client over ISO-on-TCP (RFC 1006), built on the `iso-tcp` transport
//! and the sans-IO `s7comm` codec.
//!
//! ```no_run
//! use s7_client::Client;
//! use s7comm::Area;
//!
//! let options = iso_tcp::ClientOptions::new("127.0.0.1:1102");
//! let mut client = Client::connect(options)?;
//! client.write_area(Area::DataBlock, 1, 0, &[1, 2, 3, 4])?;
//! assert_eq!(client.read_area(Area::DataBlock, 1, 0, 4)?, [1, 2, 3, 4]);
//! client.close()?;
//! # Ok::<(), s7_client::Error>(())
//! ```

pub mod client;
pub mod error;

pub use client::Client;
pub use error::Error;
