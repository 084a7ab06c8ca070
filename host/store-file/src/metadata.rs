//! `metadata.json`: one entry per uploaded file, in the fields admins know
//! from earlier bots plus what the store needs. Rewritten atomically.

use std::{collections::BTreeMap, fs, path::Path};

use serde::{Deserialize, Serialize};

use numbot_core::{FileMeta, StoreError};

use crate::{journal::sync_dir, private};

/// The whole `metadata.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Files by stored name (`<Category>_<YYYYMMDD_HHMMSS>.csv`).
    pub files: BTreeMap<String, FileMeta>,
    /// The id the next upload gets.
    pub next_id: u32,
}

impl Metadata {
    /// Reads `metadata.json`, or an empty one when the directory is new.
    pub fn read(path: &Path) -> Result<Metadata, StoreError> {
        match fs::read(path) {
            Ok(bytes) => Metadata::parse(&bytes, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Metadata::default()),
            Err(e) => Err(StoreError::io(path)(e)),
        }
    }

    /// `metadata.json`'s bytes (read from `path`), refused when a stored
    /// name is not a plain file name of the directory: the store opens
    /// `<name>.numbers` and `<name>.csv` beside it, never elsewhere.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Metadata, StoreError> {
        let corrupt = |message: String| StoreError::Corrupt {
            path: path.to_path_buf(),
            message,
        };
        let meta: Metadata = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        if let Some(bad) = meta.files.keys().find(|n| !plain(n)) {
            return Err(corrupt(format!(
                "the stored name {bad:?} is not a plain file name"
            )));
        }
        Ok(meta)
    }

    /// Writes `metadata.json` through a temporary file, fsync and rename.
    pub fn write(&self, path: &Path) -> Result<(), StoreError> {
        let json = serde_json::to_vec_pretty(self).expect("metadata serializes");
        write_atomic(path, &json)
    }

    /// The stored name of a file id.
    pub fn name_of(&self, id: u32) -> Option<&str> {
        self.files
            .iter()
            .find(|(_, m)| m.id == id)
            .map(|(n, _)| n.as_str())
    }
}

/// A name the store may keep a file under: a plain file name in the
/// directory (no path, no hidden file).
pub(crate) fn plain(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).components().count() == 1
}

/// Replaces `path` with `bytes` durably: temporary file, fsync, rename, directory fsync.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
    {
        use std::io::Write;
        // A leftover of a crash may hold the name, with its own mode.
        let _ = fs::remove_file(&tmp);
        let mut f = private::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(StoreError::io(&tmp))?;
        f.write_all(bytes).map_err(StoreError::io(&tmp))?;
        f.sync_all().map_err(StoreError::io(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(StoreError::io(path))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}
