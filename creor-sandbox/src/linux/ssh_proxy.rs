//! `GIT_SSH_COMMAND` support under `allow_specific`: ssh's `ProxyCommand` is the creor binary
//! itself (`creor __sandbox-helper net-connect HOST PORT`), which opens an HTTP `CONNECT`
//! tunnel through the sandbox's proxy variables and pumps stdin/stdout through it. The proxy
//! judges `HOST:PORT` like any other connection.
//!
//! The helper binary is bound read-only into the sandbox at its own path for this.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::policy::{NetworkPolicy, SandboxPolicy};

/// The argument after `__sandbox-helper` that selects this mode.
pub const MODE: &str = "net-connect";

/// Under `allow_specific`, `policy` with the helper binary visible read-only (so ssh can run
/// it as a `ProxyCommand`), and the `GIT_SSH_COMMAND` to add to the command's environment.
/// `None` for other policies, or when the binary's path cannot be quoted for ssh.
pub fn expose_helper(
    policy: &SandboxPolicy,
    helper: Option<&Path>,
) -> Option<(SandboxPolicy, OsString)> {
    if !matches!(policy.network, NetworkPolicy::AllowSpecific { .. }) {
        return None;
    }
    let exe: PathBuf = match helper {
        Some(h) => std::fs::canonicalize(h).ok()?,
        None => std::env::current_exe().ok()?.canonicalize().ok()?,
    };
    let text = exe.to_str()?;
    if text.contains(['\'', '"', '\\', '%', ' ']) {
        return None;
    }
    let mut exposed = policy.clone();
    if !exposed.read_only.contains(&exe) && !exe.starts_with(&exposed.project) {
        exposed.read_only.push(exe.clone());
    }
    let cmd = format!("ssh -o ProxyCommand='{text} __sandbox-helper {MODE} %h %p'");
    Some((exposed, cmd.into()))
}

/// Runs the mode: `args` are `HOST PORT`. Returns the exit code.
pub fn main(args: &[String]) -> i32 {
    match run(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("creor net-connect: {e}");
            1
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let [host, port] = args else {
        return Err("usage: __sandbox-helper net-connect HOST PORT".into());
    };
    let proxy = std::env::var("HTTP_PROXY")
        .or_else(|_| std::env::var("http_proxy"))
        .map_err(|_| "HTTP_PROXY is not set (network policy is not allow_specific)".to_string())?;
    let rest = proxy
        .strip_prefix("http://")
        .ok_or("HTTP_PROXY is not an http:// URL")?;
    let (creds, addr) = rest
        .rsplit_once('@')
        .ok_or("HTTP_PROXY carries no credentials")?;
    let addr = addr.trim_end_matches('/');
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut s =
        TcpStream::connect(addr).map_err(|e| format!("connect to the proxy {addr}: {e}"))?;
    let auth = base64::engine::general_purpose::STANDARD.encode(creds);
    write!(
        s,
        "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nProxy-Authorization: Basic {auth}\r\n\r\n"
    )
    .map_err(|e| format!("write to the proxy: {e}"))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return Err("the proxy closed the connection".into()),
        }
        if head.len() > 16 * 1024 {
            return Err("the proxy's answer is too long".into());
        }
    }
    let head = String::from_utf8_lossy(&head);
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        let why = head
            .lines()
            .find_map(|l| l.strip_prefix("X-Creor-Refused: "))
            .unwrap_or_else(|| head.lines().next().unwrap_or_default());
        return Err(format!("refused: {why}"));
    }
    let mut up = s.try_clone().map_err(|e| e.to_string())?;
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut up);
        let _ = up.shutdown(Shutdown::Write);
    });
    let mut out = std::io::stdout().lock();
    let _ = std::io::copy(&mut s, &mut out);
    let _ = out.flush();
    drop(t);
    Ok(())
}
