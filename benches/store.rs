//! Store benchmarks (criterion), onedoor's store beside SQLite in the same
//! run: the same durable insert of a case and the same lookup of a person's
//! cases by ID number, on stores seeded with the same `ONEDOOR_BENCH_CASES`
//! cases (default 20,000; `onedoor bench --cases 1000000` measures the full
//! size). SQLite is set up as a careful application would: WAL,
//! synchronous=FULL (an fsync per commit), the case record as a blob beside
//! indexed columns, and a table of (ID number, case) -> summary, as the
//! store's person index. After criterion's estimates it prints p50/p99 of
//! single operations and the ratios onedoor / SQLite, and an import of
//! 10,000 cases on each side. Also the durable case add through the window
//! (validate, judge, commit).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

use onedoor::bench::{person_number, seed, synthetic_case, Rng};
use onedoor::config::CounterConfig;
use onedoor::domain::dedup::SupervisorOverride;
use onedoor::domain::{Case, CaseId};
use onedoor::store::{encode, CaseSummary, Store, StoreOptions};
use onedoor::window::Window;

fn cases() -> u64 {
    std::env::var("ONEDOOR_BENCH_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000)
}

/// SQLite with the same content and indexes as the store.
struct Sqlite {
    db: rusqlite::Connection,
}

impl Sqlite {
    fn open(path: &std::path::Path) -> Sqlite {
        let db = rusqlite::Connection::open(path).expect("sqlite opens");
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE cases (id TEXT PRIMARY KEY, day TEXT NOT NULL, state INTEGER NOT NULL, name TEXT NOT NULL,
                                 record BLOB NOT NULL) WITHOUT ROWID;
             CREATE INDEX cases_by_day ON cases (day, id);
             CREATE INDEX cases_by_state ON cases (state, id);
             CREATE INDEX cases_by_name ON cases (name, id);
             CREATE TABLE people (id_number TEXT NOT NULL, case_id TEXT NOT NULL, summary BLOB NOT NULL,
                                  PRIMARY KEY (id_number, case_id)) WITHOUT ROWID;
             CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;",
        )
        .expect("the schema");
        Sqlite { db }
    }

    fn insert(tx: &rusqlite::Transaction, case: &Case) {
        let record = encode(case, "case").expect("encodes");
        let summary = encode(&CaseSummary::of(case), "summary").expect("encodes");
        tx.execute(
            "INSERT INTO cases VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                case.id.as_str(),
                case.day().format("%Y%m%d").to_string(),
                case.state.tag(),
                case.applicant.name,
                record
            ],
        )
        .expect("insert case");
        for n in case.id_numbers() {
            tx.execute(
                "INSERT OR REPLACE INTO people VALUES (?1, ?2, ?3)",
                rusqlite::params![n.as_str(), case.id.as_str(), summary],
            )
            .expect("insert person");
        }
    }

    /// A durable insert: the day's counter and the case with its index rows, one commit.
    fn add(&mut self, case: &Case) {
        let tx = self.db.transaction().expect("a transaction");
        tx.execute("INSERT INTO counters VALUES ('seq', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1", [])
            .expect("the counter");
        Sqlite::insert(&tx, case);
        tx.commit().expect("commit");
    }

    fn cases_of_person(&self, id_number: &str) -> Vec<CaseSummary> {
        let mut q = self.db.prepare_cached("SELECT summary FROM people WHERE id_number = ?1").expect("prepare");
        let rows = q.query_map([id_number], |r| r.get::<_, Vec<u8>>(0)).expect("query");
        rows.map(|r| onedoor::store::decode(&r.expect("a row"), "summary").expect("decodes")).collect()
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.99))
}

fn store_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let store = Store::open(&dir.path().join("store"), &StoreOptions::default()).expect("the store opens");
    let counter = CounterConfig::default();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").expect("a fixed time");
    let today = now.date_naive();
    let people = seed(&store, cases(), today, *now.offset()).expect("the store is seeded");
    let mut sqlite = Sqlite::open(&dir.path().join("sqlite.db"));
    {
        // The same cases as `seed` made, read back from the store.
        let tx = sqlite.db.transaction().expect("a transaction");
        for id in store.all_case_ids() {
            let case = store.case(&id.expect("an id")).expect("a case").expect("there");
            Sqlite::insert(&tx, &case);
        }
        tx.commit().expect("commit");
    }

    let mut rng = Rng::new(7);
    c.bench_function("onedoor: a person's cases by ID number", |b| {
        b.iter(|| store.cases_of_person(&person_number(rng.below(people))).expect("a lookup"))
    });
    let mut rng = Rng::new(7);
    c.bench_function("sqlite: a person's cases by ID number", |b| {
        b.iter(|| sqlite.cases_of_person(person_number(rng.below(people)).as_str()))
    });

    // Single operations, side by side, for the percentiles and the ratios;
    // lookups first, while both hold the same cases (the inserts below add
    // households that name seeded people to one of them only).
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let mut rng = Rng::new(11);
    for _ in 0..5_000 {
        let number = person_number(rng.below(people));
        let t = Instant::now();
        let a = store.cases_of_person(&number).expect("a lookup").len();
        ours.push(t.elapsed());
        let t = Instant::now();
        let b = sqlite.cases_of_person(number.as_str()).len();
        theirs.push(t.elapsed());
        assert_eq!(a, b, "both find the same cases");
    }
    let (lookups_ours, lookups_theirs) = (percentiles(ours), percentiles(theirs));

    let mut n = 0u64;
    let mut fresh = move |window: u8| {
        n += 1;
        synthetic_case(&mut Rng::new(n), CaseId::new("320106001", window, today, n as u32), 30_000_000 + n, now)
    };
    c.bench_function("onedoor: durable insert of a case", |b| {
        b.iter(|| {
            let case = fresh(5);
            store.add_case::<std::convert::Infallible>("320106001", 5, today, |id| Ok(Case { id, ..case.clone() }))
        })
    });
    c.bench_function("sqlite: durable insert of a case", |b| b.iter(|| sqlite.add(&fresh(6))));

    let window = Window::new(&store, &counter);
    let supervisor = SupervisorOverride { by: "bench".into(), reason: "benchmark".into() };
    let mut m = 0u64;
    c.bench_function("onedoor: case add through the window (validate, judge, commit)", |b| {
        b.iter(|| {
            m += 1;
            let case = synthetic_case(&mut Rng::new(m), CaseId::new("1", 1, today, 1), 20_000_000 + m, now);
            let input = serde_json::from_value(serde_json::json!({
                "kind": case.kind.code(),
                "applicant": {"name": case.applicant.name, "id_number": case.applicant.id_number.as_str(), "residence": "urban"},
                "reason": case.reason.code(),
                "requested_amount": case.requested_amount.to_string(),
            }))
            .expect("a valid intake");
            let intake = onedoor::window::Intake { input, override_by: Some(supervisor.clone()), card_photo: None, draft: None, countersign: None };
            window.accept(intake, "bench", now).expect("the case is accepted")
        })
    });

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let case = fresh(5);
        let t = Instant::now();
        store
            .add_case::<std::convert::Infallible>("320106001", 5, today, |id| Ok(Case { id, ..case.clone() }))
            .expect("saved");
        ours.push(t.elapsed());
        let case = fresh(6);
        let t = Instant::now();
        sqlite.add(&case);
        theirs.push(t.elapsed());
    }
    let (inserts_ours, inserts_theirs) = (percentiles(ours), percentiles(theirs));

    // A clerk's import of 10,000 exported cases, one transaction each side;
    // the store's then has its people settled into the person index, as
    // the counter's settler does it.
    let mut rng = Rng::new(99);
    let imported: Vec<Case> = (1..=10_000u32)
        .map(|seq| synthetic_case(&mut rng, CaseId::new("320106001", 7, today, seq), 40_000_000 + seq as u64, now))
        .collect();
    let t = Instant::now();
    store
        .import::<std::convert::Infallible>(|_, put| imported.iter().try_for_each(&mut *put))
        .expect("the import is taken");
    let import_ours = t.elapsed().as_secs_f64();
    let t = Instant::now();
    while store.settle_imported_people(onedoor::store::settler::BATCH).expect("settled") > 0 {}
    let settled = t.elapsed().as_secs_f64();
    let t = Instant::now();
    {
        let tx = sqlite.db.transaction().expect("a transaction");
        imported.iter().for_each(|case| Sqlite::insert(&tx, case));
        tx.commit().expect("commit");
    }
    let import_theirs = t.elapsed().as_secs_f64();
    println!("\n{} cases; p50 / p99 in microseconds, and onedoor / SQLite", cases());
    for (what, (o50, o99), (s50, s99)) in
        [("lookup by ID number", lookups_ours, lookups_theirs), ("durable insert", inserts_ours, inserts_theirs)]
    {
        println!(
            "{what:<20} onedoor {o50:>8.1} / {o99:>8.1}   sqlite {s50:>8.1} / {s99:>8.1}   ratio p50 {:.2}x, p99 {:.2}x",
            o50 / s50,
            o99 / s99
        );
    }
    println!(
        "import of 10,000     onedoor {:>8.0} cases/s   sqlite {:>8.0} cases/s   ratio of times {:.2}x (its people then settled in {settled:.2} s)",
        1e4 / import_ours,
        1e4 / import_theirs,
        import_ours / import_theirs
    );
    drop(store);
    let size = |p: &std::path::Path, prefix: &str| -> u64 {
        std::fs::read_dir(p)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    // SQLite's WAL holds every page written since its last checkpoint (the
    // whole database after the bulk load in one transaction): measured
    // after a checkpoint, as an application that runs one would see it.
    let (unchecked, wal) = (size(dir.path(), "sqlite.db"), size(dir.path(), "sqlite.db-wal"));
    sqlite.db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").expect("a checkpoint");
    println!(
        "sqlite before its checkpoint {:.1} MB, of which the WAL {:.1} MB",
        unchecked as f64 / 1048576.0,
        wal as f64 / 1048576.0
    );
    let (ours, theirs) = (size(&dir.path().join("store"), ""), size(dir.path(), "sqlite.db"));
    println!(
        "disk                 onedoor {:.1} MB   sqlite {:.1} MB   ratio {:.2}x",
        ours as f64 / 1048576.0,
        theirs as f64 / 1048576.0,
        ours as f64 / theirs.max(1) as f64
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = store_benches
}
criterion_main!(benches);
