//! Which namespaces the sandbox makes, and what to tell the user when the kernel refuses.

/// The `clone` flags for pid 1: user, mount, pid, ipc, uts and cgroup always; network unless
/// the policy is `allow_all`.
pub fn plan_flags(own_netns: bool) -> u64 {
    let mut f = libc::CLONE_NEWUSER
        | libc::CLONE_NEWNS
        | libc::CLONE_NEWPID
        | libc::CLONE_NEWIPC
        | libc::CLONE_NEWUTS
        | libc::CLONE_NEWCGROUP;
    if own_netns {
        f |= libc::CLONE_NEWNET;
    }
    f as u64
}

/// Names of the flags, for descriptions.
pub fn flag_names(flags: u64) -> Vec<&'static str> {
    [
        (libc::CLONE_NEWUSER, "user"),
        (libc::CLONE_NEWNS, "mount"),
        (libc::CLONE_NEWPID, "pid"),
        (libc::CLONE_NEWNET, "net"),
        (libc::CLONE_NEWIPC, "ipc"),
        (libc::CLONE_NEWUTS, "uts"),
        (libc::CLONE_NEWCGROUP, "cgroup"),
    ]
    .into_iter()
    .filter(|(f, _)| flags & (*f as u64) != 0)
    .map(|(_, n)| n)
    .collect()
}

fn sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Why user namespaces are refused here, and the fix. Reads the sysctls that usually explain
/// an `errno` from `clone(CLONE_NEWUSER|…)`.
pub fn explain(errno: i32) -> String {
    if sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1")
        && nix::unistd::geteuid().as_raw() != 0
    {
        return "AppArmor restricts unprivileged user namespaces \
                (kernel.apparmor_restrict_unprivileged_userns=1); fix: \
                `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor \
                profile granting `userns` to creor, or opt in to the degraded mode \
                (sandbox.allowDegraded)"
            .into();
    }
    if sysctl("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0")
        && nix::unistd::geteuid().as_raw() != 0
    {
        return "unprivileged user namespaces are disabled \
                (kernel.unprivileged_userns_clone=0); fix: \
                `sudo sysctl kernel.unprivileged_userns_clone=1`"
            .into();
    }
    match errno {
        libc::ENOSPC | libc::EUSERS => {
            "the user namespace limit is reached (user.max_user_namespaces, or nesting depth); \
             fix: `sudo sysctl user.max_user_namespaces=15000`"
                .into()
        }
        libc::EINVAL | libc::ENOSYS => {
            "this kernel lacks user/pid/net namespaces (CONFIG_USER_NS); fix: a kernel built \
             with them, or opt in to the degraded mode (sandbox.allowDegraded)"
                .into()
        }
        _ => "namespace creation is refused (EPERM) — typically a container's seccomp profile \
              (Docker's default denies unshare/clone with namespace flags); fix: run the \
              container with `--security-opt seccomp=unconfined` (or a profile allowing \
              user namespaces), or opt in to the degraded landlock+seccomp mode \
              (sandbox.allowDegraded)"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_all_keeps_the_host_network_only() {
        assert!(flag_names(plan_flags(true)).contains(&"net"));
        assert!(!flag_names(plan_flags(false)).contains(&"net"));
        for ns in ["user", "mount", "pid", "ipc", "uts", "cgroup"] {
            assert!(flag_names(plan_flags(false)).contains(&ns), "{ns}");
        }
    }
}
