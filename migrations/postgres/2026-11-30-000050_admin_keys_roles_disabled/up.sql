-- Operators' API keys for the admin listener. Only the SHA-256 of a key is kept: keys are 256 random bits, so a
-- fast hash is enough and lets a request find its key by an index.
CREATE TABLE admin_keys (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    -- False for a read-only key.
    can_write BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

-- Set while an operator has disabled the account: its login is refused and its sessions were revoked.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
-- Set when an operator deleted the account: its email and hash are wiped at once and its sessions revoked; the
-- row itself goes with the session pruning a day later, after every instance has seen the revocations.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP;
-- The user's roles, space-separated (each matches [A-Za-z0-9_.:-]+), carried in access tokens as `roles`.
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';
