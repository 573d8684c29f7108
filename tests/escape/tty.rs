//! TTY injection: TIOCSTI pushes keystrokes into the terminal creor runs in.
//!
//! On a non-terminal fd the kernel answers TIOCSTI with ENOTTY; only a seccomp rule answers
//! EPERM first. So `ioctl(/dev/null, TIOCSTI)` tells the filter from the kernel, and the
//! `TIOCSTI | 1 << 32` form proves the rule compares only the low 32 bits the kernel uses.

use std::os::fd::RawFd;

use crate::support::{Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("tty", tiocsti_denied_by_filter),
        case!("tty", tiocsti_high_bits_denied_by_filter),
        case!("tty", tiocsti_into_controlling_terminal),
        case!("tty", dev_tty_does_not_reach_controlling_terminal),
    ]
}

fn filtered(r: &mut Run, high: bool) -> Outcome {
    let mut args = vec!["tiocsti", "0"];
    if high {
        args.push("high");
    }
    let base = r.probe_host(&args);
    ensure!(
        base.first() == "err ENOTTY",
        "baseline: outside the sandbox TIOCSTI on /dev/null should be ENOTTY\n{base}"
    );
    r.probe_in(&args).refused(&["EPERM"])
}

fn tiocsti_denied_by_filter(r: &mut Run) -> Outcome {
    filtered(r, false)
}

fn tiocsti_high_bits_denied_by_filter(r: &mut Run) -> Outcome {
    filtered(r, true)
}

/// creor runs with a pty as its controlling terminal; the command tries to inject a keystroke
/// into it. Nothing may arrive in the terminal's input queue.
fn tiocsti_into_controlling_terminal(r: &mut Run) -> Outcome {
    let (master, slave) = openpty()?;
    let result = (|| {
        for high in [false, true] {
            let mut args = vec![r.probe(), "tiocsti".into(), "0".into()];
            if high {
                args.push("high".into());
            }
            let out = r.exec(&args).ctty(slave).output();
            out.refused(&["EPERM"])?;
            let injected = pending_input(slave);
            ensure!(
                injected.is_empty(),
                "ESCAPE: {injected:?} was injected into the terminal\n{out}"
            );
        }
        Ok(())
    })();
    // SAFETY: closing fds this function opened.
    unsafe {
        libc::close(master);
        libc::close(slave);
    }
    result
}

fn openpty() -> Result<(RawFd, RawFd), String> {
    let (mut m, mut s) = (-1, -1);
    // SAFETY: out-pointers to local ints; null name/termios/winsize are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut m,
            &mut s,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(format!("openpty: {}", std::io::Error::last_os_error()));
    }
    // Raw mode so a single injected byte is readable at once; the fds must not leak to others.
    // SAFETY: termios is plain data filled by tcgetattr; fds are valid.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        libc::tcgetattr(s, &mut t);
        libc::cfmakeraw(&mut t);
        libc::tcsetattr(s, libc::TCSANOW, &t);
        libc::fcntl(m, libc::F_SETFD, libc::FD_CLOEXEC);
        libc::fcntl(s, libc::F_SETFD, libc::FD_CLOEXEC);
    }
    Ok((m, s))
}

/// Bytes waiting in the terminal's input queue (what a shell reading the tty would get).
fn pending_input(slave: RawFd) -> Vec<u8> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int.
    unsafe { libc::ioctl(slave, libc::FIONREAD, &mut n) };
    if n <= 0 {
        return Vec::new();
    }
    let mut buf = vec![0u8; n as usize];
    // SAFETY: reading into a buffer of the announced size.
    let got = unsafe { libc::read(slave, buf.as_mut_ptr().cast(), buf.len()) };
    buf.truncate(got.max(0) as usize);
    buf
}

/// `/dev/tty` names the opener's controlling terminal. The command runs in its own session, so
/// it has none: it cannot write escape sequences to (or read keys from) the user's terminal
/// behind creor's back.
fn dev_tty_does_not_reach_controlling_terminal(r: &mut Run) -> Outcome {
    let (master, slave) = openpty()?;
    let result = (|| {
        let out = r
            .exec(&[
                r.probe(),
                "write".into(),
                "/dev/tty".into(),
                "\u{1b}]0;pwned\u{7}".into(),
            ])
            .ctty(slave)
            .output();
        let verdict = out.refused(&["ENXIO", "ENOENT", "EACCES", "EPERM"]);
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int.
        unsafe { libc::ioctl(master, libc::FIONREAD, &mut n) };
        ensure!(
            n == 0,
            "ESCAPE: {n} bytes reached the terminal through /dev/tty\n{out}"
        );
        verdict
    })();
    // SAFETY: closing fds this function opened.
    unsafe {
        libc::close(master);
        libc::close(slave);
    }
    result
}
