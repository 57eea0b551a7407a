//! The scripting CLI's commands. `main.rs` parses the arguments and calls these;
//! each returns a [`CliError`] that knows its exit status: 2 for bad input or a
//! refused operation, 1 when the environment failed.

pub mod case;
pub mod counter;
pub mod devices;
pub mod fund;
pub mod id;
pub mod policy;
pub mod report;

use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;

use crate::config::ConfigError;
pub use crate::session::Session;
use crate::session::SessionError;
use crate::store::StoreError;
use crate::window::WindowError;

pub use counter::{counter, demo};

/// A failed command: its message (printed as `error: …`) and exit status.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    /// Bad input or a refused operation: exit 2.
    pub fn refused(message: impl Into<String>) -> CliError {
        CliError { code: 2, message: message.into() }
    }

    /// The environment failed: exit 1.
    pub fn environment(message: impl Into<String>) -> CliError {
        CliError { code: 1, message: message.into() }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> CliError {
        let code = if e.is_refusal() { 2 } else { 1 };
        CliError { code, message: e.to_string() }
    }
}

impl From<WindowError> for CliError {
    fn from(e: WindowError) -> CliError {
        let code = if e.is_refusal() { 2 } else { 1 };
        CliError { code, message: e.to_string() }
    }
}

impl From<SessionError> for CliError {
    fn from(e: SessionError) -> CliError {
        let code = if e.is_refusal() { 2 } else { 1 };
        CliError { code, message: e.to_string() }
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> CliError {
        CliError::refused(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::environment(format!("cannot write the output: {e}"))
    }
}

pub type CliResult = Result<(), CliError>;

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<String, CliError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::refused(format!("cannot read standard input: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| CliError::refused(format!("cannot read {}: {e}", path.display())))
}

/// Parses JSON into `T`, naming the field that is wrong.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let syntax = matches!(inner.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof);
        if syntax || path == "." || path.is_empty() {
            format!("invalid JSON: {inner}")
        } else {
            format!("field '{path}': {inner}")
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
