//! The crash test: `case add` killed with SIGKILL at random moments, again and
//! again. Every id the command printed must be in the store afterwards, and the
//! store must always open.

mod common;

use std::process::Stdio;
use std::time::{Duration, SystemTime};

use common::*;

/// `case add` of the `n`-th person on `data`, running: its input written, its output piped.
fn add_in_background(data: &std::path::Path, n: u32) -> std::process::Child {
    use std::io::Write;
    let mut child = onedoor(data)
        .args(["case", "add", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(case_json(&person(n), "100").as_bytes());
    child
}

#[test]
fn every_reported_case_survives_sigkill_and_the_store_always_opens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    println!("seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut reported = Vec::new();
    let iterations: u32 = 120;
    for i in 0..iterations {
        let mut child = add_in_background(d, i);
        // Kill anywhere from before the store opens to after the commit; every
        // tenth run is left to finish so the store keeps growing.
        let killed = i % 10 != 9;
        if killed {
            std::thread::sleep(Duration::from_micros(rng.u64(..90_000)));
            let _ = child.kill();
        }
        let out = child.wait_with_output().unwrap();
        if !killed {
            assert!(out.status.success(), "iteration {i}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !printed.is_empty() {
            reported.push(printed);
        }
        // The store opens after every kill, and holds every id reported so far.
        let store = onedoor::store::Store::open(d, &Default::default())
            .unwrap_or_else(|e| panic!("iteration {i} (seed {seed}): the store does not open: {e}"));
        for id in &reported {
            let id = id.parse().unwrap();
            assert!(store.case(&id).unwrap().is_some(), "iteration {i} (seed {seed}): {id} was reported but is gone");
        }
    }
    println!("{} of {iterations} runs reported a case", reported.len());
    assert!(reported.len() >= (iterations / 10) as usize, "too few runs got to report a case: {}", reported.len());
    // Ids never repeat, even across kills.
    let mut unique = reported.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), reported.len());
}

/// The first `case add` on a new store creates it (sled's files, the commit
/// journal). Killed anywhere in that, the next command must still open the
/// store, and a case it reported must be there.
#[test]
fn a_store_killed_while_it_is_first_made_still_opens() {
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    println!("seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in 0..60 {
        let dir = tempfile::tempdir().unwrap();
        let mut child = add_in_background(dir.path(), i);
        // A whole first `case add` takes about 30 ms here (debug build).
        std::thread::sleep(Duration::from_micros(rng.u64(..30_000)));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let r = run(dir.path(), &["case", "list"], None);
        if !onedoor::store::Store::exists(dir.path()) {
            // Killed before sled made its files: nothing was reported, and the
            // next command that writes makes the store.
            assert!(printed.is_empty(), "run {i} (seed {seed}): {printed} was reported but there is no store");
            assert_eq!(r.code, 1, "run {i} (seed {seed}): {}", r.stderr);
            assert!(r.stderr.contains("there is no store"), "run {i} (seed {seed}): {}", r.stderr);
            add(dir.path(), &case_json(&person(i), "100"));
            continue;
        }
        assert_eq!(r.code, 0, "run {i} (seed {seed}): the store does not open: {}", r.stderr);
        assert!(r.stdout.contains(&printed), "run {i} (seed {seed}): {printed} was reported but is not listed");
    }
}
