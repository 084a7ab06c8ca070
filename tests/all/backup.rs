//! `numbot backup` and `numbot restore` through the real binary: a backup
//! taken while claims go on restores the pool of that moment, and a
//! damaged archive or a directory in use is refused, leaving nothing.

use std::{
    collections::{HashMap, HashSet},
    io::{Read, Write},
    path::Path,
    process::{Command, Output},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use numbot_core::{NumberStore, StoreConfig};
use numbot_store_file::FileStore;

use crate::support::{binary, cache, defaults, shared_plugins, uae_csv, UploadExt};

fn numbot(args: &[&str], dir: &Path) -> Output {
    Command::new(binary("numbot"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .arg("--plugin-dir")
        .arg(defaults())
        .env("NUMBOT_CACHE_DIR", cache())
        .env_remove("NUMBOT_MONGODB_URI")
        .output()
        .expect("run numbot")
}

/// `bytes` with one bit flipped `eighths`/8 of the way in.
fn flip(bytes: &[u8], eighths: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[bytes.len() * eighths / 8] ^= 0x10;
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A claim as a claimer saw it.
struct Claim {
    user: i64,
    number: String,
    started: Instant,
    acked: Instant,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_a_claim_storm_restores_that_moment() {
    let live = tempfile::tempdir().unwrap();
    let store = {
        let config = StoreConfig::new(live.path());
        tokio::task::spawn_blocking(move || FileStore::open(config, shared_plugins()).unwrap())
            .await
            .unwrap()
    };
    store
        .upload("a.csv", Arc::new(uae_csv(0, 5_000)), "UAE", 1, None)
        .await
        .unwrap();
    store
        .upload("b.csv", Arc::new(uae_csv(10_000, 300)), "Spare", 1, None)
        .await
        .unwrap();

    let claims = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let claimers: Vec<_> = (0..4i64)
        .map(|c| {
            let (store, claims, stop) = (store.clone(), claims.clone(), stop.clone());
            tokio::spawn(async move {
                let mut user = 1_000_000 * (c + 1);
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let a = NumberStore::claim(&store, "UAE", user).await.unwrap();
                    claims.lock().unwrap().push(Claim {
                        user,
                        number: a.number,
                        started,
                        acked: Instant::now(),
                    });
                    user += 1;
                }
            })
        })
        .collect();
    while claims.lock().unwrap().len() < 100 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let archive = live.path().with_extension("tar.gz");
    let began = Instant::now();
    let out = {
        let (archive, dir) = (archive.clone(), live.path().to_path_buf());
        tokio::task::spawn_blocking(move || numbot(&["backup", archive.to_str().unwrap()], &dir))
            .await
            .unwrap()
    };
    let ended = Instant::now();
    assert!(out.status.success(), "{}", stderr(&out));
    let told = String::from_utf8_lossy(&out.stdout);
    assert!(told.contains("2 uploads"), "{told}");
    // Claims go on after the backup: they must not be in it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for c in claimers {
        c.await.unwrap();
    }

    let restored = tempfile::tempdir().unwrap();
    let target = restored.path().join("data");
    let out = numbot(&["restore", archive.to_str().unwrap()], &target);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("5300 numbers"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let back = FileStore::open(StoreConfig::new(&target), shared_plugins()).unwrap();
    let held: HashMap<i64, String> = back
        .assignments()
        .unwrap()
        .into_iter()
        .map(|a| (a.user, a.number))
        .collect();
    let claims = claims.lock().unwrap();
    let after = claims.iter().filter(|c| c.started > ended).count();
    assert!(after > 0, "no claim came after the backup");
    let mut before = 0;
    for c in claims.iter() {
        if c.acked < began {
            before += 1;
            assert_eq!(
                held.get(&c.user),
                Some(&c.number),
                "claim of {} before the backup",
                c.user
            );
        }
        if c.started > ended {
            assert!(
                !held.contains_key(&c.user),
                "claim of {} after the backup",
                c.user
            );
        }
    }
    assert!(before >= 100);
    let claimed: HashSet<i64> = claims.iter().map(|c| c.user).collect();
    assert!(
        held.keys().all(|u| claimed.contains(u)),
        "nothing held that was not claimed"
    );
    let distinct: HashSet<&String> = held.values().collect();
    assert_eq!(distinct.len(), held.len());
    let stats = back.stats().unwrap();
    let u = &stats.categories["UAE"];
    assert_eq!((u.total, u.assigned as usize), (5_000, held.len()));
    assert_eq!(u.available + u.assigned + u.cooling + u.retired, u.total);
    assert_eq!(stats.categories["Spare"].available, 300);
    let live_files: Vec<String> = store
        .stats()
        .unwrap()
        .files
        .into_iter()
        .map(|f| f.name)
        .collect();
    let back_files: Vec<String> = stats.files.into_iter().map(|f| f.name).collect();
    assert_eq!(live_files, back_files);
    // The restored store takes claims.
    assert!(back.claim("UAE", 42).is_ok());
}

#[test]
fn restore_refuses_damaged_archives_and_used_directories() {
    let live = tempfile::tempdir().unwrap();
    crate::store::Uploads::upload(
        &FileStore::open(StoreConfig::new(live.path()), shared_plugins()).unwrap(),
        "a.csv",
        &uae_csv(0, 50),
        "UAE",
        1,
        None,
    )
    .unwrap();
    let archive = live.path().with_extension("tar.gz");
    let out = numbot(&["backup", archive.to_str().unwrap()], live.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let good = std::fs::read(&archive).unwrap();

    // A directory with files in it.
    let out = numbot(&["restore", archive.to_str().unwrap()], live.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));

    // Cut short, a flipped bit, and a file changed under a valid manifest.
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(good.as_slice())
        .read_to_end(&mut raw)
        .unwrap();
    let at = raw
        .windows(7)
        .position(|w| w == b"Number\n")
        .expect("the uploaded CSV in the tar");
    raw[at] = b'n';
    let mut changed = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    changed.write_all(&raw).unwrap();
    for (damage, bytes, says) in [
        ("cut short", good[..good.len() / 2].to_vec(), "damaged"),
        ("a bit flipped at 1/8", flip(&good, 1), "damaged"),
        ("a bit flipped at 3/8", flip(&good, 3), "damaged"),
        ("a bit flipped at 4/8", flip(&good, 4), "damaged"),
        ("a bit flipped at 5/8", flip(&good, 5), "damaged"),
        ("a bit flipped at 7/8", flip(&good, 7), "damaged"),
        (
            "a changed file",
            changed.finish().unwrap(),
            "does not match its checksum",
        ),
    ] {
        let bad = live.path().with_extension("bad.tar.gz");
        std::fs::write(&bad, bytes).unwrap();
        let target = tempfile::tempdir().unwrap();
        let out = numbot(&["restore", bad.to_str().unwrap()], target.path());
        assert!(!out.status.success(), "{damage}: restored");
        assert!(stderr(&out).contains(says), "{damage}: {}", stderr(&out));
        assert_eq!(
            std::fs::read_dir(target.path()).unwrap().count(),
            0,
            "{damage}: something was left"
        );
    }
}
