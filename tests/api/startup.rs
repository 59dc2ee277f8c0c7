//! Start-up failures: a bad setting or an unreachable database stops the binary at once, naming the problem
//! and the variable the operator set; warnings and the start-up line; `authd config check`; a CLI that creates
//! nothing by accident. No database is ever reached, so these run once, not per backend.

use std::net::TcpListener;

use crate::helpers::authd;

/// A directory that cannot be created, even by root.
const UNWRITABLE: &str = "/proc/authd-test/dir";

/// Runs `authd` with `vars` (and the log off: the failure must show without it), expecting exit 2 and a message
/// that names `var` once (no "AUTHD_X: AUTHD_X: ...").
fn fails_naming(vars: &[(&str, &str)], var: &str) -> String {
    let vars = vars.iter().copied().chain([("AUTHD_LOG", "off")]);
    let exit = authd(vars).run(&[]);
    assert_eq!(exit.code, 2, "{var}: {}", exit.stderr);
    assert_eq!(
        exit.stderr.matches(var).count(),
        1,
        "{var}: {}",
        exit.stderr
    );
    exit.stderr
}

#[test]
fn a_bad_setting_fails_start_up_naming_the_variable() {
    for (var, value) in [
        ("AUTHD_ACCESS_TTL", "soon"),
        ("AUTHD_CORS_ORIGINS", "*"),
        ("AUTHD_DATABASE_URL", "mysql://x"),
        ("AUTHD_METRICS_BIND", "9090"),
        ("AUTHD_REDIS_URL", "localhost:6379"),
    ] {
        fails_naming(&[(var, value)], var);
    }
}

#[test]
fn messages_name_what_the_operator_set() {
    let issuer = fails_naming(&[("AUTHD_ISSUER", "auth.example.com")], "AUTHD_ISSUER");
    assert!(!issuer.contains("AUTHD_APP_URL"), "{issuer}");
    assert!(issuer.contains("https://auth.example.com"), "{issuer}");
    let smtp = fails_naming(
        &[("AUTHD_SMTP_URL", "mail.example.com:587")],
        "AUTHD_SMTP_URL",
    );
    assert!(
        smtp.contains("no scheme") && smtp.contains("smtp://"),
        "{smtp}"
    );
    let provider = [
        ("AUTHD_OIDC_PROVIDERS", "corp"),
        ("AUTHD_REDIRECT_URIS", "https://app.example.com/cb"),
        ("AUTHD_OIDC_CORP_CLIENT_ID", "authd"),
        ("AUTHD_OIDC_CORP_ISSUER", "sso.example.com"),
    ];
    fails_naming(&provider, "AUTHD_OIDC_CORP_ISSUER");
    fails_naming(&provider[..3], "AUTHD_OIDC_CORP_ISSUER");
}

#[test]
fn unusable_paths_fail_start_up_naming_the_variable() {
    let database = format!("{UNWRITABLE}/authd.db");
    let db = fails_naming(&[("AUTHD_DATABASE_URL", &database)], "AUTHD_DATABASE_URL");
    assert!(db.contains("/proc/authd-test"), "{db}");
    let keys = fails_naming(&[("AUTHD_KEY_DIR", UNWRITABLE)], "AUTHD_KEY_DIR");
    assert!(keys.contains("/proc/authd-test"), "{keys}");
}

#[test]
fn an_address_in_use_fails_start_up_naming_the_listener() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    for var in ["AUTHD_BIND", "AUTHD_ADMIN_BIND", "AUTHD_METRICS_BIND"] {
        let data = tempfile::tempdir().unwrap();
        let data_dir = data.path().join("data");
        let vars = [
            (var, address.as_str()),
            ("AUTHD_DATA_DIR", data_dir.to_str().unwrap()),
        ];
        let stderr = fails_naming(&vars, var);
        assert!(
            stderr.contains(&address) && stderr.contains("in use"),
            "{stderr}"
        );
        // Listeners are bound first: nothing was written.
        assert!(
            !data_dir.exists(),
            "{var}: start-up wrote {}",
            data_dir.display()
        );
    }
}

#[test]
fn an_unreachable_database_fails_start_up() {
    let url = "postgres://nobody:hunter2@127.0.0.1:1/none";
    let stderr = fails_naming(&[("AUTHD_DATABASE_URL", url)], "AUTHD_DATABASE_URL");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn a_bad_redis_url_fails_start_up_without_showing_its_password() {
    let exit = authd([("AUTHD_REDIS_URL", "http://user:hunter2@cache:6379")]).run(&[]);
    assert_eq!(exit.code, 2, "{}", exit.stderr);
    assert!(exit.stderr.contains("AUTHD_REDIS_URL"), "{}", exit.stderr);
    assert!(!exit.stderr.contains("hunter2"), "{}", exit.stderr);
}

#[test]
fn start_up_warns_and_says_what_runs() {
    let exit = authd([
        ("AUTHD_BND", "127.0.0.1:9000"),
        ("AUTHD_OIDC_GOOGLE_CLIENT_ID", "x"),
        ("AUTHD_ADMIN_BIND", "127.0.0.1:0"),
    ])
    .run_until("authd running");
    let log = exit.stderr;
    assert!(
        log.contains("AUTHD_BND") && log.contains("did you mean AUTHD_BIND?"),
        "{log}"
    );
    assert!(
        log.contains("AUTHD_OIDC_GOOGLE_CLIENT_ID") && log.contains("AUTHD_OIDC_PROVIDERS"),
        "{log}"
    );
    let running = log
        .lines()
        .find(|l| l.contains("authd running"))
        .expect(&log);
    for part in [
        concat!("version=", env!("CARGO_PKG_VERSION")),
        "store=sqlite:./data/authd.db",
        "redis=off",
        "mail=outbox ./data/outbox",
        "providers=none",
        "public=127.0.0.1:",
        "admin=127.0.0.1:",
        "metrics=off",
    ] {
        assert!(running.contains(part), "{part}: {running}");
    }
}

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
