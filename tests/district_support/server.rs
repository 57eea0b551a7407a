//! The real `onedoor-district` binary, started on 127.0.0.1 with a tokens
//! file for five towns and the admin; killed on drop.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const ADMIN_TOKEN: &str = "admin-9f1c2b7e4d3a5f608192a3b4c5d6e7f8";
/// The towns of the test district, with their tokens.
pub const TOWNS: [(&str, &str); 5] = [
    ("320106001", "town-320106001-0123456789abcdef01234567"),
    ("320106002", "town-320106002-0123456789abcdef01234567"),
    ("320106003", "town-320106003-0123456789abcdef01234567"),
    ("320106004", "town-320106004-0123456789abcdef01234567"),
    ("320106005", "town-320106005-0123456789abcdef01234567"),
];

pub fn token_of(town: &str) -> &'static str {
    TOWNS.iter().find(|(t, _)| *t == town).map(|(_, token)| *token).expect("a town of the test district")
}

/// Writes the tokens file (mode 0600) into `dir`.
pub fn write_tokens(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let mut text = format!("# the test district\nadmin = \"{ADMIN_TOKEN}\"\n[towns]\n");
    for (town, token) in TOWNS {
        text.push_str(&format!("{town} = \"{token}\"\n"));
    }
    let path = dir.join("tokens.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// Where a server keeps the cases.
#[derive(Debug, Clone)]
pub enum Store {
    Sled(PathBuf),
    Postgres(String),
}

/// A running `onedoor-district serve`.
pub struct District {
    child: Option<Child>,
    pub port: u16,
    pub log: PathBuf,
    store: Store,
    tokens: PathBuf,
    extra: Vec<String>,
}

impl District {
    /// Starts a server on a free port; waits until it listens.
    pub fn start(store: &Store, tokens: &Path, log: &Path, extra: &[&str]) -> District {
        let mut d = District {
            child: None,
            port: 0,
            log: log.to_path_buf(),
            store: store.clone(),
            tokens: tokens.to_path_buf(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        d.spawn();
        d
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_onedoor-district"));
        cmd.arg("serve").arg("--listen").arg(format!("127.0.0.1:{}", self.port)).arg("--tokens").arg(&self.tokens);
        match &self.store {
            Store::Sled(dir) => cmd.arg("--data").arg(dir),
            Store::Postgres(url) => cmd.arg("--database").arg(url),
        };
        cmd.args(&self.extra).env_remove("ONEDOOR_DISTRICT_DATA").env_remove("ONEDOOR_DISTRICT_DATABASE");
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let mut child = cmd.stdout(Stdio::piped()).stderr(log).stdin(Stdio::null()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!(
                "onedoor-district did not start listening: {}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            )
        });
        let address = line.strip_prefix("listening on ").and_then(|rest| rest.split_whitespace().next()).unwrap();
        self.port = address.rsplit(':').next().unwrap().parse().unwrap();
        self.child = Some(child);
    }

    /// `https://` when it was started with a certificate (`--tls-cert`).
    pub fn url(&self) -> String {
        let scheme = if self.extra.iter().any(|a| a == "--tls-cert") { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM without waiting.
    pub fn terminate(&self) {
        let ok = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status().unwrap().success();
        assert!(ok, "kill -TERM");
    }

    /// Waits for the process to end; its exit code.
    pub fn wait(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        child.wait().ok().and_then(|s| s.code())
    }

    /// Starts it again on the same port and store.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Starts a stopped server again.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        self.spawn();
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for District {
    fn drop(&mut self) {
        self.kill();
    }
}
