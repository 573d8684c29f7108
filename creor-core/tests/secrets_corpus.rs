//! The labelled corpus: fake secrets of every rule family at known lines, decoys that look
//! like secrets but are not, and clean source-like text. Generated from a fixed seed at test
//! time (no fixture file holds a realistic token, so this repository does not trip scanners).
//!
//! Asserted: recall >= 95 % (and the right rule), decoys flagged <= 5 %, clean text silent.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use creor_core::secrets::{Finding, Scanner, SecretsConfig};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PWCHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%^&*_+=~";

struct Gen(fastrand::Rng);

impl Gen {
    fn s(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.0.usize(..alphabet.len())]))
            .collect()
    }
    fn digits(&mut self, n: usize) -> String {
        self.s(b"0123456789", n)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.0.usize(..xs.len())]
    }
    fn pem_body(&mut self, lines: usize) -> Vec<String> {
        let mut out: Vec<String> = (0..lines).map(|_| self.s(B64, 64)).collect();
        out.push(format!("{}==", self.s(B64, 30)));
        out
    }
    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.s(HEX, 8),
            self.s(HEX, 4),
            self.s(HEX, 4),
            self.s(HEX, 4),
            self.s(HEX, 12)
        )
    }
}

/// One labelled document: its lines and, per 1-based line, the rule expected there.
#[derive(Default)]
struct Doc {
    lines: Vec<String>,
    expect: BTreeMap<usize, &'static str>,
    decoys: Vec<usize>,
}

impl Doc {
    fn filler(&mut self, g: &mut Gen) {
        let n = g.0.usize(0..3);
        for _ in 0..n {
            let l = clean_line(g);
            self.lines.push(l);
        }
    }
    fn secret(&mut self, g: &mut Gen, rule: &'static str, lines: Vec<String>) {
        self.filler(g);
        self.expect.insert(self.lines.len() + 1, rule);
        self.lines.extend(lines);
    }
    fn decoy(&mut self, g: &mut Gen, lines: Vec<String>) {
        self.filler(g);
        self.decoys.push(self.lines.len() + 1);
        self.lines.extend(lines);
    }
    fn text(&self) -> String {
        let mut t = self.lines.join("\n");
        t.push('\n');
        t
    }
}

/// Source-like lines that mention keys, tokens and passwords without holding any.
fn clean_line(g: &mut Gen) -> String {
    let id = g.pick(&[
        "user", "session", "config", "request", "item", "node", "entry", "cache",
    ]);
    let n = g.0.u32(0..1000);
    match g.0.usize(0..30) {
        0 => format!("    let key = {id}_map.get(&name)?;"),
        1 => format!("def rotate_token(self, token: str) -> str:  # {id} {n}"),
        2 => "    if password != confirm_password:".to_string(),
        3 => format!("const secretName = \"prod/{id}/credentials\";"),
        4 => format!("    for (key, value) in {id}.iter() {{"),
        5 => format!("    token = self.tokenizer.next_token()  # step {n}"),
        6 => "pub fn verify_password(hash: &str, password: &str) -> bool {".to_string(),
        7 => format!("    cache_key = f\"{id}:{{{id}_id}}:profile\""),
        8 => format!("    // The API key is read from the environment ({n})."),
        9 => format!("    headers[\"Authorization\"] = f\"Bearer {{{id}.token}}\""),
        10 => format!("    password_hint = \"Use at least {n} characters\""),
        11 => "    token_type = \"Bearer\"".to_string(),
        12 => format!("    key_name = \"{id}_profile\""),
        13 => format!("    let secret = vault.read(\"secret/data/{id}\").await?;"),
        14 => format!("    sort_key: {id}.created_at,"),
        15 => format!("    primary_key = Column(Integer, index=True)  # {n}"),
        16 => format!("    monkey_patch({id}, keyboard_layout=\"us\")"),
        17 => format!(
            "    api_key = os.environ[\"{}_API_KEY\"]",
            id.to_uppercase()
        ),
        18 => format!("    token = generate_token_v2({id}, ttl={n})"),
        19 => format!("    x = {id}.compute({n}) + offset"),
        20 => format!("    return {{ \"{id}\": {n}, \"ok\": true }}"),
        21 => format!("import {{ {id}Service }} from './{id}.service';"),
        22 => format!("    secret_ref = settings.SECRETS[\"{id}\"]"),
        23 => format!("    keys = sorted({id}.keys())"),
        24 => "    password: string;".to_string(),
        25 => format!("    \"keywords\": [\"{id}\", \"cli\"],"),
        26 => format!("    if token.is_expired(now={n}):"),
        27 => format!(
            "    hotkey = Hotkey(\"ctrl+{}\")",
            g.s(b"abcdefghijklmnopqrstuvwxyz", 1)
        ),
        28 => format!("    {id}_count += {n}"),
        _ => String::new(),
    }
}

fn pem(g: &mut Gen, kind: &str, headers: &[&str]) -> Vec<String> {
    let mut v = vec![format!("-----BEGIN {kind}-----")];
    v.extend(headers.iter().map(|h| h.to_string()));
    if !headers.is_empty() {
        v.push(String::new());
    }
    let n = g.0.usize(6..20);
    v.extend(g.pem_body(n));
    v.push(format!("-----END {kind}-----"));
    v
}

/// Every family, several times, in the contexts it is found in.
fn secrets(g: &mut Gen, d: &mut Doc) {
    for _ in 0..6 {
        let v = format!("{}{}", g.pick(&["AKIA", "ASIA"]), g.s(B32, 16));
        d.secret(
            g,
            "aws-access-key-id",
            vec![format!("aws_access_key_id = {v}")],
        );
        let v = g.s(B64, 40);
        d.secret(
            g,
            "aws-secret-access-key",
            vec![format!("aws_secret_access_key = {v}")],
        );
        let v = g.s(B64, 40);
        d.secret(
            g,
            "aws-secret-access-key",
            vec![format!("  AWS_SECRET_ACCESS_KEY: \"{v}\"")],
        );
        for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
            let v = format!("{p}{}", g.s(ALNUM, 36));
            d.secret(g, "github-token", vec![format!("GITHUB_TOKEN={v}")]);
        }
        let v = format!("github_pat_{}_{}", g.s(ALNUM, 22), g.s(ALNUM, 59));
        d.secret(g, "github-fine-grained-pat", vec![format!("  token: {v}")]);
        let v = format!("glpat-{}", g.s(B64URL, 20));
        d.secret(g, "gitlab-token", vec![format!("gitlab_token = \"{v}\"")]);
        let v = format!("glptt-{}", g.s(HEX, 40));
        d.secret(
            g,
            "gitlab-token",
            vec![format!("curl -F token={v} https://gitlab.example.com")],
        );
        for p in ["sk_live_", "sk_test_", "rk_live_"] {
            let v = format!("{p}{}", g.s(ALNUM, 24));
            d.secret(g, "stripe-key", vec![format!("stripe.api_key = '{v}'")]);
        }
        let v = format!("xoxb-{}-{}-{}", g.digits(11), g.digits(12), g.s(ALNUM, 24));
        d.secret(g, "slack-token", vec![format!("SLACK_BOT_TOKEN={v}")]);
        let v = format!(
            "xoxp-{}-{}-{}-{}",
            g.digits(11),
            g.digits(11),
            g.digits(12),
            g.s(HEX, 32)
        );
        d.secret(g, "slack-token", vec![format!("  \"slack\": \"{v}\",")]);
        let v = format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            g.s(B32, 10),
            g.s(B32, 10),
            g.s(ALNUM, 24)
        );
        d.secret(g, "slack-webhook", vec![format!("webhook_url: {v}")]);
        for kind in [
            "RSA PRIVATE KEY",
            "EC PRIVATE KEY",
            "DSA PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
        ] {
            let lines = pem(g, kind, &[]);
            d.secret(g, "private-key", lines);
        }
        let lines = pem(
            g,
            "RSA PRIVATE KEY",
            &[
                "Proc-Type: 4,ENCRYPTED",
                "DEK-Info: AES-128-CBC,9F3E1C7A2B4D6E8F0A1B2C3D4E5F6071",
            ],
        );
        d.secret(g, "private-key", lines);
        let v = format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{}.{}",
            g.s(B64URL, 40),
            g.s(B64URL, 43)
        );
        d.secret(g, "jwt", vec![format!("Authorization: Bearer {v}")]);
        for scheme in [
            "postgres",
            "postgresql",
            "mysql",
            "mariadb",
            "mongodb",
            "mongodb+srv",
            "redis",
            "amqp",
        ] {
            let pw = g.s(PWCHARS, 16);
            let v = format!("{scheme}://app_user:{pw}@db.internal:5432/app");
            d.secret(g, "database-url", vec![format!("DATABASE_URL=\"{v}\"")]);
        }
        let v = format!("AIza{}", g.s(B64URL, 35));
        d.secret(
            g,
            "google-api-key",
            vec![format!("const mapsKey = \"{v}\";")],
        );
        let kid = g.s(HEX, 40);
        let body = g.pem_body(12).join("\\n");
        d.secret(
            g,
            "gcp-service-account",
            vec![
                "{".into(),
                "  \"type\": \"service_account\",".into(),
                "  \"project_id\": \"acme-prod\",".into(),
            ],
        );
        // The label sits on the private_key_id line (three lines below the brace).
        let brace = *d.expect.iter().next_back().unwrap().0;
        d.expect.remove(&brace);
        d.expect.insert(brace + 3, "gcp-service-account");
        d.expect.insert(brace + 4, "private-key");
        d.lines.push(format!("  \"private_key_id\": \"{kid}\","));
        d.lines.push(format!(
            "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n\","
        ));
        d.lines
            .push("  \"client_email\": \"ci@acme-prod.iam.gserviceaccount.com\"".into());
        d.lines.push("}".into());
        let v = format!("sk-proj-{}", g.s(B64URL, 120));
        d.secret(g, "openai-api-key", vec![format!("OPENAI_API_KEY={v}")]);
        let v = format!("sk-{}T3BlbkFJ{}", g.s(ALNUM, 20), g.s(ALNUM, 20));
        d.secret(
            g,
            "openai-api-key",
            vec![format!("openai.api_key = \"{v}\"")],
        );
        let v = format!("sk-ant-api03-{}AA", g.s(B64URL, 93));
        d.secret(
            g,
            "anthropic-api-key",
            vec![format!("ANTHROPIC_API_KEY={v}")],
        );
        let v = format!("npm_{}", g.s(ALNUM, 36));
        d.secret(
            g,
            "npm-token",
            vec![format!("//registry.npmjs.org/:_authToken={v}")],
        );
        let v = format!("pypi-AgEIcHlwaS5vcmc{}", g.s(B64URL, 70));
        d.secret(g, "pypi-token", vec![format!("password = {v}")]);
        let v = format!("hf_{}", g.s(LETTERS, 34));
        d.secret(g, "huggingface-token", vec![format!("HF_TOKEN={v}")]);
        let v = format!("SG.{}.{}", g.s(B64URL, 22), g.s(B64URL, 43));
        d.secret(g, "sendgrid-api-key", vec![format!("sendgrid_key: {v}")]);
        let v = format!("SK{}", g.s(HEX, 32));
        d.secret(g, "twilio-api-key", vec![format!("TWILIO_API_KEY={v}")]);
        let v = format!(
            "DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey={}==;EndpointSuffix=core.windows.net",
            g.s(B64, 86)
        );
        d.secret(
            g,
            "azure-storage-key",
            vec![format!("AZURE_STORAGE_CONNECTION_STRING=\"{v}\"")],
        );
        let v = format!(
            "{}{}Q~{}",
            g.s(ALNUM, 3),
            g.digits(1),
            g.s(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-",
                34
            )
        );
        d.secret(
            g,
            "azure-ad-client-secret",
            vec![format!("AZURE_CLIENT_SECRET={v}")],
        );
        let v = g.s(PWCHARS, 20);
        d.secret(g, "generic-secret", vec![format!("SECRET_KEY = \"{v}\"")]);
        let v = g.s(PWCHARS, 14);
        d.secret(g, "generic-secret", vec![format!("  db_password: '{v}'")]);
        let v = g.s(ALNUM, 32);
        d.secret(g, "generic-secret", vec![format!("API_TOKEN={v}")]);
        let v = g.s(PWCHARS, 24);
        d.secret(
            g,
            "generic-secret",
            vec![format!("  \"client_secret\": \"{v}\",")],
        );
    }
}

/// Things that look like secrets and are not.
fn decoys(g: &mut Gen, d: &mut Doc) {
    for _ in 0..6 {
        let u = g.uuid();
        d.decoy(g, vec![format!("request_id = \"{u}\"")]);
        let u = g.uuid();
        d.decoy(g, vec![format!("  \"idempotency_key\": \"{u}\",")]);
        let sha = g.s(HEX, 40);
        d.decoy(g, vec![format!("commit = \"{sha}\"")]);
        let sha = g.s(HEX, 40);
        let issue = g.0.u32(1..999);
        d.decoy(g, vec![format!("Fixed in {sha} (see #{issue}).")]);
        let sha = g.s(HEX, 64);
        d.decoy(g, vec![format!("sha256 = \"{sha}\"")]);
        let i = g.s(B64, 86);
        d.decoy(g, vec![format!("      \"integrity\": \"sha512-{i}==\",")]);
        let i = g.s(B64, 43);
        let h = g.s(HEX, 40);
        d.decoy(
            g,
            vec![
                format!("  resolved \"https://registry.yarnpkg.com/x/-/x-1.0.0.tgz#{h}\""),
                format!("  integrity sha256-{i}="),
            ],
        );
        let k = g.s(B64, 87);
        d.decoy(
            g,
            vec![format!(
                "public_key = \"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE{k}=\""
            )],
        );
        let k = g.s(ALNUM, 24);
        d.decoy(g, vec![format!("STRIPE_PUBLISHABLE_KEY=pk_live_{k}")]);
        let k = g.s(ALNUM, 24);
        d.decoy(g, vec![format!("stripe_key: pk_test_{k}")]);
        let k = g.s(HEX, 16);
        d.decoy(g, vec![format!("  signing_key_id: \"{k}\"")]);
        let k = g.s(ALNUM, 12);
        d.decoy(
            g,
            vec![format!(
                "TOKEN_URL=https://auth.example.com/oauth/{k}/token"
            )],
        );
        let img = g.s(B64, 120);
        d.decoy(
            g,
            vec![format!("background: url(data:image/png;base64,{img});")],
        );
    }
    let placeholders = [
        "GITHUB_TOKEN=${GITHUB_TOKEN}",
        "api_key: \"{{ api_key }}\"",
        "password = \"<your-password>\"",
        "token = \"changeme\"",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "STRIPE_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        "DATABASE_URL=postgres://user:password@localhost:5432/app",
        "DATABASE_URL=mysql://root:${MYSQL_PASSWORD}@db/app",
        "REDIS_URL=redis://:pass@localhost:6379/0",
        "AMQP_URL=amqp://guest:guest@localhost:5672/",
        "MONGO_URL=mongodb://localhost:27017/app",
        "password = os.environ[\"DB_PASSWORD\"]",
        "const token = process.env.GITHUB_TOKEN;",
        "secret: $SECRET",
        "api_key = os.getenv(\"API_KEY\")",
        "SECRET_KEY=%SECRET_KEY%",
        "password: ${{ secrets.DB_PASSWORD }}",
        "export OPENAI_API_KEY=sk-...",
        "export ANTHROPIC_API_KEY=<your-key>",
        "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com",
        "Authorization: Bearer <token>",
        "api_key = \"YOUR_API_KEY_HERE\"",
        "password = \"********\"",
        "client_secret = \"REPLACE_ME_client_secret_123\"",
        "token = \"%(token)s\"",
        "SLACK_WEBHOOK=https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
        "GOOGLE_API_KEY=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "    # set password = 'hunter2' in your local settings",
        "secret_key_base = Rails.application.credentials.secret_key_base",
        "private_key_path = \"/etc/ssl/private/server.key\"",
        "ssh_key = \"~/.ssh/id_ed25519.pub\"",
        "access_key_id = config.aws.access_key_id",
    ];
    for p in placeholders {
        d.decoy(g, vec![p.to_string()]);
    }
    // Doc-style private key with an elided body.
    d.decoy(
        g,
        vec![
            "-----BEGIN RSA PRIVATE KEY-----".into(),
            "...".into(),
            "-----END RSA PRIVATE KEY-----".into(),
        ],
    );
    for _ in 0..3 {
        for kind in [
            "PUBLIC KEY",
            "RSA PUBLIC KEY",
            "CERTIFICATE",
            "PGP PUBLIC KEY BLOCK",
            "CERTIFICATE REQUEST",
        ] {
            let lines = pem(g, kind, &[]);
            d.decoy(g, lines);
        }
        let k = g.s(B64, 372);
        d.decoy(
            g,
            vec![format!(
                "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ{k} deploy@ci"
            )],
        );
        let k = g.s(B64, 43);
        d.decoy(
            g,
            vec![format!(
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{k} me@laptop"
            )],
        );
        let k = g.s(B64, 43);
        d.decoy(
            g,
            vec![format!(
                "public_key = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{k}\""
            )],
        );
    }
}

fn by_line(found: &[Finding]) -> BTreeMap<usize, Vec<&str>> {
    let mut m: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for f in found {
        m.entry(f.line).or_default().push(f.rule.as_str());
    }
    m
}

#[test]
fn corpus_recall_and_decoys() {
    let scanner = Scanner::new(&SecretsConfig::default()).unwrap();
    let mut g = Gen(fastrand::Rng::with_seed(0x5ec_2e75));
    let mut d = Doc::default();
    secrets(&mut g, &mut d);
    decoys(&mut g, &mut d);
    let text = d.text();
    let found = scanner.scan("corpus.txt", text.as_bytes());
    let lines = by_line(&found);

    let mut missed = Vec::new();
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (&line, &rule) in &d.expect {
        let hit = lines.get(&line).is_some_and(|rules| rules.contains(&rule));
        let e = per_rule.entry(rule).or_default();
        e.1 += 1;
        if hit {
            e.0 += 1;
        } else {
            missed.push(format!(
                "{line} {rule}: {} -> {:?}",
                d.lines[line - 1],
                lines.get(&line)
            ));
        }
    }
    let recall = 1.0 - missed.len() as f64 / d.expect.len() as f64;
    eprintln!("secrets: {}, recall {:.3}", d.expect.len(), recall);
    for (rule, (hit, total)) in &per_rule {
        eprintln!("  {rule:28} {hit}/{total}");
    }
    assert!(
        recall >= 0.95,
        "recall {recall:.3}; missed:\n{}",
        missed.join("\n")
    );
    // Every family is represented and found at least most of the time.
    for (rule, (hit, total)) in &per_rule {
        assert!(hit * 10 >= total * 8, "{rule}: {hit}/{total}");
    }

    let flagged: Vec<String> = d
        .decoys
        .iter()
        .filter_map(|&l| {
            let span = (l..l + 400).take_while(|x| !d.expect.contains_key(x));
            let hit = span
                .take(
                    1 + d.lines[l - 1..]
                        .iter()
                        .skip(1)
                        .take_while(|s| {
                            !s.is_empty() && !s.starts_with('-') || s.starts_with("-----END")
                        })
                        .count(),
                )
                .find_map(|x| lines.get(&x).map(|r| (x, r.clone())));
            hit.map(|(x, r)| format!("{x} {r:?}: {}", d.lines[x - 1]))
        })
        .collect();
    let rate = flagged.len() as f64 / d.decoys.len() as f64;
    eprintln!("decoys: {}, flagged {:.3}", d.decoys.len(), rate);
    assert!(
        rate <= 0.05,
        "decoys flagged {rate:.3}:\n{}",
        flagged.join("\n")
    );

    // Nothing is reported anywhere but labelled lines (and decoys, counted above).
    let labelled: std::collections::BTreeSet<usize> = d.expect.keys().copied().collect();
    let stray: Vec<String> = found
        .iter()
        .filter(|f| !labelled.contains(&f.line))
        .filter(|f| !d.decoys.iter().any(|&l| f.line >= l && f.line < l + 40))
        .map(|f| format!("{} {}: {}", f.line, f.rule, d.lines[f.line - 1]))
        .collect();
    assert!(
        stray.is_empty(),
        "findings on unlabelled lines:\n{}",
        stray.join("\n")
    );
}

#[test]
fn clean_source_is_silent() {
    let scanner = Scanner::new(&SecretsConfig::default()).unwrap();
    let mut g = Gen(fastrand::Rng::with_seed(42));
    let text: String = (0..20_000).map(|_| clean_line(&mut g) + "\n").collect();
    let found = scanner.scan("src/app.py", text.as_bytes());
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let shown: Vec<String> = found
        .iter()
        .take(20)
        .map(|f| format!("{} {}: {}", f.line, f.rule, lines[f.line - 1]))
        .collect();
    assert!(
        found.is_empty(),
        "clean text flagged:\n{}",
        shown.join("\n")
    );
}

#[test]
fn findings_carry_no_secret() {
    let scanner = Scanner::new(&SecretsConfig::default()).unwrap();
    let mut g = Gen(fastrand::Rng::with_seed(7));
    let mut d = Doc::default();
    secrets(&mut g, &mut d);
    let text = d.text();
    let found = scanner.scan("corpus.txt", text.as_bytes());
    let json = serde_json::to_string(&found).unwrap();
    for f in &found {
        let secret = &text[f.span.clone()];
        if secret.len() >= 12 {
            assert!(!json.contains(secret), "{} leaked in JSON", f.rule);
        }
    }
}

#[test]
fn crlf_and_indented_corpus_keeps_recall() {
    let scanner = Scanner::new(&SecretsConfig::default()).unwrap();
    let mut g = Gen(fastrand::Rng::with_seed(99));
    let mut d = Doc::default();
    secrets(&mut g, &mut d);
    // Windows line endings and tab indentation, as in checked-in Windows configs.
    let text: String = d.lines.iter().map(|l| format!("\t{l}\r\n")).collect();
    let found = scanner.scan("corpus.txt", text.as_bytes());
    let lines = by_line(&found);
    let hit = d
        .expect
        .iter()
        .filter(|(line, rule)| lines.get(line).is_some_and(|r| r.contains(rule)))
        .count();
    let recall = hit as f64 / d.expect.len() as f64;
    assert!(recall >= 0.95, "recall {recall:.3} with CRLF/tabs");
    // Masks and spans never include the line ending.
    for f in &found {
        assert!(
            !text[f.span.clone()].ends_with('\r'),
            "{} at {}",
            f.rule,
            f.line
        );
    }
}
