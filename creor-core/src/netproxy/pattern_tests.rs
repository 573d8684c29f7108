#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn t(s: &str) -> Target {
    Target::parse_authority(s).unwrap()
}

fn p(s: &str) -> HostPattern {
    HostPattern::parse(s).unwrap()
}

#[test]
fn exact_names_ignore_case_and_trailing_dot() {
    assert!(p("Example.COM").matches(&t("example.com.:443")));
    assert!(p("example.com.").matches(&t("EXAMPLE.com:80")));
    assert!(!p("example.com").matches(&t("www.example.com:80")));
    assert!(!p("example.com").matches(&t("example.com.evil.net:80")));
}

#[test]
fn wildcard_matches_subdomains_not_the_apex() {
    let w = p("*.example.com");
    assert!(w.matches(&t("a.example.com:443")));
    assert!(w.matches(&t("a.b.example.com:443")));
    assert!(!w.matches(&t("example.com:443")));
    assert!(!w.matches(&t("badexample.com:443")));
    assert!(!w.matches(&t("example.com.evil.net:443")));
}

#[test]
fn ports_restrict_when_given() {
    assert!(p("example.com:8080").matches(&t("example.com:8080")));
    assert!(!p("example.com:8080").matches(&t("example.com:80")));
    assert!(p("example.com").matches(&t("example.com:22")));
    assert!(p("*.example.com:443").matches(&t("x.example.com:443")));
    assert!(!p("*.example.com:443").matches(&t("x.example.com:80")));
}

#[test]
fn ip_literals_v4_and_bracketed_v6() {
    assert!(p("127.0.0.1:8080").matches(&t("127.0.0.1:8080")));
    assert!(!p("127.0.0.1:8080").matches(&t("127.0.0.1:8081")));
    assert!(p("[::1]:8080").matches(&t("[::1]:8080")));
    assert!(p("::1").matches(&t("[::1]:1")));
    assert!(p("[::1]").matches(&t("[0:0::1]:9")));
    // IPv4-mapped IPv6 is the IPv4 address.
    assert!(p("10.0.0.1").matches(&t("[::ffff:10.0.0.1]:80")));
}

#[test]
fn a_name_never_lists_its_address_and_back() {
    assert!(!p("localhost:8080").matches(&t("127.0.0.1:8080")));
    assert!(!p("127.0.0.1:8080").matches(&t("localhost:8080")));
}

#[test]
fn bad_entries_are_errors_naming_the_entry() {
    for bad in [
        "",
        "*",
        "*.",
        "exa mple.com",
        "example.com:0",
        "example.com:99999",
        "example.com:",
        "[::1",
        "[::1]x",
        "*.1.2.3.4",
        "http://example.com",
        "ex/ample.com",
    ] {
        let e = HostPattern::parse(bad).unwrap_err();
        assert!(e.to_string().contains(bad), "{bad}: {e}");
    }
}

#[test]
fn authority_needs_a_port() {
    assert!(Target::parse_authority("example.com").is_err());
    assert!(Target::parse_authority("[::1]").is_err());
    assert_eq!(t("[::1]:443").to_string(), "[::1]:443");
    assert_eq!(t("Example.com.:443").to_string(), "example.com:443");
}

proptest! {
    #[test]
    fn wildcard_never_matches_its_apex(label in "[a-z0-9]{1,10}", tld in "[a-z]{2,5}", port in 1u16..) {
        let apex = format!("{label}.{tld}");
        let w = p(&format!("*.{apex}"));
        let apex_t = Target { host: Host::Name(apex.clone()), port };
        let sub_t = Target { host: Host::Name(format!("x.{apex}")), port };
        prop_assert!(!w.matches(&apex_t));
        prop_assert!(w.matches(&sub_t));
    }

    #[test]
    fn name_patterns_never_match_ips(name in "[a-z]{1,8}(\\.[a-z]{1,8}){0,2}", a in any::<[u8; 4]>(), port in 1u16..) {
        let ip = Target { host: Host::Ip(std::net::IpAddr::from(a)), port };
        let wild = p(&format!("*.{name}"));
        prop_assert!(!p(&name).matches(&ip));
        prop_assert!(!wild.matches(&ip));
    }

    #[test]
    fn case_and_trailing_dot_never_change_the_answer(name in "[a-zA-Z]{1,8}\\.[a-zA-Z]{2,4}", port in 1u16..) {
        let pat = p(&name.to_lowercase());
        let a = Target { host: Host::parse(&name).unwrap(), port };
        let b = Target { host: Host::parse(&format!("{}.", name.to_uppercase())).unwrap(), port };
        prop_assert_eq!(pat.matches(&a), pat.matches(&b));
        prop_assert!(pat.matches(&a));
    }
}
