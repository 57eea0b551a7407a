//! The crash test: onedoor killed with SIGKILL at random moments, again and
//! again, in every command that writes (`case add`, `case import`, `fund
//! disburse`) and while a store is first made. After every kill the store must
//! open, hold every case and payment a command reported, hold each import
//! whole or not at all, keep the fund's ledger in step with its cases, and
//! never have handed out one case id twice.
//!
//! The suite runs a short round; `scripts/crash.sh` runs thousands of kills on
//! the release build (the `#[ignore]`d test below, sized by ONEDOOR_CRASH_KILLS).
//! ONEDOOR_CRASH_BIN runs the rounds against another onedoor binary (an older
//! build, to show what a round finds there).

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{case_json, NOW};

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
///
/// Hook for what comes next: the counter saving a case in a pseudo-terminal,
/// and forwarding completed cases to the district, each become a variant here
/// with their own `start` (the command and its input) and `acknowledged`
/// (what the run reported as done), checked by [`Round::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Work {
    /// `case add` on a directory with no store yet: this run makes it.
    FirstCase,
    AddCase,
    /// `case import` of three intake records: all or nothing.
    Import,
    /// `fund disburse` of an approved green case: the ledger entry and the case's step together.
    FundPayment,
}

const WORKS: [Work; 4] = [Work::FirstCase, Work::AddCase, Work::Import, Work::FundPayment];

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
            Work::Import => {
                let numbers: Vec<String> = (0..3).map(|_| self.person()).collect();
                let file = self.dir.path().join("import.jsonl");
                let lines: Vec<String> = numbers.iter().map(|n| case_json(n, "200")).collect();
                std::fs::write(&file, lines.join("\n")).unwrap();
                self.imports.push(numbers);
                (self.dir.path().into(), vec!["case".into(), "import".into(), file.display().to_string()], None)
            }
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
            Work::Import => {
                let numbers = self.imports.last().cloned().unwrap_or_default();
                let ids: Vec<String> = stdout.lines().map(str::to_string).filter(|l| l.len() > 20).collect();
                // Printed in the order of the file, after the commit.
                for (id, n) in ids.iter().zip(&numbers) {
                    self.acknowledge(id, n, &context);
                }
            }
            Work::FundPayment => {
                if let Some(id) = stdout.split_whitespace().next().filter(|_| stdout.contains(" disbursed ")) {
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
            assert!(n == 0 || n == numbers.len(), "{context}: an import is in the store in part ({n} of 3)");
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
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&checked(data, &["case", "list", "--json"], context)).unwrap();
    cases
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["applicant"]["id_number"].as_str().unwrap().to_string()))
        .collect()
}

/// Kills onedoor `kills` times across every kind of work; every tenth run is
/// left to finish, so the store grows and the kill moments follow how long a
/// run really takes. Returns the number of cases reported.
fn crash_round(kills: u32, first_case_share: u64, on_file_share: u64) -> usize {
    let seed = std::env::var("ONEDOOR_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    println!("seed {seed} (ONEDOOR_CRASH_SEED={seed} runs this round again), binary {}", bin().display());
    let mut round = Round::new(seed, on_file_share);
    // Learn how long each kind of run takes before cutting one short.
    for (i, work) in WORKS.iter().enumerate() {
        round.step(i as u32, *work, false);
    }
    let mut killed = 0;
    let mut i = WORKS.len() as u32;
    while killed < kills {
        let pick = round.rng.below(100);
        let work = if pick < first_case_share {
            Work::FirstCase
        } else {
            [Work::AddCase, Work::AddCase, Work::Import, Work::FundPayment][(pick % 4) as usize]
        };
        let cut = !i.is_multiple_of(10);
        round.step(i, work, cut);
        killed += u32::from(cut);
        i += 1;
    }
    round.check("the end", true);
    println!(
        "kills: {:?}, of which the moment a file appeared: {:?}; {} cases reported, {} payments",
        round.kills,
        round.file_kills,
        round.reported.len(),
        round.paid.len()
    );
    round.reported.len()
}

#[test]
fn sigkill_at_random_moments_loses_nothing_and_never_repeats_an_id() {
    let kills = std::env::var("ONEDOOR_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let reported = crash_round(kills, 20, 30);
    assert!(reported >= (kills / 20) as usize, "too few runs got to report a case: {reported}");
}

/// The long round, for `scripts/crash.sh`: thousands of kills.
#[test]
#[ignore = "long: run by scripts/crash.sh"]
fn thousands_of_kills() {
    let kills = std::env::var("ONEDOOR_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    crash_round(kills, 20, 20);
}
