-- When the account's current address was last proven to be its owner's (NULL: never).
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;

-- Tokens sent by mail (verification, password reset, email change). Only a hash of the token is stored.
CREATE TABLE email_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- verify_email, password_reset or change_email.
    purpose TEXT NOT NULL,
    -- Hex SHA-256 of the 32 random bytes mailed: a leaked table gives no usable link.
    token_hash TEXT NOT NULL UNIQUE,
    -- The address the token was mailed to: the account's (verify, reset) or the new one (change_email).
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- Set when used, or when a newer token of the same purpose replaced it; never cleared.
    used_at TIMESTAMP
);

CREATE INDEX email_tokens_user_purpose ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires_at ON email_tokens (expires_at);
