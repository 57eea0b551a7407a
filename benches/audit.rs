//! The audit chain's cost (plain timing, printed as p50/p99; not criterion,
//! whose estimates do not give a p99): what one audit append adds inside a
//! durable commit, a durable commit holding only an append, a case step
//! through the window (its commit carries its audit entry), and `audit
//! verify` over a chain of `ONEDOOR_BENCH_AUDIT` entries (default 1,000,000);
//! and one PIN check (argon2id at `onedoor::auth`'s parameters).

use std::time::{Duration, Instant};

use onedoor::config::CounterConfig;
use onedoor::domain::audit::{AuditAction, AuditEntry};
use onedoor::domain::case::CaseInput;
use onedoor::domain::Money;
use onedoor::store::{Store, StoreError, StoreOptions, WriteError};
use onedoor::window::{CaseAction, Window};

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1e6
}

fn entry(n: u64) -> AuditEntry {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    let mut e = AuditEntry::new(at, "clerk01", AuditAction::CaseStep);
    e.case = Some(format!("320106001-03-20261130-{:04}", n % 10_000).parse().unwrap());
    e.amount = Some(Money::yuan(800));
    e.detail = Some("referred: civil_affairs".into());
    e
}

fn write(store: &Store, f: impl Fn(&onedoor::store::Tx) -> onedoor::store::TxResult<(), StoreError>) {
    match store.write(f) {
        Ok(()) => {}
        Err(WriteError::Refused(e) | WriteError::Store(e)) => panic!("{e}"),
    }
}

fn main() {
    let n: u64 = std::env::var("ONEDOOR_BENCH_AUDIT").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let phc = onedoor::auth::hash_pin("482913").unwrap();
    let mut checks = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        assert!(onedoor::auth::verify_pin("482913", &phc).unwrap());
        checks.push(t.elapsed());
    }
    println!(
        "PIN check (argon2id m={} KiB t={} p={}) p50/p99 {:.1} / {:.1} ms",
        onedoor::auth::MEMORY_KIB,
        onedoor::auth::PASSES,
        onedoor::auth::LANES,
        percentile(&mut checks, 0.5) / 1000.0,
        percentile(&mut checks, 0.99) / 1000.0
    );

    let dir = tempfile::tempdir_in(std::env::var("ONEDOOR_BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();

    // What the append adds inside the commit (the digest, the head read, the run written), and the whole commit.
    let (mut inside, mut commits) = (Vec::new(), Vec::new());
    for i in 0..500 {
        let spent = std::cell::Cell::new(Duration::ZERO);
        let t = Instant::now();
        write(&store, |tx| {
            let t = Instant::now();
            tx.audit(entry(i))?;
            spent.set(t.elapsed());
            Ok(())
        });
        commits.push(t.elapsed());
        inside.push(spent.get());
    }
    println!(
        "audit append inside a commit   p50/p99 {:.1} / {:.1} us",
        percentile(&mut inside, 0.5),
        percentile(&mut inside, 0.99)
    );
    println!(
        "durable commit of one append   p50/p99 {:.0} / {:.0} us",
        percentile(&mut commits, 0.5),
        percentile(&mut commits, 0.99)
    );

    // A case step through the window: the case, its indexes and its audit entry in one durable commit.
    let counter = CounterConfig::default();
    let w = Window::new(&store, &counter);
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    let mut steps = Vec::new();
    for i in 0..300u64 {
        let first17 = format!("320106{}0101{:03}", 1950 + i % 50, i % 1000);
        let number = format!("{first17}{}", onedoor::domain::id_number::check_character(first17.as_bytes()));
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kind": "temporary", "applicant": {"name": "王芳", "id_number": number, "residence": "urban"},
            "reason": "serious_illness", "requested_amount": "800",
        }))
        .unwrap();
        let case = w.accept(input, "clerk01", now).unwrap();
        let t = Instant::now();
        w.act(&case.id, &CaseAction::Refer(None), "clerk01", now).unwrap();
        steps.push(t.elapsed());
    }
    println!(
        "case step (with its audit)     p50/p99 {:.0} / {:.0} us",
        percentile(&mut steps, 0.5),
        percentile(&mut steps, 0.99)
    );

    // A chain of n entries, then one walk of it.
    let have = store.audit_head().unwrap().map_or(0, |h| h.seq);
    let batch = 20_000u64;
    let t = Instant::now();
    let mut made = have;
    while made < n {
        let upto = (made + batch).min(n);
        write(&store, |tx| {
            for i in made..upto {
                tx.audit(entry(i))?;
            }
            Ok(())
        });
        made = upto;
    }
    println!("built a chain of {n} entries in {:.1} s", t.elapsed().as_secs_f64());
    let store = store.reopen(&StoreOptions::default()).unwrap();
    let t = Instant::now();
    let chain = store.audit_verify(&[]).unwrap().unwrap();
    let took = t.elapsed();
    assert_eq!(chain.entries, n);
    println!(
        "audit verify over {} entries   {:.2} s ({:.2} us an entry)",
        chain.entries,
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / n as f64
    );
    println!("store size on disk {:.0} MB", store.size_on_disk().unwrap() as f64 / 1e6);
}
