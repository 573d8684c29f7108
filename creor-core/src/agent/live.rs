//! Live bash output for front ends: raw chunks from the sandbox become whole, redacted lines
//! sent as [`Event::ToolOutputDelta`]. Redaction works line by line here, so a multi-line
//! secret (a PEM private key) is held back from its `BEGIN` line until the command ends, when
//! the whole output is redacted at once and sent as the authoritative `tool_output`.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;

use super::event::Event;
use super::redact::Redactor;
use crate::tools::{OutputSink, Stream};

/// Most live bytes forwarded per call; the rest waits for the final result.
const MAX_LIVE: usize = 1 << 20;

#[derive(Default)]
struct Buffers {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    held: bool,
    sent: usize,
}

/// Builds the sink for one call.
pub(crate) fn sink(
    id: String,
    events: UnboundedSender<Event>,
    redactor: Arc<dyn Redactor>,
) -> OutputSink {
    let state = Mutex::new(Buffers::default());
    OutputSink(Arc::new(move |stream, bytes| {
        let Ok(mut st) = state.lock() else { return };
        let st = &mut *st;
        let buf = match stream {
            Stream::Stdout => &mut st.stdout,
            Stream::Stderr => &mut st.stderr,
        };
        buf.extend_from_slice(bytes);
        let Some(end) = buf.iter().rposition(|b| *b == b'\n') else {
            return;
        };
        let lines: Vec<u8> = buf.drain(..=end).collect();
        if st.held || st.sent >= MAX_LIVE {
            return;
        }
        let text = String::from_utf8_lossy(&lines);
        let mut out = String::new();
        for line in text.split_inclusive('\n') {
            if line.contains("-----BEGIN") {
                st.held = true;
                out.push_str("[creor: live output paused (possible private key); the full, redacted output follows when the command ends]\n");
                break;
            }
            out.push_str(&redactor.redact(line).text);
        }
        st.sent += out.len();
        if !out.is_empty() {
            let _ = events.send(Event::ToolOutputDelta {
                id: id.clone(),
                text: out,
            });
        }
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::agent::{FnRedactor, Redaction};

    fn collect(chunks: &[(Stream, &str)]) -> Vec<String> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let red: Arc<dyn Redactor> = Arc::new(FnRedactor(|s: &str| Redaction {
            text: s.replace("hunter2", "[REDACTED]"),
            findings: vec![],
        }));
        let sink = sink("c1".into(), tx, red);
        for (st, c) in chunks {
            (sink.0)(*st, c.as_bytes());
        }
        drop(sink);
        let mut out = Vec::new();
        while let Ok(Event::ToolOutputDelta { text, .. }) = rx.try_recv() {
            out.push(text);
        }
        out
    }

    #[test]
    fn whole_lines_are_sent_redacted_and_streams_do_not_mix() {
        let got = collect(&[
            (Stream::Stdout, "pass=hun"),
            (Stream::Stderr, "warn\n"),
            (Stream::Stdout, "ter2\nnext"),
        ]);
        assert_eq!(got, ["warn\n", "pass=[REDACTED]\n"]);
    }

    #[test]
    fn a_private_key_pauses_live_output() {
        let got = collect(&[(
            Stream::Stdout,
            "ok\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n",
        )]);
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("ok\n[creor: live output paused"),
            "{got:?}"
        );
        assert!(!got[0].contains("b3BlbnNzaC1rZXk"));
    }
}
