//! The tokens file: which bearer token belongs to which town, and the
//! district's own admin token. Kept as SHA-256 digests in memory, looked up
//! by digest; a file readable by group or others is refused.
//!
//! ```toml
//! admin = "a long random token for the district IT officer"
//! [towns]
//! 320106001 = "the token of that town's counters"
//! 320106002 = ["old token", "new token"]   # both valid while the kiosks change over
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Shortest token accepted: 128 bits written in hex.
pub const MIN_TOKEN_CHARS: usize = 32;

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The counters of one town.
    Town(String),
    /// The district IT officer.
    Admin,
}

#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    #[error("cannot read the tokens file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error(
        "the tokens file {} can be read by other users (mode {mode:03o}); run: chmod 600 {}",
        path.display(),
        path.display()
    )]
    Readable { path: PathBuf, mode: u32 },
    #[error("the tokens file {}: {problem}", path.display())]
    Bad { path: PathBuf, problem: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    admin: String,
    #[serde(default)]
    towns: HashMap<String, OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// The tokens of a district, by digest.
#[derive(Debug, Clone)]
pub struct Tokens {
    by_digest: HashMap<[u8; 32], Principal>,
    towns: Vec<String>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Tokens {
    /// Reads and checks the tokens file: mode 0600 (or stricter), one admin
    /// token, town codes of digits, every token long enough and used once.
    pub fn load(path: &Path) -> Result<Tokens, TokensError> {
        use std::os::unix::fs::PermissionsExt;
        let read = |source| TokensError::Read { path: path.to_path_buf(), source };
        let mode = std::fs::metadata(path).map_err(read)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(TokensError::Readable { path: path.to_path_buf(), mode });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        Tokens::parse(&text).map_err(|problem| TokensError::Bad { path: path.to_path_buf(), problem })
    }

    fn parse(text: &str) -> Result<Tokens, String> {
        let file: TokensFile = toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))?;
        let mut tokens = Tokens { by_digest: HashMap::new(), towns: Vec::new() };
        tokens.add(&file.admin, Principal::Admin, "admin")?;
        let mut towns: Vec<(String, OneOrMany)> = file.towns.into_iter().collect();
        towns.sort_by(|a, b| a.0.cmp(&b.0));
        for (town, given) in towns {
            if town.is_empty() || town.len() > 12 || !town.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("'{town}' is not a town code (up to 12 digits, as in the case ids)"));
            }
            let list = match given {
                OneOrMany::One(t) => vec![t],
                OneOrMany::Many(list) => list,
            };
            if list.is_empty() {
                return Err(format!("town {town} has no token"));
            }
            for token in &list {
                tokens.add(token, Principal::Town(town.clone()), &format!("town {town}"))?;
            }
            tokens.towns.push(town);
        }
        Ok(tokens)
    }

    fn add(&mut self, token: &str, who: Principal, named: &str) -> Result<(), String> {
        if token.chars().count() < MIN_TOKEN_CHARS {
            return Err(format!("the token of {named} is shorter than {MIN_TOKEN_CHARS} characters"));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("the token of {named} has characters other than visible ASCII"));
        }
        if self.by_digest.insert(digest(token), who).is_some() {
            return Err(format!("the token of {named} is also given to someone else; every token is used once"));
        }
        Ok(())
    }

    /// Who holds this token, if anyone.
    pub fn principal(&self, token: &str) -> Option<&Principal> {
        self.by_digest.get(&digest(token))
    }

    /// The towns named in the file, in order.
    pub fn towns(&self) -> &[String] {
        &self.towns
    }
}

/// A new random token (256 bits in hex) from the system's random source.
pub fn new_token() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const ADMIN: &str = "admin-0123456789abcdef0123456789abcdef";
    const TOWN_A: &str = "town-a-0123456789abcdef0123456789abcdef";
    const TOWN_B_OLD: &str = "town-b-old-0123456789abcdef0123456789ab";
    const TOWN_B_NEW: &str = "town-b-new-0123456789abcdef0123456789ab";

    fn file(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.toml");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        (dir, path)
    }

    #[test]
    fn tokens_name_their_town_or_the_admin() {
        let text = format!(
            "admin = \"{ADMIN}\"\n[towns]\n320106001 = \"{TOWN_A}\"\n320106002 = [\"{TOWN_B_OLD}\", \"{TOWN_B_NEW}\"]\n"
        );
        let (_dir, path) = file(&text, 0o600);
        let tokens = Tokens::load(&path).unwrap();
        assert_eq!(tokens.principal(ADMIN), Some(&Principal::Admin));
        assert_eq!(tokens.principal(TOWN_A), Some(&Principal::Town("320106001".into())));
        assert_eq!(tokens.principal(TOWN_B_OLD), Some(&Principal::Town("320106002".into())));
        assert_eq!(tokens.principal(TOWN_B_NEW), Some(&Principal::Town("320106002".into())));
        assert_eq!(tokens.principal("nobody-0123456789abcdef0123456789abcdef"), None);
        assert_eq!(tokens.towns(), ["320106001", "320106002"]);
    }

    #[test]
    fn a_tokens_file_others_can_read_is_refused_with_the_fix() {
        let (_dir, path) = file(&format!("admin = \"{ADMIN}\"\n"), 0o640);
        let err = Tokens::load(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[test]
    fn bad_tokens_files_say_what_is_wrong() {
        for (text, want) in [
            (format!("admin = \"{ADMIN}\"\n[towns]\n320106001 = \"{ADMIN}\"\n"), "used once"),
            (format!("admin = \"{ADMIN}\"\n[towns]\n320106001 = \"short\"\n"), "shorter than"),
            (format!("admin = \"{ADMIN}\"\n[towns]\nxian = \"{TOWN_A}\"\n"), "not a town code"),
            (format!("[towns]\n320106001 = \"{TOWN_A}\"\n"), "admin"),
            (format!("admin = \"{ADMIN}\"\nextra = 1\n"), "unknown field"),
        ] {
            let err = Tokens::parse(&text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
