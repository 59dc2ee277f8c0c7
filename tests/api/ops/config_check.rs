//! `authd config check` (the effective settings, secrets hidden; exit codes for a pipeline) and a CLI that creates
//! nothing by accident. No database is reached, so these run once.

use crate::helpers::authd;

#[test]
fn config_check_prints_the_settings_without_secrets() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let secrets = [
        "pgsecret1",
        "smtpsecret2",
        "redissecret3",
        "clientsecret4",
        "ghsecret5",
    ];
    let hmac = "base64:q3J0c1+Vf8k2mXbW9zTnL4hR6yPaE1uDgOiC7sKvBjQ=";
    let vars = [
        ("AUTHD_DATA_DIR", data_dir.to_str().unwrap()),
        (
            "AUTHD_DATABASE_URL",
            "postgres://authd:pgsecret1@db.internal:5433/authd",
        ),
        (
            "AUTHD_SMTP_URL",
            "smtp://mailer:smtpsecret2@mail.example.com:587",
        ),
        ("AUTHD_REDIS_URL", "redis://:redissecret3@cache:6379"),
        ("AUTHD_OIDC_PROVIDERS", "corp"),
        ("AUTHD_OIDC_CORP_ISSUER", "https://sso.example.com"),
        ("AUTHD_OIDC_CORP_CLIENT_ID", "authd"),
        ("AUTHD_OIDC_CORP_CLIENT_SECRET", "clientsecret4"),
        ("AUTHD_GITHUB_CLIENT_ID", "gh"),
        ("AUTHD_GITHUB_CLIENT_SECRET", "ghsecret5"),
        ("AUTHD_REDIRECT_URIS", "https://app.example.com/cb"),
        ("AUTHD_ACCESS_TOKEN_ALG", "HS256"),
        ("AUTHD_HS256_SECRET", hmac),
    ];
    let exit = authd(vars).run(&["config", "check"]);
    assert_eq!(exit.code, 0, "{}", exit.stderr);
    let all = format!("{}{}", exit.stdout, exit.stderr);
    for secret in secrets.iter().chain([&"q3J0c1"]) {
        assert!(!all.contains(secret), "{secret} shown: {all}");
    }
    for shown in [
        "store: postgres:db.internal:5433/authd",
        "mail: smtp://mail.example.com:587",
        "redis: on (cache)",
        "providers: corp (oidc), github",
    ] {
        assert!(exit.stdout.contains(shown), "{shown}: {}", exit.stdout);
    }
    assert!(exit.stdout.contains("access_ttl: 900s"), "{}", exit.stdout);
    assert!(
        !data_dir.exists(),
        "config check wrote {}",
        data_dir.display()
    );
}

#[test]
fn config_check_exits_non_zero_on_an_error_and_with_strict_on_a_warning() {
    let bad = authd([("AUTHD_ISSUER", "auth.example.com")]).run(&["config", "check"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("AUTHD_ISSUER"), "{}", bad.stderr);
    let typo = [("AUTHD_BND", "127.0.0.1:9000")];
    let lenient = authd(typo).run(&["config", "check"]);
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);
    for line in [
        "store: sqlite:./data/authd.db (not there",
        "key ring: ./data (not there",
    ] {
        assert!(lenient.stdout.contains(line), "{line}: {}", lenient.stdout);
    }
    assert!(
        lenient.stdout.contains("warning: AUTHD_BND"),
        "{}",
        lenient.stdout
    );
    let strict = authd(typo).run(&["config", "check", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    assert_eq!(
        authd([("AUTHD_BIND", "127.0.0.1:9000")])
            .run(&["config", "check", "--strict"])
            .code,
        0
    );
}

#[test]
fn admin_keys_from_the_wrong_directory_creates_nothing() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("data");
    let exit = authd([("AUTHD_DATA_DIR", data_dir.to_str().unwrap())]).run(&["admin-keys", "list"]);
    assert_ne!(exit.code, 0, "{}", exit.stdout);
    let looked = data_dir.join("authd.db");
    assert!(
        exit.stderr.contains(&*looked.to_string_lossy()),
        "{}",
        exit.stderr
    );
    assert!(
        exit.stderr.contains("AUTHD_DATABASE_URL"),
        "{}",
        exit.stderr
    );
    assert!(
        !data_dir.exists(),
        "admin-keys created {}",
        data_dir.display()
    );
}
