//! `creor doctor`.

/// The report separates protected paths that exist (bound read-only) from those that do not
/// (removed after each run if a command creates them).
#[cfg(target_os = "linux")]
#[test]
fn doctor_json_separates_absent_protected_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().canonicalize().expect("canonical");
    std::fs::create_dir_all(project.join(".git/hooks")).expect("mkdir");
    let out = super::util::creor()
        .current_dir(&project)
        .args(["doctor", "--json"])
        .output()
        .expect("run creor");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let has = |key: &str, rel: &str| {
        v[key].as_array().is_some_and(|a| {
            a.iter()
                .any(|p| p == &project.join(rel).display().to_string())
        })
    };
    assert!(has("protected", ".git/hooks"), "{v}");
    assert!(has("removed_if_created", "creor.json"), "{v}");
    assert!(!has("protected", "creor.json"), "{v}");
}
