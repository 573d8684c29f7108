#![allow(clippy::unwrap_used)]

use super::*;

fn parsed(s: &str) -> Parsed {
    plan(s.as_bytes()).unwrap().unwrap()
}

#[test]
fn connect_takes_the_authority() {
    let p = parsed("CONNECT Example.com:443 HTTP/1.1\r\nHost: evil.net:443\r\n\r\n");
    assert_eq!(
        p.plan,
        Plan::Connect(Target::parse_authority("example.com:443").unwrap())
    );
    assert_eq!(p.credentials, None);
}

#[test]
fn forward_rewrites_host_and_strips_proxy_headers() {
    let auth = base64::engine::general_purpose::STANDARD.encode("creor:s3cret");
    let req = format!(
        "GET http://127.0.0.1:8080/a/b?c=d HTTP/1.1\r\nHost: denied.example\r\n\
         Proxy-Authorization: Basic {auth}\r\nProxy-Connection: keep-alive\r\n\
         Accept: */*\r\n\r\nBODY"
    );
    let p = parsed(&req);
    assert_eq!(p.credentials, Some((b"creor".to_vec(), b"s3cret".to_vec())));
    assert_eq!(&req.as_bytes()[p.head_len..], b"BODY");
    let Plan::Forward { target, head } = p.plan else {
        panic!("not forward")
    };
    assert_eq!(target.to_string(), "127.0.0.1:8080");
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("GET /a/b?c=d HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"));
    assert!(!head.to_lowercase().contains("denied.example"), "{head}");
    assert!(!head.to_lowercase().contains("proxy-"), "{head}");
    assert!(!head.contains("s3cret"), "{head}");
    assert!(head.ends_with("Accept: */*\r\nConnection: close\r\n\r\n"));
}

#[test]
fn default_port_is_eighty_and_omitted_from_host() {
    let p = parsed("GET http://Example.COM/ HTTP/1.0\r\n\r\n");
    let Plan::Forward { target, head } = p.plan else {
        panic!()
    };
    assert_eq!(target.to_string(), "example.com:80");
    assert!(String::from_utf8(head)
        .unwrap()
        .starts_with("GET / HTTP/1.0\r\nHost: example.com\r\n"));
}

#[test]
fn origin_form_and_tls_urls_are_refused() {
    assert!(plan(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap_err()
        .contains("not a proxy request"));
    assert!(plan(b"GET https://x/ HTTP/1.1\r\n\r\n")
        .unwrap_err()
        .contains("https"));
    assert!(plan(b"CONNECT example.com HTTP/1.1\r\n\r\n").is_err());
}

#[test]
fn partial_heads_wait_for_more() {
    assert_eq!(plan(b"CONNECT a:1 HTTP/1.1\r\n"), Ok(None));
}

#[test]
fn refusals_name_host_and_reason_without_injection() {
    let r = refusal_response(403, "a.com:443", "not listed\r\nSet-Cookie: x", "");
    let r = String::from_utf8(r).unwrap();
    assert!(r.starts_with(
        "HTTP/1.1 403 Forbidden\r\nX-Creor-Refused: a.com:443; not listed  Set-Cookie: x\r\n"
    ));
    assert!(r.ends_with("creor: refused a.com:443: not listed  Set-Cookie: x\n"));
}
