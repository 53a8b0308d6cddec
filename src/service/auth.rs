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
        Access::Admin => match &config.admin_token {
            None => {
                return Err(ServiceError::EditsDisabled(
                    "edits are disabled: the server has no admin token (--admin-token, \
                     --admin-token-file or BROKER_ADMIN_TOKEN)"
                        .into(),
                ))
            }
            Some(t) => (t, "the admin token"),
        },
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
