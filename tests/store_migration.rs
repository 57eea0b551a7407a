//! A store written by schema 1 (tests/fixtures/store-schema1, made by the
//! schema-1 onedoor, with commits still in its journal) is migrated at its
//! first open: every case, index, counter, payment, photo and pending
//! receipt reads back exactly as schema 1 read it (`expected.json` is what
//! the schema-1 onedoor's reading calls returned), and a kill at any moment
//! of the migration leaves a store that opens with all of it.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};
use onedoor::config::CounterConfig;
use onedoor::domain::dedup::SupervisorOverride;
use onedoor::domain::{CaseId, State};
use onedoor::store::{Store, StoreOptions};
use onedoor::window::{CaseAction, Window};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-schema1");
/// The journal's size on disk; the fixture keeps it without its trailing zeros.
const JOURNAL_SIZE: u64 = 8 * 1024 * 1024;

/// A copy of the schema-1 store, as the schema-1 onedoor left it.
fn schema_1_store(into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    for entry in std::fs::read_dir(FIXTURE).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().unwrap().is_file() || ["expected.json", "make.rs", "README.md"].contains(&name.as_str()) {
            continue;
        }
        std::fs::copy(entry.path(), into.join(&name)).unwrap();
    }
    std::fs::File::options().write(true).open(into.join("journal")).unwrap().set_len(JOURNAL_SIZE).unwrap();
}

/// What schema 1 read, and the outbox as the first open after the upgrade
/// fills it: schema 1's outbox took completed cases only; now every finished
/// case that was not imported waits in it (rejected and withdrawn too).
fn expected() -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(FIXTURE).join("expected.json")).unwrap()).unwrap();
    let mut outbox: BTreeSet<String> =
        v["outbox"].as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_string()).collect();
    for case in v["cases"].as_array().unwrap() {
        let finished = ["completed", "rejected", "withdrawn"].contains(&case["state"].as_str().unwrap());
        let imported = case["history"].as_array().unwrap().iter().any(|h| h["action"] == "imported");
        if finished && !imported {
            outbox.insert(case["id"].as_str().unwrap().to_string());
        }
    }
    v["outbox"] = serde_json::json!(outbox);
    // Schema 1 found a case by its applicant's name only; now a household
    // member's name finds it too (compared as sets: the order is the index's).
    let cases = v["cases"].as_array().unwrap().clone();
    for (query, found) in v["search"].as_object_mut().unwrap() {
        let mut ids: BTreeSet<String> =
            found.as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_string()).collect();
        for case in &cases {
            let members = case["household"]["members"].as_array().unwrap();
            if members.iter().any(|m| m["name"].as_str().unwrap().contains(query.as_str())) {
                ids.insert(case["id"].as_str().unwrap().to_string());
            }
        }
        *found = serde_json::json!(ids);
    }
    v
}

/// What a store holds, through its reading calls: the same calls, in the same
/// form, as the schema-1 onedoor made to write `expected.json`.
fn dump(store: &Store) -> serde_json::Value {
    let ids: Vec<CaseId> = store.all_case_ids().map(|i| i.unwrap()).collect();
    // A case schema 1 wrote was paid before payments were kept: it reads with
    // none, and is dumped without the field, as schema 1 dumped it.
    let cases: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            let case = store.case(id).unwrap().unwrap();
            assert_eq!(case.payment, None, "{id}: no payment was recorded before schema 2");
            let mut value = serde_json::to_value(case).unwrap();
            value.as_object_mut().unwrap().remove("payment");
            value
        })
        .collect();
    let mut days = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for id in &ids {
        days.insert(id.day());
        for n in store.case(id).unwrap().unwrap().id_numbers() {
            numbers.insert(n.clone());
        }
    }
    // Schema 1's summaries had no `accepted_by`: it is checked against the case
    // record's operator, then left out of what is compared with schema 1.
    let debug = |v: Vec<onedoor::store::CaseSummary>| {
        v.into_iter()
            .map(|mut s| {
                if let Some(by) = s.accepted_by.take() {
                    assert_eq!(by, store.case(&s.id).unwrap().unwrap().operator, "{}: who accepted it", s.id);
                }
                format!("{s:?}").replacen(", accepted_by: None", "", 1)
            })
            .collect::<Vec<_>>()
    };
    let on_day: serde_json::Map<String, serde_json::Value> =
        days.iter().map(|d| (d.to_string(), serde_json::json!(debug(store.cases_on_day(*d).unwrap())))).collect();
    let people: serde_json::Map<String, serde_json::Value> = numbers
        .iter()
        .map(|n| (n.as_str().to_string(), serde_json::json!(debug(store.cases_of_person(n).unwrap()))))
        .collect();
    let states: serde_json::Map<String, serde_json::Value> = State::ALL
        .iter()
        .map(|s| (s.code().to_string(), serde_json::to_value(store.ids_in_state(*s).unwrap()).unwrap()))
        .collect();
    let searches: serde_json::Map<String, serde_json::Value> = ["王", "李", "3201", "320106001-03-2026112", "11", "X"]
        .iter()
        .map(|q| {
            let found: BTreeSet<String> = store.search(q, 200).unwrap().into_iter().map(|s| s.id.to_string()).collect();
            (q.to_string(), serde_json::to_value(found).unwrap())
        })
        .collect();
    let counters: serde_json::Map<String, serde_json::Value> = days
        .iter()
        .map(|d| {
            let seq = store.counter(&onedoor::store::sequence_key("320106001", 3, *d)).unwrap();
            (d.to_string(), serde_json::json!({"seq": seq, "ticket": store.last_ticket(*d).unwrap()}))
        })
        .collect();
    let photos: serde_json::Map<String, serde_json::Value> = ids
        .iter()
        .filter_map(|id| {
            let photo = store.card_photo(id).unwrap()?;
            Some((id.to_string(), serde_json::json!(photo.iter().map(|b| *b as u64).sum::<u64>())))
        })
        .collect();
    let between: Vec<CaseId> =
        store.cases_between(NaiveDate::MIN, NaiveDate::MAX).unwrap().into_iter().map(|s| s.id).collect();
    let pending: Vec<serde_json::Value> = store
        .pending_receipts::<onedoor::printing::PendingReceipt>()
        .unwrap()
        .iter()
        .map(|(k, r)| serde_json::json!([k, format!("{r:?}")]))
        .collect();
    serde_json::json!({
        "cases": cases, "case_count": store.case_count(), "on_day": on_day, "between": between,
        "people": people, "states": states, "search": searches, "counters": counters, "photos": photos,
        "outbox": store.outbox_ids().unwrap(), "ledger": store.ledger().unwrap(), "fund": store.fund().unwrap().balance(),
        "pending": pending,
    })
}

/// Says which part of two dumps differs first, instead of two pages of JSON.
fn assert_same(found: &serde_json::Value, expected: &serde_json::Value, context: &str) {
    for (key, want) in expected.as_object().unwrap() {
        assert_eq!(found.get(key), Some(want), "{context}: `{key}` differs from what schema 1 read");
    }
    assert_eq!(found, expected, "{context}");
}

fn open(dir: &Path) -> Store {
    Store::open(dir, &StoreOptions::default()).unwrap_or_else(|e| panic!("the store does not open: {e}"))
}

#[test]
fn a_schema_1_store_opens_migrated_with_everything_as_schema_1_read_it() {
    let dir = tempfile::tempdir().unwrap();
    schema_1_store(dir.path());
    {
        let store = open(dir.path());
        assert_same(&dump(&store), &expected(), "after the migration");
        // The new layout: case records in runs, far fewer entries than cases.
        let sizes = store.tree_sizes().unwrap();
        let cases = sizes.iter().find(|t| t.name == "case_runs").unwrap();
        assert_eq!(cases.items, 59);
        assert!(cases.entries < 10, "{} runs for 59 cases", cases.entries);
        assert!(!sizes.iter().any(|t| t.name == "by_person"), "the schema-1 trees are gone");
        let facts = sizes.iter().find(|t| t.name == "report_facts").unwrap();
        assert_eq!(facts.items, 59, "and on to schema 3: the report's facts of every case");
    }
    let left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!left.iter().any(|n| n.starts_with(".onedoor")), "nothing of the migration is left: {left:?}");
    // Opened again, it is not migrated again, and it takes new work.
    let store = open(dir.path());
    assert_same(&dump(&store), &expected(), "opened again");
    let counter = CounterConfig { town_code: "320106001".into(), window: 3, ..CounterConfig::default() };
    let window = Window::new(&store, &counter);
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T15:00:00+08:00").unwrap();
    let earlier = store.case(&"320106001-03-20261124-0002".parse().unwrap()).unwrap().unwrap();
    let input: onedoor::domain::case::CaseInput = serde_json::from_value(serde_json::json!({
        "kind": "temporary",
        "applicant": {"name": earlier.applicant.name, "id_number": earlier.applicant.id_number.as_str(), "residence": "urban"},
        "reason": "serious_illness",
        "requested_amount": "300",
    }))
    .unwrap();
    let sup = SupervisorOverride { by: "super01".into(), reason: "seen".into() };
    let new = window
        .accept(
            onedoor::window::Intake { input, override_by: Some(sup), card_photo: None, draft: None, countersign: None },
            "clerk01",
            now,
        )
        .unwrap();
    assert_eq!(new.id.as_str(), "320106001-03-20261128-0004", "the day's numbering goes on after the migrated cases");
    let theirs = store.cases_of_person(&earlier.applicant.id_number).unwrap();
    assert!(theirs.iter().any(|s| s.id == earlier.id) && theirs.iter().any(|s| s.id == new.id));
    window.act(&new.id, &CaseAction::Withdraw(None), "clerk01", now + Days::minutes(1)).unwrap();
    assert!(!store.open_cases().unwrap().iter().any(|c| c.id == new.id));
}

fn onedoor(data: &Path) -> Command {
    let mut c = common::onedoor(data);
    c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for place in [dir.to_path_buf(), dir.join(".onedoor-migrate"), dir.join(".onedoor-migrated-away")] {
        if let Ok(entries) = std::fs::read_dir(&place) {
            let prefix = place.strip_prefix(dir).unwrap().display().to_string();
            out.extend(entries.flatten().map(|e| format!("{prefix}/{}", e.file_name().to_string_lossy())));
        }
    }
    out
}

/// Starts `onedoor case list` (whose open migrates the store) and kills it
/// at `after` or the moment `appears` names a file of the migration, whichever comes first.
fn kill_during_migration(dir: &Path, after: Duration, appears: Option<&str>) -> bool {
    let mut child = onedoor(dir).args(["case", "list", "--json"]).spawn().unwrap();
    let started = Instant::now();
    loop {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return false; // finished before the kill
        }
        let seen = appears.is_some_and(|name| names_in(dir).iter().any(|n| n.ends_with(name)));
        if seen || started.elapsed() >= after {
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        if appears.is_none() {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

#[test]
fn a_migration_killed_at_any_moment_leaves_the_store_whole() {
    let expected = expected();
    // How long an uncut migration takes here, so the kills land inside it.
    let scratch = tempfile::tempdir().unwrap();
    schema_1_store(scratch.path());
    let started = Instant::now();
    let out = onedoor(scratch.path()).args(["case", "list", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let typical = started.elapsed();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut rng = seed;
    let mut below = |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n.max(1)
    };
    // The moments that matter most: the rebuilt store's place appearing, its
    // ready mark, the old store being put away, the old store's files gone.
    let files = [".onedoor-migrate/db", "READY", ".onedoor-migrated-away/db", ".onedoor-migrated-away/journal"];
    let mut killed = 0;
    for round in 0..48u64 {
        let dir = tempfile::tempdir().unwrap();
        let store: PathBuf = dir.path().join("store");
        schema_1_store(&store);
        // One to three kills in a row, each open taking up where the last stopped.
        for _ in 0..=below(3) {
            let at = Duration::from_micros(below(typical.as_micros() as u64 * 5 / 4));
            let on_file = (round % 2 == 0).then(|| files[below(files.len() as u64) as usize]);
            killed += u32::from(kill_during_migration(&store, at, on_file));
        }
        let context = format!("round {round} (seed {seed}): {:?}", names_in(&store));
        let s = Store::open(&store, &StoreOptions::default())
            .unwrap_or_else(|e| panic!("{context}: the store does not open after the kill: {e}"));
        assert_same(&dump(&s), &expected, &context);
    }
    println!("{killed} kills landed inside a migration (seed {seed}, an uncut one takes {typical:?})");
    assert!(killed >= 24, "only {killed} kills landed inside a migration");
}

#[test]
fn a_backup_taken_by_schema_1_restores_and_opens_migrated() {
    let backup = Path::new(FIXTURE).join("backup/onedoor-20261130T090000");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let now = chrono::DateTime::parse_from_rfc3339(common::NOW).unwrap();
    let restored = Store::restore_from(&backup, &store, &StoreOptions::default(), false, now).unwrap();
    assert_eq!(restored.cases, 59);
    assert_same(&dump(&open(&store)), &expected(), "restored from the schema-1 backup");
}

const FIXTURE_2: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-schema2");

/// A copy of the schema-2 store, as the schema-2 onedoor left it.
fn schema_2_store(into: &Path) {
    copy_store(FIXTURE_2, into);
}

/// A copy of the store in `fixture` (its README aside), its journal back at its size.
fn copy_store(fixture: &str, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    for entry in std::fs::read_dir(fixture).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "README.md" {
            std::fs::copy(entry.path(), into.join(entry.file_name())).unwrap();
        }
    }
    std::fs::File::options().write(true).open(into.join("journal")).unwrap().set_len(JOURNAL_SIZE).unwrap();
}

/// A schema-2 store gets the daily report's trees at its first open, filled
/// from its cases: the report read from them is the report read from the
/// whole cases, on every day around the demo's, judged then and later; and
/// nothing else of the store changes.
#[test]
fn a_schema_2_store_opens_with_the_reports_trees_filled_from_its_cases() {
    let dir = tempfile::tempdir().unwrap();
    schema_2_store(dir.path());
    let store = open(dir.path());
    let sizes = store.tree_sizes().unwrap();
    let items = |name: &str| sizes.iter().find(|t| t.name == name).unwrap().items;
    assert!(items("case_runs") > 40, "the demo's cases: {sizes:?}");
    assert_eq!(items("report_facts"), items("case_runs"), "one item per case");
    assert!(items("backlog") > 0);
    let counter = CounterConfig::default();
    let window = Window::new(&store, &counter);
    let first = NaiveDate::from_ymd_opt(2026, 10, 20).unwrap();
    let mut days_with_cases = 0;
    for today in ["2026-12-02", "2027-02-01"] {
        let today = NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap();
        for n in 0..50 {
            let day = first + Days::days(n);
            let fast = onedoor::cli::report::gather(&window, day, today).unwrap();
            let whole = onedoor::cli::report::gather_from_cases(&window, day, today).unwrap();
            assert_eq!(fast, whole, "the report of {day} judged on {today}");
            days_with_cases += usize::from(fast.received.total > 0);
        }
    }
    assert!(days_with_cases > 0, "the fixture has a day of cases");
    // Schema 2 indexed the applicant's name only: a member's name now finds the case too.
    let mut members_found = 0;
    for id in store.all_case_ids() {
        let case = store.case(&id.unwrap()).unwrap().unwrap();
        for member in case.household.members.iter().filter(|m| m.name.trim() != case.applicant.name) {
            let found = store.search(member.name.trim(), 1000).unwrap();
            assert!(found.iter().any(|s| s.id == case.id), "{} found by the member {}", case.id, member.name);
            members_found += 1;
        }
    }
    assert!(members_found > 0, "the fixture has households with members");
    assert_eq!(store.open_cases().unwrap().len() as u32, window.backlog(first).unwrap().open);
    let before = store.fingerprint().unwrap();
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.fingerprint().unwrap(), before, "opened again, it is not filled again");
}

/// sled 0.34 refuses to open a database with other compression settings than
/// it was made with. A store made before compression (the schema-2 fixture)
/// keeps its uncompressed pages: it opens, takes a commit and opens again,
/// with `conf` as it was; a new store is made uncompressed too, its journal
/// in the format every onedoor reads from its first commit.
#[test]
fn a_store_made_before_compression_opens_as_it_was_made_and_a_new_one_is_uncompressed() {
    let dir = tempfile::tempdir().unwrap();
    schema_2_store(dir.path());
    assert_eq!(conf_text(dir.path()), UNCOMPRESSED);
    let store = open(dir.path());
    let before = store.all_case_ids().count();
    let counter = CounterConfig::default();
    let now = chrono::DateTime::parse_from_rfc3339(common::NOW).unwrap();
    let id = accept_one(&store, &counter, now);
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.all_case_ids().count(), before + 1);
    assert!(store.case(&id).unwrap().is_some(), "the case written after the upgrade is there");
    drop(store);
    assert_eq!(conf_text(dir.path()), UNCOMPRESSED, "the old store keeps its settings");
    assert_eq!(journal_format(dir.path()), 1, "and its journal the format its onedoor reads");

    let fresh = tempfile::tempdir().unwrap();
    let store = open(fresh.path());
    assert_eq!(journal_format(fresh.path()), 1, "a new store's journal is of uncompressed records from the start");
    let id = accept_one(&store, &counter, now);
    drop(store);
    assert_eq!((conf_text(fresh.path()).as_str(), journal_format(fresh.path())), (UNCOMPRESSED, 1));
    assert!(open(fresh.path()).case(&id).unwrap().is_some());
}

const FIXTURE_COMPRESSED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-compressed");

/// The store the onedoor that compressed sled's pages left when it was killed
/// right after reporting case 0009 saved (tests/fixtures/store-compressed):
/// its pages compressed, that case's commit in its journal (format 2,
/// compressed records) and not yet checkpointed. This onedoor replays it,
/// takes a commit, and keeps the store as it was made: `conf` compressed, the
/// journal of format 2.
#[test]
fn a_store_made_compressed_and_left_killed_opens_with_its_journal_and_stays_compressed() {
    let (dir, store, ids) = killed_store(FIXTURE_COMPRESSED, (COMPRESSED, 2), "20261203");
    let case = store.case(&ids[8]).unwrap().unwrap();
    assert_eq!((case.applicant.name.as_str(), case.applicant.id_number.as_str()), ("周杰", "110105194912181088"));
    takes_a_commit_as_it_was_made(dir.path(), store, (COMPRESSED, 2));
}

/// A copy of the killed store in `fixture`, made with `settings` (its `conf`
/// and journal format), opened: every case it reported is there, the nine
/// of `day` (returned).
fn killed_store(fixture: &str, settings: (&str, u32), day: &str) -> (tempfile::TempDir, Store, Vec<CaseId>) {
    let dir = tempfile::tempdir().unwrap();
    copy_store(fixture, dir.path());
    assert_eq!((conf_text(dir.path()).as_str(), journal_format(dir.path())), settings);
    let store = open(dir.path());
    let ids: Vec<CaseId> = store.all_case_ids().map(|id| id.unwrap()).collect();
    let expected: Vec<CaseId> = (1..=9).map(|n| format!("320106001-01-{day}-{n:04}").parse().unwrap()).collect();
    assert_eq!(ids, expected, "every case it reported, the last one from its journal");
    (dir, store, ids)
}

/// The store in `dir` takes a commit and keeps the `settings` it was made
/// with; opened again, it has that case too.
fn takes_a_commit_as_it_was_made(dir: &Path, store: Store, settings: (&str, u32)) {
    let before = store.all_case_ids().count();
    let counter = CounterConfig::default();
    let now = chrono::DateTime::parse_from_rfc3339(common::NOW).unwrap();
    let id = accept_one(&store, &counter, now);
    drop(store);
    assert_eq!((conf_text(dir).as_str(), journal_format(dir)), settings);
    let store = open(dir);
    assert_eq!(store.all_case_ids().count(), before + 1);
    assert!(store.case(&id).unwrap().is_some());
}

const UNCOMPRESSED: &str = "segment_size: 524288\nuse_compression: false\nversion: 0.34\n";
const COMPRESSED: &str = "segment_size: 524288\nuse_compression: true\nversion: 0.34\n";

/// sled's settings as it wrote them in `conf` (without their checksum).
fn conf_text(dir: &Path) -> String {
    let conf = std::fs::read(dir.join("conf")).unwrap();
    String::from_utf8(conf[..conf.len() - 4].to_vec()).unwrap()
}

/// The format in the journal's header.
fn journal_format(dir: &Path) -> u32 {
    let journal = std::fs::read(dir.join("journal")).unwrap();
    u32::from_le_bytes(journal[4..8].try_into().unwrap())
}

const FIXTURE_3: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-schema3");

/// The store the onedoor before compression left when it was killed right
/// after reporting case 0009 saved (tests/fixtures/store-schema3): schema 3,
/// its pages uncompressed, that case's commit in its journal (format 1) and
/// not yet checkpointed. This onedoor replays it, takes a commit, and leaves
/// the store as that onedoor reads it: `conf` uncompressed, the journal of
/// format 1.
#[test]
fn a_store_the_onedoor_before_compression_left_killed_opens_with_its_last_commit() {
    let (dir, store, ids) = killed_store(FIXTURE_3, (UNCOMPRESSED, 1), "20261129");
    assert_eq!(store.case(&ids[8]).unwrap().unwrap().applicant.id_number.as_str(), "110105194912310580");
    takes_a_commit_as_it_was_made(dir.path(), store, (UNCOMPRESSED, 1));
}

/// A case accepted at the window (one durable commit).
fn accept_one(store: &Store, counter: &CounterConfig, now: onedoor::domain::time::Moment) -> CaseId {
    let input: onedoor::domain::case::CaseInput = serde_json::from_value(serde_json::json!({
        "kind": "temporary",
        "applicant": {"name": "王芳", "id_number": "11010519491231002X", "residence": "urban"},
        "reason": "serious_illness",
        "requested_amount": "300",
    }))
    .unwrap();
    let sup = SupervisorOverride { by: "super01".into(), reason: "seen".into() };
    let intake =
        onedoor::window::Intake { input, override_by: Some(sup), card_photo: None, draft: None, countersign: None };
    Window::new(store, counter).accept(intake, "clerk01", now).unwrap().id
}
