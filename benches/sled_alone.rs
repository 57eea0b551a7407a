//! sled 0.34 alone, with the entries onedoor's store holds for N cases: what
//! part of the scale targets (issue 13) is sled's own limit.
//!
//! A store of `ONEDOOR_BENCH_CASES` cases (default 100,000) is seeded with
//! the real code (`onedoor::bench::seed`, as `onedoor bench` does) and its
//! sled trees counted: entries, key and value bytes, per tree. Then every
//! one of those entries, the same keys and values, is written into a fresh
//! raw sled with the store's `Config` (its 32 MiB page cache,
//! `ONEDOOR_BENCH_CACHE_MB` for another), in batches of the entries of
//! 10,000 cases (the bench's import, one transaction), each batch made
//! durable as a commit is (`flush`, then `fsync` of the database file). Twice:
//! in key order (each tree's entries in order, the trees side by side batch
//! by batch: sled's best case, every leaf filled once), and shuffled (the
//! store's people and names trees take keys in no order).
//!
//! Each written database is then measured in fresh processes of this
//! binary: the open (with every tree the store opens; the first one after
//! the writes, then the next, as `onedoor bench` measures), resident memory
//! after it, a random point get (any entry) and a short scan of the `people` tree (a
//! random entry and the two after it, as a person lookup reads its run)
//! 5,000 times each, resident memory after those 10,000 lookups, and the
//! disk.
//!
//! sled alone writes each entry once; the store rewrites a run of items each
//! time one of its items changes, so it writes more. A figure sled alone
//! already misses is sled's limit, whatever the layout of those entries.
//!
//! `cargo bench --bench sled_alone`; onedoor's own figures for the same N:
//! `onedoor bench --cases N --json`. `SLED_ALONE_STORE=DIR` counts and
//! copies an already seeded store in DIR instead of seeding one.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use onedoor::bench::{dir_size, peak_rss_mb, rss_mb, seeded_store};
use onedoor::store::StoreOptions;

/// The child's environment: the database to measure and its cache.
const MEASURE_DIR: &str = "SLED_ALONE_MEASURE_DIR";
/// The bench's import: 10,000 cases in one transaction.
const IMPORT_CASES: u64 = 10_000;
/// In the child's environment: only open the database once, and say how long it took.
const OPEN_ONLY: &str = "SLED_ALONE_OPEN_ONLY";
/// Lookups measured in the child, half point gets, half short scans.
const LOOKUPS: usize = 10_000;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn percentile_us(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[i].as_secs_f64() * 1e6
}

fn open_sled(dir: &Path, cache_mb: u64) -> sled::Db {
    onedoor::store::sled_config(dir, cache_mb << 20).open().expect("sled opens")
}

/// One sled tree of the seeded store, every entry of it.
struct TreeEntries {
    name: Vec<u8>,
    entries: Vec<(sled::IVec, sled::IVec)>,
}

/// Every entry of every tree of the store in `dir`, and a table of their sizes.
fn census(dir: &Path, cache_mb: u64) -> Vec<TreeEntries> {
    let db = open_sled(dir, cache_mb);
    let mut trees = Vec::new();
    for name in db.tree_names() {
        let tree = db.open_tree(&name).expect("a tree opens");
        let entries: Vec<_> = tree.iter().map(|item| item.expect("an entry reads")).collect();
        trees.push(TreeEntries { name: name.to_vec(), entries });
    }
    trees.sort_by(|a, b| b.entries.len().cmp(&a.entries.len()).then_with(|| a.name.cmp(&b.name)));
    println!(
        "{:<20} {:>9} {:>11} {:>11} {:>8} {:>9} {:>9}",
        "tree", "entries", "key bytes", "value bytes", "key avg", "value avg", "value max"
    );
    let (mut all, mut keys, mut values) = (0usize, 0usize, 0usize);
    for t in &trees {
        let k: usize = t.entries.iter().map(|(k, _)| k.len()).sum();
        let v: usize = t.entries.iter().map(|(_, v)| v.len()).sum();
        let max = t.entries.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        let n = t.entries.len().max(1);
        println!(
            "{:<20} {:>9} {:>11} {:>11} {:>8.1} {:>9.1} {:>9}",
            String::from_utf8_lossy(&t.name),
            t.entries.len(),
            k,
            v,
            k as f64 / n as f64,
            v as f64 / n as f64,
            max
        );
        (all, keys, values) = (all + t.entries.len(), keys + k, values + v);
    }
    println!("{:<20} {all:>9} {keys:>11} {values:>11}   ({:.1} MiB in all)", "all", mb((keys + values) as u64));
    trees
}

/// What writing the entries into a fresh sled cost.
struct Written {
    wall: Duration,
    cpu: Duration,
    entries: usize,
    batches: usize,
}

/// Writes every entry into a fresh sled in `dir`, `per_batch` entries a
/// batch, each batch applied per tree, then flushed and the database file
/// fsynced (a durable commit).
fn write_all(dir: &Path, cache_mb: u64, trees: &[TreeEntries], order: &[(usize, usize)], per_batch: usize) -> Written {
    let db = open_sled(dir, cache_mb);
    let handles: Vec<sled::Tree> = trees.iter().map(|t| db.open_tree(&t.name).expect("a tree opens")).collect();
    let file = std::fs::File::open(dir.join("db")).expect("sled's database file");
    let (started, cpu_before) = (Instant::now(), cpu());
    let mut batches = 0;
    for chunk in order.chunks(per_batch) {
        let mut by_tree: Vec<sled::Batch> = trees.iter().map(|_| sled::Batch::default()).collect();
        for &(t, e) in chunk {
            let (k, v) = &trees[t].entries[e];
            by_tree[t].insert(k.clone(), v.clone());
        }
        for (tree, batch) in handles.iter().zip(by_tree) {
            tree.apply_batch(batch).expect("a batch applies");
        }
        db.flush().expect("sled flushes");
        file.sync_all().expect("the database file syncs");
        batches += 1;
    }
    let written = Written { wall: started.elapsed(), cpu: cpu() - cpu_before, entries: order.len(), batches };
    drop(handles);
    drop(db);
    written
}

/// The child: opens the database in `dir` as the store would and measures
/// the open, memory and lookups; the keys to look up are in `dir/../keys`.
fn measure(dir: &Path, cache_mb: u64, tree_names: &[Vec<u8>]) {
    let rss_before = rss_mb();
    let started = Instant::now();
    let db = open_sled(dir, cache_mb);
    let trees: Vec<sled::Tree> = tree_names.iter().map(|n| db.open_tree(n).expect("a tree opens")).collect();
    let open_ms = started.elapsed().as_secs_f64() * 1e3;
    if std::env::var_os(OPEN_ONLY).is_some() {
        println!("the first open after the writes {open_ms:.1} ms");
        return;
    }
    let rss_open = rss_mb();
    let keys = read_keys(&dir.with_extension("keys"));
    let (mut gets, mut scans) = (Vec::new(), Vec::new());
    for (i, (tree, key)) in keys.iter().take(LOOKUPS).enumerate() {
        let tree = &trees[*tree];
        let t = Instant::now();
        if i % 2 == 0 {
            std::hint::black_box(tree.get(key).expect("a get").map(|v| v.len()));
            gets.push(t.elapsed());
        } else {
            let found: usize = tree.range(key.as_slice()..).take(3).map(|item| item.expect("a scan").1.len()).sum();
            std::hint::black_box(found);
            scans.push(t.elapsed());
        }
    }
    let rss_lookups = rss_mb();
    println!(
        "open again {open_ms:.1} ms; rss before {rss_before:.1} MB, after the open {rss_open:.1} MB, after {} lookups {rss_lookups:.1} MB (peak {:.1} MB)",
        gets.len() + scans.len(),
        peak_rss_mb()
    );
    println!(
        "point get p50 {:.1} us p99 {:.1} us; short scan of people (3 entries) p50 {:.1} us p99 {:.1} us",
        percentile_us(&mut gets, 0.5),
        percentile_us(&mut gets, 0.99),
        percentile_us(&mut scans, 0.5),
        percentile_us(&mut scans, 0.99)
    );
    println!(
        "disk {:.1} MB (sled's size_on_disk {:.1} MB)",
        mb(dir_size(dir)),
        mb(db.size_on_disk().expect("sled's size on disk"))
    );
}

/// The `at`-th entry of all the trees' (the tree's place and its key).
fn entry_at(trees: &[TreeEntries], mut at: usize) -> (usize, &[u8]) {
    for (t, tree) in trees.iter().enumerate() {
        match tree.entries.get(at) {
            Some((k, _)) => return (t, k.as_ref()),
            None => at -= tree.entries.len(),
        }
    }
    (0, &[])
}

/// Keys to look up: a tree's place and a key, each `u32` length-prefixed.
fn write_keys(path: &Path, keys: &[(usize, &[u8])]) {
    let mut out = Vec::new();
    for (tree, key) in keys {
        out.extend_from_slice(&(*tree as u32).to_le_bytes());
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key);
    }
    std::fs::write(path, out).expect("the keys are written");
}

fn read_keys(path: &Path) -> Vec<(usize, Vec<u8>)> {
    let bytes = std::fs::read(path).expect("the keys are read");
    let mut out = Vec::new();
    let mut rest = bytes.as_slice();
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    while rest.len() >= 8 {
        let (tree, len) = (word(&rest[..4]), word(&rest[4..8]));
        out.push((tree, rest[8..8 + len].to_vec()));
        rest = &rest[8 + len..];
    }
    out
}

fn main() {
    let cases = env_u64("ONEDOOR_BENCH_CASES", 100_000);
    let cache_mb = env_u64("ONEDOOR_BENCH_CACHE_MB", 32);
    if let Some(dir) = std::env::var_os(MEASURE_DIR) {
        let names = std::env::var("SLED_ALONE_TREES").unwrap_or_default();
        let names: Vec<Vec<u8>> = names.split(',').filter(|n| !n.is_empty()).map(|n| n.as_bytes().to_vec()).collect();
        measure(Path::new(&dir), cache_mb, &names);
        return;
    }
    let scratch =
        tempfile::tempdir_in(std::env::var_os("ONEDOOR_BENCH_DIR").map_or_else(std::env::temp_dir, Into::into))
            .expect("a scratch directory");
    let store_dir = match std::env::var_os("SLED_ALONE_STORE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = scratch.path().join("store");
            let took = seeded_store(&dir, cases, &StoreOptions { cache_mb }).expect("the store is seeded");
            println!("seeded {cases} cases with onedoor's code in {:.1} s", took.as_secs_f64());
            dir
        }
    };
    println!("{cases} cases; sled 0.34 with a {cache_mb} MiB page cache; the store's sled trees:");
    let trees = census(&store_dir, cache_mb);
    let total: usize = trees.iter().map(|t| t.entries.len()).sum();
    let per_batch = ((total as u64 * IMPORT_CASES).div_ceil(cases.max(1)) as usize).max(1);
    println!(
        "{:.3} entries a case; {per_batch} entries a batch (the entries of {IMPORT_CASES} cases), each flushed and fsynced",
        total as f64 / cases.max(1) as f64
    );

    // The same keys for every run: from every tree, as many as its share of entries.
    let mut rng = fastrand::Rng::with_seed(13);
    // Point gets anywhere (each tree by its share of the entries); scans where a person lookup reads.
    let people = trees.iter().position(|t| t.name == b"people" && !t.entries.is_empty());
    let lookups: Vec<(usize, &[u8])> = (0..LOOKUPS)
        .map(|i| match people {
            Some(p) if i % 2 == 1 => (p, trees[p].entries[rng.usize(..trees[p].entries.len())].0.as_ref()),
            _ => entry_at(&trees, rng.usize(..total)),
        })
        .collect();
    // Every tree, sled's default one with them, in the order `lookups` names them.
    let names: Vec<String> = trees.iter().map(|t| String::from_utf8_lossy(&t.name).into_owned()).collect();
    let in_key_order: Vec<(usize, usize)> =
        trees.iter().enumerate().flat_map(|(t, tree)| (0..tree.entries.len()).map(move |e| (t, e))).collect();
    let mut shuffled = in_key_order.clone();
    rng.shuffle(&mut shuffled);
    // Key order batch by batch: each batch takes the next slice of every tree, as an import of cases in time order does.
    let mut interleaved = in_key_order.clone();
    interleaved.sort_by_key(|&(t, e)| (e as u64 * total as u64 / trees[t].entries.len().max(1) as u64, t));

    let me = std::env::current_exe().expect("this binary");
    for (name, order) in [("key order", &interleaved), ("shuffled", &shuffled)] {
        let dir = scratch.path().join(name.replace(' ', "-"));
        std::fs::create_dir_all(&dir).expect("a directory for sled");
        let w = write_all(&dir, cache_mb, &trees, order, per_batch);
        let (wall, cpu) = (w.wall.as_secs_f64(), w.cpu.as_secs_f64().max(1e-9));
        println!("\nsled alone, {name}: {} entries in {} durable batches", w.entries, w.batches);
        println!(
            "import {:.0} entries/s wall, {:.0} entries/s CPU; {:.0} cases/s wall, {:.0} cases/s CPU ({wall:.2} s wall, {cpu:.2} s CPU)",
            w.entries as f64 / wall,
            w.entries as f64 / cpu,
            cases as f64 / wall,
            cases as f64 / cpu
        );
        write_keys(&dir.with_extension("keys"), &lookups);
        // The first open after the writes recovers what sled logged since its last
        // snapshot; the store pays it at the end of an import (it opens again), so
        // the open to compare with onedoor's `open_ms` is the next one.
        for open_only in [true, false] {
            let mut child = std::process::Command::new(&me);
            child.env(MEASURE_DIR, &dir).env("SLED_ALONE_TREES", names.join(","));
            child.env("ONEDOOR_BENCH_CACHE_MB", cache_mb.to_string());
            if open_only {
                child.env(OPEN_ONLY, "1");
            }
            let status = child.status().expect("the measuring process runs");
            assert!(status.success(), "the measuring process failed");
        }
        std::fs::remove_dir_all(&dir).expect("the written database is removed");
    }
    println!("\nonedoor's own figures for the same N: `onedoor bench --cases {cases} --json`");
}
