//! Which peers are reverse proxies whose `X-Forwarded-For` is believed (`AUTHD_TRUSTED_PROXIES`).

use std::net::IpAddr;

use ipnet::IpNet;

use super::vars::{ConfigError, Vars};

/// The networks of trusted reverse proxies; empty (the default) means every peer is a client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        Self::parse(&vars.string("AUTHD_TRUSTED_PROXIES", ""))
            .map_err(|problem| ConfigError::new("AUTHD_TRUSTED_PROXIES", problem))
    }

    /// A comma-separated list of CIDRs (`10.0.0.0/8, ::1/128`); a bare address means that one host.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("{entry:?} is not a CIDR such as 10.0.0.0/8 or ::1/128"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether `ip` (an IPv4-mapped IPv6 address counts as its IPv4 address) is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_bare_addresses_are_read() {
        let proxies = TrustedProxies::parse(" 10.0.0.0/8, 192.168.1.7 ,::1/128,").unwrap();
        assert!(proxies.contains("10.1.2.3".parse().unwrap()));
        assert!(proxies.contains("192.168.1.7".parse().unwrap()));
        assert!(!proxies.contains("192.168.1.8".parse().unwrap()));
        assert!(proxies.contains("::1".parse().unwrap()));
        assert!(proxies.contains("::ffff:10.9.9.9".parse().unwrap()));
        assert!(!proxies.contains("11.0.0.1".parse().unwrap()));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }

    #[test]
    fn garbage_is_refused() {
        for bad in ["10.0.0.0/33", "localhost", "10.0.0/8", "*", "::1/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }
}
