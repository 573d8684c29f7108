//! The `allow_specific` network proxy: a host-side HTTP (`CONNECT` + absolute-form) and
//! SOCKS5 proxy on a private unix socket, which the sandbox reaches only through the
//! forwarder its pid 1 runs inside the network namespace.
//!
//! It lives in creor-core, not creor-sandbox, because it is a policy decision point (the
//! configured host lists, the audit log, permission cards for unknown hosts) and needs tokio;
//! the sandbox crate stays synchronous and only knows "relay to this unix socket".
//!
//! ```
//! use creor_core::netproxy::{HostPolicy, NameVerdict, Target};
//! let p = HostPolicy::new(&["*.crates.io".into(), "127.0.0.1:8080".into()], &[]).unwrap();
//! let t = Target::parse_authority("static.crates.io:443").unwrap();
//! assert!(matches!(p.check_name(&t), NameVerdict::Allowed(_)));
//! // A listed name never opens its address: localhost is loopback, so it needs its IP listed.
//! assert!(p.check_addr("127.0.0.1:8080".parse().unwrap()).is_ok());
//! assert!(p.check_addr("127.0.0.1:9090".parse().unwrap()).is_err());
//! ```

pub mod addr;
pub mod audit_hook;
pub mod dial;
pub mod error;
pub mod hook;
pub mod http;
pub mod pattern;
pub mod policy;
pub mod rundir;
pub mod server;
pub mod session;
pub mod socks;

pub use addr::{classify, SpecialKind};
pub use audit_hook::AuditHook;
pub use error::{PatternError, ProxyError};
pub use hook::{Answer, DenyUnknown, Protocol, ProxyEvent, ProxyHook, Verdict};
pub use pattern::{Host, HostPattern, Target};
pub use policy::{AddrRefusal, HostPolicy, NameVerdict};
pub use rundir::{new_token, RunDir};
pub use server::{Proxy, PROXY_USER};
pub use session::{ProxySession, FORWARD_PORT};
