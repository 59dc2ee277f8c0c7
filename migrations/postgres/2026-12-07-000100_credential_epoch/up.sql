-- Bumped by every credential change (password change or reset, logout-all, an operator's disable or logout):
-- device tokens carry the epoch they were minted under, and one from an older epoch is ignored.
ALTER TABLE users ADD COLUMN credential_epoch BIGINT NOT NULL DEFAULT 0;
