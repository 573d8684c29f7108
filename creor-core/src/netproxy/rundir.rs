//! A private directory for the proxy socket and the session token.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::ProxyError;

/// A fresh 0700 directory under `$XDG_RUNTIME_DIR/creor` (else the temp dir), removed on drop.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates the directory; fails if the name exists (never reuses someone else's).
    pub fn create() -> Result<RunDir, ProxyError> {
        use std::os::unix::fs::DirBuilderExt;
        let base = match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
            Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d).join("creor"),
            _ => std::env::temp_dir(),
        };
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ProxyError::Socket { path, source }
        };
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&base)
            .map_err(err(&base))?;
        let token = new_token().map_err(err(&base))?;
        let path = base.join(format!(
            "creor-proxy-{}-{}",
            std::process::id(),
            &token[..12]
        ));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(err(&path))?;
        Ok(RunDir { path })
    }

    /// The proxy socket's path inside the directory.
    pub fn socket(&self) -> PathBuf {
        self.path.join("proxy.sock")
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// 128 random bits as hex, from the kernel's CSPRNG.
pub fn new_token() -> std::io::Result<String> {
    let mut raw = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut raw)?;
    Ok(raw.iter().map(|b| format!("{b:02x}")).collect())
}
