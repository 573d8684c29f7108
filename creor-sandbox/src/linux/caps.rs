//! Capabilities: the command keeps none, in any set, and cannot regain them.
//!
//! As root the sandbox runs as uid 0 of its own user namespace, so `execve` would normally
//! recompute a full permitted set from the bounding set: the bounding set is emptied and the
//! securebits that stop "root gets caps on exec" are locked before the other sets are cleared.

use caps::CapSet;

const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
const SECBIT_KEEP_CAPS_LOCKED: libc::c_ulong = 1 << 5;
const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;

/// Drops every capability and sets `no_new_privs`. Returns the failing step on error.
///
/// Without `CAP_SETPCAP` (an unprivileged process in the degraded mode, which has no namespace
/// of its own) the bounding set cannot be cleared; that is only safe when the process holds no
/// capability and is not uid 0, so nothing can be regained once no_new_privs is set.
pub fn drop_all() -> Result<(), (&'static str, String)> {
    caps::clear(None, CapSet::Ambient)
        .map_err(|e| ("clear ambient capabilities", e.to_string()))?;
    let can_setpcap = caps::has_cap(None, CapSet::Effective, caps::Capability::CAP_SETPCAP)
        .map_err(|e| ("read capabilities", e.to_string()))?;
    if !can_setpcap {
        let held = caps::read(None, CapSet::Permitted)
            .map_err(|e| ("read capabilities", e.to_string()))?;
        if !held.is_empty() || nix::unistd::geteuid().is_root() {
            return Err((
                "clear the capability bounding set",
                "CAP_SETPCAP is missing while other capabilities are held".into(),
            ));
        }
        return super::sys::prctl(libc::PR_SET_NO_NEW_PRIVS, 1)
            .map_err(|e| ("no_new_privs", e.to_string()));
    }
    caps::clear(None, CapSet::Bounding)
        .map_err(|e| ("clear the capability bounding set", e.to_string()))?;
    let bits = SECBIT_NOROOT
        | SECBIT_NOROOT_LOCKED
        | SECBIT_NO_SETUID_FIXUP
        | SECBIT_NO_SETUID_FIXUP_LOCKED
        | SECBIT_KEEP_CAPS_LOCKED
        | SECBIT_NO_CAP_AMBIENT_RAISE
        | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    super::sys::prctl(libc::PR_SET_SECUREBITS, bits)
        .map_err(|e| ("lock securebits", e.to_string()))?;
    caps::clear(None, CapSet::Inheritable)
        .map_err(|e| ("clear inheritable capabilities", e.to_string()))?;
    caps::clear(None, CapSet::Effective)
        .map_err(|e| ("clear effective capabilities", e.to_string()))?;
    caps::clear(None, CapSet::Permitted)
        .map_err(|e| ("clear permitted capabilities", e.to_string()))?;
    super::sys::prctl(libc::PR_SET_NO_NEW_PRIVS, 1).map_err(|e| ("no_new_privs", e.to_string()))
}
