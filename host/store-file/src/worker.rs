//! The store's own thread: async callers hand it the in-memory step of an
//! operation (the state lock, the policy plugin) and wait for the answer
//! without holding an async thread; the disk wait follows on their side.
//! One thread in order, so that a thousand claimers are not a thousand
//! threads contending for the lock. A change's answer comes once, after
//! its journal write: the step hands it to the writer's continuation, so
//! the waiting task is woken once, not once for the step and again for the
//! disk.

use std::{path::Path, sync::mpsc};

use numbot_core::StoreError;

use crate::{journal::Seq, log};

type Job = Box<dyn FnOnce() + Send>;

/// The handle to the store's thread; the thread ends with the last handle.
pub(crate) struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts the thread.
    pub(crate) fn start(dir: &Path) -> Result<Worker, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("numbot-store".into())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    job();
                }
            })
            .map_err(StoreError::io(dir))?;
        Ok(Worker { jobs })
    }

    /// Runs `job` on the store's thread and waits for its answer.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = answer.send(job());
            }))
            .map_err(|_| StoreError::Stopped("its thread is gone".into()))?;
        answered
            .await
            .map_err(|_| StoreError::Stopped("its thread dropped an answer".into()))?
    }

    /// Runs `job` on the store's thread and waits for its answer and for
    /// the journal write it made: the value with the write's outcome.
    pub(crate) async fn run_written<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<(T, Seq), StoreError> + Send + 'static,
    ) -> Result<(T, std::io::Result<()>), StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || match job() {
                Ok((value, Some(pending))) => pending.then(move |outcome| {
                    let _ = answer.send(Ok((value, log::written(outcome))));
                }),
                Ok((value, None)) => {
                    let _ = answer.send(Ok((value, Ok(()))));
                }
                Err(e) => {
                    let _ = answer.send(Err(e));
                }
            }))
            .map_err(|_| StoreError::Stopped("its thread is gone".into()))?;
        answered
            .await
            .map_err(|_| StoreError::Stopped("its thread dropped an answer".into()))?
    }
}
