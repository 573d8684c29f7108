//! Output formats: text (`path:line:col`), JSON and SARIF 2.1.0. None of them carries a
//! secret: findings only hold a hash and a masked form.

use serde_json::{json, Value};

use super::finding::Finding;
use super::rule::Rule;

/// One line per finding: `path:line:col: rule masked  fingerprint`.
pub fn render_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {}  [{}]\n",
            f.path, f.line, f.column, f.rule, f.masked, f.fingerprint
        ));
    }
    out
}

/// `{"findings":[…]}`.
pub fn render_json(findings: &[Finding]) -> Value {
    json!({ "findings": findings })
}

/// A SARIF 2.1.0 log accepted by code-scanning uploads: one rule entry per rule id, 1-based
/// lines and columns (columns in Unicode code points, declared by `columnKind`).
pub fn render_sarif(findings: &[Finding], rules: &[Rule], version: &str) -> Value {
    let rule_entries: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": &*r.id,
                "name": &*r.id,
                "shortDescription": { "text": &*r.description },
                "fullDescription": { "text": &*r.description },
                "help": { "text": format!(
                    "Remove the secret from the file and rotate it. If it is not a secret, \
                     suppress the line with `creor:allow` or run `creor scan dismiss FINGERPRINT \
                     --reason TEXT`. Rule: {}", r.id) },
                "defaultConfiguration": { "level": "error" },
                "properties": { "tags": ["security", "secret"] }
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| *r.id == *f.rule);
            let mut result = json!({
                "ruleId": f.rule,
                "level": "error",
                "message": { "text": format!("{}: {} ({})", f.description, f.masked, f.rule) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.path) },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        }
                    }
                }],
                "partialFingerprints": { "creorFingerprint/v1": f.fingerprint },
            });
            if let (Some(i), Some(obj)) = (index, result.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "creor",
                "informationUri": "https://example.invalid/creor",
                "version": version,
                "rules": rule_entries,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A relative URI reference for a path: `./` dropped, `\` turned into `/`, bytes outside the
/// unreserved set percent-encoded.
fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoding() {
        assert_eq!(uri("./src/a b.py"), "src/a%20b.py");
        assert_eq!(uri("dir/ü.txt"), "dir/%C3%BC.txt");
    }
}
