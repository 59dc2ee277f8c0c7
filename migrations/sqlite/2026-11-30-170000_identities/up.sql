-- Social login. An account's password_hash stays NOT NULL: an empty string means "no password" (an account
-- created by a provider login); password login treats it like an unknown email.

-- Who a provider says the user is: keyed by (issuer, subject), never by email (ASVS 5 6.8.1).
CREATE TABLE identities (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The configured provider name (google, github, ...).
    provider TEXT NOT NULL,
    -- The ID token's iss (GitHub: its API URL).
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- The address the provider reported at the last login, for display only.
    email TEXT,
    created_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP,
    UNIQUE (issuer, subject)
);
CREATE INDEX identities_user ON identities (user_id);

-- A flow between /start and /callback: 10 minutes, used once.
CREATE TABLE oauth_states (
    -- SHA-256 of the state sent to the provider.
    state_hash TEXT PRIMARY KEY NOT NULL,
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    -- authd's own PKCE verifier towards the provider.
    pkce_verifier TEXT NOT NULL,
    app_redirect_uri TEXT NOT NULL,
    -- The app's S256 challenge, which the login code is bound to.
    app_code_challenge TEXT NOT NULL,
    -- Set when a signed-in user links a provider rather than signs in.
    link_user_id TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);

-- The one-time code the app trades for tokens (or a link): 60 seconds, used once, bound to the app's PKCE challenge.
CREATE TABLE oauth_login_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    app_code_challenge TEXT NOT NULL,
    amr TEXT NOT NULL,
    -- A link flow's code: the provider account (JSON: provider, issuer, subject, email) that the signed-in user
    -- confirms with POST /v1/me/identities/confirm; such a code never signs in.
    link_identity TEXT,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX oauth_login_codes_expires_at ON oauth_login_codes (expires_at);
