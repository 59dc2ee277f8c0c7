-- Ids are UUID v7 text and times are UTC TIMESTAMPs: the types diesel's MultiConnection maps on both backends.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    -- Normalised (trimmed, lowercased) by the application, so a plain UNIQUE is case-insensitive in effect.
    email TEXT NOT NULL UNIQUE,
    -- Argon2id PHC string; carries its own parameters, so old hashes can be recognised and upgraded.
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One row per login (a refresh-token family). It holds what verifies a refresh token, never a usable token.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Rotation counter: only a refresh token carrying the current generation is accepted.
    generation BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- When the current refresh token was issued (login or last rotation).
    last_used_at TIMESTAMP NOT NULL,
    -- Absolute end of the session; rotation does not extend it.
    expires_at TIMESTAMP NOT NULL,
    -- Set once, never cleared; instances poll recent values to refuse the session's access tokens.
    revoked_at TIMESTAMP,
    -- logout, logout_all, deleted, password_change or reuse_detected: for the audit trail and the log.
    revoked_reason TEXT,
    user_agent TEXT,
    ip TEXT
);

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_revoked_at ON sessions (revoked_at);
