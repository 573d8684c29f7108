//! Network (`block_all` default): host loopback, host address, UDP, DNS, the internet.

use std::io::ErrorKind;
use std::net::{TcpListener, UdpSocket};

use crate::support::{host, ignore, Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("net", tcp_to_host_loopback_listener),
        case!("net", tcp_to_host_ipv6_loopback_listener),
        case!("net", tcp_to_host_external_address),
        case!("net", udp_to_host_loopback),
        case!("net", udp_to_host_external_address),
        case!("net", dns_lookup_fails),
        case!("net", tcp_to_public_internet),
        case!("net", tcp_to_metadata_service),
        case!("net", only_loopback_interface),
        case!("net", allow_specific_never_silently_allows),
    ]
}

const NET_REFUSED: &[&str] = &[
    "ECONNREFUSED",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "EACCES",
    "EPERM",
];

/// A connection reached the host listener: the sandbox leaked network access.
fn no_accept(l: &TcpListener) -> Outcome {
    l.set_nonblocking(true).map_err(|e| e.to_string())?;
    match l.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(()),
        Ok((_, peer)) => Err(format!(
            "ESCAPE: the host listener accepted a connection from {peer}"
        )),
        Err(e) => Err(format!("accept on host listener: {e}")),
    }
}

fn no_datagram(s: &UdpSocket) -> Outcome {
    s.set_nonblocking(true).map_err(|e| e.to_string())?;
    let mut buf = [0u8; 64];
    match s.recv_from(&mut buf) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(()),
        Ok((n, peer)) => Err(format!(
            "ESCAPE: host UDP socket received {n} bytes from {peer}"
        )),
        Err(e) => Err(format!("recv on host socket: {e}")),
    }
}

fn tcp_to_host_loopback_listener(r: &mut Run) -> Outcome {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = l
        .local_addr()
        .map_err(|e| e.to_string())?
        .port()
        .to_string();
    let out = r.probe_in(&["tcp", "127.0.0.1", &port]);
    let verdict = out.refused(NET_REFUSED);
    no_accept(&l).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

fn tcp_to_host_ipv6_loopback_listener(r: &mut Run) -> Outcome {
    let Ok(l) = TcpListener::bind("[::1]:0") else {
        return ignore("host has no IPv6 loopback to listen on");
    };
    let port = l
        .local_addr()
        .map_err(|e| e.to_string())?
        .port()
        .to_string();
    let out = r.probe_in(&["tcp", "::1", &port]);
    let verdict = out.refused(&[
        "ECONNREFUSED",
        "ENETUNREACH",
        "EADDRNOTAVAIL",
        "EAFNOSUPPORT",
        "EACCES",
        "EPERM",
    ]);
    no_accept(&l).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

fn tcp_to_host_external_address(r: &mut Run) -> Outcome {
    let ip = host::host_ip()?;
    let l = TcpListener::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
    let port = l
        .local_addr()
        .map_err(|e| e.to_string())?
        .port()
        .to_string();
    let out = r.probe_in(&["tcp", &ip, &port]);
    let verdict = out.refused(&["ENETUNREACH", "EHOSTUNREACH", "EACCES", "EPERM"]);
    no_accept(&l).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

fn udp_to_host_loopback(r: &mut Run) -> Outcome {
    let s = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = s
        .local_addr()
        .map_err(|e| e.to_string())?
        .port()
        .to_string();
    let out = r.probe_in(&["udp", "127.0.0.1", &port]);
    ensure!(
        out.first().starts_with("ok") || out.first().starts_with("err"),
        "probe did not report\n{out}"
    );
    // The datagram may be accepted by the sandbox's own loopback; it must never reach the host.
    no_datagram(&s).map_err(|e| format!("{e}\n{out}"))
}

fn udp_to_host_external_address(r: &mut Run) -> Outcome {
    let ip = host::host_ip()?;
    let s = UdpSocket::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
    let port = s
        .local_addr()
        .map_err(|e| e.to_string())?
        .port()
        .to_string();
    let out = r.probe_in(&["udp", &ip, &port]);
    let verdict = out.refused(&["ENETUNREACH", "EHOSTUNREACH", "EACCES", "EPERM"]);
    no_datagram(&s).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

fn dns_lookup_fails(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["dns", "example.com"]);
    ensure!(
        out.first().starts_with("err"),
        "DNS resolved inside a block_all sandbox\n{out}"
    );
    Ok(())
}

fn tcp_to_public_internet(r: &mut Run) -> Outcome {
    r.probe_in(&["tcp", "1.1.1.1", "443"]).refused(&[
        "ENETUNREACH",
        "EHOSTUNREACH",
        "EACCES",
        "EPERM",
    ])
}

fn tcp_to_metadata_service(r: &mut Run) -> Outcome {
    r.probe_in(&["tcp", "169.254.169.254", "80"]).refused(&[
        "ENETUNREACH",
        "EHOSTUNREACH",
        "EACCES",
        "EPERM",
    ])
}

/// The netns holds only `lo` (and it is up: the workload suite runs a server on it).
fn only_loopback_interface(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["read", "/proc/net/dev"]);
    out.succeeded()?;
    let ifaces: Vec<&str> = out
        .data()
        .lines()
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.trim()))
        .filter(|n| !n.contains('|'))
        .collect();
    ensure!(
        ifaces == ["lo"],
        "interfaces inside the sandbox: {ifaces:?}, expected only lo\n{out}"
    );
    Ok(())
}

/// `allow_specific` is not implemented yet (its own issue): creor must refuse to run or keep
/// the command confined; it must never fall back to allowing everything.
fn allow_specific_never_silently_allows(r: &mut Run) -> Outcome {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = l
        .local_addr()
        .map_err(|e| e.to_string())?
        .port()
        .to_string();
    let out = r
        .exec(&[r.probe(), "tcp".into(), "127.0.0.1".into(), port])
        .flags(&["--network", "allow_specific", "--allow-host", "example.com"])
        .output();
    no_accept(&l).map_err(|e| format!("{e}\n{out}"))?;
    if out.first().is_empty() {
        ensure!(out.code() != 0, "creor ran nothing yet exited 0\n{out}");
        return Ok(());
    }
    out.refused(NET_REFUSED)
}
