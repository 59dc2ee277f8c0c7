//! Per-client-IP request budgets (`AUTHD_RATE_LIMIT_<ROUTE>_IP=N/sec|min|hour`) and the switch that turns them
//! all off (`AUTHD_RATE_LIMITS=off`, for benchmarks); with `AUTHD_REDIS_URL` the counters live in Redis.

use std::num::NonZeroU32;
use std::time::Duration;

use super::redis::RedisSettings;
use super::vars::{ConfigError, Vars};

/// At most `count` requests per `window`: a burst of `count`, refilled evenly over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub window: Duration,
}

impl Rate {
    const fn per_minute(count: u32) -> Self {
        Self {
            count: NonZeroU32::new(count).unwrap(),
            window: Duration::from_secs(60),
        }
    }

    const fn per_hour(count: u32) -> Self {
        Self {
            count: NonZeroU32::new(count).unwrap(),
            window: Duration::from_secs(3600),
        }
    }

    /// `20/min`; also `/s`, `/sec`, `/second`, `/m`, `/minute`, `/h`, `/hr`, `/hour`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (count, unit) = raw.split_once('/')?;
        let count = count.trim().parse::<u32>().ok().and_then(NonZeroU32::new)?;
        let seconds = match unit.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hr" | "hour" => 3600,
            _ => return None,
        };
        Some(Self {
            count,
            window: Duration::from_secs(seconds),
        })
    }
}

/// The budgets, one per limited route, each per client IP (an IPv6 client's whole /64 shares one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// False with `AUTHD_RATE_LIMITS=off`: nothing is limited.
    pub enabled: bool,
    pub signup_ip: Rate,
    pub login_ip: Rate,
    pub refresh_ip: Rate,
    pub logout_ip: Rate,
    pub password_ip: Rate,
    /// The routes that send mail (reset, verification resend, email change).
    pub mail_ip: Rate,
    /// The routes that take a mailed token (verify-email, reset confirm).
    pub email_token_ip: Rate,
    /// Social login: start, callback, code exchange and link start, together.
    pub oauth_ip: Rate,
    /// Failed logins per (IP, account) that pass freely; after them the delay doubles, up to the window.
    pub login_ip_account: Rate,
    /// Failed logins per account from every client together; beyond it the account's login waits, except for
    /// clients that present a device token of that account.
    pub login_account: Rate,
    /// Failed logins per device token (a client that bypasses the account ceiling has this one of its own).
    pub login_device: Rate,
    /// Distinct device tokens of one account honoured per window (`AUTHD_DEVICE_TOKENS_PER_ACCOUNT`): beyond
    /// them a device token is ignored and the login spends the account's ceiling, so collected device tokens
    /// cannot each bring a failure budget of their own.
    pub device_tokens_per_account: Rate,
    /// Where the counters are shared with other instances; `None`: in this process only.
    pub redis: Option<RedisSettings>,
    /// `POST /v1/auth/mfa` per client IP.
    pub mfa_ip: Rate,
    /// The signed-in MFA routes (enrol, confirm, disable, recovery codes, status) per client IP.
    pub mfa_manage_ip: Rate,
    /// Wrong second-factor codes per account, from every client and route together; beyond it every code of
    /// the account is refused until the count fades (a 6-digit code must not be guessable at scale).
    pub mfa_account: Rate,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            signup_ip: Rate::per_minute(30),
            login_ip: Rate::per_minute(20),
            refresh_ip: Rate::per_minute(60),
            logout_ip: Rate::per_minute(60),
            password_ip: Rate::per_minute(10),
            mail_ip: Rate::per_minute(10),
            email_token_ip: Rate::per_minute(20),
            oauth_ip: Rate::per_minute(30),
            login_ip_account: Rate::per_hour(10),
            login_account: Rate::per_hour(100),
            login_device: Rate::per_hour(10),
            device_tokens_per_account: Rate::per_hour(5),
            redis: None,
            mfa_ip: Rate::per_minute(10),
            mfa_manage_ip: Rate::per_minute(30),
            mfa_account: Rate::per_hour(10),
        }
    }
}

impl RateLimitSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let enabled = match vars.string("AUTHD_RATE_LIMITS", "on").trim() {
            "on" => true,
            "off" => false,
            other => {
                return Err(ConfigError::new(
                    "AUTHD_RATE_LIMITS",
                    format!("expected on or off, got {other:?}"),
                ));
            }
        };
        Ok(Self {
            enabled,
            signup_ip: rate(vars, "AUTHD_RATE_LIMIT_SIGNUP_IP", defaults.signup_ip)?,
            login_ip: rate(vars, "AUTHD_RATE_LIMIT_LOGIN_IP", defaults.login_ip)?,
            refresh_ip: rate(vars, "AUTHD_RATE_LIMIT_REFRESH_IP", defaults.refresh_ip)?,
            logout_ip: rate(vars, "AUTHD_RATE_LIMIT_LOGOUT_IP", defaults.logout_ip)?,
            password_ip: rate(vars, "AUTHD_RATE_LIMIT_PASSWORD_IP", defaults.password_ip)?,
            mail_ip: rate(vars, "AUTHD_RATE_LIMIT_MAIL_IP", defaults.mail_ip)?,
            email_token_ip: rate(
                vars,
                "AUTHD_RATE_LIMIT_EMAIL_TOKEN_IP",
                defaults.email_token_ip,
            )?,
            oauth_ip: rate(vars, "AUTHD_RATE_LIMIT_OAUTH_IP", defaults.oauth_ip)?,
            login_ip_account: rate(
                vars,
                "AUTHD_RATE_LIMIT_LOGIN_IP_ACCOUNT",
                defaults.login_ip_account,
            )?,
            login_account: rate(
                vars,
                "AUTHD_RATE_LIMIT_LOGIN_ACCOUNT",
                defaults.login_account,
            )?,
            login_device: rate(vars, "AUTHD_RATE_LIMIT_LOGIN_DEVICE", defaults.login_device)?,
            device_tokens_per_account: rate(
                vars,
                "AUTHD_DEVICE_TOKENS_PER_ACCOUNT",
                defaults.device_tokens_per_account,
            )?,
            redis: RedisSettings::read(vars)?,
            mfa_ip: rate(vars, "AUTHD_RATE_LIMIT_MFA_IP", defaults.mfa_ip)?,
            mfa_manage_ip: rate(
                vars,
                "AUTHD_RATE_LIMIT_MFA_MANAGE_IP",
                defaults.mfa_manage_ip,
            )?,
            mfa_account: rate(vars, "AUTHD_RATE_LIMIT_MFA_ACCOUNT", defaults.mfa_account)?,
        })
    }
}

fn rate(vars: &Vars<'_>, name: &'static str, default: Rate) -> Result<Rate, ConfigError> {
    match vars.raw(name) {
        None => Ok(default),
        Some(raw) => Rate::parse(&raw).ok_or_else(|| {
            ConfigError::new(
                name,
                format!("expected N/sec, N/min or N/hour with N > 0, got {raw:?}"),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_count_and_unit() {
        let rate = |raw| Rate::parse(raw).map(|r| (r.count.get(), r.window.as_secs()));
        assert_eq!(rate("20/min"), Some((20, 60)));
        assert_eq!(rate(" 5 / sec "), Some((5, 1)));
        assert_eq!(rate("100/hour"), Some((100, 3600)));
        assert_eq!(rate("3/M"), Some((3, 60)));
        for bad in [
            "0/min",
            "20",
            "20/day",
            "-1/min",
            "x/min",
            "/min",
            "99999999999/s",
        ] {
            assert_eq!(rate(bad), None, "{bad}");
        }
    }

    fn read(pairs: &[(&str, &str)]) -> Result<RateLimitSettings, ConfigError> {
        RateLimitSettings::read(&Vars(&super::super::vars::fake(pairs)))
    }

    #[test]
    fn limits_are_on_unless_turned_off() {
        assert_eq!(read(&[]).unwrap(), RateLimitSettings::default());
        assert!(!read(&[("AUTHD_RATE_LIMITS", "off")]).unwrap().enabled);
        let login = read(&[("AUTHD_RATE_LIMIT_LOGIN_IP", "3/min")])
            .unwrap()
            .login_ip;
        assert_eq!(login.count.get(), 3);
        assert_eq!(
            read(&[("AUTHD_RATE_LIMITS", "no")]).unwrap_err().var,
            "AUTHD_RATE_LIMITS"
        );
        let err = read(&[("AUTHD_RATE_LIMIT_SIGNUP_IP", "lots")]).unwrap_err();
        assert_eq!(err.var, "AUTHD_RATE_LIMIT_SIGNUP_IP");
    }
}
