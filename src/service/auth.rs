//! Bearer tokens: who may read and who may edit.
//!
//! Admin RPCs need the admin token and are refused outright when none is configured
//! (SPEC §7); read RPCs and HTTP routes need the read token only when one is set. Both gRPC
//! metadata and HTTP headers carry `authorization: Bearer <token>`; tokens are compared in
//! constant time (over their SHA-256 digests, so the length does not leak either).

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ServiceError;
use crate::config::{Secret, ServiceConfig};

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Translate, look up, browse.
    Read,
    /// Create, replace or delete concepts.
    Admin,
}

/// Checks the `authorization` header value (if any) for `access`.
///
/// # Errors
/// [`ServiceError::EditsDisabled`] for an admin request when no admin token is
/// configured, [`ServiceError::Unauthenticated`] for a missing, malformed or wrong token.
pub fn check(
    config: &ServiceConfig,
    access: Access,
    authorization: Option<&[u8]>,
) -> Result<(), ServiceError> {
    let (expected, what) = match access {
        Access::Read => match &config.read_token {
            None => return Ok(()),
            Some(t) => (t, "the read token"),
        },
        Access::Admin => return admin(config, authorization).map(drop),
    };
    let Some(value) = authorization else {
        return Err(ServiceError::Unauthenticated(format!(
            "authorization: missing; send 'authorization: Bearer <token>' with {what}"
        )));
    };
    let Some(token) = bearer(value) else {
        return Err(ServiceError::Unauthenticated(
            "authorization: expected 'Bearer <token>'".into(),
        ));
    };
    if !matches(expected, token) {
        return Err(ServiceError::Unauthenticated(format!(
            "authorization: the token is not {what}"
        )));
    }
    Ok(())
}

/// Checks an admin request's `authorization` and says who it is: `None` for the one
/// `--admin-token`, the name for a token of `--admin-tokens FILE`. Every token is compared,
/// in constant time, whichever matches.
///
/// # Errors
/// As [`check`] for [`Access::Admin`].
pub fn admin(
    config: &ServiceConfig,
    authorization: Option<&[u8]>,
) -> Result<Option<String>, ServiceError> {
    if config.admin_token.is_none() && config.admin_tokens.is_empty() {
        return Err(ServiceError::EditsDisabled(
            "edits are disabled: the server has no admin token (--admin-token, \
             --admin-token-file, --admin-tokens or BROKER_ADMIN_TOKEN)"
                .into(),
        ));
    }
    let Some(value) = authorization else {
        return Err(ServiceError::Unauthenticated(
            "authorization: missing; send 'authorization: Bearer <token>' with an admin token"
                .into(),
        ));
    };
    let Some(token) = bearer(value) else {
        return Err(ServiceError::Unauthenticated(
            "authorization: expected 'Bearer <token>'".into(),
        ));
    };
    let mut who: Option<Option<String>> = None;
    if let Some(t) = &config.admin_token {
        if matches(t, token) {
            who = Some(None);
        }
    }
    for named in &config.admin_tokens {
        if matches(&named.token, token) && who.is_none() {
            who = Some(Some(named.name.clone()));
        }
    }
    who.ok_or_else(|| {
        ServiceError::Unauthenticated("authorization: the token is not an admin token".into())
    })
}

/// The token of a `Bearer <token>` header value (scheme case-insensitive).
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let value = value.trim_ascii();
    let (scheme, token) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let token = token.strip_prefix(b" ")?.trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// Constant-time comparison of a presented token with the expected one.
fn matches(expected: &Secret, presented: &[u8]) -> bool {
    let a = Sha256::digest(expected.expose().as_bytes());
    let b = Sha256::digest(presented);
    a.ct_eq(&b).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn named_admin_tokens_are_told_apart() {
        let mut c = config(Some("adm"), None);
        c.admin_tokens = crate::config::parse_admin_tokens("alice:a-tok\nbob:b-tok\n").unwrap();
        let who =
            |c: &ServiceConfig, h: &str| admin(c, Some(h.as_bytes())).map_err(|e| e.codes().0);
        assert_eq!(who(&c, "Bearer a-tok"), Ok(Some("alice".into())));
        assert_eq!(who(&c, "Bearer b-tok"), Ok(Some("bob".into())));
        assert_eq!(who(&c, "Bearer adm"), Ok(None));
        assert_eq!(who(&c, "Bearer nope"), Err(Code::Unauthenticated));
        // Named tokens alone are enough to offer edits, and are admin tokens for check().
        c.admin_token = None;
        assert!(check(&c, Access::Admin, Some(b"Bearer b-tok")).is_ok());
        assert_eq!(who(&c, "Bearer adm"), Err(Code::Unauthenticated));
    }

    use super::*;
    use tonic::Code;

    fn config(admin: Option<&str>, read: Option<&str>) -> ServiceConfig {
        ServiceConfig {
            admin_token: admin.map(|t| Secret::new(t).unwrap()),
            read_token: read.map(|t| Secret::new(t).unwrap()),
            ..ServiceConfig::default()
        }
    }

    #[test]
    fn table() {
        let code = |r: Result<(), ServiceError>| r.err().map(|e| e.codes().0);
        // (admin token, read token, access, authorization header, expected error code)
        type Case = (
            Option<&'static str>,
            Option<&'static str>,
            Access,
            Option<&'static str>,
            Option<Code>,
        );
        let cases: &[Case] = &[
            (None, None, Access::Read, None, None),
            (
                None,
                None,
                Access::Admin,
                Some("Bearer x"),
                Some(Code::FailedPrecondition),
            ),
            (
                Some("adm"),
                None,
                Access::Admin,
                None,
                Some(Code::Unauthenticated),
            ),
            (Some("adm"), None, Access::Admin, Some("Bearer adm"), None),
            (Some("adm"), None, Access::Admin, Some("bearer  adm "), None),
            (
                Some("adm"),
                None,
                Access::Admin,
                Some("Bearer ad"),
                Some(Code::Unauthenticated),
            ),
            (
                Some("adm"),
                None,
                Access::Admin,
                Some("Basic adm"),
                Some(Code::Unauthenticated),
            ),
            (
                Some("adm"),
                None,
                Access::Admin,
                Some("Bearer"),
                Some(Code::Unauthenticated),
            ),
            (
                Some("adm"),
                None,
                Access::Admin,
                Some("Bearer "),
                Some(Code::Unauthenticated),
            ),
            (
                None,
                Some("rd"),
                Access::Read,
                None,
                Some(Code::Unauthenticated),
            ),
            (None, Some("rd"), Access::Read, Some("Bearer rd"), None),
            (
                Some("adm"),
                Some("rd"),
                Access::Read,
                Some("Bearer adm"),
                Some(Code::Unauthenticated),
            ),
        ];
        for (i, (admin, read, access, header, want)) in cases.iter().enumerate() {
            let got = code(check(
                &config(*admin, *read),
                *access,
                header.map(str::as_bytes),
            ));
            assert_eq!(
                got, *want,
                "case {i}: {admin:?} {read:?} {access:?} {header:?}"
            );
        }
    }
}
