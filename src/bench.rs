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
    pub measure_seconds: f64,
    /// The first open of the store in a fresh process, until the first answer.
    pub open_ms: f64,
    pub lookup_p50_us: f64,
    pub lookup_p99_us: f64,
    pub lookups: usize,
    pub cases_per_lookup: f64,
    pub commit_p50_us: f64,
    pub commit_p99_us: f64,
    pub commits: usize,
    /// Exported cases imported with their ids, all in one transaction (10,000).
    pub import_cases_per_s: f64,
    /// A keystroke in the queue and the counter's whole frame at 80x24.
    pub frame_p99_us_80x24: f64,
    /// The supervisor's daily report of a day of 10,000 cases (the imported
    /// ones): the median of five.
    pub report_daily_ms: f64,
    /// Peak resident memory of the measuring process.
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
    /// Bytes this process handed to `write` (sled's log, the journal) per
    /// case, in the durable commits and in the import: what a case costs
    /// written, rewritten runs included.
    #[serde(default)]
    pub commit_written_per_case_kb: f64,
    #[serde(default)]
    pub import_written_per_case_kb: f64,
    /// Peak and current resident memory after each phase, in MiB.
    #[serde(default)]
    pub memory_by_phase: Vec<PhaseMemory>,
    /// Each tree at the end: sled entries, items, and MiB of keys and values.
    #[serde(default)]
    pub trees: Vec<TreeFigures>,
}

/// Memory after one phase of the measurement.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct PhaseMemory {
    pub phase: String,
    pub peak_mb: f64,
    pub now_mb: f64,
}

impl PhaseMemory {
    fn now(phase: &str) -> PhaseMemory {
        PhaseMemory { phase: phase.to_string(), peak_mb: peak_rss_mb(), now_mb: rss_mb() }
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

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1e6
}

fn dir_size(path: &Path) -> u64 {
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

/// Bytes this process has handed to `write` so far (`wchar` of /proc/self/io).
fn written_bytes() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    io.lines().find_map(|l| l.strip_prefix("wchar:")).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
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
    let opening = Instant::now();
    let store = Arc::new(Store::open(dir, options)?);
    // The first open is done when the first answer comes back.
    store.cases_of_person(&person_number(0))?;
    let first_open_ms = opening.elapsed().as_secs_f64() * 1e3;
    let rss_after_open_mb = rss_mb();
    let mut memory_by_phase = vec![PhaseMemory::now("open")];

    let mut rng = Rng::new(42);
    let mut lookups = Vec::new();
    let mut found = 0usize;
    for _ in 0..10_000 {
        let number = person_number(rng.below(people));
        let t = Instant::now();
        found += store.cases_of_person(&number)?.len();
        lookups.push(t.elapsed());
    }
    memory_by_phase.push(PhaseMemory::now("lookups"));

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
    memory_by_phase.push(PhaseMemory::now("commits"));
    let mut frames = frame_times(&store, dir, counter, now)?;
    memory_by_phase.push(PhaseMemory::now("frames"));

    // 10,000 exported cases of today (another window), imported in one transaction.
    let mut rng = Rng::new(99);
    let imported: Vec<Case> = (1..=10_000u32)
        .map(|seq| synthetic_case(&mut rng, CaseId::new("320106001", 7, today, seq), 20_000_000 + seq as u64, now))
        .collect();
    memory_by_phase.push(PhaseMemory::now("import data made"));
    let written_before_import = written_bytes();
    let cpu = thread_cpu();
    let t = Instant::now();
    store
        .import::<std::convert::Infallible>(|_| Ok(imported.clone()))
        .map_err(|e| StoreError::Failed(e.to_string()))?;
    let import_cases_per_s = imported.len() as f64 / t.elapsed().as_secs_f64();
    let import_cases_per_cpu_s = imported.len() as f64 / (thread_cpu() - cpu).as_secs_f64().max(1e-9);
    let import_written = written_bytes() - written_before_import;
    memory_by_phase.push(PhaseMemory::now("import"));
    drop(imported);
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
    memory_by_phase.push(PhaseMemory::now("report"));
    let sizes = store.tree_sizes()?;
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
        measure_seconds: started.elapsed().as_secs_f64(),
        open_ms: first_open_ms,
        lookup_p50_us: percentile(&mut lookups, 0.50),
        lookup_p99_us: percentile(&mut lookups.clone(), 0.99),
        lookups: lookups_n,
        cases_per_lookup: found as f64 / lookups_n.max(1) as f64,
        commit_p50_us: percentile(&mut commits, 0.50),
        commit_p99_us: percentile(&mut commits.clone(), 0.99),
        commits: commits.len(),
        import_cases_per_s,
        frame_p99_us_80x24: percentile(&mut frames, 0.99),
        report_daily_ms,
        rss_peak_mb: peak_rss_mb(),
        rss_after_open_mb,
        rss_end_mb: rss_mb(),
        disk_mb: dir_size(dir) as f64 / (1024.0 * 1024.0),
        raw_mb: sizes.iter().map(|t| t.bytes).sum::<u64>() as f64 / (1024.0 * 1024.0),
        import_cases_per_cpu_s,
        report_daily_cpu_ms,
        commit_written_per_case_kb: commit_written as f64 / 1024.0 / commits_n.max(1) as f64,
        import_written_per_case_kb: import_written as f64 / 1024.0 / 10_000.0,
        memory_by_phase,
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
    writeln!(out, "seeded in              {:.1} s", f.seed_seconds)?;
    writeln!(out, "first open + query     {:.1} ms", f.open_ms)?;
    writeln!(
        out,
        "person lookup p50/p99  {:.0} / {:.0} us ({} lookups, {:.1} cases each)",
        f.lookup_p50_us, f.lookup_p99_us, f.lookups, f.cases_per_lookup
    )?;
    writeln!(out, "durable commit p50/p99 {:.0} / {:.0} us ({} commits)", f.commit_p50_us, f.commit_p99_us, f.commits)?;
    writeln!(
        out,
        "import                 {:.0} cases/s (10,000 exported cases, one transaction)",
        f.import_cases_per_s
    )?;
    writeln!(out, "keystroke + frame p99  {:.0} us at 80x24", f.frame_p99_us_80x24)?;
    writeln!(out, "daily report           {:.1} ms (a day of 10,000 cases)", f.report_daily_ms)?;
    writeln!(
        out,
        "memory (measuring process) peak {:.0} MB; {:.0} MB after the open, {:.0} MB at the end",
        f.rss_peak_mb, f.rss_after_open_mb, f.rss_end_mb
    )?;
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
    {
        let store = Store::open(dir, options)?;
        seed(&store, cases, session.today(), *session.now.offset())?;
        // As `case import` does: the first open after a bulk load is paid by the load.
        store.reopen(options)?;
    }
    let seed_seconds = started.elapsed().as_secs_f64();
    let me = std::env::current_exe().map_err(|e| CliError::environment(e.to_string()))?;
    let output = std::process::Command::new(me)
        .args(["bench", "--measure-only", "--cases", &cases.to_string(), "--dir"])
        .arg(dir)
        .env("ONEDOOR_NOW", session.now.to_rfc3339())
        .output()
        .map_err(|e| CliError::environment(format!("cannot run the measuring process: {e}")))?;
    if !output.status.success() {
        return Err(CliError::environment(String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    let mut f: Figures = serde_json::from_slice(&output.stdout)
        .map_err(|e| CliError::environment(format!("the measuring process answered badly: {e}")))?;
    f.seed_seconds = seed_seconds;
    Ok(f)
}
