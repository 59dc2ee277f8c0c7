//! The links authd mails (verification, reset, address change): a secret made by `crate::secrets` (256 random
//! bits sent as base64url, stored only as their SHA-256), so the database never holds a usable link. Creating one
//! retires the older ones of its purpose (`db::email_tokens`, the rows); expired rows are deleted in the background.

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::db::email_tokens::{self, Purpose};
use crate::db::models::{EmailToken, now};
use crate::db::{AnyConnection, Db};
use crate::secrets;

/// A new token: the secret to mail, and the row that verifies it.
pub struct MailedToken {
    /// Goes into the mail, nowhere else (never logged, never stored).
    pub secret: String,
    pub row: EmailToken,
}

impl MailedToken {
    /// A fresh token for `user_id`'s `purpose`, mailed to `email`, valid for `ttl` from `now`.
    pub fn new(
        user_id: &str,
        purpose: Purpose,
        email: &str,
        now: NaiveDateTime,
        ttl: Duration,
    ) -> Self {
        let secrets::Minted { shown, stored } = secrets::mint();
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        let row = EmailToken {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user_id.to_owned(),
            purpose: purpose.as_str().to_owned(),
            token_hash: stored,
            email: email.to_owned(),
            created_at: now,
            expires_at: now.checked_add_signed(ttl).unwrap_or(NaiveDateTime::MAX),
            used_at: None,
        };
        Self { secret: shown, row }
    }

    /// Stores the row (retiring older tokens of the same purpose); returns the secret to mail.
    pub fn issue(self, conn: &mut AnyConnection) -> diesel::QueryResult<String> {
        email_tokens::issue(conn, &self.row)?;
        Ok(self.secret)
    }
}

/// The stored hash of a presented token, or `None` when it cannot be one of ours (no database lookup needed).
pub fn hash_of(presented: &str) -> Option<String> {
    secrets::digest_if_well_formed(presented)
}

/// How often expired tokens are deleted, and how many per statement.
const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);
const PRUNE_BATCH: i64 = 1_000;

/// Deletes expired tokens every `PRUNE_INTERVAL`, for as long as the returned future is polled.
pub async fn prune_forever(db: Db) {
    let mut ticks = tokio::time::interval(PRUNE_INTERVAL);
    loop {
        ticks.tick().await;
        loop {
            let at = now();
            match db
                .run(move |conn| email_tokens::delete_expired(conn, at, PRUNE_BATCH))
                .await
            {
                Ok(n) if n as i64 == PRUNE_BATCH => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "pruning expired email tokens failed");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_only_their_shape_is_accepted() {
        let a = MailedToken::new(
            "u",
            Purpose::PasswordReset,
            "a@example.com",
            now(),
            Duration::from_secs(60),
        );
        let b = MailedToken::new(
            "u",
            Purpose::PasswordReset,
            "a@example.com",
            now(),
            Duration::from_secs(60),
        );
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), secrets::RANDOM_CHARS);
        assert_eq!(hash_of(&a.secret), Some(a.row.token_hash.clone()));
        assert_ne!(a.row.token_hash, a.secret);
        assert_eq!(
            a.row.expires_at - a.row.created_at,
            chrono::Duration::seconds(60)
        );
        for bad in [
            "",
            "short",
            &format!("{}=", &a.secret[..42]),
            &format!("{}x", a.secret),
        ] {
            assert_eq!(hash_of(bad), None, "{bad}");
        }
    }
}
