//! What a command or the counter needs before it starts: the config, where the
//! data lives, the policies cases are judged by, who is acting and when. The
//! CLI and the counter both begin here, so neither depends on the other.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};

use crate::config::{Config, ConfigError, Paths};
use crate::devices::idcard::{ReadCommand, ReaderConfig};
use crate::domain::operator::Operator;
use crate::domain::policy::{Policy, PolicyBook, PolicyError};
use crate::domain::time::Moment;
use crate::store::{Store, StoreError, StoreOptions};
use crate::window::{Countersign, Window};
use crate::Lang;

/// Why a session could not start.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `ONEDOOR_NOW` is not an RFC 3339 time.
    #[error("ONEDOOR_NOW '{0}' is not a time like 2026-11-29T09:00:00+08:00")]
    BadNow(String),
    #[error("cannot read the policy directory {}: {source}", path.display())]
    PolicyDirUnreadable { path: PathBuf, source: std::io::Error },
    #[error("the policy directory {} has no .toml file", .0.display())]
    PolicyDirEmpty(PathBuf),
    #[error("cannot read the policy file {}: {source}", path.display())]
    PolicyUnreadable { path: PathBuf, source: std::io::Error },
    #[error("{}: {error}", path.display())]
    Policy { path: PathBuf, error: PolicyError },
    /// A command that only reads found no store where it looked.
    #[error("there is no store in {}", .0.display())]
    NoStore(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No ID card reader is configured and none was given.
    #[error("no ID card reader is configured; give --port or set [devices] id_reader")]
    NoReader,
    /// The operator's sign-in was refused (unknown, disabled, locked out, a wrong PIN).
    #[error("{0}")]
    SignIn(Box<crate::window::WindowError>),
    /// No PIN was given and there is no terminal to ask at.
    #[error("{0} must give their PIN: set ONEDOOR_PIN, give --pin-file FILE, or type it at a terminal")]
    PinNeeded(String),
    /// A supervisor's countersign was refused (not a name, unknown, not a
    /// supervisor, a wrong PIN…): said with whose countersign it was.
    #[error("the countersign of {name}: {error}")]
    Countersign { name: String, error: Box<crate::window::WindowError> },
    /// A countersign without the countersigner's PIN, and no terminal to ask at.
    #[error("{0} must give their PIN to countersign: set ONEDOOR_COUNTERSIGN_PIN or type it at a terminal")]
    CountersignPinNeeded(String),
    #[error("cannot read the PIN: {0}")]
    PinUnreadable(String),
}

impl SessionError {
    /// A refusal of what was given (exit 2), not a failure of the machine (exit 1).
    pub fn is_refusal(&self) -> bool {
        match self {
            SessionError::Config(_)
            | SessionError::BadNow(_)
            | SessionError::PolicyDirUnreadable { .. }
            | SessionError::PolicyDirEmpty(_)
            | SessionError::PolicyUnreadable { .. }
            | SessionError::Policy { .. } => true,
            SessionError::Store(e) => e.is_refusal(),
            SessionError::SignIn(e) | SessionError::Countersign { error: e, .. } => e.is_refusal(),
            SessionError::PinNeeded(_) | SessionError::CountersignPinNeeded(_) | SessionError::PinUnreadable(_) => true,
            SessionError::NoStore(_) | SessionError::NoReader => false,
        }
    }
}

/// Everything a command needs: the config, where the data is, who is acting and when.
pub struct Session {
    pub config: Config,
    pub paths: Paths,
    pub operator: String,
    pub now: Moment,
    /// The built-in policy plus the district's file, if the config names one.
    pub policies: PolicyBook,
    /// `--lang`, else `[counter] locale`.
    pub lang: Lang,
    /// `--pin-file`: where a script keeps the operator's PIN (else `ONEDOOR_PIN`, else the terminal).
    pub pin_file: Option<PathBuf>,
    /// The operator signed in by [`Session::open_store`] once the store has operators.
    signed_in: std::cell::OnceCell<Operator>,
    /// Set when the running counter carries out this command for the CLI beside it.
    pub remote: Option<Remote>,
}

/// A command the running counter carries out for a CLI beside it
/// (`crate::control`): the store the counter has open, and what the CLI's
/// side read for it (its PINs, its standard input). What the command says on
/// standard error is kept here to be sent back.
pub struct Remote {
    pub store: Arc<Store>,
    /// The operator's PIN (`ONEDOOR_PIN`, `--pin-file` or typed at the CLI's terminal).
    pub pin: Option<String>,
    /// `ONEDOOR_NEW_PIN`, or typed at the CLI's terminal.
    pub new_pin: Option<String>,
    /// A supervisor's countersign PIN (`ONEDOOR_COUNTERSIGN_PIN`, or typed at the CLI's terminal).
    pub countersign_pin: Option<String>,
    /// The CLI's standard input, for a command reading `-`.
    pub stdin: Option<Vec<u8>>,
    pub stderr: RefCell<Vec<u8>>,
    /// A secret the command needed and was not sent: the CLI asks for it at its terminal and sends the command again.
    pub asked: RefCell<Option<Asked>>,
}

/// A secret the CLI is asked to type, with the prompt it is asked with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "secret", content = "prompt")]
pub enum Asked {
    Pin(String),
    NewPin(String),
    CountersignPin(String),
}

impl Remote {
    pub fn new(store: Arc<Store>) -> Remote {
        Remote {
            store,
            pin: None,
            new_pin: None,
            countersign_pin: None,
            stdin: None,
            stderr: RefCell::new(Vec::new()),
            asked: RefCell::new(None),
        }
    }
}

/// The store a command works on: its own, or the running counter's.
pub enum OpenStore {
    Own(Store),
    Counters(Arc<Store>),
}

impl std::ops::Deref for OpenStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        match self {
            OpenStore::Own(s) => s,
            OpenStore::Counters(s) => s,
        }
    }
}

impl OpenStore {
    /// A handle to share with threads.
    pub fn shared(self) -> Arc<Store> {
        match self {
            OpenStore::Own(s) => Arc::new(s),
            OpenStore::Counters(s) => s,
        }
    }

    /// Closes and opens the store again ([`Store::reopen`]); the counter's
    /// store stays as it is (the counter has it open).
    pub fn reopen(self, options: &StoreOptions) -> Result<OpenStore, StoreError> {
        match self {
            OpenStore::Own(s) => Ok(OpenStore::Own(s.reopen(options)?)),
            counters => Ok(counters),
        }
    }
}

/// What a command writes on standard error: the terminal's, or kept for the CLI beside the counter.
struct Stderr<'a>(Option<std::cell::RefMut<'a, Vec<u8>>>);

impl std::io::Write for Stderr<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.0 {
            Some(kept) => kept.write(buf),
            None => std::io::stderr().write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.0 {
            Some(_) => Ok(()),
            None => std::io::stderr().flush(),
        }
    }
}

/// The policies cases are judged by: the built-in one, overridden by the
/// district's from `[policy] file`. That is one policy file, or a directory
/// of them (every `*.toml`), so a district keeps each version it has used.
pub fn load_policies(config: &Config) -> Result<PolicyBook, SessionError> {
    let Some(path) = &config.policy.file else { return Ok(PolicyBook::builtin()) };
    let files = if path.is_dir() {
        let listing = std::fs::read_dir(path)
            .map_err(|source| SessionError::PolicyDirUnreadable { path: path.clone(), source })?;
        let mut files: Vec<PathBuf> = listing
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(SessionError::PolicyDirEmpty(path.clone()));
        }
        files
    } else {
        vec![path.clone()]
    };
    let mut district = Vec::with_capacity(files.len());
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|source| SessionError::PolicyUnreadable { path: file.clone(), source })?;
        district.push(Policy::from_toml(&text).map_err(|error| SessionError::Policy { path: file.clone(), error })?);
    }
    PolicyBook::district(district).map_err(|error| SessionError::Policy { path: path.clone(), error })
}

impl Session {
    /// Reads the config and fixes the operator, the language and the time of
    /// this command. `ONEDOOR_NOW` (RFC 3339) sets the time, for training and tests.
    pub fn new(
        config_file: Option<&Path>,
        data: Option<&Path>,
        operator: Option<&str>,
        lang: Option<Lang>,
    ) -> Result<Session, SessionError> {
        let (config, paths) = crate::config::resolve(config_file, data)?;
        let offset = config.counter.utc_offset;
        let now = match std::env::var("ONEDOOR_NOW") {
            Ok(s) => DateTime::parse_from_rfc3339(&s).map_err(|_| SessionError::BadNow(s))?.with_timezone(&offset),
            Err(_) => chrono::Utc::now().with_timezone(&offset),
        };
        let operator = config.operator(operator);
        let policies = load_policies(&config)?;
        let lang = lang.unwrap_or(config.counter.locale);
        Ok(Session::from_parts(config, paths, operator, now, policies, lang))
    }

    /// A session made of its parts (for a caller that has them: tests, the demo).
    pub fn from_parts(
        config: Config,
        paths: Paths,
        operator: String,
        now: Moment,
        policies: PolicyBook,
        lang: Lang,
    ) -> Session {
        Session {
            config,
            paths,
            operator,
            now,
            policies,
            lang,
            pin_file: None,
            signed_in: Default::default(),
            remote: None,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions { cache_mb: self.config.store.cache_mb }
    }

    /// Opens the store, making it when there is none yet (for commands that
    /// write). Once the store has operators, the operator of the session
    /// signs in with their PIN first: a wrong PIN is refused (and counted)
    /// before anything is changed.
    pub fn open_store(&self) -> Result<OpenStore, SessionError> {
        let store = match &self.remote {
            Some(remote) => OpenStore::Counters(Arc::clone(&remote.store)),
            None => OpenStore::Own(Store::open(&self.paths.data, &self.store_options())?),
        };
        self.sign_in(&store)?;
        Ok(store)
    }

    /// Once the store has operators, the operator of the session signs in
    /// with their PIN (once per session), for reading as for changing.
    pub fn sign_in(&self, store: &Store) -> Result<(), SessionError> {
        if store.has_operators() && self.signed_in.get().is_none() {
            let pin = self.pin(&crate::tr!(self.lang, "pin-prompt", name = self.operator.as_str()))?;
            let window = crate::window::Window::with_policies(store, &self.config.counter, &self.policies);
            let op = window.sign_in(&self.operator, &pin, self.now).map_err(|e| SessionError::SignIn(Box::new(e)))?;
            let _ = self.signed_in.set(op);
        }
        Ok(())
    }

    /// For commands that read no case but show what only staff may see (a
    /// card's holder, the devices, the policy, a backup): once the store at
    /// the data path has operators, the operator signs in for them too. No
    /// store there: nobody to ask for (and none is made).
    pub fn sign_in_if_staffed(&self) -> Result<(), SessionError> {
        match &self.remote {
            Some(remote) => self.sign_in(&remote.store),
            None if !Store::exists(&self.paths.data) => Ok(()),
            None => self.sign_in(&Store::open(&self.paths.data, &self.store_options())?),
        }
    }

    /// The operator signed in (once the store has operators).
    pub fn signed_in(&self) -> Option<&Operator> {
        self.signed_in.get()
    }

    /// A supervisor's countersign of this one command (`--countersign
    /// NAME`): their PIN from `ONEDOOR_COUNTERSIGN_PIN`, else typed at the
    /// terminal, checked as at sign-in (a wrong one counts toward their
    /// lockout). Without operators there are no PINs to ask for.
    pub fn countersign(&self, store: &Store, name: &str) -> Result<Countersign, SessionError> {
        let window = self.window(store);
        let refused = |e| SessionError::Countersign { name: name.to_string(), error: Box::new(e) };
        let sign = |pin: &str| window.countersign(name, pin, self.now).map_err(refused);
        if !store.has_operators() {
            return sign("");
        }
        // A forged name is refused before a PIN is asked for it.
        crate::domain::operator::OperatorName::parse(name).map_err(|e| refused(e.into()))?;
        let pin = match &self.remote {
            // Beside the counter: the PIN the CLI sent, else the CLI asks at its terminal.
            Some(remote) => remote.countersign_pin.clone().ok_or_else(|| {
                let prompt = crate::tr!(self.lang, "countersign-pin-prompt", name = name);
                *remote.asked.borrow_mut() = Some(Asked::CountersignPin(prompt));
                SessionError::CountersignPinNeeded(name.to_string())
            })?,
            None => self.countersign_pin_here(name)?,
        };
        sign(&pin)
    }

    fn countersign_pin_here(&self, name: &str) -> Result<String, SessionError> {
        Ok(match std::env::var("ONEDOOR_COUNTERSIGN_PIN") {
            Ok(pin) => pin.trim().to_string(),
            Err(_) => read_secret(&crate::tr!(self.lang, "countersign-pin-prompt", name = name))?
                .ok_or_else(|| SessionError::CountersignPinNeeded(name.to_string()))?,
        })
    }

    /// The operator's PIN: `ONEDOOR_PIN`, else `--pin-file`, else typed at the terminal.
    fn pin(&self, prompt: &str) -> Result<String, SessionError> {
        if let Some(remote) = &self.remote {
            return remote.pin.clone().ok_or_else(|| {
                *remote.asked.borrow_mut() = Some(Asked::Pin(prompt.to_string()));
                SessionError::PinNeeded(self.operator.clone())
            });
        }
        if let Ok(pin) = std::env::var("ONEDOOR_PIN") {
            return Ok(pin.trim().to_string());
        }
        if let Some(file) = &self.pin_file {
            let text = std::fs::read_to_string(file)
                .map_err(|e| SessionError::PinUnreadable(format!("{}: {e}", file.display())))?;
            return Ok(text.trim().to_string());
        }
        read_secret(prompt)?.ok_or_else(|| SessionError::PinNeeded(self.operator.clone()))
    }

    /// Opens a store that must already exist: a command that only reads
    /// never leaves an empty store behind where it looked. Once the store
    /// has operators, reading needs one too (case data is personal data):
    /// the operator signs in with their PIN as for a change.
    pub fn open_existing_store(&self) -> Result<OpenStore, SessionError> {
        let store = match &self.remote {
            Some(remote) => OpenStore::Counters(Arc::clone(&remote.store)),
            None if !Store::exists(&self.paths.data) => return Err(SessionError::NoStore(self.paths.data.clone())),
            None => OpenStore::Own(Store::open(&self.paths.data, &self.store_options())?),
        };
        self.sign_in(&store)?;
        Ok(store)
    }

    /// Where the command's notes and warnings go: standard error, or (for
    /// the CLI beside the counter) kept to be sent back.
    pub fn stderr(&self) -> impl std::io::Write + '_ {
        Stderr(self.remote.as_ref().map(|r| r.stderr.borrow_mut()))
    }

    /// One line on [`Session::stderr`].
    pub fn note(&self, line: &str) {
        use std::io::Write;
        let _ = writeln!(self.stderr(), "{line}");
    }

    /// A new PIN being set: `ONEDOOR_NEW_PIN`, else typed at the terminal
    /// (`None`: not given and no terminal to ask at).
    pub fn new_pin(&self, prompt: &str) -> Result<Option<String>, SessionError> {
        if let Some(remote) = &self.remote {
            if remote.new_pin.is_none() {
                *remote.asked.borrow_mut() = Some(Asked::NewPin(prompt.to_string()));
            }
            return Ok(remote.new_pin.clone());
        }
        if let Ok(pin) = std::env::var("ONEDOOR_NEW_PIN") {
            return Ok(Some(pin.trim().to_string()));
        }
        read_secret(prompt)
    }

    pub fn window<'a>(&'a self, store: &'a Store) -> Window<'a> {
        Window::with_policies(store, &self.config.counter, &self.policies)
    }

    /// The ID card reader's settings from `[devices]`, with a command's overrides.
    pub fn reader_config(&self, port: Option<&str>, baud: Option<u32>) -> Result<ReaderConfig, SessionError> {
        let devices = &self.config.devices;
        let port = port.map(str::to_string).or_else(|| devices.id_reader.clone()).ok_or(SessionError::NoReader)?;
        let mut config = ReaderConfig::new(port);
        config.baud = baud.unwrap_or(devices.id_reader_baud);
        config.read_command =
            if devices.id_reader_fingerprint { ReadCommand::WithFingerprints } else { ReadCommand::TextAndPhoto };
        config.keep_photo = devices.keep_photo;
        Ok(config)
    }
}

/// A secret typed at the terminal, not echoed (`None` without a terminal).
pub fn read_secret(prompt: &str) -> Result<Option<String>, SessionError> {
    use crossterm::event::{read, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::{IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let failed = |e: std::io::Error| SessionError::PinUnreadable(e.to_string());
    let mut err = std::io::stderr();
    // Raw before the prompt shows: what is typed once it shows is never echoed.
    crossterm::terminal::enable_raw_mode().map_err(failed)?;
    if let Err(e) = write!(err, "{prompt}").and_then(|_| err.flush()) {
        let _ = crossterm::terminal::disable_raw_mode();
        return Err(failed(e));
    }
    let mut secret = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => match k.code {
                KeyCode::Enter => break Ok(Some(secret)),
                KeyCode::Esc => break Ok(None),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break Ok(None),
                KeyCode::Backspace => {
                    secret.pop();
                }
                KeyCode::Char(c) => secret.push(c),
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(failed(e)),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = writeln!(err);
    result
}
