//! Which resolved addresses are off limits unless listed: the host itself, its LAN, and the
//! cloud metadata service are what an attacker reaches for once a public name is allowed
//! (DNS rebinding, a name that points at 127.0.0.1).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is special, named in refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialKind {
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// The cloud metadata service (`169.254.169.254`, `fd00:ec2::254`).
    Metadata,
    /// `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// RFC 1918 and unique-local IPv6 (`fc00::/7`).
    Private,
    /// Carrier-grade NAT, `100.64.0.0/10`.
    Cgnat,
    /// Multicast and broadcast.
    Multicast,
    /// Reserved or otherwise not globally routable (`240.0.0.0/4`, `192.0.0.0/24`,
    /// benchmarking `198.18.0.0/15`).
    Reserved,
}

impl SpecialKind {
    /// A short word for refusal messages.
    pub fn describe(self) -> &'static str {
        match self {
            SpecialKind::Unspecified => "unspecified",
            SpecialKind::Loopback => "loopback",
            SpecialKind::Metadata => "cloud metadata",
            SpecialKind::LinkLocal => "link-local",
            SpecialKind::Private => "private",
            SpecialKind::Cgnat => "carrier-grade NAT",
            SpecialKind::Multicast => "multicast",
            SpecialKind::Reserved => "reserved",
        }
    }
}

/// Classifies `ip`; `None` means an ordinary public address. IPv4 embedded in IPv6
/// (mapped, compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is judged as the IPv4 address.
pub fn classify(ip: IpAddr) -> Option<SpecialKind> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<SpecialKind> {
    let o = ip.octets();
    Some(match o {
        [169, 254, 169, 254] => SpecialKind::Metadata,
        [0, ..] => SpecialKind::Unspecified,
        [127, ..] => SpecialKind::Loopback,
        [169, 254, ..] => SpecialKind::LinkLocal,
        [10, ..] | [192, 168, ..] => SpecialKind::Private,
        [172, b, ..] if (16..32).contains(&b) => SpecialKind::Private,
        [100, b, ..] if (64..128).contains(&b) => SpecialKind::Cgnat,
        [224..=239, ..] | [255, 255, 255, 255] => SpecialKind::Multicast,
        [240..=255, ..] | [192, 0, 0, _] => SpecialKind::Reserved,
        [198, 18 | 19, ..] => SpecialKind::Reserved,
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<SpecialKind> {
    let s = ip.segments();
    Some(match s {
        [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254] => SpecialKind::Metadata,
        [0, 0, 0, 0, 0, 0, 0, 0] => SpecialKind::Unspecified,
        [0, 0, 0, 0, 0, 0, 0, 1] => SpecialKind::Loopback,
        [a, ..] if a & 0xffc0 == 0xfe80 => SpecialKind::LinkLocal,
        [a, ..] if a & 0xffc0 == 0xfec0 => SpecialKind::Private,
        [a, ..] if a & 0xfe00 == 0xfc00 => SpecialKind::Private,
        [a, ..] if a & 0xff00 == 0xff00 => SpecialKind::Multicast,
        _ => return None,
    })
}

fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible; not ::, ::1).
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        [0, 0, 0, 0, 0, 0, hi, _] if hi != 0 => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, a, b, ..] => Some(Ipv4Addr::new(
            (a >> 8) as u8,
            a as u8,
            (b >> 8) as u8,
            b as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn c(s: &str) -> Option<SpecialKind> {
        classify(s.parse().unwrap())
    }

    #[test]
    fn special_ranges() {
        use SpecialKind::*;
        for (ip, want) in [
            ("127.0.0.1", Loopback),
            ("127.255.1.2", Loopback),
            ("::1", Loopback),
            ("0.0.0.0", Unspecified),
            ("::", Unspecified),
            ("169.254.169.254", Metadata),
            ("fd00:ec2::254", Metadata),
            ("169.254.1.1", LinkLocal),
            ("fe80::1", LinkLocal),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("fd12::1", Private),
            ("100.64.0.1", Cgnat),
            ("100.127.255.255", Cgnat),
            ("224.0.0.1", Multicast),
            ("255.255.255.255", Multicast),
            ("ff02::1", Multicast),
            ("240.0.0.1", Reserved),
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:169.254.169.254", Metadata),
            ("64:ff9b::a00:1", Private),
            ("2002:7f00:1::", Loopback),
        ] {
            assert_eq!(c(ip), Some(want), "{ip}");
        }
    }

    #[test]
    fn public_addresses_are_ordinary() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "2001:4860:4860::8888",
        ] {
            assert_eq!(c(ip), None, "{ip}");
        }
    }
}
