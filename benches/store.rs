//! Store benchmarks (criterion): the durable commit of a new case, and finding
//! a person's cases (one index range scan) on a store of `ONEDOOR_BENCH_CASES`
//! cases (default 20,000; `onedoor bench --cases 1000000` measures the full size).

use criterion::{criterion_group, criterion_main, Criterion};

use onedoor::bench::{person_number, seed, synthetic_case, Rng};
use onedoor::config::CounterConfig;
use onedoor::domain::dedup::SupervisorOverride;
use onedoor::domain::CaseId;
use onedoor::store::{Store, StoreOptions};
use onedoor::window::Window;

fn cases() -> u64 {
    std::env::var("ONEDOOR_BENCH_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000)
}

fn store_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let store = Store::open(dir.path(), &StoreOptions::default()).expect("the store opens");
    let counter = CounterConfig::default();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").expect("a fixed time");
    let people = seed(&store, cases(), now.date_naive(), *now.offset()).expect("the store is seeded");

    let mut rng = Rng::new(7);
    c.bench_function("person lookup (index range scan)", |b| {
        b.iter(|| store.cases_of_person(&person_number(rng.below(people))).expect("a lookup"))
    });

    let window = Window::new(&store, &counter);
    let supervisor = SupervisorOverride { by: "bench".into(), reason: "benchmark".into() };
    let mut n = 0u64;
    c.bench_function("durable case add (validate, judge, commit, fdatasync)", |b| {
        b.iter(|| {
            n += 1;
            let case = synthetic_case(&mut Rng::new(n), CaseId::new("1", 1, now.date_naive(), 1), 20_000_000 + n, now);
            let input = serde_json::from_value(serde_json::json!({
                "kind": case.kind.code(),
                "applicant": {"name": case.applicant.name, "id_number": case.applicant.id_number.as_str(), "residence": "urban"},
                "reason": case.reason.code(),
                "requested_amount": case.requested_amount.to_string(),
            }))
            .expect("a valid intake");
            let intake = onedoor::window::Intake { input, override_by: Some(supervisor.clone()), card_photo: None };
            window.accept(intake, "bench", now).expect("the case is accepted")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = store_benches
}
criterion_main!(benches);
