//! `onedoor bench`: builds a store of N realistic cases in a scratch directory
//! and measures what a kiosk feels: the durable commit of a new case, finding a
//! person's cases, the first open after a bulk import, memory and disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, FixedOffset, NaiveDate, TimeZone};
use serde::Serialize;

use crate::cli::{CliError, CliResult};
use crate::config::CounterConfig;
use crate::domain::case::{Acceptance, CaseInput};
use crate::domain::dedup::SupervisorOverride;
use crate::domain::time::Moment;
use crate::domain::{Case, CaseId, Channel, State};
use crate::session::Session;
use crate::store::{Store, StoreError, StoreOptions};
use crate::window::Window;

/// The generator the bench's cases come from (one for the demo and the bench).
pub use crate::sample::Sampler as Rng;
pub use crate::sample::{person_name, person_number, CASES_PER_PERSON};

/// A realistic case for made-up person `person`, received at `at`, in a state
/// drawn at random (as a store of three years holds them).
pub fn synthetic_case(rng: &mut Rng, id: CaseId, person: u64, at: Moment) -> Case {
    let input = rng.input(person, None);
    let mut case = Case::receive(
        input,
        Acceptance {
            id,
            operator: "clerk01".into(),
            at,
            due_by: Some(at.date_naive() + Days::days(21)),
            entitlement: None,
            policy: None,
            related_cases: vec![],
        },
    );
    case.state = State::ALL[rng.below(State::ALL.len() as u64) as usize];
    if case.channel == Channel::Green && matches!(case.state, State::Referred | State::UnderReview | State::Rejected) {
        case.state = State::Approved;
    }
    case
}

/// Makes a store of `n` seeded cases in `dir` for a benchmark to measure in
/// another process: seeded as of today here, then opened once more, so its
/// first open is paid. Returns how long it took.
pub fn seeded_store(dir: &Path, n: u64, options: &StoreOptions) -> Result<Duration, StoreError> {
    let now = chrono::Local::now().fixed_offset();
    let started = Instant::now();
    let store = Store::open(dir, options)?;
    seed(&store, n, now.date_naive(), *now.offset())?;
    store.compact()?;
    drop(store.reopen(options)?);
    Ok(started.elapsed())
}

/// Fills `store` with `n` cases received day by day over the three years before `today`,
/// [`CASES_PER_PERSON`] cases per person at every scale. Returns the number of distinct people.
pub fn seed(store: &Store, n: u64, today: NaiveDate, offset: FixedOffset) -> Result<u64, StoreError> {
    let people = (n / CASES_PER_PERSON).max(1);
    let mut rng = Rng::new(0x5eed);
    let chunk: u64 = std::env::var("ONEDOOR_BENCH_CHUNK").ok().and_then(|s| s.parse().ok()).unwrap_or(2_000);
    let mut done = 0u64;
    let mut batch = Vec::with_capacity(chunk as usize);
    while done < n {
        batch.clear();
        for i in done..(done + chunk).min(n) {
            // Cases arrive in time order over the three years before today, as at a real window.
            let per_day = n.div_ceil(1095).max(1);
            let day = today - Days::days(1095 - (i / per_day) as i64);
            let seq = (i % per_day) as u32 + 1;
            let id = CaseId::new("320106001", 9, day, seq);
            let at = offset
                .from_local_datetime(&day.and_hms_opt(9, 0, 0).unwrap_or_default())
                .single()
                .unwrap_or_else(|| offset.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap_or_default()));
            let person = rng.below(people);
            batch.push(synthetic_case(&mut rng, id, person, at));
        }
        store.bulk_load(&batch)?;
        done += batch.len() as u64;
    }
    Ok(people)
}

/// What `onedoor bench` measured.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Figures {
    pub cases: u64,
    pub seed_seconds: f64,
    /// Of `seed_seconds`: the rewriting of every page in one piece at the
    /// end of the seed ([`Store::compact`]), as a restore or a migration pays it.
    #[serde(default)]
    pub compact_seconds: f64,
    pub measure_seconds: f64,
    /// The first open of the store in a fresh process, until the first answer.
    pub open_ms: f64,
    /// sled's pages at that open: all of them, those in more than one
    /// fragment (each read on its own on a cache miss), and those its
    /// cleaner has still to move (the next writes move them).
    #[serde(default)]
    pub pages_at_open: u64,
    #[serde(default)]
    pub pages_fragmented_at_open: u64,
    #[serde(default)]
    pub pages_queued_for_cleaning_at_open: u64,
    pub lookup_p50_us: f64,
    pub lookup_p99_us: f64,
    pub lookups: usize,
    pub cases_per_lookup: f64,
    pub commit_p50_us: f64,
    pub commit_p99_us: f64,
    pub commits: usize,
    /// Exported cases imported with their ids, all in one transaction (10,000).
    pub import_cases_per_s: f64,
    /// The import's people, settled afterwards into the person index as the
    /// counter's settler does it (its batches, one after the other): seconds
    /// and commits.
    #[serde(default)]
    pub import_settled_s: f64,
    #[serde(default)]
    pub import_settle_commits: usize,
    /// Person lookups while the import's people wait to be settled (the
    /// index's two trees are read).
    #[serde(default)]
    pub lookup_waiting_p50_us: f64,
    #[serde(default)]
    pub lookup_waiting_p99_us: f64,
    /// A keystroke in the queue and the counter's whole frame at 80x24.
    pub frame_p99_us_80x24: f64,
    /// The supervisor's daily report of a day of 10,000 cases (the imported
    /// ones): the median of five.
    pub report_daily_ms: f64,
    /// The `GLIBC_TUNABLES` the measuring process ran with (empty: none);
    /// the resident figures depend on them.
    #[serde(default)]
    pub glibc_tunables: String,
    /// Peak resident memory of the measuring process, over all that onedoor
    /// does in it (the day, the import, the reports); the bench's own walk of
    /// every tree after that is `rss_walk_peak_mb`.
    pub rss_peak_mb: f64,
    /// Resident memory right after the first open, and at the end.
    #[serde(default)]
    pub rss_after_open_mb: f64,
    #[serde(default)]
    pub rss_end_mb: f64,
    pub disk_mb: f64,
    /// Keys and values as stored, before sled's overhead, in MiB.
    #[serde(default)]
    pub raw_mb: f64,
    /// The import and the report in CPU time of the measuring thread (the
    /// figures above are wall time: on a busy machine they include waiting
    /// for the processor, and the import's waits for the disk).
    #[serde(default)]
    pub import_cases_per_cpu_s: f64,
    #[serde(default)]
    pub report_daily_cpu_ms: f64,
    /// The import in CPU time of the whole process: every thread of it
    /// (a large commit is applied to sled by two, and sled has its own).
    #[serde(default)]
    pub import_cases_per_process_cpu_s: f64,
    /// Bytes this process handed to `write` (sled's log, the journal) per
    /// case, in the durable commits and in the import: what a case costs
    /// written, rewritten runs included.
    #[serde(default)]
    pub commit_written_per_case_kb: f64,
    #[serde(default)]
    pub import_written_per_case_kb: f64,
    /// A counter's working day in a fresh process on the store: the open,
    /// the lookups, the durable commits, the queue's keystrokes, the overdue
    /// list and the day's report, before any import: peak and final resident memory, and the
    /// heap's peak where it is counted (`benches/memory.rs`).
    #[serde(default)]
    pub rss_day_peak_mb: f64,
    #[serde(default)]
    pub rss_day_end_mb: f64,
    #[serde(default)]
    pub heap_day_peak_mb: Option<f64>,
    /// Peak resident memory during the import of 10,000 cases alone (a
    /// clerk's `case import`, run after the day in the same process).
    #[serde(default)]
    pub rss_import_peak_mb: f64,
    /// Peak during the bench's own walk of every tree (`trees`): what a
    /// read of the whole store costs (an export, a backup check).
    #[serde(default)]
    pub rss_walk_peak_mb: f64,
    /// Peak resident memory of the process that generated the store (bulk
    /// loads of made-up cases, which no counter does).
    #[serde(default)]
    pub seed_rss_peak_mb: f64,
    /// Resident memory after each phase, in MiB.
    #[serde(default)]
    pub memory_by_phase: Vec<PhaseMemory>,
    /// Each tree at the end: sled entries, items, and MiB of keys and values.
    #[serde(default)]
    pub trees: Vec<TreeFigures>,
}

/// Memory after one phase of the measurement, in MiB.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct PhaseMemory {
    pub phase: String,
    /// Peak resident memory of the process so far (VmHWM, never reset by the bench).
    pub peak_mb: f64,
    /// Resident memory at the end of the phase (VmRSS).
    pub now_mb: f64,
    /// Peak resident memory during this phase alone (VmHWM, reset at the phase's start).
    #[serde(default)]
    pub phase_peak_mb: f64,
    /// Of `now_mb`: anonymous memory (the heap, stacks), and file pages (the binary, libraries).
    #[serde(default)]
    pub anon_mb: f64,
    #[serde(default)]
    pub file_mb: f64,
    /// Bytes the program holds allocated at the end of the phase, and their
    /// peak during it, where the allocator is counted (`benches/memory.rs`);
    /// `None` from `onedoor bench`, whose allocator is not.
    #[serde(default)]
    pub heap_live_mb: Option<f64>,
    #[serde(default)]
    pub heap_peak_mb: Option<f64>,
    /// What the process read and wrote during the phase (`rchar` and
    /// `wchar` of /proc/self/io, page cache included), in MiB: sled paging
    /// in what it does not hold, and its flusher rewriting segments, show
    /// here even in a phase that only reads.
    #[serde(default)]
    pub read_mb: f64,
    #[serde(default)]
    pub written_mb: f64,
}

/// A count of the bytes the program holds, kept by a counting allocator
/// installed by a benchmark binary (never by the kiosk's).
#[derive(Debug, Clone, Copy)]
pub struct HeapCounter {
    /// Bytes allocated and not yet freed.
    pub live: fn() -> u64,
    /// The highest `live` since the last call (which starts the next span at `live`).
    pub take_peak: fn() -> u64,
}

static HEAP: std::sync::OnceLock<HeapCounter> = std::sync::OnceLock::new();

/// Makes [`measure`] report the heap through `counter` (once per process).
pub fn count_heap_with(counter: HeapCounter) {
    let _ = HEAP.set(counter);
}

const MIB: f64 = 1024.0 * 1024.0;

/// Marks the phases of a measurement: each phase's own peak (the kernel's
/// peak is reset at each start) and the process's peak over them all.
struct Phases {
    list: Vec<PhaseMemory>,
    peak_mb: f64,
    /// `rchar` and `wchar` when the phase began.
    io_at_start: (u64, u64),
}

impl Phases {
    fn start() -> Phases {
        let mut phases = Phases { list: Vec::new(), peak_mb: peak_rss_mb(), io_at_start: (0, 0) };
        phases.begin();
        phases
    }

    /// A new phase starts: its peak counts from now.
    fn begin(&mut self) {
        self.peak_mb = self.peak_mb.max(peak_rss_mb());
        // "5" resets VmHWM to VmRSS (Linux 4.0 and later); where it cannot,
        // a phase's peak is the process's.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        self.io_at_start = (io_bytes("rchar:"), io_bytes("wchar:"));
        if let Some(heap) = HEAP.get() {
            (heap.take_peak)();
        }
    }

    /// The phase that began last ends; the next one begins.
    fn end(&mut self, phase: &str) {
        let phase_peak_mb = peak_rss_mb();
        self.peak_mb = self.peak_mb.max(phase_peak_mb);
        let (anon_mb, file_mb) = rss_split_mb();
        let heap = HEAP.get();
        self.list.push(PhaseMemory {
            phase: phase.to_string(),
            peak_mb: self.peak_mb,
            now_mb: rss_mb(),
            phase_peak_mb,
            anon_mb,
            file_mb,
            heap_live_mb: heap.map(|h| (h.live)() as f64 / MIB),
            heap_peak_mb: heap.map(|h| (h.take_peak)() as f64 / MIB),
            read_mb: io_bytes("rchar:").saturating_sub(self.io_at_start.0) as f64 / MIB,
            written_mb: io_bytes("wchar:").saturating_sub(self.io_at_start.1) as f64 / MIB,
        });
        self.begin();
    }

    /// The highest of the phases' own peaks among `names`.
    fn peak_of(&self, names: &[&str]) -> f64 {
        self.list.iter().filter(|p| names.contains(&p.phase.as_str())).map(|p| p.phase_peak_mb).fold(0.0, f64::max)
    }
}

/// One tree of the store (see `Store::tree_sizes`).
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct TreeFigures {
    pub name: String,
    pub entries: u64,
    pub items: u64,
    pub mb: f64,
}

/// The `p` quantile (0 to 1) of `samples`, in microseconds (0 when there are none).
pub fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1e6
}

/// Bytes of the files under `path` (the store's disk figure).
pub fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mb() -> f64 {
    proc_status_mb("VmHWM:")
}

/// Resident memory of this process now (VmRSS), in MiB.
pub fn rss_mb() -> f64 {
    proc_status_mb("VmRSS:")
}

/// The CPU time this thread has used so far: what a phase costs without
/// the other programs of a busy machine (and without waiting for the disk).
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec.max(0) as u64, t.tv_nsec.clamp(0, 999_999_999) as u32)
}

/// The CPU time all threads of this process have used so far.
fn process_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec.max(0) as u64, t.tv_nsec.clamp(0, 999_999_999) as u32)
}

/// Bytes this process has handed to `write` so far (`wchar` of /proc/self/io).
fn written_bytes() -> u64 {
    io_bytes("wchar:")
}

/// One count of /proc/self/io (`rchar:`, `wchar:`), 0 where there is none.
fn io_bytes(field: &str) -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    io.lines().find_map(|l| l.strip_prefix(field)).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

/// Resident memory now, split into anonymous memory (the heap, stacks) and
/// file pages (the binary, libraries), from /proc/self/smaps_rollup, in MiB.
fn rss_split_mb() -> (f64, f64) {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    let (rss, anon) = (field("Rss:"), field("Anonymous:"));
    (anon, (rss - anon).max(0.0))
}

fn proc_status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Measures a store that [`seed`] filled with `n` cases (and that was reopened
/// once since). `onedoor bench` runs it in a fresh process, so that memory and
/// the first open are a kiosk's, not the seeder's.
pub fn measure(
    dir: &Path,
    n: u64,
    counter: &CounterConfig,
    options: &StoreOptions,
    now: Moment,
) -> Result<Figures, StoreError> {
    let started = Instant::now();
    let today = now.date_naive();
    let people = (n / CASES_PER_PERSON).max(1);
    let mut phases = Phases::start();
    let opening = Instant::now();
    let store = Arc::new(Store::open(dir, options)?);
    // The first open is done when the first answer comes back.
    store.cases_of_person(&person_number(0))?;
    let first_open_ms = opening.elapsed().as_secs_f64() * 1e3;
    let fragments_at_open = store.fragments();
    let rss_after_open_mb = rss_mb();
    phases.end("open");

    let mut rng = Rng::new(42);
    let mut lookups = Vec::new();
    let mut found = 0usize;
    for _ in 0..10_000 {
        let number = person_number(rng.below(people));
        let t = Instant::now();
        found += store.cases_of_person(&number)?.len();
        lookups.push(t.elapsed());
    }
    phases.end("lookups");

    let window = Window::new(&store, counter);
    let mut commits = Vec::new();
    let written_before_commits = written_bytes();
    for i in 0..300u64 {
        let mut case_rng = Rng::new(i + 7);
        let template = synthetic_case(&mut case_rng, CaseId::new("1", 1, today, 1), 10_000_000 + i, now);
        let input: CaseInput = match serde_json::to_value(&template).ok().and_then(|v| intake_of(&v)) {
            Some(input) => input,
            None => continue,
        };
        let t = Instant::now();
        // Synthetic people may repeat: a supervisor's override keeps the duplicate check from refusing.
        let supervisor = SupervisorOverride { by: "bench".into(), reason: "benchmark".into() };
        let intake = crate::window::Intake {
            input,
            override_by: Some(supervisor),
            card_photo: None,
            draft: None,
            countersign: None,
        };
        window.accept(intake, "bench", now).map_err(|e| StoreError::Failed(e.to_string()))?;
        commits.push(t.elapsed());
    }
    let commit_written = written_bytes() - written_before_commits;
    phases.end("commits");
    let mut frames = frame_times(&store, dir, counter, now)?;
    phases.end("frames");
    // The overdue list, as a clerk opens it (F-key) once or twice a day: the
    // screen's own call, which reads whole only the cases it shows.
    let (_, overdue) = window.overdue_first(today, crate::ui::screens::overdue::SHOWN)?;
    tracing::info!("{overdue} cases overdue on {today}");
    phases.end("overdue list");
    // The day's report as a supervisor asks for it before any import: the
    // counter's day ends here.
    crate::cli::report::gather(&window, today, today)?;
    phases.end("day report");
    const DAY: [&str; 6] = ["open", "lookups", "commits", "frames", "overdue list", "day report"];
    let rss_day_peak_mb = phases.peak_of(&DAY);
    let rss_day_end_mb = rss_mb();
    let heap_day_peak_mb =
        phases.list.iter().filter(|p| DAY.contains(&p.phase.as_str())).filter_map(|p| p.heap_peak_mb).reduce(f64::max);

    // 10,000 exported cases of today (another window), imported in one transaction.
    let mut rng = Rng::new(99);
    let imported: Vec<Case> = (1..=10_000u32)
        .map(|seq| synthetic_case(&mut rng, CaseId::new("320106001", 7, today, seq), 20_000_000 + seq as u64, now))
        .collect();
    phases.end("import data made");
    let written_before_import = written_bytes();
    let (cpu, process) = (thread_cpu(), process_cpu());
    let t = Instant::now();
    store
        .import::<std::convert::Infallible>(|_, put| imported.iter().try_for_each(&mut *put))
        .map_err(|e| StoreError::Failed(e.to_string()))?;
    let import_cases_per_s = imported.len() as f64 / t.elapsed().as_secs_f64();
    let import_cases_per_cpu_s = imported.len() as f64 / (thread_cpu() - cpu).as_secs_f64().max(1e-9);
    let import_cases_per_process_cpu_s = imported.len() as f64 / (process_cpu() - process).as_secs_f64().max(1e-9);
    let import_written = written_bytes() - written_before_import;
    drop(imported);
    phases.end("import");
    let rss_import_peak_mb = phases.peak_of(&["import"]);
    // The same people as before the import (and, one in ten, an imported one).
    let mut rng = Rng::new(42);
    let mut waiting_lookups = Vec::new();
    for i in 0..10_000u64 {
        let person = rng.below(people);
        let number = if i % 10 == 0 { person_number(20_000_000 + 1 + person % 10_000) } else { person_number(person) };
        let t = Instant::now();
        store.cases_of_person(&number)?;
        waiting_lookups.push(t.elapsed());
    }
    phases.end("lookups while imported people wait");
    // The median of five: the machine the bench runs on may be busy.
    let (mut reports, mut reports_cpu) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let (t, cpu) = (Instant::now(), thread_cpu());
        let report = crate::cli::report::gather(&window, today, today)?;
        reports.push(t.elapsed());
        reports_cpu.push(thread_cpu() - cpu);
        tracing::info!("daily report of {today}: {report:?}");
    }
    let report_daily_ms = percentile(&mut reports, 0.5) / 1e3;
    let report_daily_cpu_ms = percentile(&mut reports_cpu, 0.5) / 1e3;
    phases.end("report");
    let (settling, mut import_settle_commits) = (Instant::now(), 0);
    while store.settle_imported_people(crate::store::settler::BATCH)? > 0 {
        import_settle_commits += 1;
    }
    let import_settled_s = settling.elapsed().as_secs_f64();
    phases.end("settling the imported people");
    // What onedoor did ends here; the walk of every tree below is the bench's own.
    let rss_peak_mb = phases.peak_mb.max(peak_rss_mb());
    let sizes = store.tree_sizes()?;
    phases.end("bench's walk of every tree");
    let rss_walk_peak_mb = phases.peak_of(&["bench's walk of every tree"]);
    let trees = sizes
        .iter()
        .map(|t| TreeFigures {
            name: t.name.to_string(),
            entries: t.entries,
            items: t.items,
            mb: t.bytes as f64 / (1024.0 * 1024.0),
        })
        .collect();

    let lookups_n = lookups.len();
    let commits_n = commits.len();
    Ok(Figures {
        cases: n,
        seed_seconds: 0.0,
        compact_seconds: 0.0,
        measure_seconds: started.elapsed().as_secs_f64(),
        open_ms: first_open_ms,
        pages_at_open: fragments_at_open.pages,
        pages_fragmented_at_open: fragments_at_open.fragmented,
        pages_queued_for_cleaning_at_open: fragments_at_open.queued_for_cleaning,
        lookup_p50_us: percentile(&mut lookups, 0.50),
        lookup_p99_us: percentile(&mut lookups.clone(), 0.99),
        lookups: lookups_n,
        cases_per_lookup: found as f64 / lookups_n.max(1) as f64,
        commit_p50_us: percentile(&mut commits, 0.50),
        commit_p99_us: percentile(&mut commits.clone(), 0.99),
        commits: commits.len(),
        import_cases_per_s,
        import_settled_s,
        import_settle_commits,
        lookup_waiting_p50_us: percentile(&mut waiting_lookups, 0.50),
        lookup_waiting_p99_us: percentile(&mut waiting_lookups.clone(), 0.99),
        frame_p99_us_80x24: percentile(&mut frames, 0.99),
        report_daily_ms,
        glibc_tunables: std::env::var("GLIBC_TUNABLES").unwrap_or_default(),
        rss_peak_mb,
        rss_after_open_mb,
        rss_end_mb: rss_mb(),
        disk_mb: dir_size(dir) as f64 / (1024.0 * 1024.0),
        raw_mb: sizes.iter().map(|t| t.bytes).sum::<u64>() as f64 / (1024.0 * 1024.0),
        import_cases_per_cpu_s,
        import_cases_per_process_cpu_s,
        report_daily_cpu_ms,
        commit_written_per_case_kb: commit_written as f64 / 1024.0 / commits_n.max(1) as f64,
        import_written_per_case_kb: import_written as f64 / 1024.0 / 10_000.0,
        rss_day_peak_mb,
        rss_day_end_mb,
        heap_day_peak_mb,
        rss_import_peak_mb,
        rss_walk_peak_mb,
        seed_rss_peak_mb: 0.0,
        memory_by_phase: phases.list,
        trees,
    })
}

/// A keystroke (down and up the queue, alternately) and the whole frame, at 80x24, 300 times.
fn frame_times(
    store: &Arc<Store>,
    dir: &Path,
    counter: &CounterConfig,
    now: Moment,
) -> Result<Vec<Duration>, StoreError> {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let scratch = dir.join(".bench-counter");
    std::fs::create_dir_all(&scratch).map_err(|e| StoreError::Failed(e.to_string()))?;
    let mut c = crate::ui::Counter::new(crate::ui::Setup {
        store: Arc::clone(store),
        counter: counter.clone(),
        operator: "bench".into(),
        lang: crate::Lang::ZhCn,
        keymap: crate::ui::Keymap::default_keymap(),
        theme: crate::ui::Theme::color(),
        clock: crate::ui::Clock::Fixed(now),
        data_dir: scratch.clone(),
        policies: Arc::new(crate::window::builtin_policies().clone()),
    });
    // The bench store has no operators: the queue at once, as an office without them.
    c.work_without_operators();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24))
        .map_err(|e| StoreError::Failed(e.to_string()))?;
    let keys = [KeyCode::Down, KeyCode::Up];
    let mut out = Vec::with_capacity(300);
    for i in 0..300 {
        let t = Instant::now();
        c.handle_event(Event::Key(KeyEvent::new(keys[i % 2], KeyModifiers::NONE)));
        let _ = term.draw(|f| c.render(f, f.area()));
        out.push(t.elapsed());
    }
    drop(c);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(out)
}

/// The intake part of a case's JSON.
fn intake_of(case: &serde_json::Value) -> Option<CaseInput> {
    let mut applicant = case.get("applicant")?.clone();
    if let Some(a) = applicant.as_object_mut() {
        a.remove("sex");
        a.remove("birth_date");
    }
    serde_json::from_value(serde_json::json!({
        "kind": case.get("kind")?,
        "channel": case.get("channel")?,
        "applicant": applicant,
        "household": case.get("household")?,
        "reason": case.get("reason")?,
        "description": case.get("description")?,
        "requested_amount": case.get("requested_amount")?,
    }))
    .ok()
}

/// glibc's malloc settings the installed launcher (`install.sh`) runs the
/// counter with: freed memory goes back to the system above 128 KiB, and
/// blocks of 128 KiB and more are mapped apart. At 1,000,000 cases they cut
/// a counter's day from 102 to 92 MB resident, and its open from 36 to 25 MB.
/// The bench measures with them too, unless `GLIBC_TUNABLES` is set already.
pub const KIOSK_MALLOC_TUNABLES: &str = "glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072";

/// `onedoor bench`'s arguments.
#[derive(Debug, Clone)]
pub struct Run {
    pub cases: u64,
    /// Where to build the scratch store (a new temp directory, removed after, when `None`).
    pub dir: Option<PathBuf>,
    pub json: bool,
    /// Only measure an already seeded store in `dir` (what `bench` runs in a fresh process).
    pub measure_only: bool,
}

/// `onedoor bench`: seeds a scratch store, measures it in a fresh process and prints the figures.
pub fn run(session: &Session, run: &Run, out: &mut dyn Write) -> CliResult {
    let options = session.store_options();
    let as_json = |f: &Figures| serde_json::to_string(f).map_err(|e| CliError::environment(e.to_string()));
    if run.measure_only {
        let dir = run.dir.as_deref().ok_or_else(|| CliError::refused("--measure-only needs --dir"))?;
        let f = measure(dir, run.cases, &session.config.counter, &options, session.now)?;
        writeln!(out, "{}", as_json(&f)?)?;
        return Ok(());
    }
    let scratch = run.dir.is_none();
    let dir =
        run.dir.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("onedoor-bench-{}", std::process::id())));
    if Store::exists(&dir) {
        return Err(CliError::refused(format!("{} already holds a store; give an empty directory", dir.display())));
    }
    let result = seed_then_measure(session, run.cases, &dir, &options);
    if scratch {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let f = result?;
    if run.json {
        writeln!(out, "{}", as_json(&f)?)?;
        return Ok(());
    }
    writeln!(out, "cases                  {}", f.cases)?;
    writeln!(out, "seeded in              {:.1} s ({:.1} s of it compacting)", f.seed_seconds, f.compact_seconds)?;
    writeln!(out, "first open + query     {:.1} ms", f.open_ms)?;
    writeln!(
        out,
        "person lookup p50/p99  {:.0} / {:.0} us ({} lookups, {:.1} cases each)",
        f.lookup_p50_us, f.lookup_p99_us, f.lookups, f.cases_per_lookup
    )?;
    writeln!(out, "durable commit p50/p99 {:.0} / {:.0} us ({} commits)", f.commit_p50_us, f.commit_p99_us, f.commits)?;
    writeln!(
        out,
        "import                 {:.0} cases/s (10,000 exported cases, one transaction); {:.0} per CPU s of the process",
        f.import_cases_per_s, f.import_cases_per_process_cpu_s
    )?;
    writeln!(
        out,
        "  its people settled   {:.2} s afterwards ({} commits of the settler); lookups meanwhile p50/p99 {:.0} / {:.0} us",
        f.import_settled_s, f.import_settle_commits, f.lookup_waiting_p50_us, f.lookup_waiting_p99_us
    )?;
    writeln!(out, "keystroke + frame p99  {:.0} us at 80x24", f.frame_p99_us_80x24)?;
    writeln!(out, "daily report           {:.1} ms (a day of 10,000 cases)", f.report_daily_ms)?;
    writeln!(
        out,
        "memory (measuring process) peak {:.0} MB; {:.0} MB after the open, {:.0} MB at the end (GLIBC_TUNABLES {})",
        f.rss_peak_mb,
        f.rss_after_open_mb,
        f.rss_end_mb,
        if f.glibc_tunables.is_empty() { "unset" } else { &f.glibc_tunables }
    )?;
    writeln!(
        out,
        "memory of a day       peak {:.0} MB, {:.0} MB at its end; the import's peak {:.0} MB; the generator's {:.0} MB",
        f.rss_day_peak_mb, f.rss_day_end_mb, f.rss_import_peak_mb, f.seed_rss_peak_mb
    )?;
    for p in &f.memory_by_phase {
        writeln!(
            out,
            "  {:<28} peak {:>6.1} MB, now {:>6.1} MB ({:.1} anon, {:.1} file); read {:.1} MB, wrote {:.1} MB",
            p.phase, p.phase_peak_mb, p.now_mb, p.anon_mb, p.file_mb, p.read_mb, p.written_mb
        )?;
    }
    writeln!(out, "disk                   {:.0} MB ({:.0} MB of keys and values)", f.disk_mb, f.raw_mb)?;
    writeln!(
        out,
        "written per case       {:.1} KB a commit, {:.1} KB in the import",
        f.commit_written_per_case_kb, f.import_written_per_case_kb
    )?;
    for t in &f.trees {
        writeln!(out, "  {:<18} {:>9} entries {:>9} items {:>9.1} MB", t.name, t.entries, t.items, t.mb)?;
    }
    Ok(())
}

/// Seeds the store here, then measures it in a fresh process of this binary.
fn seed_then_measure(session: &Session, cases: u64, dir: &Path, options: &StoreOptions) -> Result<Figures, CliError> {
    let started = Instant::now();
    let compact_seconds;
    {
        let store = Store::open(dir, options)?;
        seed(&store, cases, session.today(), *session.now.offset())?;
        // `ONEDOOR_BENCH_NO_COMPACT` measures the store as the seed left it.
        let compacting = Instant::now();
        if std::env::var_os("ONEDOOR_BENCH_NO_COMPACT").is_none() {
            store.compact()?;
        }
        compact_seconds = compacting.elapsed().as_secs_f64();
        // As `case import` does: the first open after a bulk load is paid by the load.
        store.reopen(options)?;
    }
    let seed_seconds = started.elapsed().as_secs_f64();
    let seed_rss_peak_mb = peak_rss_mb();
    let me = std::env::current_exe().map_err(|e| CliError::environment(e.to_string()))?;
    let mut measuring = std::process::Command::new(me);
    measuring
        .args(["bench", "--measure-only", "--cases", &cases.to_string(), "--dir"])
        .arg(dir)
        .env("ONEDOOR_NOW", session.now.to_rfc3339());
    // Measured as the installed launcher runs the counter.
    if std::env::var_os("GLIBC_TUNABLES").is_none() {
        measuring.env("GLIBC_TUNABLES", KIOSK_MALLOC_TUNABLES);
    }
    let output =
        measuring.output().map_err(|e| CliError::environment(format!("cannot run the measuring process: {e}")))?;
    if !output.status.success() {
        return Err(CliError::environment(String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    let mut f: Figures = serde_json::from_slice(&output.stdout)
        .map_err(|e| CliError::environment(format!("the measuring process answered badly: {e}")))?;
    f.seed_seconds = seed_seconds;
    f.compact_seconds = compact_seconds;
    f.seed_rss_peak_mb = seed_rss_peak_mb;
    Ok(f)
}
