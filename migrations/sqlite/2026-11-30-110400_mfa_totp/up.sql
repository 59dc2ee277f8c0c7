-- The authentication methods of a session (RFC 8176 names, space-separated: `pwd`, `pwd otp`, `pwd rcv`).
-- NULL for sessions opened before MFA existed: password only.
ALTER TABLE sessions ADD COLUMN amr TEXT;

-- One TOTP factor per user: pending until a first code confirms it.
CREATE TABLE totp_factors (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- XChaCha20-Poly1305 of the secret under `mfa.key` (key directory), the user id as associated data:
    -- a database dump alone does not yield it.
    secret_sealed TEXT NOT NULL,
    -- The last accepted time step: a code is accepted only for a later one, so no code works twice.
    last_step BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP
);

-- Single-use recovery codes, argon2id PHC strings.
CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user_id ON recovery_codes (user_id);

-- A login waiting for its second factor: the mfa_token's jti, single use, burned after too many wrong codes.
CREATE TABLE mfa_challenges (
    jti TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attempts BIGINT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX mfa_challenges_expires_at ON mfa_challenges (expires_at);
