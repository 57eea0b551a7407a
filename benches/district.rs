//! District server benchmarks (figures, never assertions on time), over real
//! HTTP on 127.0.0.1 against the real `onedoor-district` process, on the
//! embedded store and on PostgreSQL:
//! - acceptance rate with 20 posters at once (cases/s; durable: PostgreSQL with fsync on);
//! - one connection posting one case after another: the cost of one durable
//!   acknowledgement, and what a backlog of 10,000 cases takes to drain;
//! - `assistance/search` latency (p50/p99) with `ONEDOOR_BENCH_CASES` cases held
//!   (default 1,000,000, loaded with `onedoor-district import`).
//!
//! `cargo bench --bench district`; `ONEDOOR_BENCH_BACKENDS=sled` (or `postgres`)
//! and `ONEDOOR_BENCH_PARTS=accept,sequential,search` choose what runs.

#[path = "../tests/district_support/mod.rs"]
mod district_support;

use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use district_support::*;
use onedoor::domain::Case;
use onedoor::sync::wire::CASES_PATH;

fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name).unwrap_or_else(|_| default.to_string()).split(',').map(|s| s.trim().to_string()).collect()
}

fn backends() -> Vec<Backend> {
    env_list("ONEDOOR_BENCH_BACKENDS", "sled,postgres")
        .iter()
        .map(|b| if b == "postgres" { Backend::Postgres } else { Backend::Sled })
        .collect()
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sled => "sled",
        Backend::Postgres => "postgres",
    }
}

/// A case id and its JSON body, made before the clock starts.
type Body = (String, Vec<u8>);

/// Cases to post, with their bodies made beforehand (the clients only send).
fn bodies(town: &str, from: u32, count: u32, people_from: u32) -> Vec<Body> {
    (0..count)
        .map(|i| {
            let case = completed(town, from + i, people_from + i);
            (case.id.to_string(), serde_json::to_vec(&case).unwrap())
        })
        .collect()
}

fn accept_rate(backend: Backend, posters: u32, each: u32) {
    let h = Harness::with(backend, true, &[]);
    let work: Vec<(Client, Vec<Body>)> = (0..posters)
        .map(|p| {
            let town = TOWNS[p as usize % TOWNS.len()].0;
            let from = (p / TOWNS.len() as u32) * each + 1;
            (h.town(town), bodies(town, from, each, p * each))
        })
        .collect();
    let started = Instant::now();
    std::thread::scope(|s| {
        for (client, cases) in &work {
            s.spawn(move || {
                for (key, body) in cases {
                    let answer = client.post(CASES_PATH, Some(key), body);
                    assert_eq!(answer.status, 201, "{answer:?}");
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let total = f64::from(posters * each);
    println!(
        "{:<8} accept, {posters} posters at once: {total} cases in {seconds:.2} s = {:.0} cases/s",
        name(backend),
        total / seconds
    );
}

fn sequential(backend: Backend, count: u32) {
    let h = Harness::with(backend, true, &[]);
    let client = h.town(TOWNS[0].0);
    let cases = bodies(TOWNS[0].0, 1, count, 0);
    let mut each = Vec::with_capacity(cases.len());
    let started = Instant::now();
    for (key, body) in &cases {
        let t = Instant::now();
        let answer = client.post(CASES_PATH, Some(key), body);
        each.push(t.elapsed());
        assert_eq!(answer.status, 201, "{answer:?}");
    }
    let seconds = started.elapsed().as_secs_f64();
    let ms = seconds * 1000.0 / f64::from(count);
    each.sort();
    println!(
        "{:<8} one connection, one case after another: {count} cases in {seconds:.2} s = {ms:.2} ms per durable \
         acknowledgement (p50 {:.2} ms, p99 {:.2} ms); 10,000 cases would take {:.1} s",
        name(backend),
        percentile(&each, 50.0),
        percentile(&each, 99.0),
        ms * 10.0
    );
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p / 100.0).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// A store of `count` cases spread over five towns and three years; case k
/// has person 2k as the applicant and 2k+1 in the household.
fn held_case(k: u32) -> Case {
    let town = TOWNS[(k % 5) as usize].0;
    let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(i64::from((k / 5) % 1000));
    let seq = k / 5000 + 1;
    finished(town, day, seq, &person(2 * k), &[person(2 * k + 1)], Ending::Completed)
}

fn search_latency(backend: Backend, count: u32, searches: u32) {
    let mut h = Harness::with(backend, false, &[]);
    h.district.terminate();
    assert_eq!(h.district.wait(), Some(0));
    let started = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onedoor-district"));
    cmd.arg("import");
    match &h.store {
        Store::Sled(dir) => cmd.arg("--data").arg(dir),
        Store::Postgres(url) => cmd.arg("--database").arg(url),
    };
    let mut import = cmd.arg("-").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    {
        let mut input = BufWriter::new(import.stdin.take().unwrap());
        for k in 0..count {
            serde_json::to_writer(&mut input, &held_case(k)).unwrap();
            input.write_all(b"\n").unwrap();
        }
    }
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    println!("{:<8} loaded {count} cases with import in {:.0} s", name(backend), started.elapsed().as_secs_f64());
    h.district.start_again();
    let client = h.town(TOWNS[0].0);
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut latencies = Vec::with_capacity(searches as usize);
    let mut found = 0usize;
    for i in 0..searches {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let k = (rng % u64::from(count)) as u32;
        let people = [person(2 * k), person(2 * k + 1), person(2 * count + i)];
        let since = (i % 2 == 0).then(|| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        let t = Instant::now();
        let answer = client.search(&people.iter().collect::<Vec<_>>(), since);
        latencies.push(t.elapsed());
        found += answer.search().records.len();
    }
    latencies.sort();
    println!(
        "{:<8} assistance/search with {count} cases held, {searches} searches of 3 people: p50 {:.2} ms, p99 {:.2} ms, \
         max {:.2} ms ({found} records found)",
        name(backend),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0)
    );
    let admin = h.admin();
    let mut towns = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        assert_eq!(admin.get(onedoor::sync::wire::TOWNS_PATH).status, 200);
        towns.push(t.elapsed());
    }
    towns.sort();
    println!(
        "{:<8} the towns view with {count} cases held: {:.0} ms (median of 5)",
        name(backend),
        percentile(&towns, 50.0)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: run only under bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let parts = env_list("ONEDOOR_BENCH_PARTS", "accept,sequential,search");
    let cases: u32 = std::env::var("ONEDOOR_BENCH_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    for backend in backends() {
        if parts.iter().any(|p| p == "accept") {
            accept_rate(backend, 20, 200);
        }
        if parts.iter().any(|p| p == "sequential") {
            sequential(backend, 3000);
        }
        if parts.iter().any(|p| p == "search") {
            search_latency(backend, cases, 5000);
        }
    }
}
