//! Syscalls the seccomp filter must deny.
//!
//! Each probe passes arguments for which the unfiltered kernel answers something other than the
//! filter's errno (EFAULT, EBADF, EINVAL, ESRCH, or success). Where that is safe to run on the
//! host, the case checks that baseline first, so a pass proves the *filter* answered.

use crate::support::{Case, Outcome, Run};
use crate::{case, ensure};

/// Runs `probe sys NAME` in the sandbox; expects one of `want`. With `baseline`, also runs it
/// on the host (as the same identity) and requires a different answer there.
fn denied(r: &mut Run, name: &str, want: &[&str], baseline: bool) -> Outcome {
    if baseline {
        let host = r.probe_host(&["sys", name]);
        let same = want.iter().any(|w| host.first() == format!("err {w}"));
        ensure!(
            !same && (host.first().starts_with("ok") || host.first().starts_with("err")),
            "baseline: on the host `{name}` already answers `{}`; the probe cannot tell the filter \
             from the kernel\n{host}",
            host.first()
        );
    }
    r.probe_in(&["sys", name]).refused(want)
}

macro_rules! sys_cases {
    ($($fn_name:ident => $sys:literal, $want:expr, $baseline:expr;)*) => {
        $(fn $fn_name(r: &mut Run) -> Outcome { denied(r, $sys, $want, $baseline) })*
        pub fn cases() -> Vec<Case> {
            let mut v = vec![$(case!("syscall", $fn_name)),*];
            v.push(case!("syscall", personality_query_allowed));
            v.push(case!("syscall", i386_entry_unshare));
            v.push(case!("syscall", x32_abi_unshare));
            v.push(case!("syscall", process_vm_readv_of_pid1));
            v.push(case!("syscall", exotic_socket_families));
            v.push(case!("syscall", socket_af_vsock));
            v.push(case!("syscall", socket_af_packet));
            v.push(case!("syscall", socket_raw_inet));
            v.push(case!("syscall", socket_raw_inet6));
            v
        }
    };
}

const EPERM: &[&str] = &["EPERM"];
/// Module loading is compiled out on some kernels (ENOSYS before any filter runs).
const EPERM_OR_NOSYS: &[&str] = &["EPERM", "ENOSYS"];

sys_cases! {
    io_uring_setup => "io_uring_setup", EPERM, true;
    io_uring_enter => "io_uring_enter", EPERM, true;
    io_uring_register => "io_uring_register", EPERM, true;
    bpf => "bpf", EPERM, true;
    perf_event_open => "perf_event_open", EPERM, true;
    userfaultfd => "userfaultfd", EPERM, true;
    keyctl => "keyctl", EPERM, true;
    add_key => "add_key", EPERM, false;
    request_key => "request_key", EPERM, true;
    ptrace_peek => "ptrace", EPERM, true;
    ptrace_traceme => "ptrace_traceme", EPERM, false;
    mount => "mount", EPERM, true;
    umount2 => "umount2", EPERM, true;
    pivot_root => "pivot_root", EPERM, false;
    open_tree => "open_tree", EPERM, true;
    move_mount => "move_mount", EPERM, false;
    fsopen => "fsopen", EPERM, false;
    fspick => "fspick", EPERM, false;
    mount_setattr => "mount_setattr", EPERM, true;
    unshare_user => "unshare_user", EPERM, true;
    unshare_user_net => "unshare_net", EPERM, true;
    unshare_user_mnt => "unshare_mnt", EPERM, true;
    setns => "setns", EPERM, true;
    clone_newuser => "clone_newuser", EPERM, true;
    clone3_is_enosys => "clone3", &["ENOSYS"], true;
    personality_change => "personality_bad", EPERM, true;
    kexec_load => "kexec_load", EPERM, false;
    kexec_file_load => "kexec_file_load", EPERM, false;
    init_module => "init_module", EPERM_OR_NOSYS, false;
    finit_module => "finit_module", EPERM_OR_NOSYS, false;
    delete_module => "delete_module", EPERM_OR_NOSYS, false;
    open_by_handle_at => "open_by_handle_at", EPERM, true;
    chroot => "chroot", EPERM, false;
}

/// The filter must stay precise: querying the persona (`personality(0xffffffff)`) is allowed.
fn personality_query_allowed(r: &mut Run) -> Outcome {
    r.probe_in(&["sys", "personality_query"]).succeeded()
}

/// A netns does not confine vsock (host ↔ VM channel): only the filter can.
fn socket_af_vsock(r: &mut Run) -> Outcome {
    r.probe_in(&["socket", "vsock"])
        .refused(&["EPERM", "EAFNOSUPPORT", "EACCES"])
}

fn socket_af_packet(r: &mut Run) -> Outcome {
    r.probe_in(&["socket", "packet"])
        .refused(&["EPERM", "EAFNOSUPPORT", "EACCES"])
}

fn socket_raw_inet(r: &mut Run) -> Outcome {
    r.probe_in(&["socket", "raw"])
        .refused(&["EPERM", "EAFNOSUPPORT", "EACCES"])
}

fn socket_raw_inet6(r: &mut Run) -> Outcome {
    r.probe_in(&["socket", "raw6"])
        .refused(&["EPERM", "EAFNOSUPPORT", "EACCES"])
}

/// Runs `probe sys NAME` under `sh` so that a filter answering with SIGSYS (kill) is visible
/// as a signal exit instead of a silent probe.
fn foreign_abi(r: &mut Run, name: &str) -> Outcome {
    let out = r.sh(&format!("{} sys {name}; echo \"status=$?\"", r.probe()));
    let killed = out.stdout.lines().any(|l| {
        l.strip_prefix("status=")
            .and_then(|v| v.parse::<i32>().ok())
            .is_some_and(|c| c >= 128)
    });
    if killed {
        return Ok(());
    }
    out.refused(&["EPERM", "ENOSYS"])
}

/// The arch guard: `int 0x80` carries AUDIT_ARCH_I386 and i386 syscall numbers.
fn i386_entry_unshare(r: &mut Run) -> Outcome {
    let host = r.probe_host(&["sys", "i386_unshare"]);
    if host.first() == "err ENOSYS" {
        return crate::support::ignore(
            "kernel has no IA32 emulation: the i386 entry point does not exist here",
        );
    }
    foreign_abi(r, "i386_unshare")
}

/// The x32 guard: numbers with bit 30 set (x32 ABI) on the x86_64 arch.
fn x32_abi_unshare(r: &mut Run) -> Outcome {
    foreign_abi(r, "x32_unshare")
}

/// The sandbox's pid 1 is creor's (non-dumpable, outside the command's Landlock domain):
/// reading its memory must be refused before the address is even looked at (else EFAULT).
fn process_vm_readv_of_pid1(r: &mut Run) -> Outcome {
    r.probe_in(&["sys", "pvm_read_pid1"])
        .refused(&["EPERM", "ESRCH"])
}

/// Socket families a coding workload never needs, each a history of kernel bugs (AF_ALG,
/// AF_KEY, AF_TIPC, AF_RDS, AF_BLUETOOTH, AF_CAN, AF_SMC, AF_XDP, AF_MCTP) — while
/// NETLINK_ROUTE (used by `ip`, glibc's getaddrinfo) stays allowed.
fn exotic_socket_families(r: &mut Run) -> Outcome {
    // (name, family, type, protocol)
    let families: &[(&str, i32, i32, i32)] = &[
        ("AF_ALG", 38, 5, 0),
        ("AF_KEY", 15, 3, 2),
        ("AF_TIPC", 30, 4, 0),
        ("AF_RDS", 21, 5, 0),
        ("AF_BLUETOOTH", 31, 3, 0),
        ("AF_CAN", 29, 3, 1),
        ("AF_SMC", 43, 1, 0),
        ("AF_XDP", 44, 3, 0),
        ("AF_MCTP", 45, 2, 0),
    ];
    for (name, fam, typ, proto) in families {
        let args = [
            "socketn".to_string(),
            fam.to_string(),
            typ.to_string(),
            proto.to_string(),
        ];
        r.probe_in(&args)
            .refused(&["EPERM", "EAFNOSUPPORT", "EACCES"])
            .map_err(|e| format!("{name}: {e}"))?;
    }
    r.probe_in(&["socketn", "16", "3", "0"])
        .succeeded()
        .map_err(|e| format!("NETLINK_ROUTE must stay usable: {e}"))
}
