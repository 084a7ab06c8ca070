//! Group commit for the append-only files of the data directory (the
//! journal, `users.jsonl`, `audit.jsonl`, `relayed.log`): writers queue
//! bytes and wait for their answer; one thread writes whatever accumulated
//! while the previous fsync ran, so a thousand writers share a few fsyncs.
//! Bytes nobody waits for linger a little ([`LATER_WITHIN`]) to share the
//! next fsync someone does wait for.
//! A failed write is cut back off the file, so that a later append never
//! joins a partial one, and only its own writers get the error.

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
    sync::{mpsc, Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

use tokio::sync::oneshot;

use crate::private;

/// A write that failed (shared by every writer of its batch).
pub(crate) type WriteError = Arc<std::io::Error>;

/// What happens once an append is written (or has failed).
type Then = Box<dyn FnOnce(Result<(), WriteError>) + Send>;

/// Where an append's outcome meets whoever wants it: the writer may finish
/// before or after the waiter says what to do with it.
enum Stage {
    Open(Option<Then>),
    Closed(Result<(), WriteError>),
}

/// The answer to one append: on disk, or why not. It can be waited on
/// ([`wait`], [`wait_async`]) or given a continuation ([`Pending::then`]),
/// which the writer thread runs: a caller that wants another answer sent
/// after the write (the store's thread) hands it over without waking
/// anyone in between.
pub(crate) struct Pending(Arc<Mutex<Stage>>);

/// The writer's side of a [`Pending`]; dropped unanswered (the thread is
/// gone), it answers with an error.
struct Answer(Arc<Mutex<Stage>>);

fn pending() -> (Answer, Pending) {
    let stage = Arc::new(Mutex::new(Stage::Open(None)));
    (Answer(stage.clone()), Pending(stage))
}

impl Pending {
    /// Runs `then` with the outcome: at once when it is known, else on the
    /// writer's thread once it is (keep it short: it delays other writers).
    pub(crate) fn then(self, then: impl FnOnce(Result<(), WriteError>) + Send + 'static) {
        let mut stage = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match &mut *stage {
            Stage::Open(slot) => *slot = Some(Box::new(then)),
            Stage::Closed(outcome) => {
                let outcome = outcome.clone();
                drop(stage);
                then(outcome);
            }
        }
    }
}

impl Answer {
    fn send(self, outcome: Result<(), WriteError>) {
        let next = {
            let mut stage = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match std::mem::replace(&mut *stage, Stage::Closed(outcome.clone())) {
                Stage::Open(then) => then,
                Stage::Closed(_) => None,
            }
        };
        if let Some(then) = next {
            then(outcome);
        }
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        let open = matches!(
            *self.0.lock().unwrap_or_else(|e| e.into_inner()),
            Stage::Open(_)
        );
        if open {
            Answer(self.0.clone()).send(Err(Arc::new(std::io::Error::other(
                "the writer thread stopped",
            ))));
        }
    }
}

enum Msg {
    Append(Vec<u8>, Answer),
    /// Bytes nobody waits for: written with the next awaited append, or
    /// within [`LATER_WITHIN`].
    Later(Vec<u8>),
    /// Later appends go to this file.
    Switch(File, Answer),
}

/// An append-only file written in groups by a thread of its own.
pub(crate) struct GroupLog {
    queue: Mutex<mpsc::Sender<Msg>>,
    path: Mutex<PathBuf>,
    thread: Option<thread::JoinHandle<()>>,
}

/// Opens `path` for appending (created when missing) and makes its entry
/// in the directory durable.
pub(crate) fn open_append(path: &Path) -> std::io::Result<File> {
    let file = private::options().create(true).append(true).open(path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(file)
}

impl GroupLog {
    /// Appends to `file` (at `path`, for messages) from a new thread named `name`.
    pub(crate) fn start(name: &str, path: &Path, file: File) -> std::io::Result<GroupLog> {
        let (queue, inbox) = mpsc::channel();
        let thread = thread::Builder::new()
            .name(name.into())
            .spawn(move || write_loop(file, &inbox))?;
        Ok(GroupLog {
            queue: Mutex::new(queue),
            path: Mutex::new(path.to_path_buf()),
            thread: Some(thread),
        })
    }

    /// Queues `bytes`; the answer comes once they are on disk. Appends are
    /// written in the order of the calls.
    pub(crate) fn append(&self, bytes: Vec<u8>) -> Pending {
        let (done, pending) = pending();
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        // A send fails only once the thread is gone: the dropped sender
        // then answers the waiter with an error.
        let _ = queue.send(Msg::Append(bytes, done));
        pending
    }

    /// Queues `bytes` that nobody waits for: they are written, in order,
    /// with the next append someone waits for or within [`LATER_WITHIN`],
    /// so that a file mostly written this way is not fsynced per line.
    pub(crate) fn append_later(&self, bytes: Vec<u8>) {
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let _ = queue.send(Msg::Later(bytes));
    }

    /// Directs later appends to `path`, once every earlier one is written
    /// (blocking).
    pub(crate) fn switch(&self, path: &Path) -> std::io::Result<()> {
        let file = open_append(path)?;
        let (done, pending) = pending();
        {
            let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            let _ = queue.send(Msg::Switch(file, done));
        }
        wait(pending)?;
        *self.path.lock().unwrap_or_else(|e| e.into_inner()) = path.to_path_buf();
        Ok(())
    }

    /// The file appended to now.
    pub(crate) fn path(&self) -> PathBuf {
        self.path.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for GroupLog {
    fn drop(&mut self) {
        // The thread ends when the queue closes, after writing what it holds.
        let (closed, _) = mpsc::channel();
        *self.queue.lock().unwrap_or_else(|e| e.into_inner()) = closed;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Blocks until an append is on disk (the blocking API's callers and
/// tests; async callers use [`wait_async`]).
pub(crate) fn wait(pending: Pending) -> std::io::Result<()> {
    let (done, outcome) = mpsc::sync_channel(1);
    pending.then(move |written| {
        let _ = done.send(written);
    });
    written(
        outcome
            .recv()
            .map_err(|_| Arc::new(std::io::Error::other("the writer thread stopped")))
            .and_then(|w| w),
    )
}

/// Waits until an append is on disk, without holding a thread.
pub(crate) async fn wait_async(pending: Pending) -> std::io::Result<()> {
    let (done, outcome) = oneshot::channel();
    pending.then(move |written| {
        let _ = done.send(written);
    });
    written(
        outcome
            .await
            .map_err(|_| Arc::new(std::io::Error::other("the writer thread stopped")))
            .and_then(|w| w),
    )
}

/// An append's outcome as an I/O result of the caller's own.
pub(crate) fn written(outcome: Result<(), WriteError>) -> std::io::Result<()> {
    outcome.map_err(|e| std::io::Error::new(e.kind(), e.to_string()))
}

/// The most bytes one write gathers before it is written (one append more
/// at most): a crash tears at most the last write, so the journal can tell
/// a torn tail (shorter than a write) from damage (longer).
pub(crate) const MAX_BATCH: usize = 64 * 1024;

/// How long bytes nobody waits for may stay unwritten.
pub(crate) const LATER_WITHIN: Duration = Duration::from_millis(20);

fn write_loop(mut file: File, inbox: &mpsc::Receiver<Msg>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut waiters = Vec::new();
    // When the oldest bytes nobody waits for are to be written.
    let mut due: Option<Instant> = None;
    loop {
        let first = match due {
            None => inbox.recv().ok(),
            Some(at) => match inbox.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(msg) => Some(msg),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    flush(&mut file, &mut batch, &mut waiters);
                    due = None;
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => None,
            },
        };
        let Some(first) = first else { break };
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Append(bytes, done) => {
                    batch.extend_from_slice(&bytes);
                    waiters.push(done);
                }
                Msg::Later(bytes) => {
                    batch.extend_from_slice(&bytes);
                    due.get_or_insert_with(|| Instant::now() + LATER_WITHIN);
                }
                Msg::Switch(new_file, done) => {
                    flush(&mut file, &mut batch, &mut waiters);
                    file = new_file;
                    done.send(Ok(()));
                }
            }
            if batch.len() >= MAX_BATCH {
                flush(&mut file, &mut batch, &mut waiters);
            }
            next = inbox.try_recv().ok();
        }
        if !waiters.is_empty() {
            flush(&mut file, &mut batch, &mut waiters);
        }
        if batch.is_empty() {
            due = None;
        }
    }
    flush(&mut file, &mut batch, &mut waiters);
}

/// Writes and syncs a batch, answering its writers; a failed write is cut
/// back off the file.
fn flush(file: &mut File, batch: &mut Vec<u8>, waiters: &mut Vec<Answer>) {
    if waiters.is_empty() && batch.is_empty() {
        return;
    }
    let result = file
        .metadata()
        .map(|m| m.len())
        .and_then(|before| {
            file.write_all(batch)
                .and_then(|()| file.sync_data())
                .inspect_err(|_| {
                    let _ = file.set_len(before);
                })
        })
        .map_err(Arc::new);
    batch.clear();
    for done in waiters.drain(..) {
        done.send(result.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_land_in_order_and_switch_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("a.log");
        let log = GroupLog::start("test-log", &first, open_append(&first).unwrap()).unwrap();
        let pending: Vec<Pending> = (0..100)
            .map(|i| log.append(format!("{i}\n").into_bytes()))
            .collect();
        for p in pending {
            wait(p).unwrap();
        }
        let second = dir.path().join("b.log");
        log.switch(&second).unwrap();
        wait(log.append(b"after\n".to_vec())).unwrap();
        assert_eq!(log.path(), second);
        let text = std::fs::read_to_string(&first).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 100);
        assert_eq!(lines[99], "99");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "after\n");
    }

    #[test]
    fn a_continuation_runs_once_the_write_is_done_whenever_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let log = GroupLog::start("test-log", &path, open_append(&path).unwrap()).unwrap();
        let (seen, outcomes) = mpsc::channel();
        let early = log.append(b"one\n".to_vec());
        let on_disk = path.clone();
        let tx = seen.clone();
        early.then(move |written| {
            let text = std::fs::read_to_string(&on_disk).unwrap();
            tx.send((written.is_ok(), text.starts_with("one\n")))
                .unwrap();
        });
        let late = log.append(b"two\n".to_vec());
        wait(log.append(Vec::new())).unwrap();
        late.then(move |written| seen.send((written.is_ok(), true)).unwrap());
        assert_eq!(
            outcomes.recv().unwrap(),
            (true, true),
            "ran after the write"
        );
        assert_eq!(outcomes.recv().unwrap(), (true, true), "ran when given");
    }

    #[test]
    fn a_write_nobody_answers_fails_its_waiter() {
        let (answer, waiting) = pending();
        drop(answer);
        let err = wait(waiting).unwrap_err();
        assert!(err.to_string().contains("writer thread stopped"), "{err}");
    }

    #[test]
    fn bytes_nobody_waits_for_are_written_soon_and_on_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let log = GroupLog::start("test-log", &path, open_append(&path).unwrap()).unwrap();
        log.append_later(b"one\n".to_vec());
        let started = std::time::Instant::now();
        while std::fs::read_to_string(&path).unwrap() != "one\n" {
            assert!(started.elapsed() < Duration::from_secs(5), "never written");
            thread::sleep(Duration::from_millis(5));
        }
        log.append_later(b"two\n".to_vec());
        drop(log);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
    }
}
