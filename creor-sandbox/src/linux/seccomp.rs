//! The seccomp layer, installed last, right before `execve`.
//!
//! [`deny_table`] is the pure, unit-tested list of what is refused and why; [`compile`] turns it
//! into BPF in the parent (so the helper does no policy work); [`install`] loads the programs
//! in the command child. Two stacked programs: a hand-written [`guard`] (foreign architecture
//! and x32 → kill; `clone3` → ENOSYS, so libc falls back to `clone`, whose flags we can
//! inspect; every syscall the table refuses outright → EPERM, found by binary search), then
//! seccompiler's program for the syscalls refused only for some arguments (EPERM).

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen as Len, SeccompCmpOp as Op, SeccompCondition,
    SeccompFilter, SeccompRule,
};

use crate::error::{Result, SandboxError};

/// One BPF instruction in a form serde can carry to the helper.
pub type Insn = (u16, u8, u8, u32);

/// A condition on one argument: `(arg & mask) == value` (or `!=`), comparing 32 or 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgCheck {
    /// Argument index (0-based).
    pub arg: u8,
    /// Compare only the low 32 bits (what the kernel uses for `int` arguments like the ioctl
    /// request: a 64-bit compare is bypassed with `TIOCSTI | 1<<32`).
    pub low32: bool,
    /// Mask applied first (`u64::MAX` for none).
    pub mask: u64,
    /// Value compared.
    pub value: u64,
    /// `true`: equal matches; `false`: not-equal matches.
    pub equal: bool,
}

/// One refused syscall: it is refused when any alternative matches (all checks of an
/// alternative must hold); an empty list refuses it always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deny {
    /// Syscall name, for descriptions.
    pub name: &'static str,
    /// Syscall number on this architecture.
    pub nr: i64,
    /// Alternatives (OR of ANDs); empty = always.
    pub when: Vec<Vec<ArgCheck>>,
    /// Why.
    pub why: &'static str,
}

const fn eq32(arg: u8, value: u64) -> ArgCheck {
    ArgCheck {
        arg,
        low32: true,
        mask: 0xffff_ffff,
        value,
        equal: true,
    }
}

const fn ne32(arg: u8, value: u64) -> ArgCheck {
    ArgCheck {
        arg,
        low32: true,
        mask: 0xffff_ffff,
        value,
        equal: false,
    }
}

const fn bit(arg: u8, b: u64) -> ArgCheck {
    ArgCheck {
        arg,
        low32: false,
        mask: b,
        value: b,
        equal: true,
    }
}

/// Namespace flags of `clone`/`unshare` (`CLONE_NEWTIME` only for `unshare`: in `clone` its bit
/// is part of the exit signal).
const NS_FLAGS: &[u64] = &[
    libc::CLONE_NEWNS as u64,
    libc::CLONE_NEWUTS as u64,
    libc::CLONE_NEWIPC as u64,
    libc::CLONE_NEWUSER as u64,
    libc::CLONE_NEWPID as u64,
    libc::CLONE_NEWNET as u64,
    libc::CLONE_NEWCGROUP as u64,
];

/// The obsolete `SOCK_PACKET` socket type.
const SOCK_PACKET_TYPE: u64 = 10;

const fn sock_type(t: u64) -> ArgCheck {
    ArgCheck {
        arg: 1,
        low32: true,
        mask: 0xf,
        value: t,
        equal: true,
    }
}

const FAM_UNIX: u64 = libc::AF_UNIX as u64;
const FAM_INET: u64 = libc::AF_INET as u64;
const FAM_INET6: u64 = libc::AF_INET6 as u64;
const FAM_NETLINK: u64 = libc::AF_NETLINK as u64;

fn always(name: &'static str, nr: libc::c_long, why: &'static str) -> Deny {
    Deny {
        name,
        nr,
        when: vec![],
        why,
    }
}

/// The deny-list (answered with EPERM). Pure; the same table on every run.
pub fn deny_table() -> Vec<Deny> {
    use libc::*;
    let mut t = vec![
        Deny {
            name: "ioctl",
            nr: SYS_ioctl,
            when: vec![vec![eq32(1, TIOCSTI)], vec![eq32(1, TIOCLINUX)]],
            why: "terminal input injection (TIOCSTI/TIOCLINUX; low 32 bits compared)",
        },
        Deny {
            name: "socket",
            nr: SYS_socket,
            when: vec![
                vec![
                    ne32(0, FAM_UNIX),
                    ne32(0, FAM_INET),
                    ne32(0, FAM_INET6),
                    ne32(0, FAM_NETLINK),
                ],
                vec![eq32(0, FAM_NETLINK), ne32(2, NETLINK_ROUTE as u64)],
                vec![eq32(0, FAM_INET), sock_type(SOCK_RAW as u64)],
                vec![eq32(0, FAM_INET6), sock_type(SOCK_RAW as u64)],
                vec![eq32(0, FAM_INET), sock_type(SOCK_PACKET_TYPE)],
                vec![eq32(0, FAM_INET6), sock_type(SOCK_PACKET_TYPE)],
            ],
            why: "socket families other than unix/inet/inet6/netlink-route (AF_VSOCK and \
                  AF_PACKET are not confined by a netns), raw and packet sockets",
        },
        Deny {
            name: "socketpair",
            nr: SYS_socketpair,
            when: vec![vec![ne32(0, FAM_UNIX)]],
            why: "socket pairs other than unix",
        },
        Deny {
            name: "clone",
            nr: SYS_clone,
            when: NS_FLAGS.iter().map(|f| vec![bit(0, *f)]).collect(),
            why: "creating namespaces",
        },
        Deny {
            name: "unshare",
            nr: SYS_unshare,
            when: NS_FLAGS
                .iter()
                .chain(std::iter::once(&(CLONE_NEWTIME as u64)))
                .map(|f| vec![bit(0, *f)])
                .collect(),
            why: "creating namespaces",
        },
        Deny {
            name: "personality",
            nr: SYS_personality,
            when: vec![vec![ne32(0, 0), ne32(0, 0xffff_ffff)]],
            why: "personality changes other than the default and the query",
        },
        always("setns", SYS_setns, "joining namespaces"),
        always(
            "io_uring_setup",
            SYS_io_uring_setup,
            "io_uring bypasses seccomp",
        ),
        always(
            "io_uring_enter",
            SYS_io_uring_enter,
            "io_uring bypasses seccomp",
        ),
        always(
            "io_uring_register",
            SYS_io_uring_register,
            "io_uring bypasses seccomp",
        ),
        always("bpf", SYS_bpf, "eBPF"),
        always("perf_event_open", SYS_perf_event_open, "perf events"),
        always(
            "userfaultfd",
            SYS_userfaultfd,
            "userfaultfd (race amplification)",
        ),
        always("add_key", SYS_add_key, "kernel keyring is not namespaced"),
        always(
            "request_key",
            SYS_request_key,
            "kernel keyring is not namespaced",
        ),
        always("keyctl", SYS_keyctl, "kernel keyring is not namespaced"),
        always("ptrace", SYS_ptrace, "tracing other processes"),
        always(
            "process_vm_readv",
            SYS_process_vm_readv,
            "reading other processes' memory",
        ),
        always(
            "process_vm_writev",
            SYS_process_vm_writev,
            "writing other processes' memory",
        ),
        always(
            "pidfd_getfd",
            SYS_pidfd_getfd,
            "stealing other processes' fds",
        ),
        always("mount", SYS_mount, "mounting"),
        always("umount2", SYS_umount2, "unmounting"),
        always("pivot_root", SYS_pivot_root, "changing the root"),
        always("chroot", SYS_chroot, "changing the root"),
        always("move_mount", SYS_move_mount, "mounting"),
        always("open_tree", SYS_open_tree, "mounting"),
        always("fsopen", SYS_fsopen, "mounting"),
        always("fsconfig", SYS_fsconfig, "mounting"),
        always("fsmount", SYS_fsmount, "mounting"),
        always("fspick", SYS_fspick, "mounting"),
        always("mount_setattr", SYS_mount_setattr, "mounting"),
        always("kexec_load", SYS_kexec_load, "loading a kernel"),
        always("kexec_file_load", SYS_kexec_file_load, "loading a kernel"),
        always("init_module", SYS_init_module, "kernel modules"),
        always("finit_module", SYS_finit_module, "kernel modules"),
        always("delete_module", SYS_delete_module, "kernel modules"),
        always(
            "open_by_handle_at",
            SYS_open_by_handle_at,
            "escaping mounts by file handle",
        ),
        always("name_to_handle_at", SYS_name_to_handle_at, "file handles"),
        always(
            "fanotify_init",
            SYS_fanotify_init,
            "filesystem-wide monitoring",
        ),
        always("quotactl", SYS_quotactl, "quotas"),
        always("swapon", SYS_swapon, "swap"),
        always("swapoff", SYS_swapoff, "swap"),
        always("reboot", SYS_reboot, "reboot"),
        always("acct", SYS_acct, "process accounting"),
        always("syslog", SYS_syslog, "kernel log"),
    ];
    #[cfg(target_arch = "x86_64")]
    {
        t.push(always("iopl", SYS_iopl, "port I/O"));
        t.push(always("ioperm", SYS_ioperm, "port I/O"));
        t.push(always("uselib", SYS_uselib, "obsolete loader"));
    }
    // `open_tree_attr` (Linux 6.15) is not in libc yet.
    t.push(always("open_tree_attr", 467, "mounting"));
    t
}

fn arch() -> seccompiler::TargetArch {
    #[cfg(target_arch = "x86_64")]
    {
        seccompiler::TargetArch::x86_64
    }
    #[cfg(target_arch = "aarch64")]
    {
        seccompiler::TargetArch::aarch64
    }
}

fn bad(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Setup {
        step: "seccomp compile",
        reason: e.to_string(),
    }
}

fn condition(c: &ArgCheck) -> Result<SeccompCondition> {
    let len = if c.low32 { Len::Dword } else { Len::Qword };
    let op = if !c.equal {
        Op::Ne
    } else if c.mask == u64::MAX || (c.low32 && c.mask == 0xffff_ffff) {
        Op::Eq
    } else {
        Op::MaskedEq(c.mask)
    };
    SeccompCondition::new(c.arg, len, op, c.value).map_err(bad)
}

fn to_insns(p: BpfProgram) -> Vec<Insn> {
    p.into_iter().map(|i| (i.code, i.jt, i.jf, i.k)).collect()
}

const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const JGE_K: u16 = 0x35;
const JSET_K: u16 = 0x45;
const JA: u16 = 0x05;
const RET_K: u16 = 0x06;
const RET_KILL: u32 = 0x8000_0000; // SECCOMP_RET_KILL_PROCESS
const RET_ERRNO: u32 = 0x0005_0000; // SECCOMP_RET_ERRNO | errno
const RET_ALLOW: u32 = 0x7fff_0000;
#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xc000_003e;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xc000_00b7;

/// The hand-written first filter: kill the process for a foreign architecture or an x32
/// syscall number (seccompiler checks neither), answer `clone3` with ENOSYS (its flags sit in
/// memory no filter can read), and refuse the `refused` syscall numbers with EPERM.
///
/// The refused set is searched as a binary tree, not a chain of comparisons: the kernel
/// evaluates a new filter for every syscall number when it is installed (to cache the ones it
/// always allows) and then on every syscall of the command, so a chain of fifty comparisons
/// cost every spawn about 0.2 ms (measured) and every system call up to fifty steps.
pub fn guard(refused: &[u32]) -> Result<Vec<Insn>> {
    let mut sorted = refused.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut p = vec![
        (LD_W_ABS, 0, 0, 4), // seccomp_data.arch
        (JEQ_K, 1, 0, AUDIT_ARCH),
        (RET_K, 0, 0, RET_KILL),
        (LD_W_ABS, 0, 0, 0),         // seccomp_data.nr
        (JSET_K, 0, 1, 0x4000_0000), // __X32_SYSCALL_BIT
        (RET_K, 0, 0, RET_KILL),
        (JEQ_K, 0, 1, libc::SYS_clone3 as u32),
        (RET_K, 0, 0, RET_ERRNO | libc::ENOSYS as u32),
    ];
    p.extend(search(&sorted)?);
    Ok(p)
}

/// A binary search over sorted syscall numbers (the accumulator holds the number): EPERM on
/// a hit, allow otherwise. Every jump is forward; the one over a whole subtree is a `ja`,
/// whose offset is 32 bits wide, so no table size overflows classic BPF's 8-bit offsets.
fn search(nrs: &[u32]) -> Result<Vec<Insn>> {
    if nrs.len() <= 4 {
        let mut p = Vec::with_capacity(nrs.len() * 2 + 1);
        for nr in nrs {
            p.push((JEQ_K, 0, 1, *nr));
            p.push((RET_K, 0, 0, RET_ERRNO | libc::EPERM as u32));
        }
        p.push((RET_K, 0, 0, RET_ALLOW));
        return Ok(p);
    }
    let mid = nrs.len() / 2;
    let below = search(&nrs[..mid])?;
    let above = search(&nrs[mid..])?;
    let skip = u32::try_from(below.len()).map_err(bad)?;
    let mut p = Vec::with_capacity(2 + below.len() + above.len());
    // At or above the middle: take the `ja` over the lower half; below it: skip the `ja`.
    p.push((JGE_K, 0, 1, nrs[mid]));
    p.push((JA, 0, 0, skip));
    p.extend(below);
    p.extend(above);
    Ok(p)
}

/// Compiles the stacked filters, in install order: [`guard`] with every syscall the table
/// refuses whatever its arguments, then seccompiler's program for the ones it refuses only
/// for some arguments.
pub fn compile(extra: &[Deny]) -> Result<Vec<Vec<Insn>>> {
    let table: Vec<Deny> = deny_table()
        .into_iter()
        .chain(extra.iter().cloned())
        .collect();
    let unconditional: Vec<i64> = table
        .iter()
        .filter(|d| d.when.is_empty())
        .map(|d| d.nr)
        .collect();
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for d in table.iter().filter(|d| !unconditional.contains(&d.nr)) {
        let entry = rules.entry(d.nr).or_default();
        for alt in &d.when {
            let conds = alt.iter().map(condition).collect::<Result<Vec<_>>>()?;
            entry.push(SeccompRule::new(conds).map_err(bad)?);
        }
    }
    let by_args = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch(),
    )
    .map_err(bad)?;
    let refused = unconditional
        .iter()
        .map(|nr| u32::try_from(*nr).map_err(bad))
        .collect::<Result<Vec<_>>>()?;
    Ok(vec![
        guard(&refused)?,
        to_insns(by_args.try_into().map_err(bad)?),
    ])
}

/// Extra rules for the degraded mode (no network namespace): no new inet sockets under
/// `block_all`, and no unix sockets at all (a filesystem socket such as docker.sock would
/// otherwise be reachable: landlock does not restrict `connect`).
pub fn degraded_extra(block_network: bool) -> Vec<Deny> {
    let mut when = vec![vec![eq32(0, FAM_UNIX)]];
    if block_network {
        when.push(vec![eq32(0, FAM_INET)]);
        when.push(vec![eq32(0, FAM_INET6)]);
    }
    vec![Deny {
        name: "socket",
        nr: libc::SYS_socket,
        when,
        why: "degraded mode: no namespaces to confine sockets",
    }]
}

/// Installs the programs (no_new_privs is set first by seccompiler).
pub fn install(programs: &[Vec<Insn>]) -> std::io::Result<()> {
    for p in programs {
        let prog: BpfProgram = p
            .iter()
            .map(|&(code, jt, jf, k)| seccompiler::sock_filter { code, jt, jf, k })
            .collect();
        seccompiler::apply_filter(&prog).map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// A readable rendering of the table, for `describe`.
pub fn describe() -> String {
    let mut out = String::from(
        "seccomp (installed last; two stacked filters): arch+x32 guard → kill, clone3 → ENOSYS; deny-list → EPERM:\n",
    );
    for d in deny_table() {
        let cond = if d.when.is_empty() {
            "always"
        } else {
            "when args match"
        };
        out.push_str(&format!("  {:<18} {:<16} {}\n", d.name, cond, d.why));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_covers_the_lessons() {
        let names: Vec<&str> = deny_table().iter().map(|d| d.name).collect();
        for must in [
            "io_uring_setup",
            "bpf",
            "keyctl",
            "add_key",
            "request_key",
            "ptrace",
            "mount",
            "unshare",
            "setns",
            "personality",
            "userfaultfd",
            "perf_event_open",
            "open_by_handle_at",
            "kexec_load",
            "init_module",
        ] {
            assert!(names.contains(&must), "{must} missing from the deny table");
        }
    }

    #[test]
    fn tiocsti_is_compared_on_low_32_bits() {
        let t = deny_table();
        let ioctl = t.iter().find(|d| d.name == "ioctl").expect("ioctl rule");
        assert!(ioctl.when.iter().flatten().all(|c| c.low32 && c.arg == 1));
        assert!(ioctl.when.iter().any(|alt| alt[0].value == libc::TIOCSTI));
    }

    #[test]
    fn clone_denies_every_namespace_flag_but_not_plain_threads() {
        let t = deny_table();
        let clone = t.iter().find(|d| d.name == "clone").expect("clone rule");
        let matches = |flags: u64| {
            clone
                .when
                .iter()
                .any(|alt| alt.iter().all(|c| (flags & c.mask == c.value) == c.equal))
        };
        for f in NS_FLAGS {
            assert!(matches(*f | libc::SIGCHLD as u64));
        }
        let thread = (libc::CLONE_VM
            | libc::CLONE_FS
            | libc::CLONE_FILES
            | libc::CLONE_SIGHAND
            | libc::CLONE_THREAD) as u64;
        assert!(!matches(thread));
    }

    #[test]
    fn compiles_two_stacked_programs() {
        let progs = compile(&[]).expect("compile");
        assert_eq!(progs.len(), 2);
        assert!(progs.iter().all(|p| !p.is_empty()));
    }

    /// Runs a classic BPF program made of the guard's opcodes on one `seccomp_data`; panics
    /// on a jump out of the program, an argument load or an unknown opcode.
    fn run(p: &[Insn], arch: u32, nr: u32) -> u32 {
        let (mut a, mut pc) = (0u32, 0usize);
        loop {
            let (code, jt, jf, k) = p[pc];
            pc += 1;
            let jump = |taken: bool| usize::from(if taken { jt } else { jf });
            match code {
                LD_W_ABS if k == 0 => a = nr,
                LD_W_ABS if k == 4 => a = arch,
                JEQ_K => pc += jump(a == k),
                JGE_K => pc += jump(a >= k),
                JSET_K => pc += jump(a & k != 0),
                JA => pc += k as usize,
                RET_K => return k,
                other => panic!("unexpected instruction {other:#x} {k:#x}"),
            }
        }
    }

    #[test]
    fn guard_refuses_exactly_the_unconditional_table() {
        let refused: Vec<u32> = deny_table()
            .iter()
            .filter(|d| d.when.is_empty())
            .map(|d| d.nr as u32)
            .collect();
        assert!(refused.len() > 40);
        let g = &compile(&[]).expect("compile")[0];
        for nr in 0..1024u32 {
            let want = if nr == libc::SYS_clone3 as u32 {
                RET_ERRNO | libc::ENOSYS as u32
            } else if refused.contains(&nr) {
                RET_ERRNO | libc::EPERM as u32
            } else {
                RET_ALLOW
            };
            assert_eq!(run(g, AUDIT_ARCH, nr), want, "syscall {nr}");
        }
        let read = libc::SYS_read as u32;
        assert_eq!(run(g, AUDIT_ARCH, 0x4000_0000 | read), RET_KILL, "x32");
        assert_eq!(run(g, 0x4000_0003, read), RET_KILL, "i386");
    }

    #[test]
    fn large_refused_sets_still_search_correctly() {
        let refused: Vec<u32> = (0..600).step_by(2).collect(); // 300: subtrees past 255 insns
        let g = guard(&refused).expect("guard");
        for nr in 0..700u32 {
            let want = if nr == libc::SYS_clone3 as u32 {
                RET_ERRNO | libc::ENOSYS as u32
            } else if nr < 600 && nr % 2 == 0 {
                RET_ERRNO | libc::EPERM as u32
            } else {
                RET_ALLOW
            };
            assert_eq!(run(&g, AUDIT_ARCH, nr), want, "syscall {nr}");
        }
    }
}
