//! The helper's control socket (fd 3): the parent sends one length-prefixed JSON plan; the
//! helper, pid 1 and the command child send back at most one error line
//! (`CODE STEP\tREASON\n`) before the command starts. The parent keeps its end open for the
//! whole run: when it dies, the helper reads EOF and kills the sandbox.

use std::io::{Read, Write};

use crate::error::{Result, SandboxError};

/// The fd the helper finds its control socket on.
pub const CONTROL_FD: i32 = 3;

/// Status (and report code) of a sandbox killed by its timeout, as `timeout(1)` uses.
pub const TIMEOUT: i32 = 124;

/// Whether the report says the helper killed the sandbox on timeout.
pub fn is_timeout(bytes: &[u8]) -> bool {
    bytes.starts_with(b"124 timeout")
}

/// Largest plan accepted (a plan is a few KiB).
const MAX_FRAME: u32 = 16 << 20;

/// Writes one length-prefixed frame.
pub fn write_frame(w: &mut impl Write, body: &[u8]) -> Result<()> {
    let len = u32::try_from(body.len()).map_err(|_| SandboxError::Setup {
        step: "send plan",
        reason: "plan too large".into(),
    })?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(body)?;
    Ok(())
}

/// Reads one length-prefixed frame.
pub fn read_frame(r: &mut impl Read) -> Result<Vec<u8>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len);
    if len > MAX_FRAME {
        return Err(SandboxError::Setup {
            step: "read plan",
            reason: format!("frame of {len} bytes refused"),
        });
    }
    let mut body = vec![0u8; len as usize];
    r.read_exact(&mut body)?;
    Ok(body)
}

/// Sends an error line on fd 3 (best effort: if the parent is gone nobody is listening).
pub fn report(code: i32, step: &str, reason: &str) {
    let line = format!(
        "{code} {}\t{}\n",
        step.replace(['\t', '\n'], " "),
        reason.replace(['\t', '\n'], " ")
    );
    // SAFETY: sending a valid buffer on fd 3, which the helper chain keeps open. A reader
    // that is gone must cost this report, not kill the reporter with SIGPIPE (the command
    // child has reset every signal to its default by the time it reports).
    unsafe {
        let sent = libc::send(
            CONTROL_FD,
            line.as_ptr().cast(),
            line.len(),
            libc::MSG_NOSIGNAL,
        );
        if sent < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ENOTSOCK) {
            libc::write(CONTROL_FD, line.as_ptr().cast(), line.len());
        }
    }
}

/// Sends a [`SandboxError`] as a setup failure (or exec failure).
pub fn report_error(e: &SandboxError) {
    match e {
        SandboxError::HelperSetup { step, reason } => report(125, step, reason),
        SandboxError::Setup { step, reason } => report(125, step, reason),
        SandboxError::Exec {
            program,
            reason,
            code,
        } => report(*code, &format!("exec {program}"), reason),
        other => report(125, "helper", &other.to_string()),
    }
}

/// Parses what the helper chain sent back: the first error line, if any.
pub fn parse_report(bytes: &[u8]) -> Option<SandboxError> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().next()?;
    let (code, rest) = line.split_once(' ')?;
    let (step, reason) = rest.split_once('\t').unwrap_or((rest, ""));
    let code: i32 = code.parse().ok()?;
    Some(match code {
        126 | 127 => SandboxError::Exec {
            program: step.strip_prefix("exec ").unwrap_or(step).to_string(),
            reason: reason.to_string(),
            code,
        },
        _ => SandboxError::HelperSetup {
            step: step.to_string(),
            reason: reason.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"{\"a\":1}").expect("write");
        let back = read_frame(&mut buf.as_slice()).expect("read");
        assert_eq!(back, b"{\"a\":1}");
    }

    #[test]
    fn reports_parse_into_named_steps() {
        let e = parse_report(b"125 mount proc /tmp/proc\tEPERM\n").expect("parsed");
        assert_eq!(
            e.to_string(),
            "sandbox setup failed at mount proc /tmp/proc: EPERM"
        );
        let e = parse_report(b"127 exec nope\tNo such file or directory\n").expect("parsed");
        assert_eq!(e.exit_code(), 127);
        assert!(parse_report(b"").is_none());
    }
}
