#!/usr/bin/python3
"""Run a command where part of the sandbox cannot be built, as restricted hosts do.

    no_userns.py [--deny userns|mount|seccomp] CMD ARGS...

userns (default), like container runtimes' default seccomp: unshare/setns and clone with any
CLONE_NEW* flag answer EPERM; clone3 answers ENOSYS (so libc falls back to clone, which the
filter can inspect).
mount: namespaces work, but the mount family answers EPERM.
seccomp: installing a further seccomp filter answers EPERM (seccomp(2), prctl(PR_SET_SECCOMP)).

creor's fail-closed tests run it under this launcher: it must refuse (exit 125, naming what
failed) instead of running the command with a partial sandbox.
"""
import errno
import os
import sys

import seccomp

CLONE_NEW = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
MOUNT_FAMILY = ["mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen", "fsconfig",
                "fsmount", "fspick", "mount_setattr"]
PR_SET_SECCOMP = 22

args = sys.argv[1:]
mode = "userns"
if args[:1] == ["--deny"]:
    mode, args = args[1], args[2:]

f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
if mode == "userns":
    f.add_rule(seccomp.ERRNO(errno.EPERM), "unshare")
    f.add_rule(seccomp.ERRNO(errno.EPERM), "setns")
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for flag in CLONE_NEW.values():
        f.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
elif mode == "mount":
    for name in MOUNT_FAMILY:
        f.add_rule(seccomp.ERRNO(errno.EPERM), name)
elif mode == "seccomp":
    f.add_rule(seccomp.ERRNO(errno.EPERM), "seccomp")
    f.add_rule(seccomp.ERRNO(errno.EPERM), "prctl", seccomp.Arg(0, seccomp.EQ, PR_SET_SECCOMP))
else:
    sys.exit(f"no_userns.py: unknown --deny {mode}")
f.load()
os.execv(args[0], args)
