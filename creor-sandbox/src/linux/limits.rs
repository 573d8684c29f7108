//! Resource limits of the command.
//!
//! RLIMIT_NPROC is counted per user namespace, so in the sandbox's fresh namespace it caps
//! only the sandbox's own processes: a fork-bomb cap that needs no cgroup. A `None` limit in the
//! policy means the safe default below, never "unlimited".

use serde::{Deserialize, Serialize};

use crate::policy::Limits;

/// Default max processes inside one sandbox.
pub const DEFAULT_NPROC: u64 = 1024;
/// Default max open files per process.
pub const DEFAULT_NOFILE: u64 = 4096;
/// Default max file size (8 GiB).
pub const DEFAULT_FSIZE: u64 = 8 << 30;
/// Upper bound of the default address-space cap per process (64 GiB); the default is the
/// machine's physical memory when smaller, so one process cannot allocate more than exists.
pub const DEFAULT_AS: u64 = 64 << 30;

/// The default `RLIMIT_AS`: physical memory, at most [`DEFAULT_AS`], at least 1 GiB.
pub fn default_address_space() -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages <= 0 || size <= 0 {
        return DEFAULT_AS;
    }
    (pages as u64)
        .saturating_mul(size as u64)
        .clamp(1 << 30, DEFAULT_AS)
}

/// One rlimit to set (soft = hard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rlimit {
    /// `RLIMIT_*` resource number.
    pub resource: libc::__rlimit_resource_t,
    /// Name, for messages.
    pub name: String,
    /// Value (soft and hard).
    pub value: u64,
}

/// Plans the rlimits. Pure.
pub fn plan_rlimits(l: &Limits, default_as: u64) -> Vec<Rlimit> {
    let r = |resource: libc::__rlimit_resource_t, name: &str, value| Rlimit {
        resource,
        name: name.to_string(),
        value,
    };
    vec![
        r(
            libc::RLIMIT_NPROC,
            "RLIMIT_NPROC",
            l.max_processes.unwrap_or(DEFAULT_NPROC),
        ),
        r(
            libc::RLIMIT_NOFILE,
            "RLIMIT_NOFILE",
            l.max_open_files.unwrap_or(DEFAULT_NOFILE),
        ),
        r(
            libc::RLIMIT_FSIZE,
            "RLIMIT_FSIZE",
            l.max_file_size.unwrap_or(DEFAULT_FSIZE),
        ),
        r(libc::RLIMIT_CORE, "RLIMIT_CORE", 0),
        r(
            libc::RLIMIT_AS,
            "RLIMIT_AS",
            l.max_memory.unwrap_or(default_as),
        ),
    ]
}

/// Sets the limits on the calling process. A limit above the current hard limit is lowered to
/// it (an unprivileged process cannot raise a hard limit; lower is stricter).
pub fn apply(limits: &[Rlimit]) -> Result<(), String> {
    for l in limits {
        let mut cur = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: valid resource number and out-pointer.
        if unsafe { libc::getrlimit(l.resource, &mut cur) } != 0 {
            return Err(format!(
                "getrlimit {}: {}",
                l.name,
                std::io::Error::last_os_error()
            ));
        }
        let v = l.value.min(cur.rlim_max);
        let new = libc::rlimit {
            rlim_cur: v,
            rlim_max: v,
        };
        // SAFETY: valid resource number and rlimit struct.
        if unsafe { libc::setrlimit(l.resource, &new) } != 0 {
            return Err(format!(
                "setrlimit {}: {}",
                l.name,
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_finite_and_core_is_zero() {
        let plan = plan_rlimits(&Limits::default(), DEFAULT_AS);
        assert!(plan.iter().all(|l| l.value != libc::RLIM_INFINITY));
        let core = plan.iter().find(|l| l.name == "RLIMIT_CORE").expect("core");
        assert_eq!(core.value, 0);
    }

    #[test]
    fn policy_values_win() {
        let plan = plan_rlimits(
            &Limits {
                max_processes: Some(7),
                ..Limits::default()
            },
            DEFAULT_AS,
        );
        let nproc = plan
            .iter()
            .find(|l| l.name == "RLIMIT_NPROC")
            .expect("nproc");
        assert_eq!(nproc.value, 7);
    }
}
