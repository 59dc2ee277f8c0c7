//! Start-up failures: a bad setting or an unreachable database stops the binary at once, naming the problem.

use std::process::Command;

fn run_authd(vars: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_authd"))
        .current_dir(dir.path())
        .env("AUTHD_BIND", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .output()
        .expect("the authd binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_bad_setting_fails_start_up_naming_the_variable() {
    for (var, value) in [
        ("AUTHD_ACCESS_TTL", "soon"),
        ("AUTHD_CORS_ORIGINS", "*"),
        ("AUTHD_DATABASE_URL", "mysql://x"),
        ("AUTHD_METRICS_BIND", "9090"),
    ] {
        let (code, stderr) = run_authd(&[(var, value)]);
        assert_eq!(code, 2, "{var}={value}: {stderr}");
        assert!(stderr.contains(var), "{var}={value}: {stderr}");
    }
}

#[test]
fn an_unreachable_database_fails_start_up() {
    let (code, stderr) = run_authd(&[("AUTHD_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("database"), "{stderr}");
}
