DROP TABLE oauth_login_codes;
DROP TABLE oauth_states;
DROP TABLE identities;
