//! Start-up warnings: settings that parse but probably do not do what the operator meant (a misspelt name,
//! a provider's variables without the provider, an issuer nobody can reach, cookies browsers will drop).

use std::net::IpAddr;

use url::{Host, Url};

use super::known::{self, SETTINGS, TEST_PREFIX};
use super::{ProviderKind, Settings};

impl Settings {
    /// What looks wrong, one sentence each; `set` names the variables in the environment.
    pub fn warnings<'a>(&self, set: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut warnings: Vec<String> =
            set.into_iter().filter_map(|var| self.unread(var)).collect();
        let issuer = Url::parse(&self.tokens.issuer).ok();
        let host = issuer.as_ref().and_then(Url::host);
        if host
            .as_ref()
            .and_then(ip)
            .is_some_and(|ip| ip.is_unspecified())
        {
            warnings.push(format!(
                "the issuer is {}, an address no client can reach (AUTHD_ISSUER defaults to http://AUTHD_BIND): \
                 set AUTHD_ISSUER to the URL clients use",
                self.tokens.issuer
            ));
        }
        let local = host.as_ref().is_some_and(is_local);
        if issuer.is_some_and(|u| u.scheme() == "http") && !local {
            warnings.push(format!(
                "AUTHD_ISSUER is {} (plain HTTP): browsers drop cookie mode's Secure refresh cookie there; \
                 serve authd over HTTPS",
                self.tokens.issuer
            ));
        }
        warnings
    }

    /// A warning when `var` is an `AUTHD_*` variable that nothing reads.
    fn unread(&self, var: &str) -> Option<String> {
        if !var.starts_with("AUTHD_") || var.starts_with(TEST_PREFIX) || SETTINGS.contains(&var) {
            return None;
        }
        if let Some(name) = known::provider_of(var) {
            let listed = self.social.providers.iter().any(|p| {
                matches!(p.kind, ProviderKind::Oidc { .. })
                    && p.name.to_ascii_uppercase().replace('-', "_") == name
            });
            return (!listed).then(|| {
                format!(
                    "{var} is set, but no provider {} is listed in AUTHD_OIDC_PROVIDERS: it is ignored",
                    name.to_ascii_lowercase()
                )
            });
        }
        let nearest = SETTINGS
            .iter()
            .map(|known| (edit_distance(var, known), *known))
            .min()
            .filter(|(distance, _)| *distance <= 2 + var.len() / 10);
        Some(match nearest {
            Some((_, known)) => {
                format!("{var} is not a setting authd reads; did you mean {known}?")
            }
            None => format!("{var} is not a setting authd reads; it is ignored"),
        })
    }
}

fn ip(host: &Host<&str>) -> Option<IpAddr> {
    match host {
        Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        Host::Domain(_) => None,
    }
}

fn is_local(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => *name == "localhost",
        _ => ip(host).is_some_and(|ip| ip.is_loopback()),
    }
}

/// Levenshtein distance (the names are short ASCII, so bytes are characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::super::vars::fake;
    use super::*;

    fn warnings(pairs: &[(&str, &str)]) -> Vec<String> {
        let settings = Settings::from_lookup(fake(pairs)).unwrap();
        settings.warnings(pairs.iter().map(|(k, _)| *k))
    }

    #[test]
    fn a_misspelt_setting_names_the_nearest_one() {
        let w = warnings(&[("AUTHD_BND", "127.0.0.1:9000")]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("AUTHD_BND") && w[0].contains("did you mean AUTHD_BIND?"),
            "{w:?}"
        );
        let w = warnings(&[("AUTHD_ACESS_TTL", "5m")]);
        assert!(w[0].contains("did you mean AUTHD_ACCESS_TTL?"), "{w:?}");
        let w = warnings(&[("AUTHD_SOMETHING_ELSE_ENTIRELY", "1")]);
        assert!(
            w[0].contains("is not a setting") && !w[0].contains("did you mean"),
            "{w:?}"
        );
        assert!(warnings(&[("AUTHD_TEST_POSTGRES_URL", "x"), ("HOME", "/")]).is_empty());
        assert!(warnings(&[("AUTHD_BIND", "127.0.0.1:9000")]).is_empty());
    }

    #[test]
    fn provider_variables_need_their_provider() {
        let w = warnings(&[("AUTHD_OIDC_GOOGLE_ISSUER", "https://accounts.google.com")]);
        assert!(
            w[0].contains("AUTHD_OIDC_PROVIDERS") && w[0].contains("google"),
            "{w:?}"
        );
        let listed = [
            ("AUTHD_OIDC_PROVIDERS", "google"),
            ("AUTHD_OIDC_GOOGLE_ISSUER", "https://accounts.google.com"),
            ("AUTHD_OIDC_GOOGLE_CLIENT_ID", "c"),
            ("AUTHD_REDIRECT_URIS", "https://app.example.com/cb"),
        ];
        assert!(warnings(&listed).is_empty(), "{:?}", warnings(&listed));
    }

    #[test]
    fn an_unreachable_issuer_and_plain_http_cookies_are_flagged() {
        let w = warnings(&[("AUTHD_BIND", "0.0.0.0:8080")]);
        assert!(w.iter().any(|w| w.contains("http://0.0.0.0:8080")), "{w:?}");
        let w = warnings(&[("AUTHD_ISSUER", "http://auth.example.com")]);
        assert!(w.iter().any(|w| w.contains("HTTPS")), "{w:?}");
        assert!(warnings(&[("AUTHD_ISSUER", "https://auth.example.com")]).is_empty());
        assert!(warnings(&[("AUTHD_ISSUER", "http://localhost:8080")]).is_empty());
    }
}
