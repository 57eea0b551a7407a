//! The district never loses an acknowledged case: restarted in the middle of
//! a stream, killed with SIGKILL while acknowledging (PostgreSQL with fsync
//! on, and crashed too), stopped with SIGTERM while a request is in flight,
//! and two servers sharing one PostgreSQL with five towns posting at once.

mod district_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use district_support::*;
use onedoor::domain::Case;
use onedoor::sync::wire::CaseReceipt;

const A: &str = "320106001";

/// Every acknowledged case is held with its first receipt: posting it again
/// answers 200 (not 201) with the same receipt.
fn assert_all_held(client: &Client, acknowledged: &[(Case, CaseReceipt)]) {
    for (case, receipt) in acknowledged {
        let again = client.deliver(case);
        assert_eq!(again.status, 200, "case {} was acknowledged and then lost: {again:?}", case.id);
        assert_eq!(&again.receipt(), receipt, "case {} has another receipt", case.id);
    }
}

fn a_restart_in_the_middle_of_a_stream_loses_and_repeats_nothing(backend: Backend) {
    let mut h = Harness::new(backend);
    let cases: Vec<Case> = (1..=120).map(|n| completed(A, n, n)).collect();
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let poster = {
        let (cases, acknowledged, client) = (cases.clone(), acknowledged.clone(), h.town(A));
        std::thread::spawn(move || {
            for case in cases {
                let answer = client.deliver(&case);
                assert!(matches!(answer.status, 200 | 201), "{answer:?}");
                acknowledged.lock().unwrap().push((case, answer.receipt()));
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 40 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.district.terminate();
    assert_eq!(h.district.wait(), Some(0), "a clean stop: {}", h.district.log_text());
    h.district.start_again();
    poster.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap();
    assert_eq!(acknowledged.len(), cases.len());
    assert_eq!(h.town_status(A).cases_held, cases.len() as u64, "each case once");
    assert_all_held(&h.town(A), &acknowledged);
}

fn a_server_killed_while_acknowledging_keeps_every_acknowledged_case(backend: Backend) {
    // PostgreSQL keeps fsync on here, and is crashed too: the acknowledged
    // cases must come back from its WAL.
    let mut h = Harness::with(backend, true, &[]);
    let acknowledged: Arc<Mutex<Vec<(Case, CaseReceipt)>>> = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(1));
    let posters: Vec<_> = (0..4)
        .map(|_| {
            let (acknowledged, sent, stop, next) = (acknowledged.clone(), sent.clone(), stop.clone(), next.clone());
            let client = h.town(A);
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let n = next.fetch_add(1, Ordering::SeqCst) as u32;
                    let case = completed(A, n, n);
                    sent.lock().unwrap().push(case.clone());
                    if let Ok(answer) = client.try_post_case(&case) {
                        if answer.status == 201 {
                            acknowledged.lock().unwrap().push((case, answer.receipt()));
                        }
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 150 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    h.district.kill();
    if let Some(pg) = h.pg.as_mut() {
        pg.crash();
    }
    stop.store(true, Ordering::SeqCst);
    for p in posters {
        p.join().unwrap();
    }
    if let Some(pg) = h.pg.as_mut() {
        pg.restart();
    }
    h.district.start_again();
    let acknowledged = acknowledged.lock().unwrap();
    assert_all_held(&h.town(A), &acknowledged);
    // What was sent but not acknowledged may or may not be held; sent again, every case is held once.
    let sent = sent.lock().unwrap();
    for case in sent.iter() {
        assert!(matches!(h.town(A).deliver(case).status, 200 | 201));
    }
    assert_eq!(h.town_status(A).cases_held, sent.len() as u64);
}

fn sigterm_finishes_the_requests_in_flight(backend: Backend) {
    let mut h = Harness::new(backend);
    let case = completed(A, 1, 1);
    let stalled = Stalled::start(h.district.port, token_of(A), &case);
    h.wait_for_contact(A);
    h.district.terminate();
    let (status, body) = stalled.finish();
    assert_eq!(status, 201, "the request in flight is answered: {body}");
    let receipt: CaseReceipt = serde_json::from_str(&body).unwrap();
    assert_eq!(h.district.wait(), Some(0), "{}", h.district.log_text());
    assert!(h.town(A).try_post_case(&case).is_err(), "no new requests once stopped");
    h.district.start_again();
    assert_all_held(&h.town(A), &[(case, receipt)]);
}

both_backends!(
    a_restart_in_the_middle_of_a_stream_loses_and_repeats_nothing,
    a_server_killed_while_acknowledging_keeps_every_acknowledged_case,
    sigterm_finishes_the_requests_in_flight,
);

/// Two servers on one PostgreSQL (started together: the schema is made once),
/// five towns posting at once, some cases to both servers at the same time:
/// every case held once, with one receipt, whichever server answered.
#[test]
fn two_servers_on_one_postgres_lose_and_duplicate_nothing() {
    let pg = Pg::start(false);
    let url = pg.database("shared");
    let dir = tempfile::tempdir().unwrap();
    let tokens = district_support::server::write_tokens(dir.path());
    let store = Store::Postgres(url);
    let starting: Vec<_> = ["one", "two"]
        .map(|name| {
            let (store, tokens, log) = (store.clone(), tokens.clone(), dir.path().join(format!("{name}.log")));
            std::thread::spawn(move || District::start(&store, &tokens, &log, &[]))
        })
        .into_iter()
        .collect();
    let servers: Vec<District> = starting.into_iter().map(|s| s.join().unwrap()).collect();
    let urls: Vec<String> = servers.iter().map(|s| s.url()).collect();
    const PER_TOWN: u32 = 60;
    let receipts: Arc<Mutex<HashMap<String, CaseReceipt>>> = Arc::default();
    let posters: Vec<_> = TOWNS
        .iter()
        .enumerate()
        .map(|(t, (town, token))| {
            let (urls, receipts) = (urls.clone(), receipts.clone());
            std::thread::spawn(move || {
                let clients: Vec<Client> = urls.iter().map(|u| Client::new(u, token)).collect();
                for seq in 1..=PER_TOWN {
                    let case = completed(town, seq, t as u32 * 1000 + seq);
                    let first = &clients[seq as usize % 2];
                    let answers: Vec<Answer> = if seq % 3 == 0 {
                        // Sent to both servers at once, as a counter retrying through a balancer might.
                        let other = &clients[(seq as usize + 1) % 2];
                        std::thread::scope(|s| {
                            let a = s.spawn(|| first.deliver(&case));
                            let b = s.spawn(|| other.deliver(&case));
                            vec![a.join().unwrap(), b.join().unwrap()]
                        })
                    } else {
                        vec![first.deliver(&case)]
                    };
                    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
                    assert!(statuses.contains(&201) && statuses.iter().all(|s| matches!(s, 200 | 201)), "{statuses:?}");
                    let receipt = answers[0].receipt();
                    assert!(answers.iter().all(|a| a.receipt() == receipt), "one receipt per case");
                    receipts.lock().unwrap().insert(case.id.to_string(), receipt);
                }
            })
        })
        .collect();
    for p in posters {
        p.join().unwrap();
    }
    assert_eq!(receipts.lock().unwrap().len(), TOWNS.len() * PER_TOWN as usize);
    for server in &servers {
        let view = Client::new(&server.url(), ADMIN_TOKEN).get(onedoor::sync::wire::TOWNS_PATH).towns();
        for t in &view.towns {
            assert_eq!(t.cases_held, u64::from(PER_TOWN), "town {} as server {} sees it", t.town_code, server.url());
        }
    }
    let rows = pg.psql("shared", "SELECT count(*), count(DISTINCT case_id), count(DISTINCT receipt_id) FROM cases");
    let total = TOWNS.len() * PER_TOWN as usize;
    assert_eq!(rows, format!("{total}|{total}|{total}"));
    assert_eq!(pg.psql("shared", "SELECT count(*) FROM case_people"), total.to_string());
    assert_eq!(pg.psql("shared", "SELECT version FROM onedoor_district_schema"), "1", "one schema row, made once");
}
