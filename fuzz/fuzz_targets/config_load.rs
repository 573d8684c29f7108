//! Fuzzes the creor.json front door: JSONC syntax, typed validation, semantic checks and the
//! schema (`parse_str`), and the profile parser. Neither may panic on any input.
//!
//! Oracle beyond "no panic": whenever the JSONC parser accepts comment-free text, serde_json
//! must accept it too and produce the same value (a differential check of the hand-written
//! parser), and a file `parse_str` accepts must also parse as a bundled-style profile or fail
//! with an error, never a panic.
#![no_main]

use std::path::Path;

use creor_core::config::{jsonc, parse_profile, parse_str};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("fuzz.json");
    let _ = parse_str(text, file);
    let _ = parse_profile(text, file);
    if let Ok(tree) = jsonc::parse(text) {
        if !text.contains('/') && !text.starts_with('\u{feff}') {
            let via_serde: serde_json::Value =
                serde_json::from_str(text).expect("jsonc accepted what serde_json refuses");
            assert_eq!(tree.to_json(), via_serde, "jsonc and serde_json disagree");
        }
    }
});
