//! PINs: hashed with argon2id into PHC strings, which is all the store keeps,
//! and checked against them. A PIN is never logged, printed or kept in the
//! clear; the rules for a new PIN are in `domain::operator`.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// argon2id's cost: OWASP's second recommended setting (19 MiB, 2 passes, one
/// lane). One check takes about 15-20 ms on the development machine's core
/// and 50-100 ms on a slow kiosk core: slow for a guesser, quick for a clerk.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The stored PIN hash is not a PHC string this build can check.
    #[error("the stored PIN of this operator cannot be read ({0}); a supervisor must reset it")]
    BadHash(String),
    #[error("cannot hash the PIN: {0}")]
    Hash(String),
}

fn hasher() -> Result<Argon2<'static>, AuthError> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of a PIN, with a fresh random salt.
pub fn hash_pin(pin: &str) -> Result<String, AuthError> {
    let hash = hasher()?.hash_password(pin.as_bytes()).map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Is `pin` the one hashed in `phc`? The parameters come from the PHC string,
/// so PINs hashed with an older cost still check.
pub fn verify_pin(pin: &str, phc: &str) -> Result<bool, AuthError> {
    let parsed = argon2::password_hash::phc::PasswordHash::new(phc).map_err(|e| AuthError::BadHash(e.to_string()))?;
    match hasher()?.verify_password(pin.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(AuthError::BadHash(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_checks_against_its_own_hash_only() {
        let phc = hash_pin("482913").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("482913"));
        assert!(verify_pin("482913", &phc).unwrap());
        assert!(!verify_pin("482914", &phc).unwrap());
        // Two hashes of one PIN differ (salted).
        assert_ne!(hash_pin("482913").unwrap(), phc);
        assert!(matches!(verify_pin("482913", "not a phc string"), Err(AuthError::BadHash(_))));
    }
}
