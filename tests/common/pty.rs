//! The real counter in an 80x24 pseudo-terminal. `open` runs any command in
//! one with what it draws collected by a thread (the crash round and the
//! terminal tests build on it); `Counter` is the counter for tests that drive
//! the CLI beside it: started with the environment of `common::onedoor`,
//! waited for by condition, quit or SIGKILLed.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

/// A program in an 80x24 pseudo-terminal, everything it draws collected.
pub struct Pty {
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub master: Box<dyn portable_pty::MasterPty + Send>,
    pub writer: Box<dyn Write + Send>,
    pub screen: Arc<Mutex<Vec<u8>>>,
    /// Reads the terminal until it closes (or `closing` is set).
    pub drain: std::thread::JoinHandle<()>,
    /// Once set, the drain lets go of its handle on the terminal after its next read.
    pub closing: Arc<AtomicBool>,
}

/// Starts `cmd` in a new 80x24 pseudo-terminal.
pub fn open(cmd: CommandBuilder) -> Pty {
    let pty = native_pty_system().openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
    let child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let writer = pty.master.take_writer().unwrap();
    let screen = Arc::new(Mutex::new(Vec::new()));
    let closing = Arc::new(AtomicBool::new(false));
    let (sink, close) = (Arc::clone(&screen), Arc::clone(&closing));
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
            if close.load(Ordering::SeqCst) {
                break;
            }
        }
    });
    Pty { child, master: pty.master, writer, screen, drain, closing }
}

pub struct Counter {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<Vec<u8>>>,
    drain: Option<std::thread::JoinHandle<()>>,
    pub data: PathBuf,
}

impl Counter {
    /// Starts the counter on `data` in English, as `env` adds to its environment.
    pub fn start(data: &Path, env: &[(&str, &str)]) -> Counter {
        Counter::spawn(data, &[], env)
    }

    /// `onedoor --lang en ARGS` in the terminal (no ARGS: the counter).
    pub fn spawn(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Counter {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
        cmd.args(["--lang", "en"]);
        cmd.args(args);
        cmd.env("ONEDOOR_DATA", data);
        cmd.env("ONEDOOR_NOW", crate::common::NOW);
        cmd.env("ONEDOOR_OPERATOR", "clerk01");
        cmd.env("ONEDOOR_CONFIG", "/dev/null");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("XDG_CONFIG_HOME");
        cmd.env_remove("ONEDOOR_PIN");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let Pty { child, master, writer, screen, drain, .. } = open(cmd);
        Counter { child, master, writer, screen, drain: Some(drain), data: data.to_path_buf() }
    }

    /// Everything the counter has drawn so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// How many bytes it has drawn so far: `drawn_since` looks only after this.
    pub fn mark(&self) -> usize {
        self.screen.lock().unwrap().len()
    }

    /// What it drew after `mark`.
    pub fn drawn_since(&self, mark: usize) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()[mark..]).into_owned()
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits (up to 20 s, failing if the counter exits) until `ready` holds.
    pub fn wait(&mut self, what: &str, mut ready: impl FnMut(&Counter) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ready(self) {
            let gone = self.child.try_wait().unwrap();
            assert!(
                gone.is_none() && Instant::now() < deadline,
                "{what} did not happen (the counter: {gone:?}); the screen ends:\n{}",
                tail(&self.screen())
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until the screen shows `needle`.
    pub fn wait_for(&mut self, needle: &str) {
        self.wait(&format!("'{needle}' on the screen"), |c| c.screen().contains(needle));
    }

    /// Waits until the counter shows today's queue (past the first
    /// supervisor's creation that a store without operators opens on: Esc).
    pub fn wait_for_queue(&mut self) {
        self.wait("the queue or the first supervisor's screen", |c| {
            let s = c.screen();
            s.contains("Today's cases") || s.contains("first supervisor")
        });
        if !self.screen().contains("Today's cases") {
            self.send(b"\x1b");
            self.wait_for("Today's cases");
        }
    }

    /// Waits until the counter listens on its control socket.
    pub fn wait_listening(&mut self) {
        let socket = self.data.join("control.sock");
        self.wait("the control socket", |_| std::os::unix::net::UnixStream::connect(&socket).is_ok());
    }

    /// Once the program has exited: everything it wrote (the drain has read the terminal to its end).
    pub fn all_output(&mut self) -> String {
        assert!(self.child.try_wait().unwrap().is_some(), "all_output before the program exited");
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
        self.screen()
    }

    /// The counter's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the counter's pid")
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGKILL (portable-pty's own `kill` sends SIGHUP first, which the counter handles).
    pub fn sigkill(&mut self) {
        if let Some(pid) = self.child.process_id() {
            let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
        self.wait_exit("SIGKILL");
    }

    /// Ctrl+Q, and waits for the counter to exit.
    pub fn quit(&mut self) {
        self.send(b"\x11");
        self.wait_exit("Ctrl+Q");
    }

    /// Waits (up to 20 s) for the program to exit; its exit status.
    pub fn wait_exit(&mut self, what: &str) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            assert!(Instant::now() < deadline, "{what} did not end it");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            if let Some(pid) = self.child.process_id() {
                let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            }
            let _ = self.child.wait();
        }
        // The drain ends when the terminal (`master`) is dropped after this.
        drop(self.drain.take());
    }
}

pub fn tail(screen: &str) -> String {
    let chars: Vec<char> = screen.chars().collect();
    chars[chars.len().saturating_sub(2000)..].iter().collect()
}
