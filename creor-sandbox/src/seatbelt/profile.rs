//! The plan: which paths, services and sockets a [`SandboxPolicy`] grants, as SBPL forms.
//!
//! Pure: it reads the filesystem only to resolve symlinks (see [`super::paths`]) and never
//! touches the process. Every user path enters the profile as a string atom through
//! [`super::sbpl`], never as spliced text.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Result, SandboxError};
use crate::policy::{NetworkPolicy, SandboxPolicy, TmpDir};

use super::paths;
use super::sbpl::Sexp;
use super::SeatbeltOptions;

/// The protected paths of every backend.
pub use crate::policy::PROTECTED_IN_PROJECT as FLOOR_PROTECTED;

/// The floor directories of every backend.
pub use crate::policy::HIDDEN_IN_HOME as FLOOR_HIDDEN;

/// System trees readable by every sandboxed command (macOS paths, already canonical).
const SYSTEM_READ_SUBPATHS: &[&str] = &[
    "/usr",
    "/bin",
    "/sbin",
    "/System",
    "/opt",
    "/private/etc",
    "/Library/Developer",
    "/Library/Frameworks",
    "/Library/Java",
    "/Library/Apple",
    "/Applications/Xcode.app",
    "/private/var/db/timezone",
    "/private/var/db/dyld",
    "/private/var/select",
    "/dev/fd",
];

/// Single system files (and the root-level symlinks themselves) readable by every command.
const SYSTEM_READ_LITERALS: &[&str] = &[
    "/",
    "/tmp",
    "/var",
    "/etc",
    "/private/var/db/xcode_select_link",
    "/dev/null",
    "/dev/zero",
    "/dev/random",
    "/dev/urandom",
    "/dev/stdin",
    "/dev/stdout",
    "/dev/stderr",
];

/// Device files every command may write.
const DEV_WRITE_LITERALS: &[&str] = &["/dev/null"];
const DEV_WRITE_SUBPATHS: &[&str] = &["/dev/fd"];

/// mDNSResponder's socket: DNS resolution on macOS goes through it (allow_all only).
const MDNS_SOCKET: &str = "/private/var/run/mDNSResponder";

/// A section of generated rules under a fixed comment. Comments are creor's own text, never
/// input, so they cannot smuggle a newline.
pub struct Section {
    /// One-line comment (without `;`).
    pub comment: &'static str,
    /// The rules of the section.
    pub forms: Vec<Sexp>,
}

/// A path filter and the region it covers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PathFilter {
    Literal(String),
    Subpath(String),
}

impl PathFilter {
    fn sexp(&self) -> Sexp {
        match self {
            PathFilter::Literal(p) => Sexp::filter("literal", p),
            PathFilter::Subpath(p) => Sexp::filter("subpath", p),
        }
    }

    fn path(&self) -> &str {
        match self {
            PathFilter::Literal(p) | PathFilter::Subpath(p) => p,
        }
    }

    /// Whether this (allow) filter matches anything inside `deny`'s region.
    fn touches(&self, deny: &PathFilter) -> bool {
        match (self, deny) {
            (PathFilter::Literal(a), PathFilter::Literal(d)) => a == d,
            (PathFilter::Literal(a), PathFilter::Subpath(d)) => paths::is_within(a, d),
            (PathFilter::Subpath(a), PathFilter::Literal(d)) => paths::is_within(d, a),
            (PathFilter::Subpath(a), PathFilter::Subpath(d)) => {
                paths::is_within(d, a) || paths::is_within(a, d)
            }
        }
    }
}

/// An allow filter with the denied regions it must not re-open carved out:
/// `(require-all (subpath R) (require-not (subpath D))…)`.
fn guarded(filter: &PathFilter, denies: &BTreeSet<PathFilter>) -> Sexp {
    let carve: Vec<Sexp> = denies
        .iter()
        .filter(|d| filter.touches(d))
        .map(|d| Sexp::list("require-not", [d.sexp()]))
        .collect();
    if carve.is_empty() {
        filter.sexp()
    } else {
        let mut items = vec![filter.sexp()];
        items.extend(carve);
        Sexp::list("require-all", items)
    }
}

fn rule(action: &str, ops: &[&str], filters: Vec<Sexp>) -> Sexp {
    let mut items: Vec<Sexp> = ops.iter().map(|op| Sexp::sym(op)).collect();
    items.extend(filters);
    Sexp::list(action, items)
}

fn refuse(path: &Path, reason: String) -> SandboxError {
    SandboxError::Path {
        path: path.to_path_buf(),
        reason,
    }
}

/// The resolved facts a profile is written from.
struct Plan {
    /// Readable trees from the policy (read-only grants), resolved.
    read_only: BTreeSet<String>,
    /// Writable trees: project, read-write grants, the temp dir.
    read_write: BTreeSet<String>,
    /// Never readable or writable: node and target of every hidden path.
    hidden: BTreeSet<String>,
    /// Never writable: node and target of every protected path.
    protected: BTreeSet<String>,
    /// Directories whose own entry must not be renamed, removed or replaced because a denied
    /// path lies below them inside a writable tree.
    pinned: BTreeSet<String>,
    /// Unix sockets the command may connect to.
    sockets: BTreeSet<String>,
}

fn tmp_dir<'a>(policy: &'a SandboxPolicy, opts: &'a SeatbeltOptions) -> Result<&'a Path> {
    match &policy.tmp {
        TmpDir::Session { host_dir, .. } => Ok(host_dir),
        TmpDir::Fresh { .. } => opts.tmp_dir.as_deref().ok_or(SandboxError::Setup {
            step: "seatbelt profile",
            reason: "a fresh temp dir needs SeatbeltOptions::tmp_dir (the directory the spawn \
                     created for it)"
                .into(),
        }),
    }
}

fn plan(policy: &SandboxPolicy, opts: &SeatbeltOptions) -> Result<Plan> {
    let mut read_write = BTreeSet::new();
    let project = paths::resolve(&policy.project)?;
    if project == "/" {
        return Err(refuse(&policy.project, "the project cannot be `/`".into()));
    }
    read_write.insert(project.clone());
    for p in &policy.read_write {
        let resolved = paths::resolve(p)?;
        if resolved == "/" {
            return Err(refuse(
                p,
                "a read-write grant of `/` would open the whole disk".into(),
            ));
        }
        read_write.insert(resolved);
    }
    read_write.insert(paths::resolve(tmp_dir(policy, opts)?)?);
    let mut read_only = BTreeSet::new();
    for p in &policy.read_only {
        read_only.insert(paths::resolve(p)?);
    }

    let mut hidden_sources: Vec<PathBuf> = policy.hidden.clone();
    if let Some(home) = &opts.home {
        hidden_sources.extend(FLOOR_HIDDEN.iter().map(|d| home.join(d)));
    }
    let mut hidden = BTreeSet::new();
    for p in &hidden_sources {
        let (node, target) = paths::node_and_target(p)?;
        hidden.insert(node);
        hidden.insert(target);
    }

    let mut protected_sources: Vec<PathBuf> = policy.protected.clone();
    protected_sources.extend(FLOOR_PROTECTED.iter().map(|d| policy.project.join(d)));
    let mut protected = BTreeSet::new();
    for p in &protected_sources {
        let (node, target) = paths::node_and_target(p)?;
        protected.insert(node);
        protected.insert(target);
    }

    // A grant inside a floor path would be dead (the deny wins) or, worse, a sign the policy
    // builder lost track of the floor: refuse, naming both.
    let grants = read_write.iter().map(|g| (g, "read-write"));
    for (grant, kind) in grants.chain(read_only.iter().map(|g| (g, "read-only"))) {
        if let Some(h) = hidden.iter().find(|h| paths::is_within(grant, h)) {
            return Err(refuse(
                Path::new(grant),
                format!("{kind} grant lies inside hidden path {h}"),
            ));
        }
    }
    for grant in &read_write {
        if let Some(p) = protected.iter().find(|p| paths::is_within(grant, p)) {
            return Err(refuse(
                Path::new(grant),
                format!("read-write grant lies inside protected path {p}"),
            ));
        }
    }

    // Renaming any directory between a writable root and a denied path (root included) would
    // move the denied path out from under its rule (`mv .git g; mkdir -p .git/hooks`), and
    // replacing a missing one with a symlink would redirect it. Pin each such directory entry
    // with a `file-write*` deny on its `literal`: that covers unlink, rename of either end,
    // create (symlink, mkdir), mode, owner, flags and times of the entry itself, while entries
    // *inside* it are checked against their own paths and stay writable. Denying only
    // `file-write-unlink` + `file-write-create` would rest on exactly which operation Seatbelt
    // checks for each end of a rename; the wider deny does not, and costs only `touch`/`chmod`
    // of these few directories.
    let mut pinned = BTreeSet::new();
    for denied in hidden.iter().chain(protected.iter()) {
        for ancestor in paths::ancestors(denied) {
            if read_write
                .iter()
                .any(|root| paths::is_within(&ancestor, root))
            {
                pinned.insert(ancestor);
            }
        }
    }

    let mut sockets = BTreeSet::new();
    // Both the path as listed and, if it is a symlink (Docker Desktop's /var/run/docker.sock),
    // its target: the user named that socket, whichever form Seatbelt matches.
    for s in &opts.unix_sockets {
        let (node, target) = paths::node_and_target(s)?;
        for form in [node, target] {
            if let Some(h) = hidden.iter().find(|h| paths::is_within(&form, h)) {
                return Err(refuse(
                    s,
                    format!("unix socket lies inside hidden path {h}"),
                ));
            }
            sockets.insert(form);
        }
    }

    Ok(Plan {
        read_only,
        read_write,
        hidden,
        protected,
        pinned,
        sockets,
    })
}

/// Builds the generated sections for `policy`.
pub fn sections(policy: &SandboxPolicy, opts: &SeatbeltOptions) -> Result<Vec<Section>> {
    let plan = plan(policy, opts)?;

    let read_denies: BTreeSet<PathFilter> = plan
        .hidden
        .iter()
        .map(|h| PathFilter::Subpath(h.clone()))
        .collect();
    let mut write_denies = read_denies.clone();
    write_denies.extend(
        plan.protected
            .iter()
            .map(|p| PathFilter::Subpath(p.clone())),
    );
    write_denies.extend(plan.pinned.iter().map(|p| PathFilter::Literal(p.clone())));

    let mut readable: BTreeSet<PathFilter> = BTreeSet::new();
    readable.extend(
        SYSTEM_READ_LITERALS
            .iter()
            .map(|p| PathFilter::Literal((*p).into())),
    );
    readable.extend(
        SYSTEM_READ_SUBPATHS
            .iter()
            .map(|p| PathFilter::Subpath((*p).into())),
    );
    let mut writable: BTreeSet<PathFilter> = BTreeSet::new();
    writable.extend(
        DEV_WRITE_LITERALS
            .iter()
            .map(|p| PathFilter::Literal((*p).into())),
    );
    writable.extend(
        DEV_WRITE_SUBPATHS
            .iter()
            .map(|p| PathFilter::Subpath((*p).into())),
    );

    let user_ro: BTreeSet<PathFilter> = plan
        .read_only
        .iter()
        .map(|p| PathFilter::Subpath(p.clone()))
        .collect();
    let user_rw: BTreeSet<PathFilter> = plan
        .read_write
        .iter()
        .map(|p| PathFilter::Subpath(p.clone()))
        .collect();

    // Tools resolve paths component by component (realpath, git, Python's getpath): they need
    // to stat every directory above what they may read, but not to list it.
    let all_readable: Vec<&PathFilter> = readable.iter().chain(&user_ro).chain(&user_rw).collect();
    let mut metadata: BTreeSet<PathFilter> = BTreeSet::new();
    for filter in &all_readable {
        for ancestor in paths::ancestors(filter.path()) {
            let covered = all_readable.iter().any(|f| match f {
                PathFilter::Subpath(s) => paths::is_within(&ancestor, s),
                PathFilter::Literal(l) => *l == ancestor,
            });
            if !covered {
                metadata.insert(PathFilter::Literal(ancestor));
            }
        }
    }

    let guard_all = |set: &BTreeSet<PathFilter>, denies: &BTreeSet<PathFilter>| -> Vec<Sexp> {
        set.iter().map(|f| guarded(f, denies)).collect()
    };

    let mut out = Vec::new();
    out.push(Section {
        comment: "system paths: read-only",
        forms: vec![rule(
            "allow",
            &["file-read*"],
            guard_all(&readable, &read_denies),
        )],
    });
    out.push(Section {
        comment: "devices every command writes: /dev/null and its own descriptors (/dev/fd)",
        forms: vec![rule(
            "allow",
            &["file-write*"],
            guard_all(&writable, &write_denies),
        )],
    });
    if !metadata.is_empty() {
        out.push(Section {
            comment: "directories above readable trees: stat only, no listing",
            forms: vec![rule(
                "allow",
                &["file-read-metadata"],
                guard_all(&metadata, &read_denies),
            )],
        });
    }
    if !user_ro.is_empty() {
        out.push(Section {
            comment: "read-only grants (toolchains, caches)",
            forms: vec![rule(
                "allow",
                &["file-read*"],
                guard_all(&user_ro, &read_denies),
            )],
        });
    }
    out.push(Section {
        comment: "project, read-write grants and the temp dir: read",
        forms: vec![rule(
            "allow",
            &["file-read*"],
            guard_all(&user_rw, &read_denies),
        )],
    });
    out.push(Section {
        comment: "project, read-write grants and the temp dir: write, except denied paths",
        forms: vec![rule(
            "allow",
            &["file-write*"],
            guard_all(&user_rw, &write_denies),
        )],
    });

    out.push(network_section(policy, &plan));

    let mut services = Vec::new();
    if opts.allow_trustd {
        services.push(Sexp::filter("global-name", "com.apple.trustd.agent"));
    }
    if matches!(policy.network, NetworkPolicy::AllowAll) {
        services.push(Sexp::filter(
            "global-name",
            "com.apple.SystemConfiguration.DNSConfiguration",
        ));
        services.push(Sexp::filter(
            "global-name",
            "com.apple.SystemConfiguration.configd",
        ));
    }
    if !services.is_empty() {
        out.push(Section {
            comment: "opt-in services: trustd (TLS verification, Go tools), DNS configuration \
                      (allow_all)",
            forms: vec![rule("allow", &["mach-lookup"], services)],
        });
    }

    let mut denies = Vec::new();
    let hidden: Vec<Sexp> = read_denies.iter().map(PathFilter::sexp).collect();
    if !hidden.is_empty() {
        denies.push(rule("deny", &["file-read*"], hidden));
    }
    let writes: Vec<Sexp> = write_denies.iter().map(PathFilter::sexp).collect();
    if !writes.is_empty() {
        denies.push(rule("deny", &["file-write*"], writes));
    }
    out.push(Section {
        comment: "denied paths, restated: hidden (read+write), protected and pinned (write)",
        forms: denies,
    });
    dedupe(&mut out);
    Ok(out)
}

/// Drops a filter already granted for the same action and operation by an earlier rule (a
/// read-only grant of `/bin`, a listed socket that `allow_all` already opens), and any rule left
/// without filters — an allow without filters would grant the operation everywhere.
fn dedupe(sections: &mut [Section]) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for section in sections.iter_mut() {
        section.forms.retain_mut(|form| {
            let Sexp::List(items) = form else {
                return true;
            };
            let ops: Vec<String> = items
                .iter()
                .take_while(|i| matches!(i, Sexp::Sym(_)))
                .map(|i| format!("{i:?}"))
                .collect();
            let head_len = ops.len();
            let key_of = |f: &Sexp| format!("{ops:?} {f:?}");
            let before = items.len();
            let mut index = 0;
            items.retain(|item| {
                index += 1;
                index <= head_len || seen.insert(key_of(item))
            });
            // Keep rules that had no filters to begin with; drop those emptied here.
            items.len() > head_len || before == head_len
        });
    }
}

fn network_section(policy: &SandboxPolicy, plan: &Plan) -> Section {
    let mut forms = Vec::new();
    let comment = match &policy.network {
        NetworkPolicy::BlockAll => "network: block_all - no network rules at all",
        NetworkPolicy::AllowSpecific { port, .. } => {
            // TCP sockets only; "localhost" covers 127.0.0.1 and ::1.
            forms.push(rule(
                "allow",
                &["system-socket"],
                ["AF_INET", "AF_INET6"]
                    .iter()
                    .map(|domain| {
                        Sexp::list(
                            "require-all",
                            [
                                Sexp::list("socket-domain", [Sexp::sym(domain)]),
                                Sexp::list("socket-type", [Sexp::sym("SOCK_STREAM")]),
                            ],
                        )
                    })
                    .collect(),
            ));
            forms.push(rule(
                "allow",
                &["network-outbound"],
                vec![Sexp::list(
                    "remote",
                    [Sexp::sym("tcp"), Sexp::str(&format!("localhost:{port}"))],
                )],
            ));
            "network: allow_specific - only creor's proxy on localhost"
        }
        NetworkPolicy::AllowAll => {
            forms.push(rule(
                "allow",
                &["system-socket"],
                vec![
                    Sexp::list("socket-domain", [Sexp::sym("AF_INET")]),
                    Sexp::list("socket-domain", [Sexp::sym("AF_INET6")]),
                ],
            ));
            forms.push(rule(
                "allow",
                &["network-outbound"],
                vec![
                    Sexp::list("remote", [Sexp::sym("ip"), Sexp::str("*:*")]),
                    Sexp::filter("literal", MDNS_SOCKET),
                ],
            ));
            forms.push(rule(
                "allow",
                &["network-inbound"],
                vec![Sexp::list("local", [Sexp::sym("ip"), Sexp::str("*:*")])],
            ));
            forms.push(rule(
                "allow",
                &["network-bind"],
                vec![Sexp::list("local", [Sexp::sym("ip"), Sexp::str("*:*")])],
            ));
            forms.push(rule(
                "allow",
                &["file-read*"],
                vec![Sexp::filter("literal", "/private/var/run/resolv.conf")],
            ));
            "network: allow_all - any IP address, DNS through mDNSResponder; unix sockets only \
             as listed"
        }
    };
    if !plan.sockets.is_empty() {
        forms.push(rule(
            "allow",
            &["network-outbound"],
            plan.sockets
                .iter()
                .map(|s| Sexp::filter("literal", s))
                .collect(),
        ));
    }
    Section { comment, forms }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::policy::Limits;
    use crate::seatbelt::{generate, sbpl, wellformed};

    fn policy() -> SandboxPolicy {
        SandboxPolicy {
            project: "/Users/a/p".into(),
            cwd: "/Users/a/p".into(),
            read_only: vec![],
            read_write: vec![],
            protected: vec![],
            hidden: vec![],
            tmp: TmpDir::Session {
                host_dir: "/Users/a/state/tmp".into(),
                size_bytes: 1,
            },
            network: NetworkPolicy::BlockAll,
            env: vec![],
            limits: Limits::default(),
            allow_degraded: false,
            revert_journal: None,
        }
    }

    fn opts() -> SeatbeltOptions {
        SeatbeltOptions {
            home: Some("/Users/a".into()),
            ..SeatbeltOptions::default()
        }
    }

    fn path_error(policy: &SandboxPolicy, opts: &SeatbeltOptions) -> (PathBuf, String) {
        match generate(policy, opts) {
            Err(SandboxError::Path { path, reason }) => (path, reason),
            other => panic!("expected a path error, got {other:?}"),
        }
    }

    #[test]
    fn grants_inside_floor_paths_are_refused_naming_both() {
        let mut p = policy();
        p.read_only = vec!["/Users/a/.ssh/config.d".into()];
        let (path, reason) = path_error(&p, &opts());
        assert_eq!(path, Path::new("/Users/a/.ssh/config.d"));
        assert!(reason.contains("hidden path /Users/a/.ssh"), "{reason}");

        let mut p = policy();
        p.read_write = vec!["/Users/a/p/.git/hooks/x".into()];
        let (path, reason) = path_error(&p, &opts());
        assert_eq!(path, Path::new("/Users/a/p/.git/hooks/x"));
        assert!(
            reason.contains("protected path /Users/a/p/.git/hooks"),
            "{reason}"
        );

        let mut p = policy();
        p.project = "/".into();
        assert!(path_error(&p, &opts()).1.contains("cannot be `/`"));
        let mut p = policy();
        p.read_write = vec!["/tmp/..".into()];
        assert!(path_error(&p, &opts()).1.contains("'..'"));
        p.read_write = vec!["/./".into()];
        assert!(path_error(&p, &opts()).1.contains("whole disk"));
    }

    #[test]
    fn fresh_tmp_needs_a_directory() {
        let mut p = policy();
        p.tmp = TmpDir::Fresh { size_bytes: 1 };
        let err = generate(&p, &opts()).unwrap_err().to_string();
        assert!(err.contains("SeatbeltOptions::tmp_dir"), "{err}");
        let o = SeatbeltOptions {
            tmp_dir: Some("/tmp/creor-tmp-1".into()),
            ..opts()
        };
        assert!(generate(&p, &o)
            .unwrap()
            .contains(r#"(subpath "/private/tmp/creor-tmp-1")"#));
    }

    #[test]
    fn a_hidden_path_inside_a_system_tree_is_carved_out_of_it() {
        let mut p = policy();
        p.hidden = vec!["/usr/local/secrets".into()];
        let text = generate(&p, &opts()).unwrap();
        wellformed::check(&text).unwrap();
        let usr = Sexp::list(
            "require-all",
            [
                Sexp::filter("subpath", "/usr"),
                Sexp::list(
                    "require-not",
                    [Sexp::filter("subpath", "/usr/local/secrets")],
                ),
            ],
        );
        let system_read = sbpl::parse(&text)
            .unwrap()
            .into_iter()
            .find(|f| f.head() == Some("allow") && f.args().contains(&Sexp::filter("literal", "/")))
            .unwrap();
        assert!(system_read.args().contains(&usr), "{text}");
        assert!(!system_read
            .args()
            .contains(&Sexp::filter("subpath", "/usr")));
    }

    #[test]
    fn pins_every_directory_between_a_writable_root_and_a_denied_path() {
        let mut p = policy();
        p.protected = vec!["/Users/a/p/deep/er/file".into()];
        let plan = plan(&p, &opts()).unwrap();
        for dir in [
            "/Users/a/p",
            "/Users/a/p/deep",
            "/Users/a/p/deep/er",
            "/Users/a/p/.git",
        ] {
            assert!(
                plan.pinned.contains(dir),
                "{dir} not pinned: {:?}",
                plan.pinned
            );
        }
        // Above the writable root nothing is writable anyway: no pin needed.
        assert!(!plan.pinned.contains("/Users/a"));
        // The home floor is outside every writable root here.
        assert!(!plan.pinned.iter().any(|d| d.contains(".ssh")));
    }

    #[test]
    fn symlinked_protected_file_denies_node_and_target() {
        let dir = paths::scratch();
        let project = dir.path().join("p");
        std::fs::create_dir(&project).unwrap();
        std::fs::write(project.join("other.json"), "{}").unwrap();
        std::os::unix::fs::symlink(project.join("other.json"), project.join("creor.json")).unwrap();
        let mut p = policy();
        p.project = project.clone();
        p.cwd = project.clone();
        let text = generate(&p, &opts()).unwrap();
        let real = paths::resolve(&project).unwrap();
        assert!(
            text.contains(&format!("(subpath \"{real}/creor.json\")")),
            "{text}"
        );
        assert!(
            text.contains(&format!("(subpath \"{real}/other.json\")")),
            "{text}"
        );
    }

    #[test]
    fn grants_already_covered_are_not_repeated() {
        let mut p = policy();
        p.read_only = vec!["/bin".into(), "/Users/a/p".into(), "/usr/local".into()];
        p.read_write = vec!["/Users/a/p".into()];
        p.network = NetworkPolicy::AllowAll;
        let o = SeatbeltOptions {
            unix_sockets: vec!["/private/var/run/mDNSResponder".into()],
            ..opts()
        };
        let text = generate(&p, &o).unwrap();
        wellformed::check(&text).unwrap();
        assert_eq!(text.matches(r#"(subpath "/bin")"#).count(), 1, "{text}");
        assert!(text.contains(r#"(subpath "/usr/local")"#));
        // The socket rule emptied by dedupe is gone, not left as an unfiltered allow.
        let forms = sbpl::parse(&text).unwrap();
        let bare = Sexp::list("allow", [Sexp::sym("network-outbound")]);
        assert!(!forms.contains(&bare));
    }

    #[test]
    fn unix_sockets_only_as_listed_and_never_in_hidden_dirs() {
        let mut o = opts();
        o.unix_sockets = vec!["/var/run/docker.sock".into()];
        let text = generate(&policy(), &o).unwrap();
        assert!(
            text.contains(r#"(allow network-outbound (literal "/private/var/run/docker.sock"))"#)
        );
        let none = sbpl::parse(&generate(&policy(), &opts()).unwrap()).unwrap();
        let outbound = Sexp::sym("network-outbound");
        assert!(!none.iter().any(|f| f.args().contains(&outbound)));
        o.unix_sockets = vec!["/Users/a/.ssh/agent.sock".into()];
        assert!(path_error(&policy(), &o).1.contains("hidden path"));
    }
}
