//! What admins read of usage: each file's figures, `usage_tracking.json`
//! and the usage counts of `metadata.json`.

use std::{collections::BTreeMap, path::Path};

use numbot_core::{clock::rfc3339, StoreError, Usage};
use serde::Serialize;

use crate::{pool::FilePool, store::State};

/// Writes `metadata.json` with each file's current usage count (under the state lock).
pub(crate) fn save_usage_counts(st: &mut State, dir: &Path) -> Result<(), StoreError> {
    let mut meta = st.meta.clone();
    for m in meta.files.values_mut() {
        if let Some(f) = st.pool.file(m.id) {
            m.usage_count = f.usage_count;
        }
    }
    meta.write(&dir.join("metadata.json"))?;
    st.meta = meta;
    Ok(())
}

pub(crate) fn usage_of(file: &FilePool) -> Usage {
    let mut u = Usage::default();
    for (status, uses) in file.status.iter().zip(&file.uses) {
        u.tally(*status, u64::from(*uses), None);
    }
    u.assignments = file.usage_count;
    u.last_used = file.last_assigned;
    u.finish()
}

/// `usage_tracking.json`: per file, its usage and every number used so far.
pub(crate) fn usage_tracking(st: &State) -> Vec<u8> {
    #[derive(Serialize)]
    struct NumberUse {
        number: String,
        uses: u32,
        last_user: i64,
        last_used: String,
    }
    #[derive(Serialize)]
    struct FileUse {
        usage: Usage,
        numbers: Vec<NumberUse>,
    }
    let mut out: BTreeMap<String, FileUse> = BTreeMap::new();
    for (name, meta) in &st.meta.files {
        let Some(file) = st.pool.file(meta.id) else {
            continue;
        };
        let numbers = (0..file.numbers.len())
            .filter(|&i| file.uses[i] > 0)
            .map(|i| NumberUse {
                number: format!("+{}", file.numbers[i]),
                uses: file.uses[i],
                last_user: file.last_user[i],
                last_used: rfc3339(i64::from(file.last_used[i])),
            })
            .collect();
        out.insert(
            name.clone(),
            FileUse {
                usage: usage_of(file),
                numbers,
            },
        );
    }
    serde_json::to_vec_pretty(&out).expect("usage tracking serializes")
}
