#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn pol(allowed: &[&str], denied: &[&str]) -> HostPolicy {
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    HostPolicy::new(&s(allowed), &s(denied)).unwrap()
}

fn t(s: &str) -> Target {
    Target::parse_authority(s).unwrap()
}

fn a(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[test]
fn denied_beats_allowed() {
    let p = pol(&["*.example.com"], &["evil.example.com"]);
    assert_eq!(
        p.check_name(&t("evil.example.com:443")),
        NameVerdict::Denied("evil.example.com".into())
    );
    assert_eq!(
        p.check_name(&t("good.example.com:443")),
        NameVerdict::Allowed("*.example.com".into())
    );
    assert_eq!(p.check_name(&t("example.com:443")), NameVerdict::Unlisted);
}

#[test]
fn a_listed_name_does_not_open_its_private_address() {
    let p = pol(&["localhost:8080"], &[]);
    assert!(matches!(
        p.check_name(&t("localhost:8080")),
        NameVerdict::Allowed(_)
    ));
    assert_eq!(
        p.check_addr(a("127.0.0.1:8080")),
        Err(AddrRefusal::Special(SpecialKind::Loopback))
    );
    assert_eq!(
        p.check_addr(a("[::1]:8080")),
        Err(AddrRefusal::Special(SpecialKind::Loopback))
    );
}

#[test]
fn a_listed_address_opens_itself_only() {
    let p = pol(&["127.0.0.1:8080"], &[]);
    assert_eq!(p.check_addr(a("127.0.0.1:8080")), Ok(()));
    assert!(p.check_addr(a("127.0.0.1:8081")).is_err());
    assert!(p.check_addr(a("127.0.0.2:8080")).is_err());
    assert_eq!(p.check_addr(a("[::ffff:127.0.0.1]:8080")), Ok(()));
    let any_port = pol(&["169.254.169.254"], &[]);
    assert_eq!(any_port.check_addr(a("169.254.169.254:80")), Ok(()));
}

#[test]
fn metadata_is_refused_by_default() {
    let p = pol(&["*.example.com"], &[]);
    assert_eq!(
        p.check_addr(a("169.254.169.254:80")),
        Err(AddrRefusal::Special(SpecialKind::Metadata))
    );
    assert_eq!(
        p.check_addr(a("[fd00:ec2::254]:80")),
        Err(AddrRefusal::Special(SpecialKind::Metadata))
    );
    assert_eq!(p.check_addr(a("93.184.216.34:443")), Ok(()));
}

#[test]
fn denied_addresses_are_refused_after_resolving() {
    let p = pol(&["*.example.com"], &["93.184.216.34"]);
    assert_eq!(
        p.check_addr(a("93.184.216.34:443")),
        Err(AddrRefusal::Denied("93.184.216.34".into()))
    );
}

#[test]
fn session_grants_add_entries() {
    let mut p = pol(&[], &[]);
    assert_eq!(p.check_name(&t("crates.io:443")), NameVerdict::Unlisted);
    p.allow(HostPattern::parse("crates.io:443").unwrap());
    assert!(matches!(
        p.check_name(&t("crates.io:443")),
        NameVerdict::Allowed(_)
    ));
    // A session grant never lists a special address.
    p.allow(HostPattern::parse("127.0.0.1:8080").unwrap());
    assert!(matches!(
        p.check_name(&t("127.0.0.1:8080")),
        NameVerdict::Allowed(_)
    ));
    assert!(p.check_addr(a("127.0.0.1:8080")).is_err());
}

#[test]
fn bad_config_names_the_list() {
    let e = HostPolicy::new(&[], &["ex ample".into()]).unwrap_err();
    assert!(e.to_string().starts_with("deniedHosts"), "{e}");
}

proptest! {
    /// Adding a deny entry never turns a refusal into an allow.
    #[test]
    fn a_new_deny_never_loosens(host in "[a-c]{1,2}\\.(x|y)\\.com", deny in "(\\*\\.)?[a-c]{0,2}\\.?(x|y)\\.com", port in 1u16..4) {
        let target = t(&format!("{host}:{port}"));
        let base = pol(&["*.x.com", "a.y.com"], &[]);
        let Ok(_) = HostPattern::parse(&deny) else { return Ok(()) };
        let stricter = pol(&["*.x.com", "a.y.com"], &[&deny]);
        let before = matches!(base.check_name(&target), NameVerdict::Allowed(_));
        let after = matches!(stricter.check_name(&target), NameVerdict::Allowed(_));
        prop_assert!(before || !after);
    }

    /// No special address passes unless an IP entry lists it.
    #[test]
    fn special_addresses_need_an_ip_entry(o in any::<[u8; 4]>(), port in 1u16..) {
        let addr = SocketAddr::from((o, port));
        let p = pol(&["*.example.com", "example.com", "localhost"], &[]);
        prop_assert_eq!(p.check_addr(addr).is_ok(), classify(addr.ip()).is_none());
    }
}
