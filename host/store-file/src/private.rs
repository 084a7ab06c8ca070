//! The data directory holds who took which number and the users' records:
//! it is the owner's alone (0700, files 0600) whatever the umask, and a
//! directory found open to others is reported at start.

use std::{
    fs::{DirBuilder, OpenOptions},
    os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

/// The data directory's mode.
pub(crate) const DIR_MODE: u32 = 0o700;
/// The mode of every file the store writes.
pub(crate) const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its missing parents) for the owner only.
pub(crate) fn create_dir(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Options that create a file for the owner only (the umask can only
/// narrow the mode further).
pub(crate) fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(FILE_MODE);
    options
}

/// The data directory and the entries in it that others may read or
/// write; each is logged with the command that fixes it.
pub(crate) fn check(dir: &Path) -> Vec<PathBuf> {
    let open_to_others = |path: &Path| {
        std::fs::symlink_metadata(path)
            .is_ok_and(|m| !m.file_type().is_symlink() && m.permissions().mode() & 0o077 != 0)
    };
    let mut wide: Vec<PathBuf> = std::iter::once(dir.to_path_buf())
        .chain(
            std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path()),
        )
        .filter(|p| open_to_others(p))
        .collect();
    wide.sort();
    for path in &wide {
        tracing::warn!(
            path = %path.display(),
            "the data directory is readable or writable by other users; fix it with `chmod -R go-rwx {}`",
            dir.display()
        );
    }
    wide
}
