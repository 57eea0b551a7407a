//! The crash test: onedoor killed with SIGKILL at random moments, again and
//! again, in every command that writes (`case add`, `case import`, `fund
//! disburse`), while a store is first made, in the counter itself (the real
//! binary in a pseudo-terminal, a case typed and killed around its F10 save),
//! and in `sync --once` forwarding a backlog to a real `onedoor-district`
//! started once for the round. After every kill the store must open, hold
//! every case and payment a command reported and every case the counter's
//! screen said was "Accepted", hold each import whole or not at all, keep the
//! fund's ledger in step with its cases, and never have handed out one case id
//! twice; a counter started again must not offer a draft that is already a
//! case; the district holds each forwarded case at most once and every case
//! that left the outbox (with its receipt), and after a last clean `sync
//! --once` all of them, the outbox empty and no dead letters.
//!
//! The suite runs a short round (300 kills, a few of them of the counter and
//! of forwarding, which cost most a run); `scripts/crash.sh` runs thousands of
//! kills on the release build (the `#[ignore]`d test below, sized by
//! ONEDOOR_CRASH_KILLS). ONEDOOR_CRASH_BIN runs the rounds against another
//! onedoor binary (an older build, to show what a round finds there).

mod common;
mod district_support;
#[path = "common/pty.rs"]
mod pty;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{case_json, NOW};
use district_support::{finished, token_of, Backend, Ending, Harness};
use portable_pty::CommandBuilder;
use pty::tail;

/// A small xorshift generator: random kill moments without another crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// What one run of onedoor is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Work {
    /// `case add` on a directory with no store yet: this run makes it.
    FirstCase,
    AddCase,
    /// `case import` of three intake records: all or nothing.
    Import,
    /// `case import` of 250 intake records: a commit large enough that the
    /// store applies it to sled on two threads, all or nothing as well.
    LargeImport,
    /// `fund disburse` of an approved green case: the ledger entry and the case's step together.
    FundPayment,
    /// The counter in a pseudo-terminal: a case typed and saved with F10.
    CounterSave,
    /// `sync --once` forwarding a backlog of finished cases to a real district.
    Forward,
}

const WORKS: [Work; 7] = [
    Work::FirstCase,
    Work::AddCase,
    Work::Import,
    Work::LargeImport,
    Work::FundPayment,
    Work::CounterSave,
    Work::Forward,
];

/// Intake records in a large import.
const LARGE_IMPORT: usize = 250;

fn bin() -> PathBuf {
    match std::env::var_os("ONEDOOR_CRASH_BIN") {
        Some(b) => PathBuf::from(b),
        None => PathBuf::from(env!("CARGO_BIN_EXE_onedoor")),
    }
}

fn onedoor(data: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env("ONEDOOR_DATA", data)
        .env("ONEDOOR_NOW", NOW)
        .env("ONEDOOR_OPERATOR", "clerk01")
        .env("ONEDOOR_CONFIG", "/dev/null")
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs to the end; panics unless it succeeds. Returns stdout.
fn finish(data: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = onedoor(data).args(args).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn green(id_number: &str) -> String {
    case_json(id_number, "20000").replace("\"kind\":\"temporary\"", "\"kind\":\"medical\",\"channel\":\"green\"")
}

/// One store killed again and again, and what its commands reported.
struct Round {
    dir: tempfile::TempDir,
    seed: u64,
    rng: Rng,
    next_person: u32,
    /// Case id -> the applicant's ID number, for every case a command reported.
    reported: BTreeMap<String, String>,
    /// Every import started (reported or not): its applicants' numbers.
    imports: Vec<Vec<String>>,
    /// Approved green cases not yet paid, and the payments reported.
    payable: Vec<String>,
    paid: HashSet<String>,
    deposited: u64,
    /// How long an uncut run of each kind takes (the last one), so kills land inside runs.
    typical: HashMap<Work, Duration>,
    kills: BTreeMap<Work, u32>,
    /// Of the kills, those made the moment a file appeared.
    file_kills: BTreeMap<Work, u32>,
    /// Percent of kills made the moment sled creates a file that a kill can
    /// leave torn (its settings `conf`, a snapshot `snap.*.generating`), the
    /// rest at a random moment of the run.
    on_file_share: u64,
    /// The applicant last typed at the counter (a kill may leave the draft).
    typed: Option<String>,
    /// Times a counter started on a draft left behind, and on one that was a case already (not offered).
    drafts_left: u32,
    saved_drafts_left: u32,
    /// The district and the forwarding counter, made at the first `Forward`.
    forwarding: Option<Forwarding>,
}

impl Round {
    fn new(seed: u64, on_file_share: u64) -> Round {
        let dir = tempfile::tempdir().unwrap();
        finish(dir.path(), &["fund", "deposit", "100000000", "--source", "budget"], None);
        Round {
            dir,
            seed,
            rng: Rng(seed),
            next_person: 0,
            reported: BTreeMap::new(),
            imports: Vec::new(),
            payable: Vec::new(),
            paid: HashSet::new(),
            deposited: 100_000_000,
            typical: HashMap::new(),
            kills: BTreeMap::new(),
            file_kills: BTreeMap::new(),
            on_file_share,
            typed: None,
            drafts_left: 0,
            saved_drafts_left: 0,
            forwarding: None,
        }
    }

    fn person(&mut self) -> String {
        self.next_person += 1;
        person(self.next_person)
    }
}

impl Drop for Round {
    /// A failed round keeps its store for a look at what the kill left.
    fn drop(&mut self) {
        if std::thread::panicking() {
            let kept = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap()).keep();
            eprintln!("the store is kept in {}", kept.display());
        }
    }
}

impl Round {
    /// Approved green cases to pay, made with uncut runs.
    fn stock_payable(&mut self) {
        for _ in 0..4 {
            let number = self.person();
            let d = self.dir.path().to_path_buf();
            let id = finish(&d, &["case", "add", "--json", "-"], Some(&green(&number))).trim().to_string();
            finish(&d, &["--operator", "super01", "case", "approve", &id, "--supervisor"], None);
            self.reported.insert(id.clone(), number);
            self.payable.push(id);
        }
    }

    /// One run of `work`, killed at a random moment unless `cut` is false.
    fn step(&mut self, i: u32, work: Work, cut: bool) {
        match work {
            Work::CounterSave => return self.counter_save(i, cut),
            Work::Forward => return self.forward(i, cut),
            _ => {}
        }
        if work == Work::FundPayment && self.payable.is_empty() {
            self.stock_payable();
        }
        let scratch;
        let (data, args, stdin): (PathBuf, Vec<String>, Option<String>) = match work {
            Work::FirstCase => {
                scratch = tempfile::tempdir().unwrap();
                let store = scratch.path().join("store");
                if self.rng.below(2) == 0 {
                    // As install.sh leaves it: an empty directory, made beforehand.
                    std::fs::create_dir(&store).unwrap();
                }
                let number = self.person();
                (store, strings(&["case", "add", "--json", "-"]), Some(case_json(&number, "100")))
            }
            Work::AddCase => {
                let number = self.person();
                (self.dir.path().into(), strings(&["case", "add", "--json", "-"]), Some(case_json(&number, "100")))
            }
            Work::Import | Work::LargeImport => {
                let count = if work == Work::Import { 3 } else { LARGE_IMPORT };
                let numbers: Vec<String> = (0..count).map(|_| self.person()).collect();
                let file = self.dir.path().join("import.jsonl");
                let lines: Vec<String> = numbers.iter().map(|n| case_json(n, "200")).collect();
                std::fs::write(&file, lines.join("\n")).unwrap();
                self.imports.push(numbers);
                (self.dir.path().into(), vec!["case".into(), "import".into(), file.display().to_string()], None)
            }
            Work::CounterSave | Work::Forward => unreachable!("run by their own steps"),
            Work::FundPayment => {
                let id = self.payable.remove(self.rng.below(self.payable.len() as u64) as usize);
                (self.dir.path().into(), vec!["fund".into(), "disburse".into(), id], None)
            }
        };
        let number = stdin.as_deref().map(applicant_number);
        let started = Instant::now();
        let on_file = cut && self.rng.below(100) < self.on_file_share;
        let mut command = onedoor(&data);
        if on_file {
            // At the lowest priority, beside this thread polling at full speed,
            // the run is often stopped between two of its writes: where a kill
            // leaves a file torn.
            let program = command.get_program().to_os_string();
            let mut niced = Command::new("nice");
            niced.arg("-n").arg("19").arg(program);
            for (k, v) in command.get_envs() {
                match v {
                    Some(v) => niced.env(k, v),
                    None => niced.env_remove(k),
                };
            }
            niced.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
            command = niced;
        }
        let mut child = command.args(&args).spawn().unwrap();
        feed(&mut child, stdin.as_deref());
        if cut {
            let typical = self.typical.get(&work).copied().unwrap_or(Duration::from_millis(30));
            if on_file {
                // The moment sled starts a file of its own that a kill can leave torn.
                let torn: fn(&str) -> bool = match work {
                    Work::FirstCase => |name| name == "conf",
                    _ => |name| name.starts_with("snap.") && name.ends_with(".generating"),
                };
                kill_when_file_appears(&mut child, &data, torn, typical * 2);
                *self.file_kills.entry(work).or_default() += 1;
            } else {
                let limit = (typical.as_micros() as u64 * 5 / 4).max(1);
                std::thread::sleep(Duration::from_micros(self.rng.below(limit)));
                let _ = child.kill();
            }
            *self.kills.entry(work).or_default() += 1;
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let context = format!("run {i} ({work:?}, seed {})", self.seed);
        if !cut {
            assert!(out.status.success(), "{context}: {}", String::from_utf8_lossy(&out.stderr));
            self.typical.insert(work, started.elapsed());
        }
        // What the run reported is what a clerk was told: it must all be there.
        match work {
            Work::FirstCase => {
                let listed = listing(&data, &context);
                if let Some(id) = stdout.lines().next().filter(|l| l.ends_with(|c: char| c.is_ascii_digit())) {
                    let number = number.unwrap_or_default();
                    assert_eq!(listed.get(id), Some(&number), "{context}: {id} was reported but is not in the store");
                }
                return;
            }
            Work::AddCase => {
                if let Some(id) = stdout.lines().next().filter(|l| l.ends_with(|c: char| c.is_ascii_digit())) {
                    self.acknowledge(id, &number.unwrap_or_default(), &context);
                }
            }
            Work::Import | Work::LargeImport => {
                let numbers = self.imports.last().cloned().unwrap_or_default();
                let ids: Vec<String> = stdout.lines().map(str::to_string).filter(|l| l.len() > 20).collect();
                // Printed in the order of the file, after the commit.
                for (id, n) in ids.iter().zip(&numbers) {
                    self.acknowledge(id, n, &context);
                }
            }
            Work::CounterSave | Work::Forward => {}
            Work::FundPayment => {
                // What it prints is in the configured language (Chinese here):
                // a payment that finished starts with the case id.
                let id = stdout.split_whitespace().next().filter(|w| w.starts_with(&args[2]));
                if let Some(id) = id.filter(|_| out.status.success()) {
                    self.paid.insert(id.to_string());
                } else if !out.status.success() {
                    // Killed: it may or may not have been paid; the check finds out.
                    self.payable.push(args[2].clone());
                }
            }
        }
        self.check(&context, work == Work::FundPayment);
    }

    fn acknowledge(&mut self, id: &str, number: &str, context: &str) {
        if let Some(earlier) = self.reported.insert(id.to_string(), number.to_string()) {
            panic!("{context}: the id {id} was handed out twice (first to {earlier}, now to {number})");
        }
    }

    /// The store opens and holds everything reported; imports are whole or
    /// absent; each paid case has exactly one ledger entry and the balance adds up.
    fn check(&mut self, context: &str, fund: bool) {
        let d = self.dir.path().to_path_buf();
        let listed = listing(&d, context);
        for (id, number) in &self.reported {
            match listed.get(id) {
                Some(n) if n == number => {}
                Some(n) => panic!("{context}: {id} was reported for {number} but the store holds it for {n}"),
                None => panic!("{context}: {id} was reported but is not in the store"),
            }
        }
        let present: HashSet<&String> = listed.values().collect();
        for numbers in &self.imports {
            let n = numbers.iter().filter(|n| present.contains(n)).count();
            assert!(
                n == 0 || n == numbers.len(),
                "{context}: an import is in the store in part ({n} of {})",
                numbers.len()
            );
        }
        // The person index (the duplicate check's) finds the last import
        // held, whether a kill left its people waiting or settled them.
        if let Some(numbers) = self.imports.iter().rev().find(|ns| ns.first().is_some_and(|n| present.contains(n))) {
            let number = &numbers[numbers.len() / 2];
            let cases: Vec<serde_json::Value> =
                serde_json::from_str(&checked(&d, &["case", "list", "--id-number", number, "--json"], context))
                    .unwrap();
            let found: HashSet<&str> = cases.iter().filter_map(|c| c["id"].as_str()).collect();
            for (id, _) in listed.iter().filter(|(_, n)| *n == number) {
                assert!(found.contains(id.as_str()), "{context}: {id} is held but a lookup of its applicant misses it");
            }
        }
        if !fund {
            return;
        }
        let ledger: serde_json::Value =
            serde_json::from_str(&checked(&d, &["fund", "ledger", "--json"], context)).unwrap();
        let mut paid_in_ledger: HashMap<String, u32> = HashMap::new();
        let mut out = 0f64;
        for e in ledger["entries"].as_array().unwrap() {
            if let Some(case) = e["kind"]["disbursement"]["case"].as_str() {
                *paid_in_ledger.entry(case.to_string()).or_default() += 1;
                out += e["amount"].as_str().unwrap().parse::<f64>().unwrap();
            }
        }
        for id in &self.paid {
            assert!(
                paid_in_ledger.contains_key(id),
                "{context}: the payment to {id} was reported but is not in the ledger"
            );
        }
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(&checked(&d, &["case", "list", "--json"], context)).unwrap();
        for c in &cases {
            let id = c["id"].as_str().unwrap();
            let disbursed = c["state"] == "disbursed";
            let entries = paid_in_ledger.get(id).copied().unwrap_or(0);
            assert_eq!(
                entries,
                u32::from(disbursed),
                "{context}: {id} is {} with {entries} ledger payments",
                c["state"]
            );
        }
        // A payment that happened though it was not reported: not payable again.
        self.payable.retain(|id| !paid_in_ledger.contains_key(id));
        let closing: f64 = ledger["statement"]["closing"].as_str().unwrap().parse().unwrap();
        assert!(
            (closing - (self.deposited as f64 - out)).abs() < 0.005,
            "{context}: the balance {closing} does not add up"
        );
    }
}

/// The `n`-th made-up person's valid ID number, a different one for every `n`
/// below a million (born on one of 18,000 days from 1950, with a sequence).
fn person(n: u32) -> String {
    let born = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(i64::from(n % 18_000));
    let first17 = format!("320106{}{:03}", born.format("%Y%m%d"), n / 18_000 % 1000);
    format!("{first17}{}", onedoor::domain::id_number::check_character(first17.as_bytes()))
}

/// Watches the store directory (and where a new store is built) and kills
/// the run the moment a file `torn` names appears in it; gives up after `limit`.
fn kill_when_file_appears(child: &mut Child, data: &Path, torn: fn(&str) -> bool, limit: Duration) {
    let places = [data.to_path_buf(), data.join(".onedoor-new")];
    let before: HashSet<String> = places.iter().flat_map(|p| names(p)).collect();
    let started = Instant::now();
    while started.elapsed() < limit {
        if places.iter().flat_map(|p| names(p)).any(|n| torn(&n) && !before.contains(&n)) {
            break;
        }
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
    }
    let _ = child.kill();
}

fn names(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn feed(child: &mut Child, stdin: Option<&str>) {
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // The child may already be gone (killed, or done).
        let _ = input.write_all(text.as_bytes());
    }
}

fn applicant_number(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["applicant"]["id_number"].as_str().unwrap().to_string()
}

/// Runs a reading command that must work after any kill: the store opens.
fn checked(data: &Path, args: &[&str], context: &str) -> String {
    if !onedoor::store::Store::exists(data) {
        // Killed before the first case made the store: a reading command says
        // so (it never makes an empty store), and the next writing one makes it.
        let out = onedoor(data).args(args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{context}: {}", String::from_utf8_lossy(&out.stderr));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("there is no store") || said.contains("中没有数据"), "{context}: {said}");
        drop(onedoor::store::Store::open(data, &Default::default()).unwrap());
    }
    let out = onedoor(data).args(args).stdin(Stdio::null()).output().unwrap();
    assert!(
        out.status.success(),
        "{context}: the store does not open after the kill: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Case id -> applicant's ID number, of every case in the store (all are today's).
fn listing(data: &Path, context: &str) -> HashMap<String, String> {
    // `case list --json` masks the numbers: the export with them whole (no operators here).
    let cases: Vec<serde_json::Value> = checked(data, &["case", "export", "--full-id"], context)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let listed: HashMap<String, String> = cases
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["applicant"]["id_number"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(listed.len(), cases.len(), "{context}: the store lists one case id twice");
    listed
}

/// Percent of the runs of each kind that are not the plain commands.
struct Shares {
    first_case: u64,
    /// The counter in a pseudo-terminal: a second or so a run, hence few.
    counter_save: u64,
    forward: u64,
    /// Percent of kills made the moment sled creates a file.
    on_file: u64,
}

/// Kills onedoor `kills` times across every kind of work; every tenth run is
/// left to finish, so the store grows and the kill moments follow how long a
/// run really takes. Returns the number of cases reported.
fn crash_round(kills: u32, shares: Shares) -> usize {
    let Shares { first_case, counter_save, forward, on_file } = shares;
    let seed = std::env::var("ONEDOOR_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    println!("seed {seed} (ONEDOOR_CRASH_SEED={seed} runs this round again), binary {}", bin().display());
    let mut round = Round::new(seed, on_file);
    // Learn how long each kind of run takes before cutting one short.
    for (i, work) in WORKS.iter().enumerate() {
        round.step(i as u32, *work, false);
    }
    let mut killed = 0;
    let mut i = WORKS.len() as u32;
    while killed < kills {
        let pick = round.rng.below(100);
        let work = if pick < first_case {
            Work::FirstCase
        } else if pick < first_case + counter_save {
            Work::CounterSave
        } else if pick < first_case + counter_save + forward {
            Work::Forward
        } else {
            match [Work::AddCase, Work::AddCase, Work::Import, Work::FundPayment][(pick % 4) as usize] {
                // One import in eight is a large one.
                Work::Import if round.rng.below(8) == 0 => Work::LargeImport,
                work => work,
            }
        };
        let cut = !i.is_multiple_of(10);
        round.step(i, work, cut);
        killed += u32::from(cut);
        i += 1;
    }
    round.check("the end", true);
    round.forward_to_the_end();
    println!(
        "kills: {:?}, of which the moment a file appeared: {:?}; {} cases reported, {} payments; \
         {} drafts left behind at a counter's start, {} of them saved as a case and not offered; \
         {} cases forwarded",
        round.kills,
        round.file_kills,
        round.reported.len(),
        round.paid.len(),
        round.drafts_left,
        round.saved_drafts_left,
        round.forwarding.as_ref().map_or(0, |f| f.cases.len())
    );
    round.reported.len()
}

#[test]
fn sigkill_at_random_moments_loses_nothing_and_never_repeats_an_id() {
    let kills = std::env::var("ONEDOOR_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let reported = crash_round(kills, Shares { first_case: 20, counter_save: 3, forward: 4, on_file: 30 });
    assert!(reported >= (kills / 20) as usize, "too few runs got to report a case: {reported}");
}

/// The long round, for `scripts/crash.sh`: thousands of kills.
#[test]
#[ignore = "long: run by scripts/crash.sh"]
fn thousands_of_kills() {
    let kills = std::env::var("ONEDOOR_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    crash_round(kills, Shares { first_case: 15, counter_save: 10, forward: 10, on_file: 20 });
}

/// The counter (`onedoor` with no subcommand) in an 80x24 pseudo-terminal,
/// its screen collected by a thread.
struct Terminal {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<Vec<u8>>>,
    drain: std::thread::JoinHandle<()>,
}

impl Terminal {
    fn start(data: &Path) -> Terminal {
        let mut cmd = CommandBuilder::new(bin());
        cmd.args(["--lang", "en"]);
        cmd.env("ONEDOOR_DATA", data);
        cmd.env("ONEDOOR_NOW", NOW);
        cmd.env("ONEDOOR_OPERATOR", "clerk01");
        cmd.env("ONEDOOR_CONFIG", "/dev/null");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("XDG_CONFIG_HOME");
        let pty::Pty { child, master, writer, screen, drain, .. } = pty::open(cmd);
        let mut t = Terminal { child, master, writer, screen, drain };
        // The store has no operators: Esc on the first supervisor's creation
        // works without them, as this office does.
        t.wait_for("first supervisor", "the first start");
        t.send(b"\x1b");
        t
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Types `bytes` and gives the counter a moment to draw.
    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Waits until the screen shows `needle`; fails after 20 s or if the counter exits.
    fn wait_for(&mut self, needle: &str, context: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.screen().contains(needle) {
            let gone = self.child.try_wait().unwrap();
            assert!(
                gone.is_none() && Instant::now() < deadline,
                "{context}: '{needle}' did not appear (the counter: {gone:?}); the screen ends:\n{}",
                tail(&self.screen())
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGKILL (portable-pty's own `kill` sends SIGHUP first, which the counter handles).
    fn sigkill(&mut self) {
        if let Some(pid) = self.child.process_id() {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }

    /// Waits for the counter to end, closes the terminal; all it wrote to it.
    fn finish(mut self, context: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                self.sigkill();
                panic!("{context}: the counter did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(self.writer);
        drop(self.master);
        let _ = self.drain.join();
        let screen = String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned();
        screen
    }
}

impl Round {
    /// The counter started, a case typed and saved with F10, and (when `cut`)
    /// the counter killed at a random moment around the save. The case must
    /// be in the store if the screen said "Accepted"; the next start must not
    /// offer the form again once it is a case.
    fn counter_save(&mut self, i: u32, cut: bool) {
        let context = format!("run {i} (CounterSave, seed {})", self.seed);
        let data = self.dir.path().to_path_buf();
        // The draft the last kill left, and whether it is a case already.
        let left = std::fs::read_to_string(data.join("draft.json")).ok();
        let saved_left = match (&left, &self.typed) {
            (Some(draft), Some(n)) => draft.contains(n.as_str()) && self.reported.values().any(|r| r == n),
            _ => false,
        };
        self.drafts_left += u32::from(left.is_some());
        let number = self.person();
        let mut t = Terminal::start(&data);
        // One word at a time: the counter draws a space over a space as a cursor move.
        t.wait_for("Today's", &context);
        if t.screen().contains("Restore") {
            assert!(!saved_left, "{context}: a draft already saved as a case is offered again: {left:?}");
            t.send(b"\x1b"); // Esc: discard it
            t.wait_for("discarded", &context);
        } else if saved_left {
            self.saved_drafts_left += 1;
        }
        t.send(b"\x1b[15~"); // F5: call the next ticket
        t.wait_for("please", &context);
        t.send(number.as_bytes());
        t.wait_for("valid", &context);
        t.send("\t王芳\t13800000000\t\t".as_bytes()); // residence stays urban
        t.send(b"\x7f3\t300\t\t\t5000"); // household of 3, income, kind temporary, reason, amount
                                         // As a clerk types, the form is in its draft file before F10 (it is
                                         // written at most every 300 ms: typed faster, it would never be).
        let deadline = Instant::now() + Duration::from_secs(20);
        while !std::fs::read_to_string(data.join("draft.json")).is_ok_and(|d| d.contains(&number) && d.contains("5000"))
        {
            assert!(Instant::now() < deadline, "{context}: the form never reached its draft file");
            std::thread::sleep(Duration::from_millis(10));
        }
        let started = Instant::now();
        t.send(b"\x1b[21~"); // F10: save
        if cut {
            if self.rng.below(2) == 0 {
                // Half the kills: from before the case is on disk to after the draft file goes (up to 300 ms later).
                let typical = self.typical.get(&Work::CounterSave).copied().unwrap_or(Duration::from_millis(50));
                let limit = typical.as_micros() as u64 * 2 + 400_000;
                std::thread::sleep(Duration::from_micros(self.rng.below(limit)).saturating_sub(started.elapsed()));
            } else {
                // The other half once the screen says Accepted, while the draft file may still be there.
                t.wait_for("Accepted", &context);
                std::thread::sleep(Duration::from_micros(self.rng.below(300_000)));
            }
            t.sigkill();
            *self.kills.entry(Work::CounterSave).or_default() += 1;
        } else {
            t.wait_for("Accepted", &context);
            self.typical.insert(Work::CounterSave, started.elapsed());
            t.send(b"\x11"); // Ctrl+Q
        }
        let screen = t.finish(&context);
        let accepted = screen.contains("Accepted");
        let listed = listing(&data, &context);
        let ids: Vec<&String> = listed.iter().filter(|(_, n)| **n == number).map(|(id, _)| id).collect();
        match ids.as_slice() {
            [] => {
                assert!(!accepted, "{context}: the counter said Accepted but the case for {number} is not in the store")
            }
            [id] => {
                let id = id.to_string();
                self.acknowledge(&id, &number, &context);
            }
            _ => panic!("{context}: one intake made {} cases: {ids:?}", ids.len()),
        }
        self.typed = Some(number);
        self.check(&context, false);
    }
}

/// The district a counter forwards to, started once for the round, and that
/// counter's own store with a backlog of finished cases.
struct Forwarding {
    district: Harness,
    counter: tempfile::TempDir,
    /// Every finished case put into the counter's outbox.
    cases: Vec<onedoor::domain::Case>,
}

/// The town the forwarding counter serves.
const TOWN: &str = "320106001";

impl Forwarding {
    fn new() -> Forwarding {
        use std::os::unix::fs::PermissionsExt;
        let district = Harness::new(Backend::Sled);
        let counter = tempfile::tempdir().unwrap();
        let token = counter.path().join("district.token");
        std::fs::write(&token, format!("{}\n", token_of(TOWN))).unwrap();
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
        let config = format!(
            "[counter]\ntown_code = \"{TOWN}\"\n[district]\nurl = \"{}\"\ntoken_file = \"{}\"\n",
            district.district.url(),
            token.display()
        );
        std::fs::write(counter.path().join("onedoor.toml"), config).unwrap();
        Forwarding { district, counter, cases: Vec::new() }
    }

    fn data(&self) -> PathBuf {
        self.counter.path().join("data")
    }

    /// `n` more finished cases written as the window writes them (each enters the outbox).
    fn add_backlog(&mut self, n: u32) {
        let endings = [Ending::Completed, Ending::Rejected, Ending::Withdrawn];
        let from = self.cases.len() as u32;
        let new: Vec<_> = (from..from + n)
            .map(|k| {
                let day = district_support::day() - chrono::Duration::days(i64::from(k / 9000));
                finished(TOWN, day, k % 9000 + 1, &district_support::person(k), &[], endings[k as usize % 3])
            })
            .collect();
        let store = onedoor::store::Store::open(&self.data(), &Default::default()).unwrap();
        store
            .write::<(), std::convert::Infallible>(|tx| {
                for case in &new {
                    tx.put_case(None, case)?;
                }
                Ok(())
            })
            .unwrap();
        self.cases.extend(new);
    }

    fn sync(&self) -> Command {
        let mut c = onedoor(&self.data());
        c.env("ONEDOOR_CONFIG", self.counter.path().join("onedoor.toml")).env_remove("ONEDOOR_NOW");
        c.args(["sync", "--once"]);
        c
    }

    /// The counter's store opens; every case out of its outbox has the
    /// district's receipt; the district holds each case at most once and every
    /// one the outbox let go; no dead letters. `end`: after a clean run, all held.
    fn check(&self, context: &str, end: bool) {
        checked(&self.data(), &["outbox", "list", "--json"], context);
        let store = onedoor::store::Store::open(&self.data(), &Default::default()).unwrap();
        let waiting: HashSet<_> = store.outbox_ids().unwrap().into_iter().collect();
        let dead = store.dead_letters().unwrap();
        assert!(dead.is_empty(), "{context}: dead letters: {dead:?}");
        for case in self.cases.iter().filter(|c| !waiting.contains(&c.id)) {
            assert!(
                store.district_receipt(&case.id).unwrap().is_some(),
                "{context}: {} left the outbox without the district's receipt",
                case.id
            );
        }
        drop(store);
        let held = self.district.town_status(TOWN).cases_held as usize;
        let total = self.cases.len();
        assert!(held <= total, "{context}: the district holds {held} cases of the {total} sent: some twice");
        assert!(held + waiting.len() >= total, "{context}: {held} held, {} waiting, of {total}", waiting.len());
        if end {
            assert!(waiting.is_empty(), "{context}: {} still wait after a clean sync", waiting.len());
            assert_eq!(held, total, "{context}: the district holds {held} of {total}");
        }
    }
}

impl Round {
    /// `onedoor sync --once` with a backlog of 20 more finished cases, killed
    /// (when `cut`) at a random moment of its run.
    fn forward(&mut self, i: u32, cut: bool) {
        let context = format!("run {i} (Forward, seed {})", self.seed);
        let mut f = self.forwarding.take().unwrap_or_else(Forwarding::new);
        f.add_backlog(20);
        let started = Instant::now();
        let mut child = f.sync().spawn().unwrap();
        drop(child.stdin.take());
        if cut {
            let typical = self.typical.get(&Work::Forward).copied().unwrap_or(Duration::from_millis(100));
            let limit = (typical.as_micros() as u64 * 5 / 4).max(1);
            std::thread::sleep(Duration::from_micros(self.rng.below(limit)));
            let _ = child.kill();
            *self.kills.entry(Work::Forward).or_default() += 1;
        }
        let out = child.wait_with_output().unwrap();
        if !cut {
            assert!(out.status.success(), "{context}: {}", String::from_utf8_lossy(&out.stderr));
            self.typical.insert(Work::Forward, started.elapsed());
        }
        f.check(&context, !cut);
        self.forwarding = Some(f);
    }

    /// The end of a round: one clean `sync --once`, then every case is held once.
    fn forward_to_the_end(&mut self) {
        if let Some(f) = &self.forwarding {
            let out = f.sync().stdin(Stdio::null()).output().unwrap();
            assert!(out.status.success(), "the last sync: {}", String::from_utf8_lossy(&out.stderr));
            f.check("the end", true);
        }
    }
}
