//! The counter forwards its finished cases to the real `onedoor-district`
//! on 127.0.0.1 (`onedoor sync`, the real binary): normally; a case the
//! district already holds; the district answering 503 with Retry-After, or
//! losing its answers after it committed (a small proxy in front of it); a
//! wrong token; a case of another town; a conflicting case (dead letter,
//! `outbox retry` after the fix); the district restarted in the middle of a
//! backlog; and `onedoor sync` killed with SIGKILL while forwarding. After
//! each, the district holds every finished case exactly once and the
//! counter's outbox is empty or holds exactly the dead letters.

mod district_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use district_support::proxy::{Mode, Proxy};
use district_support::*;
use onedoor::domain::Case;
use onedoor::store::{Store, StoreOptions};

const A: &str = "320106001";
const B: &str = "320106002";

/// A counter of `town`: its store, its config and its token file.
struct Counter {
    _dir: tempfile::TempDir,
    data: PathBuf,
    config: PathBuf,
    token: PathBuf,
    town: String,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Counter {
    fn new(town: &str, url: &str, token: &str) -> Counter {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new().prefix("onedoor-counter").tempdir().unwrap();
        let token_path = dir.path().join("district.token");
        std::fs::write(&token_path, format!("{token}\n")).unwrap();
        std::fs::set_permissions(&token_path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = Counter {
            data: dir.path().join("data"),
            config: dir.path().join("onedoor.toml"),
            token: token_path,
            town: town.to_string(),
            _dir: dir,
        };
        c.point_at(url);
        c
    }

    /// Writes the config with the district at `url`.
    fn point_at(&self, url: &str) {
        self.point_at_trusting(url, None);
    }

    /// Writes the config with the district at `url`, and its own CA when `ca` names one.
    fn point_at_trusting(&self, url: &str, ca: Option<&Path>) {
        let mut text = format!(
            "[counter]\ntown_code = \"{}\"\n[district]\nurl = \"{url}\"\ntoken_file = \"{}\"\n",
            self.town,
            self.token.display()
        );
        if let Some(ca) = ca {
            text.push_str(&format!("ca_file = \"{}\"\n", ca.display()));
        }
        std::fs::write(&self.config, text).unwrap();
    }

    fn set_token(&self, token: &str) {
        std::fs::write(&self.token, format!("{token}\n")).unwrap();
    }

    fn store(&self) -> Store {
        Store::open(&self.data, &StoreOptions::default()).unwrap()
    }

    /// Finished cases written as the window writes them (each enters the outbox).
    fn put(&self, cases: &[Case]) {
        let store = self.store();
        store
            .write::<(), std::convert::Infallible>(|tx| {
                for case in cases {
                    tx.put_case(None, case)?;
                }
                Ok(())
            })
            .unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_onedoor"));
        c.env("ONEDOOR_DATA", &self.data)
            .env("ONEDOOR_CONFIG", &self.config)
            .env("ONEDOOR_OPERATOR", "clerk01")
            .env("ONEDOOR_LANG", "en")
            .env_remove("ONEDOOR_NOW")
            .env_remove("XDG_CONFIG_HOME")
            .args(args)
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    }

    fn outbox_json(&self, dead: bool) -> Vec<serde_json::Value> {
        let args: &[&str] = if dead { &["outbox", "list", "--dead", "--json"] } else { &["outbox", "list", "--json"] };
        let r = self.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap().as_array().unwrap().clone()
    }
}

fn ok(r: &Run) {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
}

fn backlog(town: &str, n: u32) -> Vec<Case> {
    let endings = [Ending::Completed, Ending::Rejected, Ending::Withdrawn];
    (1..=n).map(|i| finished(town, day(), i, &person(i), &[], endings[i as usize % 3])).collect()
}

/// The district holds exactly `cases` of `town`, each once, with the receipt
/// the counter kept (posting one again answers 200 with that receipt); the
/// counter's outbox is empty and its dead letters are exactly `dead`.
fn assert_forwarded_once(h: &Harness, counter: &Counter, cases: &[Case], dead: &[&Case]) {
    let held: Vec<&Case> = cases.iter().filter(|c| !dead.iter().any(|d| d.id == c.id)).collect();
    assert_eq!(h.town_status(&counter.town).cases_held, held.len() as u64, "cases held by the district");
    let store = counter.store();
    assert_eq!(store.outbox_ids().unwrap(), vec![], "the outbox is empty");
    let dead_ids: Vec<_> = store.dead_letters().unwrap().into_iter().map(|(id, _)| id).collect();
    assert_eq!(dead_ids, dead.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), "the dead letters");
    let client = h.town(&counter.town);
    for case in held {
        let kept = store.district_receipt(&case.id).unwrap().unwrap_or_else(|| panic!("no receipt for {}", case.id));
        let again = client.post_case(case);
        assert_eq!(again.status, 200, "{}: {again:?}", case.id);
        assert_eq!(again.receipt().receipt_id, kept.receipt_id, "{}", case.id);
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finished_cases_are_forwarded_with_their_receipts_kept(backend: Backend) {
    let h = Harness::new(backend);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let cases = backlog(A, 6);
    counter.put(&cases);
    assert_eq!(counter.outbox_json(false).len(), 6);
    let r = counter.run(&["sync", "--once"]);
    ok(&r);
    assert!(r.stdout.contains("forwarded 6"), "{}", r.stdout);
    assert_forwarded_once(&h, &counter, &cases, &[]);
    let receipt = counter.store().district_receipt(&cases[0].id).unwrap().unwrap();
    let shown = counter.run(&["case", "show", cases[0].id.as_str()]);
    assert!(shown.stdout.contains(&format!("receipt {}", receipt.receipt_id)), "{}", shown.stdout);
    // The counter said how it stands with its requests (extension headers).
    assert_eq!(h.town_status(A).dead_letters, Some(0));
    // Nothing more to send: a second sync sends nothing and succeeds.
    let again = counter.run(&["sync"]);
    ok(&again);
    assert!(again.stdout.contains("forwarded 0"), "{}", again.stdout);
    let shown = counter.run(&["outbox", "list"]);
    assert!(shown.stdout.contains("no finished case waits"), "{}", shown.stdout);
}

fn a_case_the_district_already_holds_or_whose_answer_was_lost_is_held_once(backend: Backend) {
    let h = Harness::new(backend);
    let proxy = Proxy::start(h.district.port);
    let counter = Counter::new(A, &proxy.url(), token_of(A));
    let cases = backlog(A, 5);
    counter.put(&cases);
    // The district took case 1 already (its answer never reached the counter).
    let first = h.town(A).post_case(&cases[0]);
    assert_eq!(first.status, 201);
    // The next two answers are lost after the district committed.
    proxy.set(Mode::LoseAnswers { requests: 2 });
    let r = counter.run(&["sync"]);
    ok(&r);
    assert_eq!(proxy.misbehaved.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_forwarded_once(&h, &counter, &cases, &[]);
    assert_eq!(counter.store().district_receipt(&cases[0].id).unwrap().unwrap().receipt_id, first.receipt().receipt_id);
}

fn a_district_answering_503_with_retry_after_is_waited_for(backend: Backend) {
    let h = Harness::new(backend);
    let proxy = Proxy::start(h.district.port);
    let counter = Counter::new(A, &proxy.url(), token_of(A));
    let cases = backlog(A, 4);
    counter.put(&cases);
    // Two minutes of maintenance: one pass stops at the first 503 and keeps
    // the district's wait with the entry.
    proxy.set(Mode::Unavailable { retry_after: "120".into(), requests: 1000 });
    let before = chrono::Utc::now();
    let r = counter.run(&["sync", "--once"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("4 finished cases still wait") && r.stderr.contains("503"), "{}", r.stderr);
    let waiting = counter.outbox_json(false);
    assert_eq!(waiting.len(), 4);
    let tried: Vec<&serde_json::Value> = waiting.iter().filter(|e| e["attempts"] == 1).collect();
    assert_eq!(tried.len(), 1, "one request, then the counter waits: {waiting:?}");
    let next = chrono::DateTime::parse_from_rfc3339(tried[0]["next_attempt_at"].as_str().unwrap()).unwrap();
    assert!(next >= before + chrono::Duration::seconds(119), "Retry-After 120 honoured: {next}");
    assert!(tried[0]["last_error"].as_str().unwrap().contains("503"));
    let shown = counter.run(&["outbox", "list"]);
    assert!(shown.stdout.contains("maintenance"), "{}", shown.stdout);
    // Back: `--once` sends every entry, whatever its next attempt time says.
    proxy.set(Mode::Pass);
    ok(&counter.run(&["sync", "--once"]));
    // A shorter outage, its Retry-After an HTTP date a second on: `sync` waits it out.
    let more: Vec<Case> = (5..=7).map(|i| completed(A, i, i)).collect();
    counter.put(&more);
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    proxy.set(Mode::Unavailable { retry_after: soon, requests: 3 });
    ok(&counter.run(&["sync"]));
    assert_eq!(proxy.mode(), Mode::Pass, "every 503 was met");
    let all: Vec<Case> = cases.iter().chain(&more).cloned().collect();
    assert_forwarded_once(&h, &counter, &all, &[]);
}

fn a_wrong_token_stops_forwarding_and_says_so_and_an_open_token_file_is_refused(backend: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let h = Harness::new(backend);
    let counter = Counter::new(A, &h.district.url(), "town-320106001-not-the-right-token-000000");
    let cases = backlog(A, 3);
    counter.put(&cases);
    let r = counter.run(&["sync"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("forwarding stopped") && r.stderr.contains("401"), "{}", r.stderr);
    assert!(r.stderr.contains("token"), "{}", r.stderr);
    let waiting = counter.outbox_json(false);
    assert_eq!(waiting.len(), 3, "nothing is lost nor dead-lettered");
    assert!(waiting.iter().all(|e| e["attempts"] == 0), "{waiting:?}");
    assert_eq!(h.town_status(A).cases_held, 0);
    // A token file others can read is refused before anything is sent.
    counter.set_token(token_of(A));
    std::fs::set_permissions(&counter.token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = counter.run(&["sync"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("chmod 600 {}", counter.token.display())), "{}", r.stderr);
    // Fixed: everything goes.
    std::fs::set_permissions(&counter.token, std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(&counter.run(&["sync"]));
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

fn a_case_of_another_town_is_refused_and_stops_forwarding_without_losing_it(backend: Backend) {
    let h = Harness::new(backend);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let stray = completed(B, 1, 1);
    counter.put(std::slice::from_ref(&stray));
    let r = counter.run(&["sync"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("forwarding stopped") && r.stderr.contains("403"), "{}", r.stderr);
    assert_eq!(counter.store().outbox_ids().unwrap(), vec![stray.id.clone()]);
    assert_eq!(counter.store().dead_letters().unwrap(), vec![]);
    assert_eq!(h.town_status(B).cases_held, 0);
    assert_eq!(h.town_status(A).cases_held, 0);
}

fn a_conflicting_case_becomes_a_dead_letter_and_goes_after_the_fix_with_outbox_retry(backend: Backend) {
    let mut h = Harness::new(backend);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let cases = backlog(A, 3);
    counter.put(&cases);
    // The district holds case 2's id with other content.
    let mut other = cases[1].clone();
    other.description = "another case under the same id".into();
    assert_eq!(h.town(A).post_case(&other).status, 201);
    let r = counter.run(&["sync"]);
    ok(&r);
    assert!(r.stdout.contains("1 refused for good"), "{}", r.stdout);
    assert_eq!(h.town_status(A).cases_held, 3, "two forwarded, and the district's own copy");
    let store = counter.store();
    assert_eq!(store.outbox_counts(), (0, 1));
    assert!(
        store.district_receipt(&cases[0].id).unwrap().is_some()
            && store.district_receipt(&cases[2].id).unwrap().is_some()
    );
    drop(store);
    let dead = counter.outbox_json(true);
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["case_id"], cases[1].id.as_str());
    assert_eq!(dead[0]["status"], 422);
    assert!(!dead[0]["reason"].as_str().unwrap().is_empty());
    assert_eq!(h.town_status(A).dead_letters, Some(1), "the district hears of the dead letter");
    let shown = counter.run(&["case", "show", cases[1].id.as_str()]);
    assert!(shown.stdout.contains("refused by the district (422)"), "{}", shown.stdout);
    // A retry of a case that is not a dead letter is refused.
    let r = counter.run(&["outbox", "retry", cases[0].id.as_str()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not in the dead letters"), "{}", r.stderr);
    // The district fixes its side (its wrong copy is gone: a store rebuilt
    // from the counters); after `outbox retry` the case goes.
    h.district.kill();
    let fresh = h.fresh_store("rebuilt");
    h.district = District::start(&fresh, &h.tokens, &h.dir.path().join("rebuilt.log"), &[]);
    h.store = fresh;
    for case in [&cases[0], &cases[2]] {
        assert_eq!(h.town(A).post_case(case).status, 201);
    }
    counter.point_at(&h.district.url());
    ok(&counter.run(&["outbox", "retry", cases[1].id.as_str()]));
    assert_eq!(counter.outbox_json(false).len(), 1);
    ok(&counter.run(&["sync", "--once"]));
    assert_eq!(h.town_status(A).cases_held, 3);
    let store = counter.store();
    assert_eq!(store.outbox_counts(), (0, 0));
    assert!(store.district_receipt(&cases[1].id).unwrap().is_some());
}

fn the_district_restarted_in_the_middle_of_a_backlog_gets_every_case_once(backend: Backend) {
    let mut h = Harness::new(backend);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let cases = backlog(A, 240);
    counter.put(&cases);
    let mut sync = counter.spawn(&["sync"]);
    wait_until("the district to hold some cases", || h.town_status(A).cases_held >= 40);
    h.district.restart();
    let status = sync.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(sync.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

fn sync_killed_while_forwarding_loses_and_repeats_nothing(backend: Backend) {
    let h = Harness::new(backend);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let cases = backlog(A, 300);
    counter.put(&cases);
    let mut sync = counter.spawn(&["sync"]);
    wait_until("the district to hold some cases", || h.town_status(A).cases_held >= 30);
    sync.kill().unwrap(); // SIGKILL
    sync.wait().unwrap();
    let held = h.town_status(A).cases_held;
    assert!(held < 300, "killed before the end ({held} held)");
    let waiting = counter.store().outbox_counts().0;
    assert!(waiting >= 300 - held as usize, "every case the district lacks still waits ({waiting} wait, {held} held)");
    ok(&counter.run(&["sync", "--once"]));
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

fn connections_dropped_half_way_through_a_request_lose_and_repeat_nothing(backend: Backend) {
    let h = Harness::new(backend);
    let proxy = Proxy::start(h.district.port);
    let counter = Counter::new(A, &proxy.url(), token_of(A));
    let cases = backlog(A, 8);
    counter.put(&cases);
    // The first two requests reach the district half-sent: it never gets them whole.
    proxy.set(Mode::CutRequests { requests: 2 });
    let r = counter.run(&["sync"]);
    ok(&r);
    assert_eq!(proxy.misbehaved.load(std::sync::atomic::Ordering::SeqCst), 2, "both connections were cut");
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

fn a_slow_district_gets_every_case_once(backend: Backend) {
    let h = Harness::new(backend);
    let proxy = Proxy::start(h.district.port);
    let counter = Counter::new(A, &proxy.url(), token_of(A));
    let cases = backlog(A, 24);
    counter.put(&cases);
    // Every answer comes 400 ms late, several requests in flight at once.
    proxy.set(Mode::Slow { delay_ms: 400, requests: 1000 });
    let r = counter.run(&["sync", "--once"]);
    ok(&r);
    assert!(r.stdout.contains("forwarded 24"), "{}", r.stdout);
    assert_eq!(proxy.misbehaved.load(std::sync::atomic::Ordering::SeqCst), 24, "one request a case, none resent");
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

/// The district (and PostgreSQL with it, fsync on) killed with SIGKILL while
/// it acknowledges a counter's backlog: every case the counter was told was
/// taken is held with the receipt the counter kept, the others are sent again.
fn a_district_killed_while_acknowledging_keeps_every_case_the_counter_was_told_of(backend: Backend) {
    let mut h = Harness::with(backend, true, &[]);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let cases = backlog(A, 300);
    counter.put(&cases);
    let mut sync = counter.spawn(&["sync"]);
    wait_until("the district to hold some cases", || h.town_status(A).cases_held >= 40);
    h.district.kill();
    if let Some(pg) = h.pg.as_mut() {
        pg.crash();
        pg.restart();
    }
    h.district.start_again();
    let status = sync.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(sync.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

both_backends!(
    finished_cases_are_forwarded_with_their_receipts_kept,
    a_case_the_district_already_holds_or_whose_answer_was_lost_is_held_once,
    a_district_answering_503_with_retry_after_is_waited_for,
    connections_dropped_half_way_through_a_request_lose_and_repeat_nothing,
    a_slow_district_gets_every_case_once,
    a_wrong_token_stops_forwarding_and_says_so_and_an_open_token_file_is_refused,
    a_case_of_another_town_is_refused_and_stops_forwarding_without_losing_it,
    a_conflicting_case_becomes_a_dead_letter_and_goes_after_the_fix_with_outbox_retry,
    the_district_restarted_in_the_middle_of_a_backlog_gets_every_case_once,
    a_district_killed_while_acknowledging_keeps_every_case_the_counter_was_told_of,
    sync_killed_while_forwarding_loses_and_repeats_nothing,
);

/// A district that is down for a while hears from the counter once per
/// backoff (up to 1 s, 2 s, 4 s… with full jitter), not once per waiting
/// case; when it is back, the backlog goes, each case once.
#[test]
fn a_district_that_is_down_is_tried_with_backoff_not_once_per_case() {
    let h = Harness::new(Backend::Sled);
    let proxy = Proxy::start(h.district.port);
    let counter = Counter::new(A, &proxy.url(), token_of(A));
    let cases = backlog(A, 60);
    counter.put(&cases);
    proxy.set(Mode::Down);
    let mut sync = counter.spawn(&["sync"]);
    // The outage lasts three seconds (not a wait for something to happen).
    std::thread::sleep(Duration::from_secs(3));
    let tries = proxy.misbehaved.load(std::sync::atomic::Ordering::SeqCst);
    proxy.set(Mode::Pass);
    assert!((1..20).contains(&tries), "{tries} requests in three seconds of outage, for 60 cases");
    let status = sync.wait().unwrap();
    assert!(status.success());
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

/// The district serving HTTPS with a certificate of its own CA: a counter
/// whose `ca_file` names that CA forwards; one that trusts only the public
/// roots, or another CA, is refused before anything is sent, says so, and
/// keeps its outbox as it was.
#[test]
fn over_https_the_counter_trusts_the_districts_own_ca_and_no_other_certificate() {
    let h = Harness::tls(Backend::Sled);
    let certs = h.certs.as_ref().unwrap();
    let url = h.district.url();
    assert!(url.starts_with("https://"), "{url}");
    let counter = Counter::new(A, &url, token_of(A));
    let cases = backlog(A, 4);
    counter.put(&cases);
    for ca in [None, Some(certs.other_ca.as_path())] {
        counter.point_at_trusting(&url, ca);
        let r = counter.run(&["sync", "--once"]);
        assert_eq!(r.code, 1, "{ca:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("the district's certificate is not trusted") && r.stderr.contains("ca_file"),
            "{ca:?}: {}",
            r.stderr
        );
        let waiting = counter.outbox_json(false);
        assert_eq!(waiting.len(), 4, "{ca:?}");
        assert!(waiting.iter().all(|e| e["attempts"] == 0 && e["last_error"].is_null()), "{waiting:?}");
        assert_eq!(counter.store().dead_letters().unwrap(), vec![]);
        assert_eq!(h.town_status(A).cases_held, 0, "{ca:?}");
    }
    // The counter's status line marks it (`Dist 4!` at 80 columns; the
    // message saying why is shown once, and may land on the first-start
    // screen before the queue: `sync --once` above checks its words).
    let t = InPty::start(&counter);
    wait_until("the status line's mark", || t.shown("4!"));
    t.close(true);
    assert_eq!(counter.store().outbox_counts(), (4, 0));
    // Trusting the district's CA: everything goes.
    counter.point_at_trusting(&url, Some(&certs.ca));
    ok(&counter.run(&["sync", "--once"]));
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

#[test]
fn the_cross_town_search_goes_over_https_and_an_untrusted_district_is_checked_locally_only() {
    let h = Harness::tls(Backend::Sled);
    let certs = h.certs.as_ref().unwrap();
    let helped = completed(B, 1, 77);
    assert_eq!(h.town(B).post_case(&helped).status, 201);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    counter.point_at_trusting(&h.district.url(), Some(&certs.ca));
    let (id, notes) = add_case(&counter, &intake_json(person(77).as_str()), &[]);
    assert!(notes.contains(&format!("town {B} case {}", helped.id)), "{notes}");
    let shown = counter.run(&["case", "show", &id]);
    assert!(shown.stdout.contains("checked with the district"), "{}", shown.stdout);
    counter.point_at_trusting(&h.district.url(), Some(&certs.other_ca));
    let (id, notes) = add_case(&counter, &intake_json(person(78).as_str()), &[]);
    assert!(notes.contains("checked locally only"), "{notes}");
    assert!(counter.run(&["case", "show", &id]).stdout.contains("checked locally only"));
}

/// The real counter in an 80x24 pseudo-terminal on `counter`'s store and config.
struct InPty {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn std::io::Write + Send>,
    out: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    drain: std::thread::JoinHandle<()>,
}

impl InPty {
    fn start(counter: &Counter) -> InPty {
        use portable_pty::{native_pty_system, CommandBuilder, PtySize};
        let pty = native_pty_system().openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
        cmd.env("ONEDOOR_DATA", &counter.data);
        cmd.env("ONEDOOR_CONFIG", &counter.config);
        cmd.env("ONEDOOR_OPERATOR", "clerk01");
        cmd.env("ONEDOOR_LANG", "en");
        cmd.env("TERM", "xterm-256color");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&out);
        let drain = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut reader, &mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let mut t = InPty { child, master: pty.master, writer, out, drain };
        // The store has no operators: Esc on the first supervisor's creation works without them.
        wait_until("the first start", || t.shown("first supervisor"));
        t.send(b"\x1b");
        t
    }

    fn shown(&self, needle: &str) -> bool {
        String::from_utf8_lossy(&self.out.lock().unwrap()).contains(needle)
    }

    fn send(&mut self, bytes: &[u8]) {
        std::io::Write::write_all(&mut self.writer, bytes).unwrap();
        std::io::Write::flush(&mut self.writer).unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Waits for the counter to end (or kills it first), and closes the terminal.
    fn close(mut self, kill: bool) {
        if kill {
            self.child.kill().unwrap();
        }
        self.child.wait().unwrap();
        drop(self.writer);
        drop(self.master);
        let _ = self.drain.join();
    }
}

#[test]
fn the_counter_forwards_on_its_own_thread_while_it_runs() {
    let h = Harness::new(Backend::Sled);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let cases = backlog(A, 5);
    counter.put(&cases);
    let t = InPty::start(&counter);
    wait_until("the counter to forward its outbox", || h.town_status(A).cases_held == 5);
    t.close(true);
    // The receipts are written after the district answers: the last batch's
    // commit may have been cut short by the kill; a sync finishes it, resending nothing new.
    ok(&counter.run(&["sync", "--once"]));
    assert_forwarded_once(&h, &counter, &cases, &[]);
}

fn intake_json(id_number: &str) -> String {
    format!(
        r#"{{"kind":"temporary","applicant":{{"name":"王芳","id_number":"{id_number}","residence":"urban"}},"reason":"serious_illness","requested_amount":"800"}}"#
    )
}

fn add_case(counter: &Counter, json: &str, extra: &[&str]) -> (String, String) {
    let mut cmd = counter.command(&[&["case", "add", "--json", "-"], extra].concat());
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), json.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).trim().to_string(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_person_helped_in_another_town_is_named_at_intake_and_a_district_away_is_said() {
    let h = Harness::new(Backend::Sled);
    // Helped in town B, as B's counter forwarded it.
    let helped = completed(B, 1, 77);
    assert_eq!(h.town(B).post_case(&helped).status, 201);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let (id, notes) = add_case(&counter, &intake_json(person(77).as_str()), &[]);
    assert!(notes.contains(&format!("town {B} case {}", helped.id)), "{notes}");
    let shown = counter.run(&["case", "show", &id]);
    assert!(
        shown.stdout.contains(&format!("checked with the district: town {B} case {}", helped.id)),
        "{}",
        shown.stdout
    );
    // Someone the district does not know: checked, nothing found.
    let (id, notes) = add_case(&counter, &intake_json(person(78).as_str()), &[]);
    assert!(!notes.contains("note:"), "{notes}");
    assert!(counter.run(&["case", "show", &id]).stdout.contains("nothing in other towns"));
    // --offline: not asked.
    let (id, notes) = add_case(&counter, &intake_json(person(79).as_str()), &["--offline"]);
    assert!(notes.contains("checked locally only"), "{notes}");
    assert!(counter.run(&["case", "show", &id]).stdout.contains("checked locally only"));
    // A district that takes the connection and never answers: the 1 s budget, then locally only.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    counter.point_at(&format!("http://{}", silent.local_addr().unwrap()));
    let (id, notes) = add_case(&counter, &intake_json(person(80).as_str()), &[]);
    assert!(notes.contains("checked locally only"), "{notes}");
    assert!(counter.run(&["case", "show", &id]).stdout.contains("checked locally only"));
    drop(silent);
}

#[test]
fn the_counters_intake_banner_names_help_in_another_town_and_the_case_keeps_the_check() {
    let h = Harness::new(Backend::Sled);
    let helped = completed(B, 1, 91);
    assert_eq!(h.town(B).post_case(&helped).status, 201);
    let counter = Counter::new(A, &h.district.url(), token_of(A));
    let mut t = InPty::start(&counter);
    wait_until("the counter", || t.shown("Today's cases"));
    t.send(b"\x1b[15~"); // F5: the next ticket
    wait_until("the intake form", || t.shown("ticket 1"));
    t.send(person(91).as_str().as_bytes());
    wait_until("the district's word in the banner", || t.shown("help in other towns"));
    assert!(t.shown(&format!("town {B} case {}", helped.id)), "the banner names the town and the case");
    t.send(b"\t");
    t.send("王芳".as_bytes());
    t.send(b"\t");
    t.send(b"13800000000");
    t.send(b"\t\t\t");
    t.send(b"300");
    t.send(b"\t\t\t");
    t.send(b"800");
    t.send(b"\x1b[21~"); // F10: save
    wait_until("the case to be accepted", || t.shown("Accepted"));
    t.send(b"\x11"); // Ctrl+Q
    t.close(false);
    let list = counter.run(&["case", "list", "--json", "--id-number", person(91).as_str()]);
    let cases: Vec<serde_json::Value> = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(cases.len(), 1, "{}", list.stderr);
    let id = cases[0]["id"].as_str().unwrap();
    let shown = counter.run(&["case", "show", id]);
    assert!(
        shown.stdout.contains(&format!("checked with the district: town {B} case {}", helped.id)),
        "{}",
        shown.stdout
    );
}

/// A backlog waits while the clerk types and goes in her pause: the
/// counter's screen tells its forwarder of every key, and no case is sent
/// within 2 s of one (nor held more than 30 s). Keys 50 ms apart for 3 s:
/// nothing reaches the district; then, keys stopped, every case does.
#[test]
fn a_backlog_waits_while_the_clerk_types_and_goes_in_her_pause() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use onedoor::ui::{Clock, Counter, Keymap, Setup, Theme};
    use std::sync::Arc;
    let h = Harness::new(Backend::Sled);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("store"), &StoreOptions::default()).unwrap());
    let token = dir.path().join("district.token");
    std::fs::write(&token, token_of(A)).unwrap();
    std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let config = onedoor::config::DistrictConfig {
        url: Some(h.district.url()),
        token_file: Some(token),
        ca_file: None,
        connections: 4,
    };
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    let mut counter = Counter::new(Setup {
        store: Arc::clone(&store),
        counter: onedoor::config::CounterConfig::default(),
        operator: "clerk01".into(),
        lang: onedoor::Lang::En,
        keymap: Keymap::default_keymap(),
        theme: Theme::color(),
        clock: Clock::Fixed(now),
        data_dir: dir.path().to_path_buf(),
        policies: Arc::new(onedoor::window::builtin_policies().clone()),
    });
    counter.work_without_operators();
    let forwarder = onedoor::sync::forward::spawn(Arc::clone(&store), &config, onedoor::Lang::En, |_| {}).unwrap();
    counter.attach_forwarder(forwarder.clone());
    let down = Event::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    // The clerk is typing when the backlog comes.
    counter.handle_event(down.clone());
    let cases = backlog(A, 20);
    write_finished(&store, &cases);
    forwarder.wake();
    let typing = Instant::now();
    let mut last_key = Instant::now();
    while typing.elapsed() < Duration::from_secs(3) {
        counter.handle_event(down.clone());
        last_key = Instant::now();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(h.town_status(A).cases_held, 0, "a case went while the clerk typed");
    }
    let mut first_held = None;
    wait_until("the backlog to go in the clerk's pause", || {
        let held = h.town_status(A).cases_held;
        if held > 0 && first_held.is_none() {
            first_held = Some(last_key.elapsed());
        }
        held == 20
    });
    // The forwarder counts the pause in whole milliseconds.
    let went = first_held.unwrap_or_default();
    assert!(went >= Duration::from_millis(1990), "the backlog went {went:?} after the last key, before the pause");
    // The district holds a case before its answer reaches the counter, which
    // then takes the case out of its outbox in a commit of its own.
    wait_until("the counter to hear back for every case", || store.outbox_counts().0 == 0);
}
