//! Showing settings that may hold secrets (`authd config check`, `Debug`, the start-up line): a URL keeps its
//! scheme, host and path but never its password.

use super::ProviderSettings;

/// `raw` with the password (user-info or a `password=` query parameter) replaced by `***`; a value that does not
/// parse as a URL is hidden whole, since it cannot be told apart from a secret.
pub fn url_without_password(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return "<unreadable URL, not shown>".to_owned();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k.eq_ignore_ascii_case("password") {
                "***".into()
            } else {
                v
            };
            (k.into_owned(), v.into_owned())
        })
        .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.into()
}

/// Never shows the client secret.
impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("scopes", &self.scopes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for raw in [
            "postgres://authd:hunter2@db:5432/authd",
            "postgres://authd@db/authd?password=hunter2&sslmode=require",
            "smtp://u:hunter2@mail.example.com:587",
            "not a url hunter2",
        ] {
            let shown = url_without_password(raw);
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        assert_eq!(
            url_without_password("postgres://authd:pw@db:5432/authd"),
            "postgres://authd:***@db:5432/authd"
        );
    }
}
