//! Start-up failures: a bad setting, an address in use or an unusable path stops the binary at once (exit 2),
//! naming the cause and the variable the operator set; the warnings and the start-up line. No database is
//! ever reached, so these run once, not per backend.

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
    // Both default to a place under AUTHD_DATA_DIR: the variable the operator set is the one named.
    let data = fails_naming(&[("AUTHD_DATA_DIR", UNWRITABLE)], "AUTHD_DATA_DIR");
    assert!(
        data.contains("/proc/authd-test") && !data.contains("AUTHD_KEY_DIR"),
        "{data}"
    );
    let database = [("AUTHD_DATA_DIR", UNWRITABLE), ("AUTHD_KEY_DIR", "keys")];
    let db = fails_naming(&database, "AUTHD_DATA_DIR");
    assert!(!db.contains("AUTHD_DATABASE_URL"), "{db}");
    let outbox = fails_naming(&[("AUTHD_MAIL_OUTBOX", UNWRITABLE)], "AUTHD_MAIL_OUTBOX");
    assert!(outbox.contains("/proc/authd-test"), "{outbox}");
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
