//! The built-in rules. Each is one regex gated by its own keywords; provider tokens have their
//! own rule so a catch-all never hides them (a generic finding on the same span is dropped).
//!
//! Regexes are compiled with ASCII classes (`\w`, `\s`, `\b` are ASCII) over bytes. Keywords
//! are the shortest literal every match contains (`sk_` for all Stripe keys, `://` for database
//! URLs): the SIMD prefilter stays fast with few patterns, and the regex does the rest.

use super::error::Result;
use super::rule::{compile_regex, Check, Group, Keyword, Rule};

/// A built-in rule as written in this file.
struct Spec {
    id: &'static str,
    description: &'static str,
    regex: &'static str,
    keywords: &'static [&'static str],
    /// Whether the keywords must match in case (provider prefixes do).
    case_sensitive: bool,
    group: Group,
    entropy: f64,
    check: Check,
    name_groups: &'static [usize],
    multiline: bool,
    generic: bool,
}

/// Shorthand for the common case: a provider token found by its prefix.
const fn token(
    id: &'static str,
    description: &'static str,
    regex: &'static str,
    keywords: &'static [&'static str],
    entropy: f64,
) -> Spec {
    Spec {
        id,
        description,
        regex,
        keywords,
        case_sensitive: true,
        group: Group::Index(1),
        entropy,
        check: Check::None,
        name_groups: &[],
        multiline: false,
        generic: false,
    }
}

const SPECS: &[Spec] = &[
    token(
        "aws-access-key-id",
        "AWS access key id",
        r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        &["AKIA", "ASIA"],
        3.0,
    ),
    Spec {
        id: "aws-secret-access-key",
        description: "AWS secret access key",
        regex: r#"(?i)(?:aws[\w.-]{0,24}?(?:secret|private)[\w.-]{0,24}|secret_?access_?key)["']?\s{0,4}(?::=|=>|=|:)\s{0,4}["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        keywords: &["secret", "key"],
        case_sensitive: false,
        group: Group::Index(1),
        entropy: 4.0,
        check: Check::None,
        name_groups: &[],
        multiline: false,
        generic: false,
    },
    token(
        "github-token",
        "GitHub personal access, OAuth, app or refresh token (ghp_ gho_ ghu_ ghs_ ghr_)",
        r"\b(gh[pousr]_[A-Za-z0-9]{36,})\b",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        3.5,
    ),
    token(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token (github_pat_)",
        r"\b(github_pat_[A-Za-z0-9_]{60,})\b",
        &["github_pat_"],
        3.5,
    ),
    token(
        "gitlab-token",
        "GitLab token (personal, deploy, runner, pipeline trigger, OAuth, …)",
        r"\b((?:glpat|gldt|glrt|glsoat|glffct|glcbt|glimt|glagent|gloas|glft)-[A-Za-z0-9_-]{20,}|glptt-[0-9a-f]{40}|GR1348941[A-Za-z0-9_-]{20,})",
        &["glp", "gldt-", "glrt-", "gloas-", "GR1348941"],
        3.5,
    ),
    token(
        "stripe-key",
        "Stripe secret or restricted key, or webhook signing secret",
        r"\b((?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9]{32,})\b",
        &["sk_", "rk_", "whsec_"],
        3.5,
    ),
    token(
        "slack-token",
        "Slack bot, user, app or configuration token (xox*, xapp)",
        r"\b((?:xox[abposr]|xoxe\.xox[bp])-(?:[0-9]+-)+[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Z0-9]+-[0-9]+-[A-Za-z0-9]+|xoxe-[0-9]-[A-Za-z0-9-]{100,})",
        &["xox", "xapp-"],
        3.0,
    ),
    Spec {
        id: "slack-webhook",
        description: "Slack incoming webhook URL",
        regex: r"(https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{30,})",
        keywords: &["hooks.slack.com"],
        case_sensitive: false,
        group: Group::Index(1),
        entropy: 3.5,
        check: Check::None,
        name_groups: &[],
        multiline: false,
        generic: false,
    },
    Spec {
        id: "private-key",
        description: "PEM private key (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP)",
        regex: r#"^-----BEGIN[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----((?:\\[rn]|[\s"',+])*(?:(?:Proc-Type|DEK-Info|Comment|Version|Hash):[^\r\n\\]*(?:\\[rn]|[\s"',+])+)*[A-Za-z0-9+/=\s\\"',]{64,}?)-----END[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----"#,
        keywords: &["-----BEGIN"],
        case_sensitive: true,
        group: Group::Index(1),
        entropy: 4.0,
        check: Check::None,
        name_groups: &[],
        multiline: true,
        generic: false,
    },
    token(
        "jwt",
        "JSON Web Token",
        r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,})",
        &["eyJ"],
        3.5,
    ),
    Spec {
        id: "database-url",
        description: "Database or broker URL with an embedded password (postgres, mysql, mariadb, mongodb, redis, amqp)",
        regex: r#"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)://[^\s:/@"'<>]*:([^\s@"'<>/]+)@[^\s"'<>]+"#,
        keywords: &["://"],
        case_sensitive: false,
        group: Group::Index(1),
        entropy: 0.0,
        check: Check::DbPassword,
        name_groups: &[],
        multiline: false,
        generic: false,
    },
    token(
        "google-api-key",
        "Google API key",
        r"\b(AIza[0-9A-Za-z_-]{35})",
        &["AIza"],
        3.5,
    ),
    token(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        r"\b(GOCSPX-[A-Za-z0-9_-]{28})",
        &["GOCSPX-"],
        3.5,
    ),
    Spec {
        id: "gcp-service-account",
        description: "GCP service-account key file (private_key_id)",
        regex: r#""private_key_id"\s*:\s*"([a-f0-9]{40})""#,
        keywords: &["private_key_id"],
        case_sensitive: false,
        group: Group::Index(1),
        entropy: 3.0,
        check: Check::None,
        name_groups: &[],
        multiline: false,
        generic: false,
    },
    token(
        "openai-api-key",
        "OpenAI API key",
        r"\b(sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}))",
        &["sk-"],
        3.5,
    ),
    token(
        "anthropic-api-key",
        "Anthropic API key",
        r"\b(sk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_-]{80,})",
        &["sk-"],
        3.5,
    ),
    token(
        "npm-token",
        "npm access token",
        r"\b(npm_[A-Za-z0-9]{36})\b",
        &["npm_"],
        3.5,
    ),
    Spec {
        id: "npmrc-auth",
        description: "npm registry credential in .npmrc (_auth, _authToken)",
        regex: r#"(?i)(?:^|[\s;])(?:[\w./:@-]*:)?_auth(?:token)?\s*=\s*["']?([^\s"'$]{16,})"#,
        keywords: &["_auth"],
        case_sensitive: false,
        group: Group::Index(1),
        entropy: 3.5,
        check: Check::None,
        name_groups: &[],
        multiline: false,
        generic: true,
    },
    token(
        "pypi-token",
        "PyPI upload token",
        r"\b(pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})",
        &["pypi-AgE"],
        3.5,
    ),
    token(
        "huggingface-token",
        "Hugging Face access token",
        r"\b((?:hf|api_org)_[A-Za-z]{34})\b",
        &["hf_"],
        3.5,
    ),
    token(
        "sendgrid-api-key",
        "SendGrid API key",
        r"\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})",
        &["SG."],
        3.5,
    ),
    token(
        "twilio-api-key",
        "Twilio API key",
        r"\b(SK[0-9a-fA-F]{32})\b",
        &["SK"],
        3.0,
    ),
    Spec {
        id: "azure-storage-key",
        description: "Azure storage account key or shared access key (connection strings)",
        regex: r"(?i)(?:AccountKey|SharedAccessKey)\s*=\s*([A-Za-z0-9+/]{40,}={0,2})",
        keywords: &["accountkey", "sharedaccesskey"],
        case_sensitive: false,
        group: Group::Index(1),
        entropy: 4.0,
        check: Check::None,
        name_groups: &[],
        multiline: false,
        generic: false,
    },
    token(
        "azure-ad-client-secret",
        "Azure AD (Entra ID) application client secret",
        r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
        &["Q~"],
        3.5,
    ),
    Spec {
        id: "bearer-token",
        description: "Bearer token in an Authorization header",
        regex: r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)",
        keywords: &["bearer"],
        case_sensitive: false,
        group: Group::Index(1),
        entropy: 3.5,
        check: Check::None,
        name_groups: &[],
        multiline: false,
        generic: true,
    },
    Spec {
        id: "generic-secret",
        description: "High-entropy value assigned to a name containing secret, key, token or password",
        // Two forms: a quoted value anywhere on a line, or a bare value in a config-style
        // line (`.env`, YAML, ini, `export X=…`) that runs to the end of the line. Bare values
        // inside code (`key: &Type,`, `token = a.b()`) are not assignments of secrets.
        regex: r#"(?i)(?:^\s*(?:(?:export|set|setenv|env|arg)\s+|-\s+)?["']?([\w.-]*(?:secret|token|passw(?:or)?d|pwd|key|credential)[\w.-]*)["']?\s{0,4}(?:=|:)\s{0,4}([^\s"'`;,(){}<>\[\]:]{8,})\s*[;,]?\s*(?:(?:#|//).*)?$|(?:^|[^\w.-])([\w.-]*(?:secret|token|passw(?:or)?d|pwd|key|credential)[\w.-]*)["']?\s{0,4}(?::=|=>|=|:)\s{0,4}(?:"([^"\s]{8,})"|'([^'\s]{8,})'|`([^`\s]{8,})`))"#,
        keywords: &["secret", "token", "passw", "key", "credential"],
        case_sensitive: false,
        group: Group::AnyOf(&[2, 4, 5, 6]),
        entropy: 3.2,
        check: Check::GenericValue,
        name_groups: &[1, 3],
        multiline: false,
        generic: true,
    },
];

/// Compiles every built-in rule.
pub(crate) fn builtin_rules() -> Result<Vec<Rule>> {
    SPECS
        .iter()
        .map(|s| {
            Ok(Rule {
                id: s.id.into(),
                description: s.description.into(),
                regex: compile_regex(s.id, s.regex)?,
                loose_src: s
                    .regex
                    .contains(r"\b")
                    .then(|| s.regex.replace(r"\b", "").into()),
                loose: std::sync::OnceLock::new(),
                keywords: s
                    .keywords
                    .iter()
                    .map(|k| Keyword {
                        text: (*k).to_string(),
                        case_sensitive: s.case_sensitive,
                    })
                    .collect(),
                group: s.group,
                entropy: (s.entropy > 0.0).then_some(s.entropy),
                paths: None,
                check: s.check,
                name_groups: s.name_groups,
                multiline: s.multiline,
                generic: s.generic,
            })
        })
        .collect()
}

/// `(id, description)` of every built-in rule, for documentation and `--list-rules`.
pub fn builtin_rule_list() -> impl Iterator<Item = (&'static str, &'static str)> {
    SPECS.iter().map(|s| (s.id, s.description))
}
