//! A fixed set of hashing threads, each reusing one argon2 memory block, fed by a bounded queue.
//!
//! Why not the blocking pool: it grows to dozens of threads under a login flood, and glibc keeps each thread's
//! freed 19 MiB argon2 block in that thread's arena, so memory grew by gigabytes and never came back. Here the
//! number of blocks is the number of hashing threads, allocated once per thread on its first hash, and a full
//! queue is refused at once (503) instead of growing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Block;
use tokio::sync::oneshot;

use super::HashError;

/// Work for a hashing thread: it gets the thread's memory, `blocks` long.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// The pool; dropping the last clone lets its threads finish their queue and exit.
#[derive(Clone)]
pub struct HashPool {
    sender: SyncSender<Job>,
    /// Jobs accepted and not yet started (the queue's depth).
    queued: Arc<AtomicUsize>,
}

impl HashPool {
    /// Starts `threads` hashing threads, each with memory for `blocks` argon2 blocks, behind a queue of
    /// `capacity` waiting jobs.
    pub fn start(threads: usize, capacity: usize, blocks: usize) -> std::io::Result<Self> {
        let (sender, receiver) = sync_channel::<Job>(capacity);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("authd-hash-{n}"))
                .spawn(move || serve(&receiver, blocks))?;
        }
        Ok(Self {
            sender,
            queued: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Runs `work` on a hashing thread with that thread's memory. `Err(Overloaded)` at once when the queue is
    /// full; work whose caller has gone away by the time a thread is free is skipped.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let (reply, answer) = oneshot::channel();
        let span = tracing::Span::current();
        let queued = Arc::clone(&self.queued);
        let enqueued = Instant::now();
        let job: Job = Box::new(move |memory| {
            crate::metrics::hash_queued(queued.fetch_sub(1, Ordering::Relaxed) - 1);
            crate::metrics::hash_started(enqueued.elapsed());
            if reply.is_closed() {
                return;
            }
            let result = span.in_scope(|| work(memory));
            crate::metrics::hash_done();
            let _ = reply.send(result);
        });
        let depth = self.queued.fetch_add(1, Ordering::Relaxed) + 1;
        if let Err(error) = self.sender.try_send(job) {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(match error {
                TrySendError::Full(_) => HashError::Overloaded(RETRY_AFTER),
                TrySendError::Disconnected(_) => {
                    HashError::Failed("the hashing threads are gone".into())
                }
            });
        }
        crate::metrics::hash_queued(depth);
        // A closed reply means the job panicked (the thread survives it, see `serve`).
        answer
            .await
            .map_err(|_| HashError::Failed("a hashing job failed".into()))?
    }
}

/// What a refused caller is told to wait before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

fn serve(receiver: &Mutex<Receiver<Job>>, blocks: usize) {
    lower_priority();
    // Allocated on the first hash, not at start-up, so an idle server stays small; then reused for good.
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = {
            let receiver = receiver.lock().unwrap_or_else(|p| p.into_inner());
            receiver.recv()
        };
        let Ok(job) = job else { return };
        if memory.len() < blocks {
            memory = vec![Block::new(); blocks];
        }
        // A panic in one hash must not take a thread (and its share of capacity) away for good.
        if catch_unwind(AssertUnwindSafe(|| job(&mut memory))).is_err() {
            tracing::error!("a hashing job panicked");
        }
    }
}

/// Lowers the calling hashing thread to nice 10: when the CPUs are busy (a login flood), the HTTP workers come
/// first, so cheap requests (health checks, bearer verification) keep their latency and hashes take what is left.
#[cfg(target_os = "linux")]
fn lower_priority() {
    const HASH_THREAD_NICE: libc::c_int = 10;
    // On Linux the nice value is per thread: `who = 0` with PRIO_PROCESS means the calling thread.
    // SAFETY: setpriority only reads its integer arguments; failure is reported through the return value.
    let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, HASH_THREAD_NICE) };
    if result != 0 {
        tracing::warn!("could not lower the priority of a hashing thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_full_queue_is_refused_at_once() {
        let pool = HashPool::start(1, 1, 1).unwrap();
        let (started, running) = std::sync::mpsc::channel::<()>();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        // One job occupies the only thread, one fills the queue; the third is refused.
        let busy = {
            let pool = pool.clone();
            actix_web::rt::spawn(async move {
                pool.run(move |_| {
                    started.send(()).unwrap();
                    wait.recv().unwrap();
                    Ok(1)
                })
                .await
            })
        };
        while running.try_recv().is_err() {
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
        let queued = {
            let pool = pool.clone();
            actix_web::rt::spawn(async move { pool.run(|_| Ok(2)).await })
        };
        while pool.queued.load(Ordering::Relaxed) == 0 {
            actix_web::rt::time::sleep(Duration::from_millis(5)).await;
        }
        let refused = pool.run(|_| Ok(3)).await;
        assert!(matches!(refused, Err(HashError::Overloaded(_))));
        release.send(()).unwrap();
        assert_eq!(busy.await.unwrap().unwrap(), 1);
        assert_eq!(queued.await.unwrap().unwrap(), 2);
    }

    #[actix_web::test]
    async fn a_panicking_job_fails_alone() {
        let pool = HashPool::start(1, 4, 1).unwrap();
        let failed = pool
            .run(|_| -> Result<(), HashError> { panic!("boom") })
            .await;
        assert!(matches!(failed, Err(HashError::Failed(_))));
        assert_eq!(pool.run(|memory| Ok(memory.len())).await.unwrap(), 1);
    }
}
