//! Queries on `identities`, `oauth_states` and `oauth_login_codes` (social login).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use super::schema::{identities, oauth_login_codes, oauth_states};

/// A provider account bound to a user. Serialized into a link flow's code until the user confirms it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = identities)]
pub struct Identity {
    pub id: String,
    pub user_id: String,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
}

/// A flow between `/start` and `/callback`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_states)]
pub struct OauthState {
    pub state_hash: String,
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub app_redirect_uri: String,
    pub app_code_challenge: String,
    pub link_user_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// A one-time login code waiting for `POST /v1/auth/oauth/exchange`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oauth_login_codes)]
pub struct LoginCode {
    pub code_hash: String,
    pub user_id: String,
    pub app_code_challenge: String,
    pub amr: String,
    /// For a link flow: the provider account to link, as JSON (`PendingLink`).
    pub link_identity: Option<String>,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert_state(conn: &mut AnyConnection, row: &OauthState) -> QueryResult<()> {
    diesel::insert_into(oauth_states::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

/// Takes the flow out of the table: the delete decides, so of two callbacks with one state only one gets it.
pub fn take_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<OauthState>> {
    let row: Option<OauthState> = diesel::delete(oauth_states::table.find(state_hash))
        .returning(oauth_states::all_columns)
        .get_result(conn)
        .optional()?;
    Ok(row.filter(|r| r.expires_at > at))
}

pub fn insert_code(conn: &mut AnyConnection, row: &LoginCode) -> QueryResult<()> {
    diesel::insert_into(oauth_login_codes::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

/// Marks the code used and returns it, if it was unused and unexpired; the update decides, so a code works once
/// even under concurrent exchanges.
pub fn use_code(
    conn: &mut AnyConnection,
    code_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<LoginCode>> {
    diesel::update(
        oauth_login_codes::table
            .find(code_hash)
            .filter(oauth_login_codes::used_at.is_null())
            .filter(oauth_login_codes::expires_at.gt(at)),
    )
    .set(oauth_login_codes::used_at.eq(at))
    .returning(oauth_login_codes::all_columns)
    .get_result(conn)
    .optional()
}

/// The identity with this issuer and subject.
pub fn find_identity(
    conn: &mut AnyConnection,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<Identity>> {
    identities::table
        .filter(identities::issuer.eq(issuer))
        .filter(identities::subject.eq(subject))
        .select(Identity::as_select())
        .first(conn)
        .optional()
}

pub fn insert_identity(conn: &mut AnyConnection, row: &Identity) -> QueryResult<()> {
    diesel::insert_into(identities::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn touch_identity(
    conn: &mut AnyConnection,
    id: &str,
    email: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(identities::table.find(id))
        .set((
            identities::last_login_at.eq(at),
            identities::email.eq(email),
        ))
        .execute(conn)
        .map(drop)
}

/// A user's identities, oldest first.
pub fn identities_of(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<Identity>> {
    identities::table
        .filter(identities::user_id.eq(user_id))
        .order(identities::created_at.asc())
        .select(Identity::as_select())
        .load(conn)
}

/// Deletes one of the user's identities; the number of rows deleted (0: not theirs, or no such identity).
pub fn delete_identity(conn: &mut AnyConnection, user_id: &str, id: &str) -> QueryResult<usize> {
    diesel::delete(
        identities::table
            .find(id)
            .filter(identities::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Unlinks every provider of a deleted account, so its provider accounts can sign up afresh.
pub fn delete_all_for_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(identities::table.filter(identities::user_id.eq(user_id))).execute(conn)
}

/// Removes expired flows and codes (the pruning task).
pub fn prune(conn: &mut AnyConnection, at: NaiveDateTime) -> QueryResult<usize> {
    let states = diesel::delete(oauth_states::table.filter(oauth_states::expires_at.le(at)))
        .execute(conn)?;
    let codes =
        diesel::delete(oauth_login_codes::table.filter(oauth_login_codes::expires_at.le(at)))
            .execute(conn)?;
    Ok(states + codes)
}
