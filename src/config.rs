//! The counter's configuration (`onedoor.toml`): which town and window this is,
//! where the store lives, which devices are attached, where the district is.
//! Every key has a default; a bad file is reported with its path, line and what
//! was expected.

use std::path::{Path, PathBuf};

use chrono::FixedOffset;
use serde::{Deserialize, Deserializer, Serialize};

use crate::Lang;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub counter: CounterConfig,
    pub store: StoreConfig,
    pub devices: DevicesConfig,
    pub district: DistrictConfig,
    pub policy: PolicyConfig,
    pub ui: UiConfig,
    pub receipts: ReceiptsConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CounterConfig {
    /// The town's administrative code: the first part of every case id.
    pub town_code: String,
    pub town_name: String,
    /// This window's number at the service centre (1-99).
    pub window: u8,
    pub centre_phone: String,
    pub locale: Lang,
    /// The centre's offset from UTC; times are shown and days counted in it.
    #[serde(deserialize_with = "offset_from_str", serialize_with = "offset_to_str")]
    pub utc_offset: FixedOffset,
    /// The operator recorded when `--operator` is not given.
    pub operator: Option<String>,
    /// Who may act as a supervisor: approve above the clerk's limit, let a
    /// blocked duplicate through, correct the relief fund. Empty: anyone
    /// (every such act still records who did it).
    pub supervisors: Vec<String>,
    /// Minutes without a key before the counter locks (once it has
    /// operators): the screen hides every case until a PIN is given. 0: never.
    pub idle_lock_minutes: u32,
}

impl Default for CounterConfig {
    fn default() -> CounterConfig {
        CounterConfig {
            town_code: "320106001".into(),
            town_name: "示例街道".into(),
            window: 1,
            centre_phone: "12345".into(),
            locale: Lang::ZhCn,
            utc_offset: china_offset(),
            operator: None,
            supervisors: Vec::new(),
            idle_lock_minutes: 5,
        }
    }
}

/// +08:00, the default offset.
pub fn china_offset() -> FixedOffset {
    use chrono::Offset;
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

/// `+08:00`, `-05:30` (chrono's own parse of an offset).
pub fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    s.trim().parse::<FixedOffset>().map_err(|_| format!("'{s}' is not a UTC offset like +08:00"))
}

fn offset_from_str<'de, D: Deserializer<'de>>(d: D) -> Result<FixedOffset, D::Error> {
    let s = String::deserialize(d)?;
    parse_offset(&s).map_err(serde::de::Error::custom)
}

fn offset_to_str<S: serde::Serializer>(o: &FixedOffset, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&o.to_string())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    pub path: Option<PathBuf>,
    pub cache_mb: u64,
}

/// The largest page cache a config may ask for (16 GiB): more than any kiosk
/// has, and far from where MiB turned into bytes would overflow.
pub const MAX_CACHE_MB: u64 = 16 * 1024;

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig { path: None, cache_mb: 32 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevicesConfig {
    /// The ID card reader's serial port, e.g. /dev/ttyUSB0; none when absent.
    pub id_reader: Option<String>,
    pub id_reader_baud: u32,
    /// Read text and photo (`30 01`, default) or also fingerprints (`30 10`).
    pub id_reader_fingerprint: bool,
    /// Keep the card's raw (WLT-compressed) photo bytes; off by default.
    pub keep_photo: bool,
    /// `serial:/dev/ttyS0?baud=9600`, `usb:/dev/usb/lp0`, `tcp:HOST:9100`, `file:PATH` or `none`.
    pub printer: String,
    pub paper_mm: u16,
    /// Characters per line, overriding what `paper_mm` implies.
    pub columns: Option<u16>,
    /// How often the counter asks an idle printer how it is (paper, cover),
    /// so the status line is right before the next receipt; 0: never.
    pub printer_poll_seconds: u64,
}

impl Default for DevicesConfig {
    fn default() -> DevicesConfig {
        DevicesConfig {
            id_reader: None,
            id_reader_baud: 115_200,
            id_reader_fingerprint: false,
            keep_photo: false,
            printer: "none".into(),
            paper_mm: 58,
            columns: None,
            printer_poll_seconds: 20,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DistrictConfig {
    /// The district server's base URL; none: nothing is forwarded.
    pub url: Option<String>,
    /// The town's token (mode 0600).
    pub token_file: Option<PathBuf>,
    /// A PEM file of the district's own CA, trusted instead of the public roots.
    pub ca_file: Option<PathBuf>,
    /// Requests in flight at most while a backlog drains (each on its own
    /// kept-alive connection); one case at a time uses one.
    pub connections: u8,
}

impl Default for DistrictConfig {
    fn default() -> DistrictConfig {
        DistrictConfig { url: None, token_file: None, ca_file: None, connections: 4 }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// A district policy file; the built-in default policy otherwise.
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// `default`, `laptop`, or the path of a keymap file merged over the default.
    pub keymap: String,
}

impl Default for UiConfig {
    fn default() -> UiConfig {
        UiConfig { keymap: "default".into() }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReceiptsConfig {
    /// A directory of receipt templates overriding the shipped ones.
    pub templates: Option<PathBuf>,
}

/// A config file that could not be used: where, and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid { path: PathBuf, line: usize, column: usize, message: String },
}

impl Config {
    /// Reads a config file; every missing key keeps its default.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Unreadable { path: path.to_path_buf(), source })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_and_column(text, s.start)).unwrap_or((1, 1));
            ConfigError::Invalid { path: path.to_path_buf(), line, column, message: e.message().trim().to_string() }
        })?;
        config.check(text, path)?;
        Ok(config)
    }

    fn check(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let at = |key: &str, message: String| {
            let offset = text.find(key).unwrap_or(0);
            let (line, column) = line_and_column(text, offset);
            ConfigError::Invalid { path: path.to_path_buf(), line, column, message }
        };
        let town = &self.counter.town_code;
        if town.is_empty() || town.len() > 12 || !town.bytes().all(|b| b.is_ascii_digit()) {
            return Err(at("town_code", format!("town_code '{town}' must be 1 to 12 digits")));
        }
        if self.counter.window == 0 || self.counter.window > 99 {
            return Err(at("window", format!("window {} must be between 1 and 99", self.counter.window)));
        }
        if !matches!(self.devices.paper_mm, 58 | 80) {
            return Err(at("paper_mm", format!("paper_mm {} must be 58 or 80", self.devices.paper_mm)));
        }
        if self.store.cache_mb == 0 || self.store.cache_mb > MAX_CACHE_MB {
            return Err(at(
                "cache_mb",
                format!("cache_mb {} must be between 1 and {MAX_CACHE_MB}", self.store.cache_mb),
            ));
        }
        Ok(())
    }

    /// The operator recorded on changes: `--operator`, else the config, else the login name.
    pub fn operator(&self, given: Option<&str>) -> String {
        given
            .map(str::to_string)
            .or_else(|| self.counter.operator.clone())
            .or_else(|| std::env::var("USER").ok())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "clerk".into())
    }
}

/// 1-based line and column of a byte offset.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, column)
}

/// Where things live: the config file (if any) and the data directory.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config: Option<PathBuf>,
    pub data: PathBuf,
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/var/lib"))
}

/// `$XDG_CONFIG_HOME/onedoor/onedoor.toml`, then `/etc/onedoor/onedoor.toml`: the first that exists.
pub fn default_config_file() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".config"))
        .join("onedoor/onedoor.toml");
    [xdg, PathBuf::from("/etc/onedoor/onedoor.toml")].into_iter().find(|p| p.is_file())
}

/// `$XDG_DATA_HOME/onedoor`, or `~/.local/share/onedoor`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).unwrap_or_else(|| home().join(".local/share")).join("onedoor")
}

/// Loads the config (`--config`/`ONEDOOR_CONFIG` already folded into `given`)
/// and decides the data directory (`--data`/`ONEDOOR_DATA`, then `[store] path`).
pub fn resolve(given_config: Option<&Path>, given_data: Option<&Path>) -> Result<(Config, Paths), ConfigError> {
    let config_path = given_config.map(Path::to_path_buf).or_else(default_config_file);
    let config = match &config_path {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let data = given_data.map(Path::to_path_buf).or_else(|| config.store.path.clone()).unwrap_or_else(default_data_dir);
    Ok((config, Paths { config: config_path, data }))
}

/// The default config file that `install.sh` writes and `onedoor` documents.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../onedoor.toml.example");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_example_parses_to_the_defaults() {
        let c = Config::parse(DEFAULT_CONFIG_TOML, Path::new("onedoor.toml")).unwrap();
        assert_eq!(c.counter.window, 1);
        assert_eq!(c.store.cache_mb, 32);
        assert_eq!(c.counter.utc_offset, china_offset());
    }

    #[test]
    fn a_wrong_type_names_path_line_and_expectation() {
        let text = "[counter]\ntown_code = \"320106001\"\nwindow = \"three\"\n";
        let err = Config::parse(text, Path::new("/etc/onedoor/onedoor.toml")).unwrap_err().to_string();
        assert!(err.starts_with("/etc/onedoor/onedoor.toml:3:"), "{err}");
        assert!(err.contains("u8") || err.contains("integer"), "{err}");
    }

    #[test]
    fn utc_offsets_are_read_by_chrono() {
        assert_eq!(parse_offset("+08:00"), Ok(china_offset()));
        assert_eq!(parse_offset(" -05:30 ").map(|o| o.local_minus_utc()), Ok(-(5 * 3600 + 30 * 60)));
        for bad in ["8", "08:00", "+25:00", "UTC", ""] {
            assert!(parse_offset(bad).unwrap_err().contains("UTC offset"), "{bad}");
        }
    }

    #[test]
    fn an_unknown_key_and_a_bad_value_are_refused_with_the_line() {
        let err = Config::parse("[store]\ncache_mb = 32\ncahce = 1\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(err.starts_with("c.toml:3:"), "{err}");
        assert!(err.contains("cahce"), "{err}");
        let err = Config::parse("[counter]\n\nwindow = 0\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(err.starts_with("c.toml:3:"), "{err}");
        let err = Config::parse("[counter]\nutc_offset = \"8\"\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(err.contains("UTC offset"), "{err}");
    }
}
