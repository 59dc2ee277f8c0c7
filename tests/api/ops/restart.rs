use crate::helpers::{Backend, PASSWORD, spawn_app};

async fn a_restart_keeps_users_and_keys(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let tokens = app.signed_up("durable@example.com").await;
    let access_key = app.private_key_pem("access");
    let refresh_key = app.private_key_pem("refresh");
    app.restart().await;
    assert_eq!(app.private_key_pem("access"), access_key);
    assert_eq!(app.private_key_pem("refresh"), refresh_key);
    // A token minted before the restart still verifies, and the account still logs in.
    assert_eq!(
        app.get("/v1/me", Some(&tokens.access_token)).await.status(),
        200
    );
    assert_eq!(
        app.login("durable@example.com", PASSWORD).await.status(),
        200
    );
}

#[cfg(unix)]
async fn key_files_are_private(backend: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app(backend).await;
    let ring = app.ring_keys();
    assert_eq!(
        ring.len(),
        2,
        "one access and one refresh key on first start"
    );
    let files = ring.iter().map(|k| k["file"].as_str().unwrap().to_owned());
    for name in files.chain(["ring.json".to_owned()]) {
        let mode = std::fs::metadata(app.key_dir.join(&name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    let dir_mode = std::fs::metadata(&app.key_dir)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
}

backend_tests!(a_restart_keeps_users_and_keys, key_files_are_private);
