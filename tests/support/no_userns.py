#!/usr/bin/python3
"""Run a command where no namespace can be created, as container runtimes' default seccomp does.

unshare/setns and clone with any CLONE_NEW* flag answer EPERM; clone3 answers ENOSYS (so libc
falls back to clone, which the filter can inspect). Used by creor's fail-closed test: creor must
refuse to run (exit 125) instead of running the command unsandboxed.
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

f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
f.add_rule(seccomp.ERRNO(errno.EPERM), "unshare")
f.add_rule(seccomp.ERRNO(errno.EPERM), "setns")
f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
for flag in CLONE_NEW.values():
    f.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
f.load()
os.execv(sys.argv[1], sys.argv[1:])
