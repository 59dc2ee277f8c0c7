//! What is limited (a route's budget, named by its policy), what a refusal says, and whose budget a request
//! spends (the address, or an IPv6 client's /64).

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use governor::Quota;

use crate::config::{Rate, RateLimitSettings};

/// The limited routes, one budget each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Signup,
    Login,
    Refresh,
    Logout,
    Password,
    /// `POST /v1/auth/mfa`, the second step of a login.
    Mfa,
    /// The signed-in routes that enrol, confirm, disable or show a second factor.
    MfaManage,
    /// Routes that send mail.
    Mail,
    /// Routes that take a mailed token.
    EmailToken,
    /// The social-login routes.
    Oauth,
}

impl Limit {
    pub(super) const ALL: [Limit; 10] = [
        Self::Signup,
        Self::Login,
        Self::Refresh,
        Self::Logout,
        Self::Password,
        Self::Mfa,
        Self::MfaManage,
        Self::Mail,
        Self::EmailToken,
        Self::Oauth,
    ];

    /// The policy's name in the `RateLimit-Policy` and `RateLimit` headers.
    pub fn policy(self) -> &'static str {
        match self {
            Self::Signup => "signup-ip",
            Self::Login => "login-ip",
            Self::Refresh => "refresh-ip",
            Self::Logout => "logout-ip",
            Self::Password => "password-ip",
            Self::Mfa => "mfa-ip",
            Self::MfaManage => "mfa-manage-ip",
            Self::Mail => "mail-ip",
            Self::EmailToken => "email-token-ip",
            Self::Oauth => "oauth-ip",
        }
    }

    pub(super) fn rate(self, settings: &RateLimitSettings) -> Rate {
        match self {
            Self::Signup => settings.signup_ip,
            Self::Login => settings.login_ip,
            Self::Refresh => settings.refresh_ip,
            Self::Logout => settings.logout_ip,
            Self::Password => settings.password_ip,
            Self::Mfa => settings.mfa_ip,
            Self::MfaManage => settings.mfa_manage_ip,
            Self::Mail => settings.mail_ip,
            Self::EmailToken => settings.email_token_ip,
            Self::Oauth => settings.oauth_ip,
        }
    }
}

/// A refused request: which policy, its quota, and when the next request may pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub policy: &'static str,
    pub quota: u32,
    pub window: Duration,
    pub retry_after: Duration,
}

impl Limited {
    pub(super) fn new(policy: &'static str, rate: Rate, retry_after: Duration) -> Self {
        Self {
            policy,
            quota: rate.count.get(),
            window: rate.window,
            retry_after,
        }
    }
}

/// A burst of `count`, one more every `window / count`.
pub(super) fn quota(rate: Rate) -> Quota {
    Quota::with_period(period(rate))
        .unwrap_or_else(|| Quota::per_second(rate.count))
        .allow_burst(rate.count)
}

/// The time one request of the budget takes to come back.
pub(super) fn period(rate: Rate) -> Duration {
    rate.window / rate.count.get()
}

/// The budget's key: the address, except that an IPv6 client is its /64 (one host usually has a whole /64, so
/// per-address budgets would be endless).
pub(super) fn key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}
