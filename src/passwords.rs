//! Argon2id hashing on the blocking pool, with a cap on how many hashes run at once.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::PasswordSettings;
use crate::domain::Password;
use crate::error::ApiError;

/// Outcome of checking a password against a stored hash.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// Matches; `rehash` is set when the stored hash was made with other parameters than the current ones.
    Yes {
        rehash: bool,
    },
    No,
}

/// The hasher shared by all workers.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    // Each hash holds `memory_kib` of RAM for tens of milliseconds: a flood must queue, not allocate.
    permits: Arc<Semaphore>,
    // Verified against when the email is unknown, so that case costs what a wrong password costs.
    dummy_hash: Arc<str>,
}

impl Passwords {
    /// Builds the hasher and its dummy hash (one hash's worth of work, done once at start-up).
    pub fn new(settings: &PasswordSettings) -> Result<Self, String> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| format!("argon2 parameters: {e}"))?;
        let mut seed = [0u8; 32];
        rand::fill(&mut seed);
        let dummy_hash = hasher(&params)
            .hash_password(&seed)
            .map_err(|e| format!("argon2: {e}"))?
            .to_string();
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(settings.max_concurrent_hashes)),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Checks the policy for a new password and hashes it, both off the async workers.
    pub async fn hash_new(&self, password: Password, email: String) -> Result<String, ApiError> {
        let params = self.params.clone();
        self.blocking(move || {
            password.check_policy(&email)?;
            hash(&params, &password)
        })
        .await
    }

    /// Hashes an already-accepted password with the current parameters (no policy check).
    pub async fn rehash(&self, password: Password) -> Result<String, ApiError> {
        let params = self.params.clone();
        self.blocking(move || hash(&params, &password)).await
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no stored hash.
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<Verified, ApiError> {
        let params = self.params.clone();
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        self.blocking(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                tracing::error!("a stored password hash is not a PHC string");
                return Ok(Verified::No);
            };
            // The hash carries its own parameters; verification uses those, not ours.
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(match (known && matches, Params::try_from(&parsed)) {
                (false, _) => Verified::No,
                (true, Ok(old)) => Verified::Yes {
                    rehash: !same_cost(&old, &params) || !is_argon2id(&parsed),
                },
                (true, Err(_)) => Verified::Yes { rehash: true },
            })
        })
        .await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let span = tracing::Span::current();
        actix_web::web::block(move || span.in_scope(work)).await?
    }
}

fn hasher(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash(params: &Params, password: &Password) -> Result<String, ApiError> {
    let phc = hasher(params)
        .hash_password(password.as_bytes())
        .map_err(ApiError::internal)?;
    Ok(phc.to_string())
}

fn same_cost(a: &Params, b: &Params) -> bool {
    (a.m_cost(), a.t_cost(), a.p_cost()) == (b.m_cost(), b.t_cost(), b.p_cost())
}

fn is_argon2id(hash: &PasswordHash) -> bool {
    hash.algorithm.as_str() == "argon2id"
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
        let phc = hasher(&params).hash_password(b"x").unwrap().to_string();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }
}
