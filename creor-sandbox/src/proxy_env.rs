//! The environment that points a sandboxed command at creor's proxy under `allow_specific`.
//!
//! Every variable carries the session token as proxy credentials, so curl, git, pip, npm,
//! yarn and wget authenticate without configuration. `NO_PROXY` is set empty on purpose: a
//! bypass would only reach the sandbox's own loopback anyway, and an inherited
//! `NO_PROXY=.internal` must not make a client try (and fail) a direct route.

use std::ffi::OsString;

/// Names this module sets; any inherited value is replaced.
pub const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "ftp_proxy",
    "no_proxy",
    "PIP_PROXY",
    "npm_config_proxy",
    "npm_config_https_proxy",
    "npm_config_noproxy",
    "YARN_HTTP_PROXY",
    "YARN_HTTPS_PROXY",
    "GIT_SSH_COMMAND",
];

/// The proxy variables for a forwarder on `127.0.0.1:port` with `token`.
pub fn proxy_env(port: u16, token: &str) -> Vec<(OsString, OsString)> {
    let http = format!("http://creor:{token}@127.0.0.1:{port}");
    let socks = format!("socks5h://creor:{token}@127.0.0.1:{port}");
    let pairs: [(&str, &str); 16] = [
        ("HTTP_PROXY", &http),
        ("HTTPS_PROXY", &http),
        ("ALL_PROXY", &socks),
        ("FTP_PROXY", &http),
        ("NO_PROXY", ""),
        ("http_proxy", &http),
        ("https_proxy", &http),
        ("all_proxy", &socks),
        ("ftp_proxy", &http),
        ("no_proxy", ""),
        // pip reads PIP_PROXY for its `--proxy`; npm and yarn keep their own settings.
        ("PIP_PROXY", &http),
        ("npm_config_proxy", &http),
        ("npm_config_https_proxy", &http),
        ("npm_config_noproxy", ""),
        ("YARN_HTTP_PROXY", &http),
        ("YARN_HTTPS_PROXY", &http),
    ];
    pairs
        .iter()
        .map(|(k, v)| (OsString::from(k), OsString::from(v)))
        .collect()
}

/// `env` with every proxy variable replaced by the ones for `port`/`token`.
pub fn with_proxy_env(
    env: &[(OsString, OsString)],
    port: u16,
    token: &str,
) -> Vec<(OsString, OsString)> {
    let mut out: Vec<(OsString, OsString)> = env
        .iter()
        .filter(|(k, _)| !PROXY_VARS.iter().any(|p| k == p))
        .cloned()
        .collect();
    out.extend(proxy_env(port, token));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_carries_the_token_and_inherited_ones_are_replaced() {
        let env = vec![
            ("PATH".into(), "/bin".into()),
            ("https_proxy".into(), "http://corp:8080".into()),
            ("NO_PROXY".into(), ".internal".into()),
        ];
        let out = with_proxy_env(&env, 3128, "tok");
        let get = |k: &str| {
            out.iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("PATH"), ["/bin"]);
        assert_eq!(get("https_proxy"), ["http://creor:tok@127.0.0.1:3128"]);
        assert_eq!(get("ALL_PROXY"), ["socks5h://creor:tok@127.0.0.1:3128"]);
        assert_eq!(get("NO_PROXY"), [""]);
        for (k, v) in proxy_env(3128, "tok") {
            let v = v.to_string_lossy();
            assert!(
                v.is_empty() || v.contains("creor:tok@127.0.0.1:3128"),
                "{k:?}"
            );
            assert!(
                PROXY_VARS.iter().any(|p| k == *p),
                "{k:?} not in PROXY_VARS"
            );
        }
    }
}
