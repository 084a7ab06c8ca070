//! Backups of a data directory, whether numbot is running on it or not.
//! The pool is loaded read-only by the store's own loading (files,
//! snapshot, journals; a record being written is a torn tail and left
//! out), so an archive holds the state of one moment, never files caught
//! in mid-write. An archive is one gzip-compressed tar: `manifest.json`
//! first (format, time, each file's size and SHA-256), then the files.

use std::{
    collections::{BTreeMap, HashSet},
    fs,
    io::{Read, Write},
    path::{Path, PathBuf},
    time::SystemTime,
};

use numbot_core::{clock::rfc3339, clock::unix_now, StoreConfig, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    metadata::{plain, Metadata},
    open::load,
    private, snapshot,
};

/// The archive format this version writes and reads.
pub const FORMAT: &str = "numbot-backup/1";

/// Append-only files of the data directory kept in a backup, up to their
/// last whole line: the user records, the audit trail, API tokens and the
/// messages already relayed, and the history of uses.
const LOGS: [&str; 5] = [
    "users.jsonl",
    "audit.jsonl",
    "tokens.jsonl",
    "relayed.log",
    crate::history::HISTORY_FILE,
];

/// Loads retried when a compaction ran during one.
const LOAD_TRIES: usize = 5;

/// What an archive holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// When the backup was taken (RFC 3339).
    pub created_at: String,
    /// The numbot version that wrote it.
    pub numbot: String,
    /// Uploaded files in the pool (deleted ones included).
    pub uploads: usize,
    /// Numbers held when the backup was taken.
    pub held: usize,
    /// Every file after the manifest, in order.
    pub files: Vec<ManifestEntry>,
}

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Its name in the data directory.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its content, hex.
    pub sha256: String,
}

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Compactions kept changing the snapshot while it was read.
    #[error("the store kept compacting while it was read; try again")]
    Busy,
    /// Not an archive this version reads, or not whole.
    #[error("{path}: not a numbot backup, or damaged: {reason}")]
    NotABackup {
        /// The archive.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// A file's content does not match the manifest.
    #[error("{path}: {name} does not match its checksum: the archive is damaged")]
    Damaged {
        /// The archive.
        path: PathBuf,
        /// The file.
        name: String,
    },
    /// Restores go into a new or empty directory only.
    #[error("{0} is not empty: restore into a new or empty directory")]
    NotEmpty(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn not_a_backup(path: &Path, reason: impl ToString) -> BackupError {
    BackupError::NotABackup {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// What identifies a snapshot file: a compaction replaces it.
fn snapshot_stamp(dir: &Path) -> Option<(u64, SystemTime)> {
    let meta = fs::metadata(dir.join("snapshot.bin")).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The bytes of `path` up to its last newline (none when it is missing).
fn whole_lines(path: &Path) -> Result<Option<Vec<u8>>, BackupError> {
    let mut bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    bytes.truncate(bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1));
    Ok(Some(bytes))
}

/// Writes a backup of the data directory of `config` (its reuse rule must be
/// the running numbot's) to `out`, through a temporary file renamed into
/// place. Blocking.
pub fn backup(config: &StoreConfig, out: &Path) -> Result<Manifest, BackupError> {
    let dir = &config.data_dir;
    let mut loaded = None;
    for _ in 0..LOAD_TRIES {
        let before = snapshot_stamp(dir);
        let state = load(config)?;
        if snapshot_stamp(dir) == before {
            loaded = Some(state);
            break;
        }
    }
    let loaded = loaded.ok_or(BackupError::Busy)?;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "metadata.json".into(),
            serde_json::to_vec_pretty(&loaded.meta).expect("metadata serializes"),
        ),
        ("snapshot.bin".into(), snapshot::encode(&loaded.pool, 1)),
    ];
    // Uploads are written once and never changed.
    for name in loaded.meta.files.keys() {
        let numbers = Path::new(name).with_extension("numbers");
        for file in [PathBuf::from(name), numbers] {
            let path = dir.join(&file);
            let bytes = fs::read(&path).map_err(io(&path))?;
            files.push((file.to_string_lossy().into_owned(), bytes));
        }
    }
    for log in LOGS {
        if let Some(bytes) = whole_lines(&dir.join(log))? {
            files.push((log.into(), bytes));
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: rfc3339(unix_now()),
        numbot: env!("CARGO_PKG_VERSION").into(),
        uploads: loaded.meta.files.len(),
        held: loaded.pool.holds.len(),
        files: files
            .iter()
            .map(|(name, bytes)| ManifestEntry {
                name: name.clone(),
                bytes: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(bytes)),
            })
            .collect(),
    };
    let partial = out.with_extension("partial");
    let written = write_archive(&partial, &manifest, &files)
        .and_then(|()| fs::rename(&partial, out).map_err(io(out)));
    if written.is_err() {
        let _ = fs::remove_file(&partial);
    }
    written.map(|()| manifest)
}

fn write_archive(
    path: &Path,
    manifest: &Manifest,
    files: &[(String, Vec<u8>)],
) -> Result<(), BackupError> {
    let file = private::options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(io(path))?;
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let manifest = serde_json::to_vec_pretty(manifest).expect("manifest serializes");
    let entries = std::iter::once(("manifest.json", manifest.as_slice()))
        .chain(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    for (name, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(unix_now().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes)
            .map_err(io(path))?;
    }
    let file = tar
        .into_inner()
        .and_then(flate2::write::GzEncoder::finish)
        .map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Restores the archive at `from` into `dir`, which must be new or empty:
/// every file is checked against the manifest before the restore counts,
/// and a damaged archive leaves `dir` as it was. Blocking.
pub fn restore(from: &Path, dir: &Path) -> Result<Manifest, BackupError> {
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(BackupError::NotEmpty(dir.to_path_buf()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir)(e)),
    }
    private::create_dir(dir).map_err(io(dir))?;
    let restored = unpack(from, dir);
    if restored.is_err() {
        // Nothing half-restored stays: the directory was empty.
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    restored
}

fn unpack(from: &Path, dir: &Path) -> Result<Manifest, BackupError> {
    let file = fs::File::open(from).map_err(io(from))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut entries = tar.entries().map_err(|e| not_a_backup(from, e))?;
    let manifest: Manifest = {
        let mut first = entries
            .next()
            .ok_or_else(|| not_a_backup(from, "empty"))?
            .map_err(|e| not_a_backup(from, e))?;
        let name = first.path().map_err(|e| not_a_backup(from, e))?;
        if name != Path::new("manifest.json") {
            return Err(not_a_backup(from, "no manifest.json first"));
        }
        let mut bytes = Vec::new();
        first
            .by_ref()
            .take(1 << 20)
            .read_to_end(&mut bytes)
            .map_err(|e| not_a_backup(from, e))?;
        serde_json::from_slice(&bytes).map_err(|e| not_a_backup(from, e))?
    };
    if manifest.format != FORMAT {
        return Err(not_a_backup(
            from,
            format!("format {:?}, this numbot reads {FORMAT:?}", manifest.format),
        ));
    }
    let expected: BTreeMap<&str, &ManifestEntry> = manifest
        .files
        .iter()
        .map(|e| (e.name.as_str(), e))
        .collect();
    if let Some(bad) = expected.keys().find(|n| !plain(n)) {
        return Err(not_a_backup(from, format!("a file named {bad:?}")));
    }
    let mut seen = HashSet::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| not_a_backup(from, e))?;
        let name = entry
            .path()
            .map_err(|e| not_a_backup(from, e))?
            .to_string_lossy()
            .into_owned();
        let Some(want) = expected.get(name.as_str()) else {
            return Err(not_a_backup(
                from,
                format!("{name:?} is not in the manifest"),
            ));
        };
        if !seen.insert(name.clone()) {
            return Err(not_a_backup(from, format!("{name:?} twice")));
        }
        // Grown as it is read: the manifest's sizes are the archive's word.
        let mut bytes = Vec::with_capacity(want.bytes.min(1 << 20) as usize);
        entry
            .by_ref()
            .take(want.bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| not_a_backup(from, e))?;
        if bytes.len() as u64 != want.bytes || hex::encode(Sha256::digest(&bytes)) != want.sha256 {
            return Err(BackupError::Damaged {
                path: from.to_path_buf(),
                name,
            });
        }
        if name == "metadata.json" {
            // Its stored names become paths when the store opens.
            Metadata::parse(&bytes, &dir.join(&name)).map_err(|e| not_a_backup(from, e))?;
        }
        let path = dir.join(&name);
        let mut out = private::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io(&path))?;
        out.write_all(&bytes)
            .and_then(|()| out.sync_all())
            .map_err(io(&path))?;
    }
    // The tar ends before the gzip trailer: reading on to the end checks
    // the CRC of everything, padding and headers included.
    std::io::copy(&mut tar.into_inner(), &mut std::io::sink())
        .map_err(|e| not_a_backup(from, e))?;
    if let Some(missing) = expected.keys().find(|n| !seen.contains(**n)) {
        return Err(not_a_backup(from, format!("{missing:?} is missing")));
    }
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::{plain, Metadata};

    #[test]
    fn restores_write_plain_names_only() {
        let meta = numbot_core::FileMeta {
            id: 1,
            country_name: "UAE".into(),
            country_code: None,
            admin_id: 1,
            number_count: 1,
            created_at: String::new(),
            created_unix: 0,
            usage_count: 0,
            original_name: "x.csv".into(),
            accepted: 1,
            rejected: 0,
            duplicates_in_file: 0,
            duplicates_in_pool: 0,
            sha256: String::new(),
            deleted: false,
            deleted_at: None,
        };
        let hostile = Metadata {
            files: [("../../etc/cron.d/x".to_string(), meta)].into(),
            next_id: 2,
        };
        let bytes = serde_json::to_vec(&hostile).unwrap();
        let refused = Metadata::parse(&bytes, std::path::Path::new("metadata.json"));
        assert!(
            refused.is_err_and(|e| e.to_string().contains("not a plain file name")),
            "a stored name that leaves the directory is refused"
        );
        assert!(plain("metadata.json"));
        assert!(plain("UAE Mobile_20261201_101010.csv"));
        for bad in ["", "../x", "a/b", "/etc/passwd", ".lock", "a\\b", ".."] {
            assert!(!plain(bad), "{bad:?}");
        }
    }
}
