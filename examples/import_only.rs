//! The import of `onedoor bench` alone, to profile it: `seed DIR N` fills a
//! store with N cases as the bench does (and compacts it, as it does);
//! `import DIR [BATCH]` imports the bench's 10,000 exported cases into it in
//! one transaction, settles their people BATCH at a time (the counter's
//! settler's 256 unless given; `case import` settles 4,096 at a time), and
//! prints the figures.
//!
//! Run: `cargo run --release --example import_only -- seed /tmp/s 100000`,
//! then copy the store and `... -- import /tmp/s-copy` (an import changes it).
#![forbid(unsafe_code)]

use std::time::Instant;

use chrono::{FixedOffset, TimeZone};
use onedoor::bench::{person_number, seed, synthetic_case, Rng};
use onedoor::domain::{Case, CaseId};
use onedoor::store::{Store, StoreOptions};

fn cpu_s(clock: rustix::time::ClockId) -> f64 {
    let t = rustix::time::clock_gettime(clock);
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// 10,000 lookups of the people of a 1,000,000-case seed (one in ten an
/// imported one; of a smaller seed, some find nobody): p50 and p99.
fn lookups(store: &Store) -> Result<String, Box<dyn std::error::Error>> {
    let mut rng = Rng::new(42);
    let mut took = Vec::new();
    for i in 0..10_000u64 {
        let person = rng.below(1_000_000 / onedoor::bench::CASES_PER_PERSON);
        let number = if i % 10 == 0 { person_number(20_000_001 + person % 10_000) } else { person_number(person) };
        let t = Instant::now();
        store.cases_of_person(&number)?;
        took.push(t.elapsed());
    }
    let (p50, p99) = (onedoor::bench::percentile(&mut took, 0.5), onedoor::bench::percentile(&mut took, 0.99));
    Ok(format!("p50 {p50:.1} us, p99 {p99:.1} us"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, dir) = match (args.get(1), args.get(2)) {
        (Some(m), Some(d)) => (m.as_str(), std::path::PathBuf::from(d)),
        _ => return Err("usage: import_only seed DIR N | import DIR [BATCH]".into()),
    };
    let offset = FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    let now = offset.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).single().ok_or("now")?;
    let options = StoreOptions::default();
    match mode {
        "seed" => {
            let n: u64 = args.get(3).and_then(|s| s.parse().ok()).ok_or("N")?;
            let store = Store::open(&dir, &options)?;
            seed(&store, n, now.date_naive(), offset)?;
            // As `onedoor bench` does before it measures.
            store.compact()?;
            store.reopen(&options)?;
        }
        "import" => {
            let store = Store::open(&dir, &options)?;
            let mut rng = Rng::new(99);
            let today = now.date_naive();
            let imported: Vec<Case> = (1..=10_000u32)
                .map(|seq| {
                    synthetic_case(&mut rng, CaseId::new("320106001", 7, today, seq), 20_000_000 + seq as u64, now)
                })
                .collect();
            use rustix::time::ClockId::{ProcessCPUTime, ThreadCPUTime};
            let (cpu, all, t) = (cpu_s(ThreadCPUTime), cpu_s(ProcessCPUTime), Instant::now());
            store
                .import::<std::convert::Infallible>(|_, put| imported.iter().try_for_each(&mut *put))
                .map_err(|e| e.to_string())?;
            let wall = t.elapsed().as_secs_f64();
            let (cpu, all) = (cpu_s(ThreadCPUTime) - cpu, cpu_s(ProcessCPUTime) - all);
            let n = imported.len() as f64;
            println!(
                "import of {n}: {:.0} cases/s wall, {:.0} cases/s CPU of this thread, {:.0} of the process \
                 ({wall:.2} s, {cpu:.2} CPU s, {all:.2} process CPU s)",
                n / wall,
                n / cpu,
                n / all
            );
            println!("lookups while they wait: {}", lookups(&store)?);
            // What the counter's settler then does, a batch at a time (or
            // `case import`, with a BATCH of 4096).
            let (t, mut commits) = (Instant::now(), 0);
            let batch = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(onedoor::store::settler::BATCH);
            while store.settle_imported_people(batch)? > 0 {
                commits += 1;
            }
            println!("settled in {:.2} s ({commits} commits)", t.elapsed().as_secs_f64());
            println!("lookups once settled: {}", lookups(&store)?);
        }
        _ => return Err("usage: import_only seed DIR N | import DIR [BATCH]".into()),
    }
    Ok(())
}
