//! What every handler and middleware shares, built once at start-up. A feature that needs shared state adds a
//! field here; handlers take `web::Data<AppState>`.

use std::sync::Arc;

use crate::audit::Audit;
use crate::config::{EmailSettings, MfaSettings, SessionSettings, Settings, TrustedProxies};
use crate::cookies::CookiePolicy;
use crate::db::Db;
use crate::keys::SecretBox;
use crate::mail::Mailer;
use crate::mfa::Factors;
use crate::passwords::Passwords;
use crate::rate_limits::RateLimits;
use crate::recent_users::RecentUsers;
use crate::revocations::Revocations;
use crate::social::SocialLogin;
use crate::tokens::Tokens;

/// The application's shared state; one instance behind a `web::Data` serves every worker.
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// The hashing threads.
    pub passwords: Passwords,
    /// The key ring: minting and verifying tokens.
    pub tokens: Tokens,
    /// Session lifetimes and the refresh rules.
    pub sessions: SessionSettings,
    /// Revoked sessions, in memory; shared with the background poll and the metrics listener.
    pub revocations: Arc<Revocations>,
    /// The refresh cookie and its CSRF rules.
    pub cookies: CookiePolicy,
    /// Exact origins allowed to call from a browser (CORS).
    pub allowed_origins: Vec<String>,
    /// The `/v1/me` cache.
    pub recent_users: RecentUsers,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see `client_ip`).
    pub trusted_proxies: TrustedProxies,
    /// Per-client-IP budgets; shared with the background sweep.
    pub rate_limits: Arc<RateLimits>,
    /// The queue of audit events that record no change (failed logins, rate-limit hits).
    pub audit: Audit,
    /// Seals TOTP secrets at rest (`mfa.key` in the key directory).
    pub secret_box: SecretBox,
    /// The TOTP issuer name and the mfa_token lifetime.
    pub mfa: MfaSettings,
    /// The mail queue's sending end, the templates and the per-address cooldown.
    pub mailer: Mailer,
    /// Verification and reset rules.
    pub email: EmailSettings,
    /// Social login: the providers and the app redirect URIs.
    pub social: SocialLogin,
}

impl AppState {
    /// What the second-factor rules use, borrowed at the edge.
    pub fn factors(&self) -> Factors<'_> {
        Factors {
            db: &self.db,
            rate_limits: &self.rate_limits,
            secret_box: &self.secret_box,
            passwords: &self.passwords,
            mailer: &self.mailer,
        }
    }

    /// Assembles the state from the settings and the parts start-up already built.
    pub fn new(
        settings: &Settings,
        db: Db,
        passwords: Passwords,
        tokens: Tokens,
        revocations: Arc<Revocations>,
        secret_box: SecretBox,
        mailer: Mailer,
    ) -> Self {
        Self {
            db,
            passwords,
            tokens,
            sessions: settings.sessions.clone(),
            revocations,
            cookies: CookiePolicy::new(
                settings.browser.cookie_secure,
                &settings.browser.cors_origins,
                &settings.tokens.issuer,
            ),
            allowed_origins: settings.browser.cors_origins.clone(),
            recent_users: RecentUsers::new(),
            trusted_proxies: settings.trusted_proxies.clone(),
            rate_limits: Arc::new(RateLimits::new(&settings.rate_limits)),
            audit: Audit::new(&settings.audit),
            secret_box,
            mfa: settings.mfa.clone(),
            mailer,
            email: settings.email.clone(),
            social: SocialLogin::new(&settings.social),
        }
    }
}
