//! A throwaway PostgreSQL for one test: Debian's binaries, a fresh cluster in a
//! temporary directory, a free port on 127.0.0.1; stopped (and removed) on drop.
//! As root, `initdb` and `pg_ctl` run as the `postgres` user (they refuse root).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub struct Pg {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    fsync: bool,
    running: bool,
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.flatten().map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect())
        .unwrap_or_default();
    found.sort_by_key(|p| {
        p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
    });
    if let Some(bin) = found.pop() {
        return bin;
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if bin.join("initdb").exists() {
            return bin;
        }
    }
    panic!(
        "the district tests need a real PostgreSQL and none is installed here (no initdb in /usr/lib/postgresql/*/bin \
         or from pg_config). Install it: apt-get update && apt-get install -y postgresql"
    );
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// A free port on 127.0.0.1 (free when asked; a clash is retried by the caller).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One PostgreSQL (fsync off) for every test of this test binary that does
/// not crash it: each harness takes a database of its own, so the cluster's
/// start is paid once. A static is never dropped, so a watcher process stops
/// the cluster and removes its directory once this process has ended
/// (whether the tests passed, failed or aborted).
pub fn shared() -> &'static Pg {
    static SHARED: OnceLock<Pg> = OnceLock::new();
    SHARED.get_or_init(|| {
        let pg = Pg::start(false);
        pg.stop_when_this_process_ends();
        pg
    })
}

fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

impl Pg {
    /// A new database of its own in this cluster, and its address.
    pub fn fresh_database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        self.database(&format!("test_{}", NEXT.fetch_add(1, Ordering::SeqCst)))
    }

    fn stop_when_this_process_ends(&self) {
        let runuser = if is_root() { "runuser -u postgres -- " } else { "" };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; {runuser}{pg_ctl} -D {data} -m immediate -w -t 60 stop; rm -rf {dir}",
            pid = std::process::id(),
            pg_ctl = quoted(&self.bin.join("pg_ctl")),
            data = quoted(&self.data()),
            dir = quoted(self.dir.path()),
        );
        // It outlives this process on purpose: it is what stops the cluster.
        #[allow(clippy::zombie_processes)]
        let _watcher = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the shared PostgreSQL's watcher");
    }

    /// A new cluster, started. `fsync: false` is for tests that do not test durability.
    pub fn start(fsync: bool) -> Pg {
        let bin = bin_dir();
        let dir = tempfile::Builder::new().prefix("onedoor-pg").tempdir().unwrap();
        if is_root() {
            let ok = Command::new("chown").arg("postgres").arg(dir.path()).status().unwrap().success();
            assert!(ok, "chown postgres {}", dir.path().display());
        }
        let out = pg_command(&bin.join("initdb"))
            .arg("-D")
            .arg(dir.path().join("data"))
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let mut pg = Pg { dir, bin, port: 0, fsync, running: false };
        for attempt in 0.. {
            pg.port = free_port();
            if pg.try_start() {
                break;
            }
            assert!(attempt < 5, "PostgreSQL did not start: {}", pg.server_log());
        }
        pg
    }

    fn try_start(&mut self) -> bool {
        let mut options = format!("-k {} -p {} -c listen_addresses=127.0.0.1", self.dir.path().display(), self.port);
        if !self.fsync {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let status = pg_command(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        self.running = status.success();
        self.running
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A new, empty database and its address.
    pub fn database(&self, name: &str) -> String {
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Runs SQL, returns its unaligned output.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db, "-c", sql])
            .output()
            .unwrap();
        assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Stops it as a crash would (`-m immediate`: no checkpoint, recovery from the WAL at the next start).
    pub fn crash(&mut self) {
        self.stop("immediate");
    }

    fn stop(&mut self, mode: &str) {
        if self.running {
            let _ = pg_command(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.data())
                .args(["-m", mode, "-w", "-t", "60", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            self.running = false;
        }
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) {
        assert!(self.try_start(), "PostgreSQL did not start again: {}", self.server_log());
    }

    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }
}

fn pg_command(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop("immediate");
    }
}
