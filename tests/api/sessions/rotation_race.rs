//! The rotation's outcome is the row its own compare-and-set wrote, never a later state of it: a revocation that
//! lands right after the rotation must not come back as the session the new tokens are minted for.

use authd::config::{DatabaseUrl, Settings};
use authd::db::models::now;
use authd::db::sessions::{self, RevokeReason};
use authd::db::{self, AnyConnection};
use authd::rotation::{self, RefreshOutcome};
use authd::tokens::RefreshClaims;
use diesel::connection::SimpleConnection;

use crate::helpers::{Backend, TestApp, payload_of, spawn_app};

/// Revokes the session as soon as a rotation has written it: the interleaving "rotate, then a concurrent
/// reuse-revoke, then read the row back" on every run instead of once in a million.
const SQLITE_REVOKE_AFTER_ROTATE: &str = "
    CREATE TRIGGER revoke_after_rotate AFTER UPDATE OF generation ON sessions
    BEGIN
        UPDATE sessions SET revoked_at = NEW.last_used_at, revoked_reason = 'reuse_detected' WHERE id = NEW.id;
    END;";
const POSTGRES_REVOKE_AFTER_ROTATE: &str = "
    CREATE FUNCTION revoke_after_rotate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE sessions SET revoked_at = NEW.last_used_at, revoked_reason = 'reuse_detected' WHERE id = NEW.id;
        RETURN NULL;
    END $$;
    CREATE TRIGGER revoke_after_rotate AFTER UPDATE OF generation ON sessions
        FOR EACH ROW EXECUTE FUNCTION revoke_after_rotate();";

fn connection(app: &TestApp) -> AnyConnection {
    let url = DatabaseUrl::parse(&app.vars["AUTHD_DATABASE_URL"]).unwrap();
    db::connect(&url).unwrap()
}

fn claims_of(refresh_token: &str) -> RefreshClaims {
    serde_json::from_value(payload_of(refresh_token)).unwrap()
}

async fn a_revocation_right_after_the_rotation_is_not_what_the_tokens_are_minted_for(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("interleaved@example.com").await;
    let claims = claims_of(&tokens.refresh_token);
    let policy = Settings::from_lookup(|name| app.vars.get(name).cloned())
        .unwrap()
        .sessions;
    let mut conn = connection(&app);
    let trigger = match conn {
        AnyConnection::Sqlite(_) => SQLITE_REVOKE_AFTER_ROTATE,
        AnyConnection::Postgresql(_) => POSTGRES_REVOKE_AFTER_ROTATE,
    };
    conn.batch_execute(trigger).unwrap();
    let outcome = rotation::refresh(&mut conn, &claims, now(), &policy).unwrap();
    let RefreshOutcome::Rotated(session, _) = outcome else {
        panic!("the current token must rotate: {outcome:?}");
    };
    assert_eq!(session.generation, claims.generation + 1);
    assert_eq!(
        session.revoked_at, None,
        "the pair must be minted from the row the rotation wrote, not from a revocation that came after"
    );
    // The revocation did land after the rotation: the session is over for whoever holds the new pair.
    let row = sessions::find(&mut conn, &claims.sid).unwrap().unwrap();
    assert_eq!(row.revoked_reason.as_deref(), Some("reuse_detected"));
}

/// The compare-and-set hands back the row it wrote, or nothing when it did not rotate.
async fn rotate_returns_the_row_it_wrote_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = app.signed_up("compare-and-set@example.com").await;
    let claims = claims_of(&tokens.refresh_token);
    let mut conn = connection(&app);
    let at = now();
    let idle_cutoff = at - chrono::Duration::days(1);
    let mut rotate =
        |generation| sessions::rotate(&mut conn, &claims.sid, generation, at, idle_cutoff).unwrap();
    let row = rotate(claims.generation).expect("the current generation rotates");
    assert_eq!(row.id, claims.sid);
    assert_eq!(row.generation, claims.generation + 1);
    assert_eq!((row.last_used_at, row.revoked_at), (at, None));
    // The same generation again: the compare-and-set fails, and there is no row to mint from.
    assert!(rotate(claims.generation).is_none());
    sessions::revoke(&mut conn, &claims.sid, RevokeReason::Logout, at).unwrap();
    assert!(
        sessions::rotate(
            &mut conn,
            &claims.sid,
            claims.generation + 1,
            at,
            idle_cutoff
        )
        .unwrap()
        .is_none()
    );
}

backend_tests!(
    a_revocation_right_after_the_rotation_is_not_what_the_tokens_are_minted_for,
    rotate_returns_the_row_it_wrote_or_nothing,
);
