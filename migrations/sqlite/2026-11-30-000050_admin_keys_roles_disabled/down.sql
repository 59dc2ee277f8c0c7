ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE users DROP COLUMN roles;
ALTER TABLE users DROP COLUMN disabled_at;
DROP TABLE admin_keys;
