//! Argon2id cost and how many hashes may run or wait at once.

use super::vars::{ConfigError, Vars, cpu_count};

/// Argon2id cost and how many hashes may run at once.
#[derive(Debug, Clone)]
pub struct PasswordSettings {
    /// Argon2id memory cost per hash, in KiB.
    pub memory_kib: u32,
    /// Argon2id time cost (passes over the memory).
    pub iterations: u32,
    /// Argon2id lanes.
    pub parallelism: u32,
    /// Hashing threads; each keeps one block of `memory_kib` for good.
    pub max_concurrent_hashes: usize,
    /// Hashes that may wait for a free hashing thread; beyond that a request is refused with 503 at once.
    pub max_queued_hashes: usize,
}

/// Defaults that match OWASP's argon2id recommendation (m=19456 KiB, t=2, p=1).
impl Default for PasswordSettings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            max_concurrent_hashes: cpu_count(),
            max_queued_hashes: QUEUED_HASHES_PER_THREAD * cpu_count(),
        }
    }
}

/// Default queue length per hashing thread: at about 20 ms a hash, a full queue waits about 0.6 s.
const QUEUED_HASHES_PER_THREAD: usize = 32;

impl PasswordSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let hash_threads = vars.parse("AUTHD_MAX_CONCURRENT_HASHES", cpu_count())?;
        let settings = Self {
            memory_kib: vars.parse("AUTHD_ARGON2_MEMORY_KIB", 19_456)?,
            iterations: vars.parse("AUTHD_ARGON2_ITERATIONS", 2)?,
            parallelism: vars.parse("AUTHD_ARGON2_PARALLELISM", 1)?,
            max_concurrent_hashes: hash_threads,
            max_queued_hashes: vars.parse(
                "AUTHD_MAX_QUEUED_HASHES",
                QUEUED_HASHES_PER_THREAD * hash_threads,
            )?,
        };
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.parallelism == 0 || self.iterations == 0 {
            return Err(ConfigError::new(
                "AUTHD_ARGON2_ITERATIONS",
                "iterations and parallelism must be at least 1",
            ));
        }
        if argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, None).is_err() {
            return Err(ConfigError::new(
                "AUTHD_ARGON2_MEMORY_KIB",
                "must be at least 8 KiB per lane of parallelism",
            ));
        }
        // Each hashing thread keeps one argon2 block (memory_kib) for good.
        if self.max_concurrent_hashes == 0 || self.max_concurrent_hashes > 256 {
            return Err(ConfigError::new(
                "AUTHD_MAX_CONCURRENT_HASHES",
                "must be between 1 and 256",
            ));
        }
        if self.max_queued_hashes > 100_000 {
            return Err(ConfigError::new(
                "AUTHD_MAX_QUEUED_HASHES",
                "must be at most 100000",
            ));
        }
        Ok(())
    }
}
