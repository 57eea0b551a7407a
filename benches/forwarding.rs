//! The counter's forwarder draining a backlog of finished cases (default
//! 10,000, `ONEDOOR_BENCH_BACKLOG`) to the real `onedoor-district` on
//! 127.0.0.1, on the embedded store and on PostgreSQL (fsync on): the wall
//! time from the first request to the empty outbox, with 1, the default 4
//! and 8 connections (`ONEDOOR_BENCH_CONNECTIONS=1,4,8`). Every answer is committed to the counter's store
//! (one durable commit per batch) as in real use. Figures, never assertions.
//!
//! `cargo bench --bench forwarding`; `ONEDOOR_BENCH_BACKENDS=sled` (or `postgres`).

#[path = "../tests/district_support/mod.rs"]
mod district_support;

use std::sync::Arc;
use std::time::Instant;

use district_support::*;
use onedoor::config::DistrictConfig;
use onedoor::domain::Case;
use onedoor::store::{Store, StoreOptions};
use onedoor::sync::client::DistrictClient;
use onedoor::sync::forward::{Forwarder, PassEnd};
use onedoor::Lang;

const TOWN: &str = "320106001";

fn backends() -> Vec<Backend> {
    std::env::var("ONEDOOR_BENCH_BACKENDS")
        .unwrap_or_else(|_| "sled,postgres".into())
        .split(',')
        .map(|b| if b.trim() == "postgres" { Backend::Postgres } else { Backend::Sled })
        .collect()
}

/// A counter store holding `n` finished cases, all in the outbox.
fn counter_store(dir: &std::path::Path, n: u32) -> Arc<Store> {
    let store = Store::open(dir, &StoreOptions::default()).unwrap();
    let cases: Vec<Case> = (1..=n).map(|i| completed(TOWN, i, i)).collect();
    write_finished(&store, &cases);
    assert_eq!(store.outbox_counts().0, n as usize);
    Arc::new(store)
}

fn drain(backend: Backend, n: u32, connections: u8) {
    let h = Harness::with(backend, true, &[]);
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, token_of(TOWN)).unwrap();
    std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let store = counter_store(&dir.path().join("counter"), n);
    let config = DistrictConfig { url: Some(h.district.url()), token_file: Some(token), ca_file: None, connections };
    let client = DistrictClient::from_config(&config).unwrap();
    let mut forwarder = Forwarder::new(Arc::clone(&store), client, Lang::En, connections);
    let started = Instant::now();
    let mut passes = 0;
    while forwarder.status.waiting > 0 {
        let report = forwarder.pass(false).unwrap();
        passes += 1;
        assert_ne!(report.end, PassEnd::Stopped, "{:?}", forwarder.status);
        if report.end == PassEnd::Paused {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(h.town_status(TOWN).cases_held, u64::from(n));
    let name = if backend == Backend::Sled { "sled" } else { "postgres" };
    println!(
        "{name:<8} forward a backlog of {n} cases, {connections} connection(s): {seconds:.2} s = {:.0} cases/s ({passes} passes)",
        f64::from(n) / seconds
    );
}

fn main() {
    let n: u32 = std::env::var("ONEDOOR_BENCH_BACKLOG").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let connections: Vec<u8> = std::env::var("ONEDOOR_BENCH_CONNECTIONS")
        .unwrap_or_else(|_| "1,4,8".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    for backend in backends() {
        for &connections in &connections {
            drain(backend, n, connections);
        }
    }
}
