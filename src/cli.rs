//! The scripting CLI's commands. `main.rs` parses the arguments and calls these;
//! each returns a [`CliError`] that knows its exit status: 2 for bad input or a
//! refused operation, 1 when the environment failed.

pub mod backup;
pub mod case;
pub mod devices;
pub mod fund;
pub mod id;
pub mod policy;
pub mod report;

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate};

use crate::config::{Config, ConfigError, Paths};
use crate::domain::policy::{Policy, PolicyBook};
use crate::domain::time::Moment;
use crate::store::{Store, StoreError, StoreOptions};
use crate::window::{Window, WindowError};

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

/// Everything a command needs: the config, where the data is, who is acting and when.
pub struct Context {
    pub config: Config,
    pub paths: Paths,
    pub operator: String,
    pub now: Moment,
    /// The built-in policy plus the district's file, if the config names one.
    pub policies: PolicyBook,
}

/// The policies cases are judged by: the built-in one, overridden by the
/// district's from `[policy] file`. That is one policy file, or a directory
/// of them (every `*.toml`), so a district keeps each version it has used.
pub fn load_policies(config: &Config) -> Result<PolicyBook, CliError> {
    let Some(path) = &config.policy.file else { return Ok(PolicyBook::builtin()) };
    let files = if path.is_dir() {
        let listing = std::fs::read_dir(path)
            .map_err(|e| CliError::refused(format!("cannot read the policy directory {}: {e}", path.display())))?;
        let mut files: Vec<PathBuf> = listing
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(CliError::refused(format!("the policy directory {} has no .toml file", path.display())));
        }
        files
    } else {
        vec![path.clone()]
    };
    let mut district = Vec::with_capacity(files.len());
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| CliError::refused(format!("cannot read the policy file {}: {e}", file.display())))?;
        district.push(Policy::from_toml(&text).map_err(|e| CliError::refused(format!("{}: {e}", file.display())))?);
    }
    PolicyBook::district(district).map_err(|e| CliError::refused(format!("{}: {e}", path.display())))
}

impl Context {
    /// Reads the config and fixes the operator and the time of this command.
    /// `ONEDOOR_NOW` (RFC 3339) sets the time, for training and tests.
    pub fn new(config_file: Option<&Path>, data: Option<&Path>, operator: Option<&str>) -> Result<Context, CliError> {
        let (config, paths) = crate::config::resolve(config_file, data)?;
        let offset = config.counter.utc_offset;
        let now = match std::env::var("ONEDOOR_NOW") {
            Ok(s) => DateTime::parse_from_rfc3339(&s)
                .map_err(|_| {
                    CliError::refused(format!("ONEDOOR_NOW '{s}' is not a time like 2026-11-29T09:00:00+08:00"))
                })?
                .with_timezone(&offset),
            Err(_) => chrono::Utc::now().with_timezone(&offset),
        };
        let operator = config.operator(operator);
        let policies = load_policies(&config)?;
        Ok(Context { config, paths, operator, now, policies })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    pub fn open_store(&self) -> Result<Store, CliError> {
        let options = StoreOptions { cache_mb: self.config.store.cache_mb };
        Ok(Store::open(&self.paths.data, &options)?)
    }

    pub fn window<'a>(&'a self, store: &'a Store) -> Window<'a> {
        Window::with_policies(store, &self.config.counter, &self.policies)
    }
}

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
