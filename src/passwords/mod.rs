//! Argon2id hashing on a fixed pool of hashing threads (see `pool`), with a bounded queue in front.

mod codes;
mod phc;
mod pool;

use argon2::Params;

use crate::config::PasswordSettings;
use crate::domain::{Password, PasswordError};
use pool::HashPool;

/// Outcome of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// Matches; `rehash` is set when the stored hash was made with other parameters than the current ones.
    Yes {
        rehash: bool,
    },
    No,
}

/// Why hashing or verifying did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The queue is full; the caller should retry after the given time.
    #[error("the hashing queue is full")]
    Overloaded(std::time::Duration),
    /// A new password failed the policy.
    #[error(transparent)]
    Rejected(#[from] PasswordError),
    #[error("{0}")]
    Failed(String),
}

/// The hasher shared by all workers.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    pool: HashPool,
    // Verified against when the email is unknown, so that case costs what a wrong password costs.
    stand_in: std::sync::Arc<str>,
}

impl Passwords {
    /// Starts the hashing threads (`max_concurrent_hashes` of them, behind a queue of `max_queued_hashes`).
    pub fn new(settings: &PasswordSettings) -> Result<Self, String> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| format!("argon2 parameters: {e}"))?;
        let stand_in = phc::unmatchable(&params)?.into();
        let pool = HashPool::start(
            settings.max_concurrent_hashes,
            settings.max_queued_hashes,
            params.block_count(),
        )
        .map_err(|e| format!("cannot start the hashing threads: {e}"))?;
        Ok(Self {
            params,
            pool,
            stand_in,
        })
    }

    /// Checks the policy for a new password and hashes it, both off the async workers.
    pub async fn hash_new(&self, password: Password, email: String) -> Result<String, HashError> {
        let params = self.params.clone();
        self.pool
            .run(move |memory| {
                password.check_policy(&email)?;
                phc::hash(&params, password.as_bytes(), memory).map_err(HashError::Failed)
            })
            .await
    }

    /// Hashes an already-accepted password with the current parameters (no policy check).
    pub async fn rehash(&self, password: Password) -> Result<String, HashError> {
        let params = self.params.clone();
        self.pool
            .run(move |memory| {
                phc::hash(&params, password.as_bytes(), memory).map_err(HashError::Failed)
            })
            .await
    }

    /// Verifies `password` against `stored`, or against the stand-in when there is no stored hash.
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<Verified, HashError> {
        let params = self.params.clone();
        // An empty hash is an account without a password (made by a provider login): verified like an unknown
        // account, against the stand-in, so the work and the answer are the same.
        let stored = stored.filter(|hash| !hash.is_empty());
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.stand_in.to_string());
        self.pool
            .run(move |memory| {
                // The hash carries its own parameters; verification uses those, not ours.
                Ok(match phc::verify(&stored, password.as_bytes(), memory) {
                    phc::Check::Matches {
                        params: old,
                        argon2id,
                    } if known => Verified::Yes {
                        rehash: !same_cost(&old, &params) || !argon2id,
                    },
                    phc::Check::Matches { .. } | phc::Check::Differs => Verified::No,
                    phc::Check::Unreadable => {
                        tracing::error!("a stored password hash is not an argon2 PHC string");
                        Verified::No
                    }
                })
            })
            .await
    }
}

fn same_cost(a: &Params, b: &Params) -> bool {
    (a.m_cost(), a.t_cost(), a.p_cost()) == (b.m_cost(), b.t_cost(), b.p_cost())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_are_owasp_argon2id() {
        let settings = PasswordSettings::default();
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .unwrap();
        let mut memory = vec![argon2::Block::new(); params.block_count()];
        let phc = phc::hash(&params, b"x", &mut memory).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[actix_web::test]
    async fn verify_tells_matches_and_asks_for_a_rehash_after_a_cost_change() {
        let cheap = PasswordSettings {
            memory_kib: 64,
            iterations: 1,
            ..PasswordSettings::default()
        };
        let passwords = Passwords::new(&cheap).unwrap();
        let stored = passwords.rehash(Password::new("pw")).await.unwrap();
        let check = |p: &Passwords, pw: &str, stored: Option<String>| {
            let (p, pw) = (p.clone(), Password::new(pw));
            async move { p.verify(pw, stored).await.unwrap() }
        };
        let same = Verified::Yes { rehash: false };
        assert_eq!(check(&passwords, "pw", Some(stored.clone())).await, same);
        assert_eq!(
            check(&passwords, "nope", Some(stored.clone())).await,
            Verified::No
        );
        assert_eq!(check(&passwords, "pw", None).await, Verified::No);
        // A password-less account (empty hash) matches nothing, not even the empty password.
        assert_eq!(
            check(&passwords, "", Some(String::new())).await,
            Verified::No
        );
        let raised = Passwords::new(&PasswordSettings {
            iterations: 2,
            ..cheap
        })
        .unwrap();
        assert_eq!(
            check(&raised, "pw", Some(stored)).await,
            Verified::Yes { rehash: true }
        );
    }
}
