//! Where a person lookup's time and the resident bytes go (issue 13): the
//! store's own `cases_of_person` on a store of `ONEDOOR_BENCH_CASES` cases
//! (default 100,000, seeded with `onedoor::bench::seed` as `onedoor bench`
//! seeds it), measured in a fresh process for each sled page cache of
//! `ONEDOOR_LOOKUP_CACHES` MiB (default `8,16,32`).
//!
//! Each process opens the store, then makes `ONEDOOR_LOOKUP_ROUNDS` rounds
//! (default 3) of 10,000 lookups of random people, and prints for each
//! round p50/p90/p99/p99.9 and the resident memory after it. For the first
//! and the last round it also counts the `read` system calls each lookup
//! made (`syscr` of /proc/self/io): a lookup served from sled's cache reads
//! nothing; a miss reads the leaf's page from the log, where sled 0.34 keeps
//! a page as a base and up to 9 deltas since it was last written whole
//! (its `PAGE_CONSOLIDATION_THRESHOLD`), each fragment read (a 128-byte
//! header, then the rest), decompressed if the store is, and decoded on its own. So a miss of
//! 2 reads is one fragment, and the lookups are grouped by the reads they
//! made, each group with its own p50 and p99: what a miss costs per fragment.
//!
//! `cargo bench --bench lookup`; `ONEDOOR_LOOKUP_STORE=DIR` measures an
//! already seeded store in DIR instead of seeding one (it is opened and
//! read only; `ONEDOOR_BENCH_CASES` must say how many cases it holds).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use onedoor::bench::{percentile, person_number, rss_mb, seeded_store, Rng, CASES_PER_PERSON};
use onedoor::store::{Store, StoreOptions};

/// In the child's environment: the store to measure.
const MEASURE_DIR: &str = "ONEDOOR_LOOKUP_MEASURE_DIR";
const LOOKUPS: usize = 10_000;
/// Lookups are grouped by the reads they made, up to this many (more count as this many).
const MOST_READS: usize = 30;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Read system calls this process has made so far (`syscr` of /proc/self/io).
struct ReadCount(std::fs::File);

impl ReadCount {
    fn open() -> ReadCount {
        ReadCount(std::fs::File::open("/proc/self/io").expect("/proc/self/io"))
    }

    fn now(&mut self) -> u64 {
        use std::io::{Read, Seek};
        let mut text = String::new();
        self.0.seek(std::io::SeekFrom::Start(0)).expect("/proc/self/io seeks");
        self.0.read_to_string(&mut text).expect("/proc/self/io reads");
        text.lines().find_map(|l| l.strip_prefix("syscr:")).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
    }
}

/// The child: opens the store in `dir` with a cache of `cache_mb` and measures its lookups.
fn measure(dir: &Path, cases: u64, cache_mb: u64) {
    let rounds = env_u64("ONEDOOR_LOOKUP_ROUNDS", 3).max(1);
    let people = (cases / CASES_PER_PERSON).max(1);
    let rss_before = rss_mb();
    let started = Instant::now();
    let store = Store::open(dir, &StoreOptions { cache_mb }).expect("the store opens");
    store.cases_of_person(&person_number(0)).expect("a lookup");
    println!(
        "\n{cases} cases, a {cache_mb} MiB page cache: open + first lookup {:.1} ms; rss {rss_before:.1} MB before, {:.1} MB after it",
        started.elapsed().as_secs_f64() * 1e3,
        rss_mb()
    );
    let mut reads = ReadCount::open();
    // What reading the count costs in reads, to take off each lookup's.
    let own = {
        let a = reads.now();
        reads.now() - a
    };
    let mut rng = Rng::new(42);
    for round in 0..rounds {
        let counted = round == 0 || round + 1 == rounds;
        let mut all = Vec::with_capacity(LOOKUPS);
        let mut by_reads: Vec<Vec<Duration>> = vec![Vec::new(); MOST_READS + 1];
        let mut found = 0;
        for _ in 0..LOOKUPS {
            let number = person_number(rng.below(people));
            let before = if counted { reads.now() } else { 0 };
            let t = Instant::now();
            found += store.cases_of_person(&number).expect("a lookup").len();
            let took = t.elapsed();
            all.push(took);
            if counted {
                let n = (reads.now() - before).saturating_sub(own) as usize;
                by_reads[n.min(MOST_READS)].push(took);
            }
        }
        println!(
            "round {round}: {LOOKUPS} lookups ({:.2} cases each) p50 {:.1} p90 {:.1} p99 {:.1} p99.9 {:.1} us; rss {:.1} MB",
            found as f64 / LOOKUPS as f64,
            percentile(&mut all, 0.5),
            percentile(&mut all, 0.9),
            percentile(&mut all, 0.99),
            percentile(&mut all, 0.999),
            rss_mb()
        );
        if counted {
            for (n, group) in by_reads.iter_mut().enumerate().filter(|(_, g)| g.len() * 200 >= LOOKUPS) {
                println!(
                    "  {n:>2}{} reads: {:>5.1}% of the lookups, p50 {:>6.1} us, p99 {:>6.1} us",
                    if n == MOST_READS { "+" } else { " " },
                    group.len() as f64 * 100.0 / LOOKUPS as f64,
                    percentile(group, 0.5),
                    percentile(group, 0.99)
                );
            }
        }
    }
}

fn main() {
    let cases = env_u64("ONEDOOR_BENCH_CASES", 100_000);
    if let Some(dir) = std::env::var_os(MEASURE_DIR) {
        measure(Path::new(&dir), cases, env_u64("ONEDOOR_BENCH_CACHE_MB", 32));
        return;
    }
    let scratch =
        tempfile::tempdir_in(std::env::var_os("ONEDOOR_BENCH_DIR").map_or_else(std::env::temp_dir, Into::into))
            .expect("a scratch directory");
    let store_dir = match std::env::var_os("ONEDOOR_LOOKUP_STORE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = scratch.path().join("store");
            let took = seeded_store(&dir, cases, &StoreOptions::default()).expect("the store is seeded");
            println!("seeded {cases} cases with onedoor's code in {:.1} s", took.as_secs_f64());
            dir
        }
    };
    let caches = std::env::var("ONEDOOR_LOOKUP_CACHES").unwrap_or_else(|_| "8,16,32".into());
    let me = std::env::current_exe().expect("this binary");
    for cache in caches.split(',').filter_map(|c| c.trim().parse::<u64>().ok()) {
        let status = std::process::Command::new(&me)
            .env(MEASURE_DIR, &store_dir)
            .env("ONEDOOR_BENCH_CASES", cases.to_string())
            .env("ONEDOOR_BENCH_CACHE_MB", cache.to_string())
            .status()
            .expect("the measuring process runs");
        assert!(status.success(), "the measuring process failed");
    }
}
