//! Start-up failures: a bad setting or an unreachable database stops the binary at once, naming the problem.
//! No database is ever reached, so these run once, not per backend.

use crate::helpers::authd;

#[test]
fn a_bad_setting_fails_start_up_naming_the_variable() {
    for (var, value) in [
        ("AUTHD_ACCESS_TTL", "soon"),
        ("AUTHD_CORS_ORIGINS", "*"),
        ("AUTHD_DATABASE_URL", "mysql://x"),
        ("AUTHD_METRICS_BIND", "9090"),
    ] {
        let exit = authd([(var, value)]).run(&[]);
        assert_eq!(exit.code, 2, "{var}={value}: {}", exit.stderr);
        assert!(exit.stderr.contains(var), "{var}={value}: {}", exit.stderr);
    }
}

#[test]
fn an_unreachable_database_fails_start_up() {
    let exit = authd([("AUTHD_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")]).run(&[]);
    assert_ne!(exit.code, 0, "{}", exit.stderr);
    assert!(exit.stderr.contains("database"), "{}", exit.stderr);
}

#[test]
fn a_bad_redis_url_fails_start_up_without_showing_its_password() {
    let exit = authd([("AUTHD_REDIS_URL", "http://user:hunter2@cache:6379")]).run(&[]);
    assert_eq!(exit.code, 2, "{}", exit.stderr);
    assert!(exit.stderr.contains("AUTHD_REDIS_URL"), "{}", exit.stderr);
    assert!(!exit.stderr.contains("hunter2"), "{}", exit.stderr);
}
