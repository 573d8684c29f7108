//! The scanning engine: an Aho-Corasick pass finds keyword hits; each rule's regex then runs
//! only on the lines holding its hits (a bounded window for multi-line PEM keys), never on a
//! whole file because a keyword appears somewhere in it.

use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, Input, MatchKind, Span};
use memchr::{memchr, memchr_iter, memmem, memrchr};

use super::config::SecretsConfig;
use super::entropy::shannon;
use super::error::{Result, SecretsError};
use super::filter::{is_placeholder, passes_check, Allowlist};
use super::finding::{fingerprint, mask, secret_hash, Finding};
use super::patterns::builtin_rules;
use super::rule::{Group, Rule};
use super::suppress::{allows_next_line, allows_this_line};

thread_local! {
    /// The lower-cased copy of the text being scanned, reused to spare an allocation (and its
    /// page faults) per file.
    static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keywords shorter than this are searched apart from the SIMD prefilter.
const SHORT: usize = 3;

/// Longest window a multi-line rule looks at from its keyword (a 4096-bit RSA key in PEM is
/// ~3.3 KB; in a JSON string with `\n` escapes a little more).
const WINDOW: usize = 32 * 1024;

/// A line of a sparse text (the lines of a diff): its line number in the real file and whether
/// the change added it. Findings on lines that were not added are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappedLine {
    /// 1-based line number in the new file.
    pub line: usize,
    /// Added by the change (`+`), as opposed to context.
    pub added: bool,
}

/// The compiled scanner: built-in rules, user rules and allowlists. Cheap to share across
/// threads (`&Scanner` is `Sync`).
#[derive(Debug, Clone)]
pub struct Scanner {
    rules: Vec<Rule>,
    ac: Prefilter,
    /// Per prefilter pattern: the rules it gates.
    gates: Vec<Vec<Gate>>,
    /// Short keywords, searched with `memmem`; `true` = over the original (case-sensitive)
    /// text. Their gates follow the prefilter patterns' in `gates`.
    shorts: Vec<(memmem::Finder<'static>, bool)>,
    /// Rules without keywords: they run on every line.
    always: Vec<usize>,
    allow: Allowlist,
}

/// A rule gated by a prefilter pattern. The pattern may be a substring of the rule's keyword
/// (`key` gates `accountkey`): on a hit, the keyword is checked at `offset` before the hit, in
/// lower case and, for case-sensitive keywords, byte for byte.
#[derive(Debug, Clone)]
struct Gate {
    rule: usize,
    offset: usize,
    lower: Box<[u8]>,
    exact: Option<Box<[u8]>>,
}

/// A rule's keyword as the prefilter is built: rule index, lower-cased text, exact bytes when
/// case-sensitive.
type KeywordEntry = (usize, String, Option<Box<[u8]>>);

/// The keyword search: SIMD Teddy where the CPU has it, an Aho-Corasick automaton elsewhere.
#[derive(Debug, Clone)]
enum Prefilter {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Prefilter {
    /// The leftmost keyword occurrence at or after `pos`: (start, pattern index).
    fn find(&self, hay: &[u8], pos: usize) -> Option<(usize, usize)> {
        let m = match self {
            Prefilter::Packed(s) => s.find_in(hay, Span::from(pos..hay.len())),
            Prefilter::Automaton(a) => a.find(Input::new(hay).span(pos..hay.len())),
        }?;
        Some((m.start(), m.pattern().as_usize()))
    }
}

/// A candidate that passed the filters: rule index and the secret's byte span.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    rule: usize,
    start: usize,
    end: usize,
}

impl Scanner {
    /// Compiles the built-in rules plus creor.json `secrets`. A user rule that does not compile
    /// is an error naming it: the scanner never runs with a rule silently missing.
    pub fn new(config: &SecretsConfig) -> Result<Scanner> {
        let mut rules = builtin_rules()?;
        for c in &config.rules {
            if rules.iter().any(|r| *r.id == *c.id) {
                return Err(SecretsError::Rule {
                    id: c.id.clone(),
                    message: "duplicate rule id".into(),
                });
            }
            rules.push(Rule::from_config(c)?);
        }
        let mut always = Vec::new();
        let mut keywords: Vec<KeywordEntry> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for k in &rule.keywords {
                let exact = k.case_sensitive.then(|| k.text.as_bytes().into());
                keywords.push((i, k.text.to_ascii_lowercase(), exact));
            }
        }
        // The prefilter searches for the keywords that contain no other keyword; every
        // occurrence of each is found (the search restarts one byte after each hit), so no
        // keyword can hide another by overlapping it (`aw` + `sk-ant-…`).
        // Keywords shorter than three bytes (`SK`, `Q~`) would cripple the SIMD prefilter;
        // each gets its own `memmem` pass instead (over the original text when case-sensitive).
        let long = |k: &KeywordEntry| k.1.len() >= SHORT;
        let mut uniq: Vec<&str> = keywords
            .iter()
            .filter(|k| long(k))
            .map(|k| k.1.as_str())
            .collect();
        uniq.sort_unstable();
        uniq.dedup();
        let patterns: Vec<&str> = uniq
            .iter()
            .copied()
            .filter(|k| !uniq.iter().any(|o| o != k && k.contains(o)))
            .collect();
        let mut shorts: Vec<(Vec<u8>, bool)> = Vec::new();
        for (_, lower, exact) in keywords.iter().filter(|k| !long(k)) {
            let needle = exact.as_deref().map_or(lower.as_bytes(), |e| e).to_vec();
            let entry = (needle, exact.is_some());
            if !shorts.contains(&entry) {
                shorts.push(entry);
            }
        }
        let mut gates: Vec<Vec<Gate>> = vec![Vec::new(); patterns.len() + shorts.len()];
        for (rule, lower, exact) in &keywords {
            let found = if long(&(0, lower.clone(), None)) {
                patterns
                    .iter()
                    .enumerate()
                    .find_map(|(i, p)| lower.find(p).map(|o| (i, o)))
            } else {
                let needle = exact.as_deref().map_or(lower.as_bytes(), |e| e);
                shorts
                    .iter()
                    .position(|(n, cs)| n == needle && *cs == exact.is_some())
                    .map(|i| (patterns.len() + i, 0))
            };
            let Some((pid, offset)) = found else {
                continue;
            };
            gates[pid].push(Gate {
                rule: *rule,
                offset,
                lower: lower.as_bytes().into(),
                exact: exact.clone(),
            });
        }
        // Patterns are lower case and run over a lower-cased copy of the text: same offsets,
        // and unlike `ascii_case_insensitive` it keeps the SIMD (Teddy) prefilter, which also
        // needs leftmost-first semantics.
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .heuristic_pattern_limits(false)
            .builder()
            .extend(&patterns)
            .build();
        let ac = match packed {
            Some(searcher) => Prefilter::Packed(searcher),
            None => Prefilter::Automaton(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&patterns)
                    .map_err(|e| SecretsError::Rule {
                        id: "<keywords>".into(),
                        message: e.to_string(),
                    })?,
            ),
        };
        let shorts = shorts
            .into_iter()
            .map(|(n, cs)| (memmem::Finder::new(&n).into_owned(), cs))
            .collect();
        Ok(Scanner {
            rules,
            ac,
            shorts,
            gates,
            always,
            allow: Allowlist::new(&config.allowlist)?,
        })
    }

    /// The active rules, built-in first (SARIF lists one entry per rule id).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether a file at `path` is skipped (lockfiles, vendored trees, binaries by extension,
    /// `secrets.allowlist.paths`).
    pub fn skips_path(&self, path: &str) -> bool {
        self.allow.skips_path(path)
    }

    /// Scans a whole text, honouring inline suppressions. `path` is printed in findings and
    /// selects path-scoped rules.
    pub fn scan(&self, path: &str, text: &[u8]) -> Vec<Finding> {
        self.scan_lines(path, text, None, true)
    }

    /// Scans a text, optionally sparse (`map` gives each line's real number and whether it was
    /// added). `suppressions: false` is redaction mode: text in tool output is attacker-shaped,
    /// so suppression markers are ignored and built-in rules drop their `\b` word boundaries.
    pub fn scan_lines(
        &self,
        path: &str,
        text: &[u8],
        map: Option<&[MappedLine]>,
        suppressions: bool,
    ) -> Vec<Finding> {
        // Redaction (no suppressions) also relaxes word boundaries: see `Rule::loose`.
        let loose = !suppressions;
        let path_opt = (!path.is_empty()).then_some(path);
        let active: Vec<bool> = self.rules.iter().map(|r| r.applies_to(path_opt)).collect();
        let mut cands = Vec::new();
        let mut covered = vec![0usize; self.rules.len()];
        let mut line: Option<(usize, usize)> = None;
        let mut on_line: Vec<usize> = Vec::new();
        let (hits, lower) = LOWER.with(|buf| {
            let mut lower = buf.take();
            lower.clear();
            lower.extend(text.iter().map(u8::to_ascii_lowercase));
            (self.keyword_hits(text, &lower), lower)
        });
        for (start, pid) in hits {
            for g in &self.gates[pid] {
                if !active[g.rule] {
                    continue;
                }
                let Some(hit) = start.checked_sub(g.offset) else {
                    continue;
                };
                let Some(kw) = lower.get(hit..hit + g.lower.len()) else {
                    continue;
                };
                if kw != &*g.lower {
                    continue;
                }
                if let Some(e) = &g.exact {
                    if text[hit..hit + e.len()] != **e {
                        continue;
                    }
                }
                let ri = g.rule;
                if self.rules[ri].multiline {
                    if hit >= covered[ri] {
                        self.run_window(text, hit, ri, loose, &mut covered, &mut cands);
                    }
                    continue;
                }
                match line {
                    Some((_, end)) if hit <= end => {}
                    _ => {
                        if let Some((s, e)) = line {
                            self.run_rules(text, s, e, &on_line, loose, &mut cands);
                        }
                        line = Some(line_bounds(text, hit));
                        on_line.clear();
                    }
                }
                if !on_line.contains(&ri) {
                    on_line.push(ri);
                }
            }
        }
        if let Some((s, e)) = line {
            self.run_rules(text, s, e, &on_line, loose, &mut cands);
        }
        LOWER.with(|buf| buf.replace(lower));
        let always: Vec<usize> = self.always.iter().copied().filter(|&i| active[i]).collect();
        if !always.is_empty() {
            let mut start = 0;
            while start <= text.len() {
                let end = memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
                self.run_rules(text, start, end, &always, loose, &mut cands);
                start = end + 1;
            }
        }
        let cands = self.drop_shadowed(cands);
        self.to_findings(path, text, map, suppressions, &cands)
    }

    /// Every keyword occurrence, in text order: (start, pattern index). The prefilter search
    /// restarts one byte after each hit, so overlapping keywords are all seen.
    fn keyword_hits(&self, text: &[u8], lower: &[u8]) -> Vec<(usize, usize)> {
        let mut hits: Vec<(usize, usize)> = Vec::new();
        let mut pos = 0;
        while let Some((start, pid)) = self.ac.find(lower, pos) {
            pos = start + 1;
            hits.push((start, pid));
        }
        let base = self.gates.len() - self.shorts.len();
        for (i, (finder, case_sensitive)) in self.shorts.iter().enumerate() {
            let hay: &[u8] = if *case_sensitive { text } else { lower };
            hits.extend(finder.find_iter(hay).map(|p| (p, base + i)));
        }
        if !self.shorts.is_empty() {
            hits.sort_unstable();
        }
        hits
    }

    /// Runs a multi-line rule (anchored with `^`) on a bounded window starting at its keyword
    /// hit. Anchoring keeps the cost linear even for text full of `-----BEGIN` lines.
    fn run_window(
        &self,
        text: &[u8],
        pos: usize,
        ri: usize,
        loose: bool,
        covered: &mut [usize],
        out: &mut Vec<Candidate>,
    ) {
        let rule = &self.rules[ri];
        let hay = &text[pos..(pos + WINDOW).min(text.len())];
        let regex = rule.regex(loose);
        let mut locs = regex.capture_locations();
        let Some(m) = regex.captures_read_at(&mut locs, hay, 0) else {
            return;
        };
        let Some((s, e, quoted)) = secret_span(rule.group, &locs) else {
            return;
        };
        if self.accepts(rule, &hay[s..e], quoted, b"") {
            out.push(Candidate {
                rule: ri,
                start: pos + s,
                end: pos + e,
            });
            covered[ri] = pos + m.end();
        }
    }

    /// Runs single-line `rules` on the line `[start, end)`.
    fn run_rules(
        &self,
        text: &[u8],
        start: usize,
        end: usize,
        rules: &[usize],
        loose: bool,
        out: &mut Vec<Candidate>,
    ) {
        for &ri in rules {
            let rule = &self.rules[ri];
            let hay = &text[start..end];
            let regex = rule.regex(loose);
            let mut locs = regex.capture_locations();
            let mut at = 0;
            while at <= hay.len() {
                let Some(m) = regex.captures_read_at(&mut locs, hay, at) else {
                    break;
                };
                at = if m.end() > m.start() {
                    m.end()
                } else {
                    m.end() + 1
                };
                let Some((s, e, quoted)) = secret_span(rule.group, &locs) else {
                    continue;
                };
                let name = rule
                    .name_groups
                    .iter()
                    .find_map(|&i| locs.get(i))
                    .map_or(&b""[..], |(a, b)| &hay[a..b]);
                if self.accepts(rule, &hay[s..e], quoted, name) {
                    out.push(Candidate {
                        rule: ri,
                        start: start + s,
                        end: start + e,
                    });
                }
            }
        }
    }

    /// The filters every candidate passes: entropy floor, placeholders, the rule's check and
    /// the user's allowlist.
    fn accepts(&self, rule: &Rule, secret: &[u8], quoted: bool, name: &[u8]) -> bool {
        !secret.is_empty()
            && rule.entropy.is_none_or(|floor| shannon(secret) >= floor)
            && !is_placeholder(secret)
            && passes_check(rule.check, secret, quoted, name)
            && !self.allow.allows_secret(secret)
    }

    /// Sorts candidates and drops generic ones that overlap a specific rule's finding (the
    /// GitHub token in `token = "ghp_…"` is a `github-token`, not a `generic-secret`).
    fn drop_shadowed(&self, mut cands: Vec<Candidate>) -> Vec<Candidate> {
        cands.sort_by_key(|c| (c.start, c.end, c.rule));
        cands.dedup_by_key(|c| (c.start, c.end, c.rule));
        let specific: Vec<(usize, usize)> = cands
            .iter()
            .filter(|c| !self.rules[c.rule].generic)
            .map(|c| (c.start, c.end))
            .collect();
        let mut max_end = Vec::with_capacity(specific.len());
        let mut m = 0;
        for &(_, e) in &specific {
            m = m.max(e);
            max_end.push(m);
        }
        let mut kept: Vec<Candidate> = Vec::with_capacity(cands.len());
        for c in cands {
            if self.rules[c.rule].generic {
                let n = specific.partition_point(|&(s, _)| s < c.end);
                if n > 0 && max_end[n - 1] > c.start {
                    continue;
                }
                // Two generic rules on one span: keep the first.
                if kept
                    .iter()
                    .rev()
                    .take_while(|k| k.end > c.start)
                    .any(|k| self.rules[k.rule].generic)
                {
                    continue;
                }
            }
            kept.push(c);
        }
        kept
    }

    /// Turns candidates into findings: line/column, suppressions, the added-line filter.
    fn to_findings(
        &self,
        path: &str,
        text: &[u8],
        map: Option<&[MappedLine]>,
        suppressions: bool,
        cands: &[Candidate],
    ) -> Vec<Finding> {
        let mut out = Vec::with_capacity(cands.len());
        let (mut pos, mut idx) = (0usize, 0usize);
        for c in cands {
            idx += memchr_iter(b'\n', &text[pos..c.start]).count();
            pos = c.start;
            let (ls, le) = line_bounds(text, c.start);
            let real =
                |i: usize| map.map_or(Some((i + 1, true)), |m| m.get(i).map(|l| (l.line, l.added)));
            let Some((line, added)) = real(idx) else {
                continue;
            };
            if !added {
                continue;
            }
            if suppressions {
                if allows_this_line(&text[ls..le]) {
                    continue;
                }
                if ls > 0 && idx > 0 {
                    let prev_start = memrchr(b'\n', &text[..ls - 1]).map_or(0, |i| i + 1);
                    let contiguous = real(idx - 1).is_some_and(|(l, _)| l + 1 == line);
                    if contiguous && allows_next_line(&text[prev_start..ls - 1]) {
                        continue;
                    }
                }
            }
            let column = char_count(&text[ls..c.start]) + 1;
            let nl = memchr_iter(b'\n', &text[c.start..c.end]).count();
            let end_ls = memrchr(b'\n', &text[..c.end]).map_or(0, |i| i + 1).max(ls);
            let end_column = char_count(&text[end_ls..c.end]) + 1;
            let rule = &self.rules[c.rule];
            let secret = &text[c.start..c.end];
            let hash = secret_hash(secret);
            out.push(Finding {
                path: path.to_string(),
                line,
                column,
                end_line: line + nl,
                end_column,
                rule: rule.id.to_string(),
                description: rule.description.to_string(),
                fingerprint: fingerprint(path.strip_prefix("./").unwrap_or(path), &rule.id, &hash),
                secret_hash: hash,
                masked: mask(secret),
                span: c.start..c.end,
            });
        }
        out
    }
}

/// `[start, end)` of the line holding byte `pos` (end excludes the `\n`).
fn line_bounds(text: &[u8], pos: usize) -> (usize, usize) {
    let s = memrchr(b'\n', &text[..pos]).map_or(0, |i| i + 1);
    let e = memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
    (s, e)
}

/// Unicode scalar values in `b` (invalid bytes count one each).
fn char_count(b: &[u8]) -> usize {
    b.iter().filter(|&&x| (x & 0xC0) != 0x80).count()
}

/// The secret's span within the regex haystack, and whether it was quoted (for `AnyOf`: any
/// group but the first listed).
fn secret_span(
    group: Group,
    locs: &regex::bytes::CaptureLocations,
) -> Option<(usize, usize, bool)> {
    match group {
        Group::Index(i) => locs.get(i).map(|(s, e)| (s, e, false)),
        Group::AnyOf(list) => list
            .iter()
            .enumerate()
            .find_map(|(n, &i)| locs.get(i).map(|(s, e)| (s, e, n > 0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::config::{SecretAllowlist, SecretRuleConfig};

    fn builtin() -> Scanner {
        Scanner::new(&SecretsConfig::default()).expect("built-in rules compile")
    }

    fn rules_of(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.rule.as_str()).collect()
    }

    fn gh() -> String {
        ["gh", "p_", "Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcDeF1gH6j"].concat()
    }

    #[test]
    fn provider_rule_shadows_generic_on_the_same_secret() {
        let text = format!("token = \"{}\"\n", gh());
        assert_eq!(
            rules_of(&builtin().scan("a", text.as_bytes())),
            ["github-token"]
        );
    }

    proptest::proptest! {
        /// Arbitrary bytes (files need not be UTF-8) never panic the engine, and every span
        /// lies inside the text on the line it reports.
        #[test]
        fn arbitrary_bytes_scan_safely(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
                                       glue in "(ghp_|AKIA|-----BEGIN |key=|sk-ant-api03-|://u:)?") {
            let mut text = glue.into_bytes();
            text.extend(data);
            let s = builtin();
            for f in s.scan("a", &text).into_iter().chain(s.scan_lines("", &text, None, false)) {
                proptest::prop_assert!(f.span.start < f.span.end && f.span.end <= text.len());
                let line = text[..f.span.start].iter().filter(|&&b| b == b'\n').count() + 1;
                proptest::prop_assert_eq!(line, f.line);
            }
        }
    }

    #[test]
    fn generic_rule_takes_config_lines_not_code() {
        let s = builtin();
        for code in [
            "    key: &::wasm_bindgen::JsValue,",
            "            keys0: K0::Container::zero_from(&other.keys0),",
            "    pub Password: super::super::Foundation::UNICODE_STRING,",
            "        Ok(ConnectionTrafficSecrets::Aes256Gcm { key, iv })",
            "pub const AllowedKeySignature: Pkcs10AllowedSignatureTypes = 1i32;",
            "    let key1 = u64::from_le_bytes(b1);",
            "    token = self.tokenizer.next_token2()",
            "badge: https://img.shields.io/x?token=BAQ8SOKEST&color=C43AC3",
        ] {
            assert!(s.scan("a.rs", code.as_bytes()).is_empty(), "{code}");
        }
        for config in [
            "API_TOKEN=q8W7e6R5t4Y3u2I1o0Pz",
            "export DB_PASSWORD=Tr0ub4dor&3xyzQ",
            "  client_secret: 9fK2mQ7xLp4Zr8Tv  # prod",
            "ENV SECRET_KEY=Zk3q9XbLmN0pQ7rS",
            "    password = \"Tr0ub4dor&3xyzQ\";",
        ] {
            let found = s.scan("a.env", config.as_bytes());
            assert_eq!(rules_of(&found), ["generic-secret"], "{config}");
        }
    }

    #[test]
    fn overlapping_keywords_do_not_hide_each_other() {
        let s = builtin();
        let key = ["sk-ant-api03-", &"Zk3q9XbLmN0pQ7rS2tUv".repeat(5)].concat();
        for prefix in ["aw", "AW", "passw", "tok", "xox", "x"] {
            let text = format!("{prefix}{key}");
            let (out, found) = s.redact(&text);
            assert_eq!(rules_of(&found), ["anthropic-api-key"], "{prefix}");
            assert_eq!(out, format!("{prefix}[REDACTED:anthropic-api-key]"));
        }
        // Glued on both sides, fixed-length tokens are still redacted.
        let npm = ["np", "m_", "Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcDeF1gH6jK"].concat();
        assert!(!s.redact(&format!("x{npm}y")).0.contains("Zk3q9"));
        // `key` gates `accountkey`: the Azure rule still runs.
        let text = [
            "AccountKey=",
            &"Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcD".repeat(3),
            "==",
        ]
        .concat();
        assert_eq!(
            rules_of(&s.scan("a", text.as_bytes())),
            ["azure-storage-key"]
        );
    }

    #[test]
    fn case_sensitive_prefixes_are_rechecked() {
        let s = builtin();
        assert!(s.scan("a", b"id akiaq3egujk7zn2xhw4y\n").is_empty());
        let upper = ["AK", "IAQ3EGUJK7ZN2XHW4Y"].concat();
        assert_eq!(
            rules_of(&s.scan("a", upper.as_bytes())),
            ["aws-access-key-id"]
        );
    }

    #[test]
    fn user_rules_paths_and_allowlists() {
        let cfg = SecretsConfig {
            rules: vec![SecretRuleConfig {
                id: "acme-key".into(),
                description: "ACME key".into(),
                regex: r"\b(acme_[a-z0-9]{20})\b".into(),
                keywords: vec!["ACME_".into()],
                secret_group: 1,
                entropy: Some(3.0),
                paths: vec!["**/*.tf".into()],
            }],
            allowlist: SecretAllowlist {
                paths: vec![],
                regexes: vec!["^acme_test".into()],
                stopwords: vec![],
            },
        };
        let s = Scanner::new(&cfg).expect("compiles");
        let text = b"k = acme_q8w7e6r5t4y3u2i1o0pz\nk2 = acme_testq8w7e6r5t4y3u2i1\n";
        let found = s.scan("infra/main.tf", text);
        assert_eq!(rules_of(&found), ["acme-key"]);
        assert_eq!((found[0].line, found[0].column), (1, 5));
        assert!(s.scan("src/main.rs", text).is_empty());
        let dup = SecretsConfig {
            rules: vec![SecretRuleConfig {
                id: "jwt".into(),
                description: String::new(),
                regex: "x".into(),
                keywords: vec![],
                secret_group: 0,
                entropy: None,
                paths: vec![],
            }],
            ..SecretsConfig::default()
        };
        let e = Scanner::new(&dup).expect_err("duplicate id");
        assert!(e.to_string().contains("\"jwt\""), "{e}");
    }

    #[test]
    fn rule_without_keywords_runs_on_every_line() {
        let cfg = SecretsConfig {
            rules: vec![SecretRuleConfig {
                id: "internal-id".into(),
                description: String::new(),
                regex: r"\bINT-[0-9A-F]{12}\b".into(),
                keywords: vec![],
                secret_group: 0,
                entropy: None,
                paths: vec![],
            }],
            ..SecretsConfig::default()
        };
        let s = Scanner::new(&cfg).expect("compiles");
        let found = s.scan("a", b"x\ny INT-0A1B2C3D4E5F\n");
        assert_eq!(rules_of(&found), ["internal-id"]);
        assert_eq!(found[0].line, 2);
    }

    #[test]
    fn pem_among_many_begin_lines_and_certificates() {
        let mut text = String::new();
        for _ in 0..500 {
            text.push_str("-----BEGIN PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n");
        }
        let body: String = (0..10)
            .map(|i| format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC{i:02}x7Yz+/Q\n"))
            .collect();
        text.push_str(&format!(
            "-----BEGIN EC PRIVATE KEY-----\n{body}-----END EC PRIVATE KEY-----\n"
        ));
        let found = builtin().scan("k.pem", text.as_bytes());
        assert_eq!(rules_of(&found), ["private-key"]);
        assert_eq!(found[0].line, 1001);
        assert_eq!(found[0].end_line, 1012);
    }

    #[test]
    fn sparse_text_reports_only_added_lines() {
        let text = format!("{}\n{}", gh(), gh());
        let map = [
            MappedLine {
                line: 7,
                added: false,
            },
            MappedLine {
                line: 8,
                added: true,
            },
        ];
        let found = builtin().scan_lines("f", text.as_bytes(), Some(&map), true);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 8);
    }

    #[test]
    fn columns_count_characters() {
        let text = format!("ü = \"{}\"", gh());
        let found = builtin().scan("a", text.as_bytes());
        assert_eq!(found[0].column, 6);
        assert_eq!(found[0].end_column, 6 + 40);
    }
}
