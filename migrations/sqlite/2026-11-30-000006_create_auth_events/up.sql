-- The audit trail. No foreign keys: events outlive the users and sessions they name (an account deletion keeps
-- its trail, holding only ids), and a login failure for an unknown email has no user at all.
CREATE TABLE auth_events (
    -- UUID v7 text: time-ordered, so newest first is `id DESC` and a page cursor is the last id seen.
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT,
    session_id TEXT,
    -- signup, login, refresh, reuse_detected, session_revoked, password_change, rate_limited, device_token_used
    kind TEXT NOT NULL,
    -- success, failure or denied
    outcome TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    -- Small JSON object (a revocation reason, a rate-limit policy); never a token, password or hash.
    detail TEXT,
    created_at TIMESTAMP NOT NULL
);

-- A user's page: `WHERE user_id = ? AND id < ? ORDER BY id DESC`.
CREATE INDEX auth_events_user_id ON auth_events (user_id, id);
-- Pruning past the retention.
CREATE INDEX auth_events_created_at ON auth_events (created_at);
