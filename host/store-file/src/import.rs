//! Imports into the file store: numbers already in the pool are left out,
//! the upload's bytes and numbers are written beside `metadata.json`, then
//! the entry names them. Three steps, so that the slow writes hold no lock.

use std::{fs, io::Write};

use numbot_core::{upload::stored_names, Prepared, StoreError, UploadReport};

use crate::{journal::sync_dir, private, snapshot, store::FileKey, FileStore};

/// An import between its reservation and its entry in `metadata.json`.
pub(crate) struct Reserved {
    id: u32,
    name: String,
    numbers: Vec<u64>,
    in_pool: u64,
    upload: Prepared,
}

impl FileStore {
    /// Imports a prepared upload (blocking: the files are written and
    /// fsynced on this thread).
    pub fn import(&self, upload: Prepared, original: &[u8]) -> Result<UploadReport, StoreError> {
        let reserved = self.reserve(upload)?;
        let written = self.write_upload(&reserved.name, original, &reserved.numbers);
        self.commit(reserved, written)
    }

    /// Numbers already in the pool are dropped, the rest claimed for this
    /// upload so that a concurrent upload cannot add them too; a free
    /// stored name is held until the metadata names it.
    pub(crate) fn reserve(&self, upload: Prepared) -> Result<Reserved, StoreError> {
        let mut st = self.lock()?;
        let mut numbers = upload.numbers.clone();
        let before = numbers.len();
        numbers.retain(|n| !st.pool.known.contains(n));
        let in_pool = (before - numbers.len()) as u64;
        if numbers.is_empty() {
            return Err(upload.nothing_left(in_pool));
        }
        st.pool.known.extend(numbers.iter().copied());
        let id = st.meta.next_id;
        st.meta.next_id += 1;
        let name = stored_names(&upload.category, self.now())
            .find(|n| {
                !st.meta.files.contains_key(n)
                    && !st.reserved.contains(n)
                    && !self.dir().join(n).exists()
            })
            .expect("a free name");
        st.reserved.insert(name.clone());
        Ok(Reserved {
            id,
            name,
            numbers,
            in_pool,
            upload,
        })
    }

    /// Names the written files in `metadata.json` and adds the numbers to
    /// the pool, or (when the writes failed) gives the reservation back.
    pub(crate) fn commit(
        &self,
        reserved: Reserved,
        written: Result<(), StoreError>,
    ) -> Result<UploadReport, StoreError> {
        let Reserved {
            id,
            name,
            numbers,
            in_pool,
            upload,
        } = reserved;
        // A refused upload leaves none of its files (a full disk, say).
        let dir = self.dir().to_path_buf();
        let remove_files = || {
            let _ = fs::remove_file(dir.join(&name));
            let _ = fs::remove_file(dir.join(&name).with_extension("numbers"));
        };
        let mut st = self.lock().inspect_err(|_| remove_files())?;
        st.reserved.remove(&name);
        let accepted = numbers.len() as u64;
        let mut meta = st.meta.clone();
        meta.files
            .insert(name.clone(), upload.meta(id, accepted, in_pool, self.now()));
        let written = written.and_then(|()| meta.write(&self.dir().join("metadata.json")));
        if let Err(e) = written {
            for n in &numbers {
                st.pool.known.remove(n);
            }
            remove_files();
            return Err(e);
        }
        st.index.insert(id, FileKey::of(&name, &meta.files[&name]));
        st.meta = meta;
        st.pool.add_file(id, numbers);
        st.by_category
            .entry(upload.category.clone())
            .or_default()
            .push(id);
        drop(st);
        tracing::info!(file = %name, category = %upload.category, admin = upload.admin, accepted, "upload imported");
        Ok(upload.report(name, accepted, in_pool))
    }

    /// Writes the original bytes and the normalized numbers, durably.
    pub(crate) fn write_upload(
        &self,
        name: &str,
        bytes: &[u8],
        numbers: &[u64],
    ) -> Result<(), StoreError> {
        let dir = self.dir();
        // `.numbers` first: a crash leaves a `.numbers` file whenever it
        // leaves anything, and `open` removes those `metadata.json` lacks.
        for (path, content) in [
            (
                dir.join(name).with_extension("numbers"),
                snapshot::encode_numbers(numbers),
            ),
            (dir.join(name), bytes.to_vec()),
        ] {
            let mut f = private::options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)
                .map_err(StoreError::io(&path))?;
            f.write_all(&content).map_err(StoreError::io(&path))?;
            f.sync_all().map_err(StoreError::io(&path))?;
        }
        sync_dir(dir)
    }
}

impl Reserved {
    /// The stored name the import holds.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The numbers it adds.
    pub(crate) fn numbers(&self) -> &[u64] {
        &self.numbers
    }
}
