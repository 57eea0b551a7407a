//! The scripting CLI's commands. `main.rs` parses the arguments and calls these;
//! each returns a [`CliError`] that knows its exit status: 2 for bad input or a
//! refused operation, 1 when the environment failed.

pub mod audit;
pub mod backup;
pub mod case;
pub mod counter;
pub mod devices;
pub mod fund;
pub mod id;
pub mod operator;
pub mod policy;
pub mod report;
pub mod sync;

use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;

use crate::config::ConfigError;
use crate::l10n::Say;
pub use crate::session::Session;
use crate::session::SessionError;
use crate::store::StoreError;
use crate::window::WindowError;
use crate::{tr, Lang};

pub use counter::{counter, demo};

/// A failed command: what it says (printed as `error: …` in the session's
/// language) and its exit status. A typed error is kept as it is until it is
/// said, so the CLI and the counter say it with the same words.
pub struct CliError {
    pub code: u8,
    said: Said,
}

enum Said {
    /// Already in the session's language.
    Text(String),
    Typed(Box<dyn Say>),
}

impl std::fmt::Debug for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CliError({}: {})", self.code, self.message(Lang::En))
    }
}

impl CliError {
    /// Bad input or a refused operation: exit 2 (the message in the session's language).
    pub fn refused(message: impl Into<String>) -> CliError {
        CliError { code: 2, said: Said::Text(message.into()) }
    }

    /// The environment failed: exit 1 (the message in the session's language).
    pub fn environment(message: impl Into<String>) -> CliError {
        CliError { code: 1, said: Said::Text(message.into()) }
    }

    fn typed(code: u8, e: impl Say + 'static) -> CliError {
        CliError { code, said: Said::Typed(Box::new(e)) }
    }

    /// What the error line says.
    pub fn message(&self, lang: Lang) -> String {
        match &self.said {
            Said::Text(t) => t.clone(),
            Said::Typed(e) => e.say(lang),
        }
    }

    /// The same exit status with `prefix` before what it says (`line 4: …`).
    pub fn prefixed(self, lang: Lang, prefix: &str) -> CliError {
        let message = format!("{prefix}{}", self.message(lang));
        CliError { code: self.code, said: Said::Text(message) }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> CliError {
        CliError::typed(if e.is_refusal() { 2 } else { 1 }, e)
    }
}

impl From<WindowError> for CliError {
    fn from(e: WindowError) -> CliError {
        CliError::typed(if e.is_refusal() { 2 } else { 1 }, e)
    }
}

impl From<SessionError> for CliError {
    fn from(e: SessionError) -> CliError {
        CliError::typed(if e.is_refusal() { 2 } else { 1 }, e)
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> CliError {
        CliError::refused(e.to_string())
    }
}

/// Writing to standard output failed (a closed pipe…).
struct OutputFailed(std::io::Error);

impl Say for OutputFailed {
    fn say(&self, lang: Lang) -> String {
        tr!(lang, "cli-output-failed", error = self.0.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::typed(1, OutputFailed(e))
    }
}

pub type CliResult = Result<(), CliError>;

/// The largest file or standard input a command reads (a case, an import of
/// some tens of thousands of cases, a policy file): `/dev/zero` is refused
/// after this much, not read until memory runs out.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file, or standard input for `-` (the CLI's, beside the counter), up to [`MAX_INPUT_BYTES`].
pub fn read_input(ctx: &Session, path: &Path) -> Result<String, CliError> {
    let lang = ctx.lang;
    let stdin = path == Path::new("-");
    let failed = |e: std::io::Error| {
        CliError::refused(if stdin {
            tr!(lang, "cli-cannot-read-stdin", error = e.to_string())
        } else {
            tr!(lang, "cli-cannot-read", path = path.display().to_string(), error = e.to_string())
        })
    };
    // Beside the counter, standard input is the CLI's (what it sent), never the counter's terminal.
    let source: Box<dyn Read> = match &ctx.remote {
        Some(remote) if stdin => Box::new(remote.stdin.as_deref().unwrap_or_default()),
        _ if stdin => Box::new(std::io::stdin()),
        _ => Box::new(std::fs::File::open(path).map_err(failed)?),
    };
    let mut bytes = Vec::new();
    source.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).map_err(failed)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        let what = if stdin { "-".to_string() } else { path.display().to_string() };
        return Err(CliError::refused(tr!(
            lang,
            "cli-input-too-large",
            path = what,
            limit = MAX_INPUT_BYTES / 1024 / 1024
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| failed(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    // A BOM in front of the whole file (as some Windows editors write) is the
    // file's, not the text's: dropped. One inside a field is refused there.
    Ok(match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Parses JSON into `T`, naming the field that is wrong.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str, lang: Lang) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let syntax = matches!(inner.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof);
        if syntax || path == "." || path.is_empty() {
            tr!(lang, "json-invalid", error = inner.to_string())
        } else {
            tr!(lang, "json-field", path = path, error = inner.to_string())
        }
    })?;
    Ok(value)
}

/// A `YYYY-MM-DD` argument.
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date like 2026-11-29"))
}

/// Pads text to a display width (Chinese characters take two cells); never cuts it.
pub(crate) fn pad(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}
