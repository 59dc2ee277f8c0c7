//! The node OpenID provider (`tests/oidc/provider.mjs`) as a child process, killed (by its own handle) on drop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The provider's `redirect_uris` entry: authd's callback under the test issuer's host. The browser driver
/// sends what the provider redirects there to the test server instead.
pub const CALLBACK: &str = "http://authd.test/v1/auth/oauth/idp/callback";
/// The public URL of every test server (the test issuer), which callbacks are under.
pub const CALLBACK_BASE: &str = "http://authd.test";
pub const CLIENT_ID: &str = "authd";
pub const CLIENT_SECRET: &str = "authd-test-secret";

/// A running provider.
pub struct NodeProvider {
    pub issuer: String,
    child: Child,
}

impl NodeProvider {
    /// Starts it and waits for its issuer line. Needs `npm ci` in `tests/oidc` (CI runs it).
    pub fn start() -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc");
        assert!(
            std::path::Path::new(dir).join("node_modules").exists(),
            "run `npm ci` in tests/oidc first"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(dir)
            .env("AUTHD_CALLBACK", CALLBACK)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Keep reading: the provider logs notices later, and a closed pipe would kill it (EPIPE).
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let first: serde_json::Value = serde_json::from_str(&line).expect("the issuer line");
        let issuer = first["issuer"].as_str().unwrap().to_owned();
        Self { issuer, child }
    }

    /// authd's settings for this provider, named `idp`.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AUTHD_OIDC_PROVIDERS", "idp".into()),
            ("AUTHD_OIDC_IDP_ISSUER", self.issuer.clone()),
            ("AUTHD_OIDC_IDP_CLIENT_ID", CLIENT_ID.into()),
            ("AUTHD_OIDC_IDP_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("AUTHD_REDIRECT_URIS", super::APP_REDIRECT.into()),
            ("AUTHD_RATE_LIMITS", "off".into()),
        ]
    }
}

impl Drop for NodeProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
