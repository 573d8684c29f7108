//! Moving bytes between two connected stream sockets with `splice(2)` through a pipe, so the
//! data never enters user space. Used by the `allow_specific` forwarder and by creor's proxy
//! once a tunnel is established: two hops per connection would otherwise cost two extra
//! copies of every byte.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// Bytes moved per `splice` call (and the pipe size asked for).
const CHUNK: usize = 1 << 20;

/// Relays both ways between `a` and `b` (blocking sockets) until both directions end: an EOF
/// on one side half-closes the other; an error closes both. Blocks the calling thread and
/// uses one more thread for the other direction.
pub fn relay(a: OwnedFd, b: OwnedFd) {
    let (a_raw, b_raw) = (a.as_raw_fd(), b.as_raw_fd());
    let up = std::thread::spawn(move || pump(a_raw, b_raw));
    pump(b_raw, a_raw);
    let _ = up.join();
    drop((a, b));
}

/// One direction. The fds stay open until both directions are done ([`relay`] owns them).
fn pump(from: RawFd, to: RawFd) {
    let ok = match pipe() {
        Some((r, w)) => splice_loop(from, to, r.as_raw_fd(), w.as_raw_fd()),
        None => false,
    };
    // SAFETY: shutdown(2) on fds that [`relay`] keeps open for the duration.
    unsafe {
        if ok {
            libc::shutdown(to, libc::SHUT_WR);
        } else {
            libc::shutdown(from, libc::SHUT_RDWR);
            libc::shutdown(to, libc::SHUT_RDWR);
        }
    }
}

fn pipe() -> Option<(OwnedFd, OwnedFd)> {
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).ok()?;
    // A larger pipe moves more per call; refusal (pipe-max-size) only costs speed.
    // SAFETY: fcntl on a pipe we own.
    unsafe { libc::fcntl(w.as_raw_fd(), libc::F_SETPIPE_SZ, CHUNK as libc::c_int) };
    Some((r, w))
}

/// Returns true at a clean EOF, false on an error.
fn splice_loop(from: RawFd, to: RawFd, pr: RawFd, pw: RawFd) -> bool {
    let flags = libc::SPLICE_F_MOVE;
    loop {
        // SAFETY: splice(2) between valid fds with null offsets (sockets and pipes).
        let n = unsafe {
            libc::splice(
                from,
                std::ptr::null_mut(),
                pw,
                std::ptr::null_mut(),
                CHUNK,
                flags,
            )
        };
        if n == 0 {
            return true;
        }
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        let mut left = n as usize;
        while left > 0 {
            // SAFETY: as above, from the pipe to the destination socket.
            let m = unsafe {
                libc::splice(
                    pr,
                    std::ptr::null_mut(),
                    to,
                    std::ptr::null_mut(),
                    left,
                    flags,
                )
            };
            if m <= 0 {
                if m < 0
                    && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
                {
                    continue;
                }
                return false;
            }
            left -= m as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    use super::*;

    #[test]
    fn relays_both_ways_and_half_closes() {
        let (mut client, a) = UnixStream::pair().expect("pair");
        let (b, mut server) = UnixStream::pair().expect("pair");
        let t = std::thread::spawn(move || relay(a.into(), b.into()));
        let payload = vec![7u8; 3 << 20];
        let sent = payload.clone();
        let writer = std::thread::spawn(move || {
            client.write_all(&sent).expect("write");
            client
                .shutdown(std::net::Shutdown::Write)
                .expect("shutdown");
            let mut back = Vec::new();
            client.read_to_end(&mut back).expect("read back");
            back
        });
        let mut got = Vec::new();
        server.read_to_end(&mut got).expect("read");
        assert_eq!(got, payload);
        server.write_all(b"reply").expect("reply");
        drop(server);
        assert_eq!(writer.join().expect("writer"), b"reply");
        t.join().expect("relay");
    }
}
