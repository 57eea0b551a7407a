use super::*;
use crate::domain::case::{Acceptance, CaseInput};
use crate::domain::{Case, CaseId, IdNumber, State};
use crate::domain::{Channel, Department, Transition};
use chrono::NaiveDate;
use chrono::{FixedOffset, TimeZone};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn input(id_number: &str, member: Option<&str>) -> CaseInput {
    let mut v = serde_json::json!({
        "kind": "temporary",
        "applicant": {"name": "王芳", "id_number": id_number, "residence": "urban"},
        "reason": "serious_illness",
        "requested_amount": "5000"
    });
    if let Some(m) = member {
        v["household"] = serde_json::json!({"size": 2, "monthly_income": "300", "members": [
            {"name": "李四", "id_number": m, "relation": "spouse"}
        ]});
    }
    serde_json::from_value(v).unwrap()
}

/// A case of `input` received by clerk01 at nine on [`day`], as `id`.
fn received(input: CaseInput, id: CaseId) -> Case {
    let at = FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
    let acceptance = Acceptance {
        id,
        operator: "clerk01".into(),
        at,
        due_by: None,
        entitlement: None,
        policy: None,
        related_cases: vec![],
    };
    Case::receive(input, acceptance)
}

fn add(store: &Store, input: CaseInput) -> Case {
    store.add_case::<std::convert::Infallible>("320106001", 3, day(), |id| Ok(received(input.clone(), id))).unwrap()
}

#[test]
fn cases_are_numbered_per_day_and_the_sequence_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        assert_eq!(add(&store, input("11010519491231002X", None)).id.as_str(), "320106001-03-20261129-0001");
        assert_eq!(add(&store, input("11010519491231002X", None)).id.as_str(), "320106001-03-20261129-0002");
    }
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    assert_eq!(add(&store, input("11010519491231002X", None)).id.as_str(), "320106001-03-20261129-0003");
    assert_eq!(store.case_count(), 3);
}

#[test]
fn a_person_is_found_as_applicant_and_as_household_member() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    let c = add(&store, input("11010519491231002X", Some("110101199003070011")));
    add(&store, input("32010619850615351X", None));
    let member = IdNumber::parse_any_date("110101199003070011").unwrap();
    let found = store.cases_of_person(&member).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, c.id);
    assert_eq!(found[0].name, "王芳");
    assert_eq!(store.cases_on_day(day()).unwrap().len(), 2);
    assert_eq!(store.ids_in_state(State::Received).unwrap().len(), 2);
}

#[test]
fn a_transition_moves_the_state_index_and_a_refusal_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    let c = add(&store, input("11010519491231002X", None));
    let at = c.received_at;
    let refer = Transition::Refer { department: Department::CivilAffairs, due_by: day() };
    store.update_case(&c.id, |case, _| case.apply(&refer, "clerk01", at).or_else(refuse)).unwrap();
    assert_eq!(store.ids_in_state(State::Received).unwrap(), vec![]);
    assert_eq!(store.ids_in_state(State::Referred).unwrap(), vec![c.id.clone()]);
    let before = store.fingerprint().unwrap();
    let err = store
        .update_case(&c.id, |case, _| case.apply(&Transition::Disburse, "clerk01", at).or_else(refuse))
        .unwrap_err();
    assert!(matches!(err, WriteError::Refused(_)));
    assert_eq!(store.fingerprint().unwrap(), before);
    assert_eq!(store.case(&c.id).unwrap().unwrap().state, State::Referred);
    assert_eq!(store.cases_on_day(day()).unwrap()[0].state, State::Referred);
    assert_eq!(c.channel, Channel::Normal);
}

#[test]
fn a_second_open_of_the_same_store_is_refused_as_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    let err = Store::open(dir.path(), &StoreOptions::default()).err().unwrap();
    assert!(matches!(err, StoreError::InUse(_)), "{err}");
    assert!(err.to_string().contains("is in use by another onedoor process"));
}

/// A case record an earlier onedoor wrote (record version 1, before cases
/// kept their payment) reads as the same case with no payment recorded; a
/// paid case written now keeps its payment.
#[test]
fn a_version_1_case_record_reads_with_no_payment() {
    let at = FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
    let mut case =
        crate::bench::synthetic_case(&mut crate::bench::Rng::new(7), CaseId::new("320106001", 3, day(), 1), 1, at);
    case.payment = None;
    // Version 1 laid out every field but the last (the payment, written as one 0 byte when none).
    let mut v1 = encode_case(&case).unwrap();
    assert_eq!(v1.pop(), Some(0));
    v1[0] = RECORD_VERSION;
    assert_eq!(decode_case(&v1).unwrap(), case);

    case.payment = Some(crate::domain::Payment {
        source: crate::domain::MoneySource::Budget,
        amount: crate::domain::Money::yuan(800),
        paid_at: at,
        ledger_entry: None,
        transfer_ref: Some(crate::domain::TransferRef::parse("ZJ20261129-0042").unwrap()),
    });
    assert_eq!(decode_case(&encode_case(&case).unwrap()).unwrap(), case);
}

#[test]
fn records_carry_a_version_and_an_unknown_one_is_refused() {
    let bytes = encode(&42u32, "number").unwrap();
    assert_eq!(bytes[0], RECORD_VERSION);
    assert_eq!(decode::<u32>(&bytes, "number").unwrap(), 42);
    let mut future = bytes.clone();
    future[0] = 9;
    let err = decode::<u32>(&future, "case").unwrap_err();
    assert_eq!(
        err.to_string(),
        "a stored case has record version 9, which this onedoor does not know; upgrade onedoor"
    );
    assert!(decode::<u32>(&[], "case").is_err());
    let mut trailing = bytes;
    trailing.push(0);
    assert!(decode::<u32>(&trailing, "case").is_err());
}

#[test]
fn a_newer_schema_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        store.trees[META].insert(b"schema", &99u32.to_be_bytes()).unwrap();
        store.sync().unwrap();
    }
    let err = Store::open(dir.path(), &StoreOptions::default()).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { found: 99 }), "{err}");
}

/// A newer onedoor's journal format, or sled settings this one does not make
/// (a newer onedoor's), are refused as a newer onedoor's, not as damage
/// (whose message sends the clerk to restore a backup), and nothing is written.
#[test]
fn a_newer_journal_format_or_sled_settings_are_refused_as_a_newer_onedoors() {
    use std::io::{Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add(&open(d).unwrap(), input("11010519491231002X", None));
    let mut journal = std::fs::OpenOptions::new().write(true).open(d.join("journal")).unwrap();
    journal.seek(SeekFrom::Start(4)).unwrap();
    journal.write_all(&3u32.to_le_bytes()).unwrap();
    drop(journal);
    let before = files(d);
    let err = open(d).err().unwrap();
    assert!(matches!(&err, StoreError::NewerFormat { what, .. } if what.contains("format 3")), "{err}");
    assert_eq!(files(d), before, "nothing written");

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = sled::Config::new().path(d.join(".onedoor-other")).segment_size(1 << 20).open().unwrap();
    drop(db);
    drop(open(d).unwrap());
    std::fs::copy(d.join(".onedoor-other").join("conf"), d.join("conf")).unwrap();
    std::fs::remove_dir_all(d.join(".onedoor-other")).unwrap();
    let before = files(d);
    let err = open(d).err().unwrap();
    assert!(matches!(&err, StoreError::NewerFormat { what, .. } if what.contains("`conf`")), "{err}");
    assert_eq!(files(d), before, "nothing written");
}

#[test]
fn case_records_stay_small() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    let c = add(&store, input("11010519491231002X", Some("110101199003070011")));
    let bytes = encode(&c, "case").unwrap();
    assert!(bytes.len() < 400, "a plain case takes {} bytes", bytes.len());
    let back: Case = decode(&bytes, "case").unwrap();
    assert_eq!(back, c);
}

#[test]
fn search_finds_by_name_id_number_prefix_and_case_id() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    let a = add(&store, input("11010519491231002X", Some("110101199003070011")));
    let b = add(&store, input("32010619850615351X", None));
    assert_eq!(store.search("王", 10).unwrap().len(), 2);
    let by_member: Vec<CaseId> = store.search("李", 10).unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(by_member, vec![a.id.clone()], "a household member's name finds the case");
    let by_part: Vec<CaseId> = store.search("四", 10).unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(by_part, vec![a.id.clone()], "and part of it");
    let by_number = store.search("110101199003", 10).unwrap();
    assert_eq!(by_number.iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&a.id]);
    let by_id = store.search(b.id.as_str(), 10).unwrap();
    assert_eq!(by_id[0].id, b.id);
    assert_eq!(store.search("320106001-03", 1).unwrap().len(), 1, "the limit holds");
    assert!(store.search("  ", 10).unwrap().is_empty());
    // A member taken out of the household no longer finds the case; the applicant still does.
    store
        .update_case::<std::convert::Infallible>(&a.id, |case, _| {
            case.household.members.clear();
            Ok(())
        })
        .unwrap();
    assert!(store.search("李", 10).unwrap().is_empty());
    assert_eq!(store.search("王", 10).unwrap().len(), 2);
}

#[test]
fn journalled_commits_are_applied_again_at_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path(), &StoreOptions::default()).unwrap());
    // A commit that reached the journal but, as after a crash, not sled.
    {
        let (mut j, pending) = journal::Journal::open(&dir.path().join("journal")).unwrap();
        assert!(pending.is_empty(), "a clean close leaves nothing to replay");
        let op = journal::Op { tree: META as u8, key: b"probe".to_vec(), value: Some(b"kept".to_vec()) };
        let mut record = j.record(&[op]).unwrap();
        j.append(&mut record).unwrap();
    }
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    assert_eq!(store.trees[META].get(b"probe").unwrap().as_deref(), Some(&b"kept"[..]));
    drop(store);
    let (_, pending) = journal::Journal::open(&dir.path().join("journal")).unwrap();
    assert!(pending.is_empty(), "the replayed commits were checkpointed");
}

#[test]
fn every_commit_is_in_the_journal_until_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    add(&store, input("11010519491231002X", None));
    add(&store, input("32010619850615351X", None));
    assert!(store.journal.lock().unwrap().used() > 0);
    store.sync().unwrap();
    assert_eq!(store.journal.lock().unwrap().used(), 0);
}

proptest::proptest! {
    /// Any case the window can make comes back from the codec exactly, and its
    /// record refuses to decode under any other version byte.
    #[test]
    fn the_codec_round_trips_cases_and_refuses_other_versions(seed in 1u64..u64::MAX, person in 0u64..1_000_000, version in 3u8..=255) {
        let at = FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
        let case = crate::bench::synthetic_case(&mut crate::bench::Rng::new(seed), CaseId::new("320106001", 3, day(), 1), person, at);
        let bytes = encode_case(&case).unwrap();
        proptest::prop_assert_eq!(bytes[0], CASE_RECORD_VERSION);
        let back = decode_case(&bytes).unwrap();
        proptest::prop_assert_eq!(&back, &case);
        let mut other = bytes.clone();
        other[0] = version;
        let refused = matches!(decode_case(&other), Err(StoreError::UnknownRecordVersion { .. }));
        proptest::prop_assert!(refused);
    }
}

/// Stops using a store as a kill would: no checkpoint at the close, so its
/// commits stay in the journal for the next open to replay.
fn crash(store: Store) {
    store.poisoned.store(true, std::sync::atomic::Ordering::SeqCst);
    drop(store);
}

fn open(dir: &Path) -> Result<Store, StoreError> {
    Store::open(dir, &StoreOptions::default())
}

/// Every file under `dir` with a hash of its bytes: to see that a refused open changed nothing.
fn files(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&path).unwrap().hash(&mut h);
            out.insert(path.clone(), h.finish());
        }
    }
    out
}

fn assert_damaged(err: StoreError, dir: &Path, says: &str) {
    let text = err.to_string();
    assert!(matches!(err, StoreError::Damaged { .. }), "{text}");
    assert!(text.contains(&dir.display().to_string()), "names the store: {text}");
    assert!(text.contains(says), "'{text}' should say '{says}'");
    assert!(text.contains("onedoor restore"), "says how to restore: {text}");
}

#[test]
fn a_conf_torn_while_an_older_onedoor_first_made_the_store_opens_as_a_new_store() {
    // sled writes `conf` in two writes (text, then crc) and never syncs it; the
    // previous onedoor opened sled right in the store directory, so a kill
    // between the two left this, which sled 0.34.7 fails to parse
    // ("corruption at None").
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cuts = |settings: directory::SledSettings| {
        let conf = settings.conf();
        [conf.len() - 4, conf.len() - 1, 20].map(|cut| conf[..cut].to_vec())
    };
    for torn in cuts(directory::UNCOMPRESSED).into_iter().chain(cuts(directory::COMPRESSED)) {
        let cut = torn.len();
        let _ = std::fs::remove_dir_all(d.join("blobs"));
        std::fs::create_dir(d.join("blobs")).unwrap();
        std::fs::write(d.join("conf"), &torn).unwrap();
        std::fs::write(d.join("db"), b"").unwrap();
        let store = open(d).unwrap_or_else(|e| panic!("conf cut at {cut}: {e}"));
        assert_eq!(add(&store, input("11010519491231002X", None)).id.as_str(), "320106001-03-20261129-0001");
        drop(store);
        // Made again, as a new store is made: uncompressed.
        assert_eq!(std::fs::read(d.join("conf")).unwrap(), directory::UNCOMPRESSED.conf(), "conf cut at {cut}");
        for f in ["db", "conf", "journal", "blobs", "snap.000000000000101D"] {
            let _ = std::fs::remove_file(d.join(f));
        }
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                std::fs::remove_dir_all(&p).unwrap()
            } else {
                std::fs::remove_file(&p).unwrap()
            }
        }
    }
}

#[test]
fn a_snapshot_sled_was_writing_when_killed_is_not_taken_for_the_snapshot() {
    // sled writes its snapshot to snap.X.generating, renames it to snap.X,
    // then removes older ones; 0.34.7 reads the lexically last snap.* file,
    // and a stray `.generating` sorts after every finished one.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ids: Vec<CaseId> = {
        let store = open(d).unwrap();
        (0..5).map(|_| add(&store, input("11010519491231002X", None)).id).collect()
    };
    drop(open(d).unwrap()); // this open writes a snapshot of the log the adds wrote
    let snap = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("snap."))
        .expect("sled wrote a snapshot");
    let bytes = std::fs::read(d.join(&snap)).unwrap();
    // Killed before it wrote anything, half-way, and before the rename.
    for partial in [&bytes[..0], &bytes[..bytes.len() / 2], &bytes[..]] {
        std::fs::write(d.join(format!("{snap}.generating")), partial).unwrap();
        std::fs::write(d.join("snap.FFFFFFFFFFFFFFFF.generating"), partial).unwrap();
        let store = open(d).unwrap_or_else(|e| panic!("{} bytes: {e}", partial.len()));
        for id in &ids {
            assert!(store.case(id).unwrap().is_some(), "{id}");
        }
        drop(store);
        let left: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".generating"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[test]
fn a_store_being_made_when_killed_is_made_again_at_every_step() {
    // What a kill leaves at each step of making a store aside: the building
    // place half-filled, some of its files moved in, all but the journal.
    let template = tempfile::tempdir().unwrap();
    let staging = directory::new_staging(template.path()).unwrap();
    drop(open(&staging).unwrap());
    let names: Vec<String> = std::fs::read_dir(&staging)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "journal")
        .collect();
    for moved in 0..=names.len() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("draft.json"), b"{}").unwrap();
        let s = d.join(directory::STAGING);
        std::process::Command::new("cp").arg("-a").arg(&staging).arg(&s).status().unwrap();
        for name in &names[..moved] {
            std::fs::rename(s.join(name), d.join(name)).unwrap();
        }
        let store = open(d).unwrap_or_else(|e| panic!("{moved} files moved: {e}"));
        assert_eq!(store.case_count(), 0);
        assert!(!s.exists());
        drop(store);
        assert_eq!(std::fs::read(d.join("draft.json")).unwrap(), b"{}", "the counter's own files are kept");
    }
}

#[test]
fn a_journal_record_damaged_with_saved_commits_after_it_stops_the_open() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = open(d).unwrap();
    let ids: Vec<CaseId> = (0..3).map(|_| add(&store, input("11010519491231002X", None)).id).collect();
    crash(store);
    // One bit of the first commit's record, as a failing disk would.
    let mut journal = std::fs::read(d.join("journal")).unwrap();
    journal[16 + 16 + 5] ^= 0x08;
    std::fs::write(d.join("journal"), &journal).unwrap();
    let before = files(d);
    let err = open(d).err().expect("the open is refused");
    assert_damaged(err, d, "damaged record at byte 16");
    assert!(err_text(d).contains("before 2 intact ones"), "{}", err_text(d));
    assert_eq!(files(d), before, "a refused open changes nothing");
    assert_eq!(ids.len(), 3);
}

fn err_text(d: &Path) -> String {
    open(d).err().map(|e| e.to_string()).unwrap_or_default()
}

#[test]
fn a_deleted_database_is_refused_not_made_again_empty() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    {
        let store = open(d).unwrap();
        add(&store, input("11010519491231002X", None));
    }
    std::fs::remove_file(d.join("db")).unwrap();
    let before = files(d);
    assert_damaged(open(d).err().unwrap(), d, "its database (the file `db`) is missing");
    assert_eq!(files(d), before, "no new file");
    // Emptied instead of deleted: sled would open it as a new, empty database.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    {
        let store = open(d).unwrap();
        add(&store, input("11010519491231002X", None));
    }
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name == "db" {
            std::fs::write(&p, b"").unwrap();
        } else if name.starts_with("snap.") {
            std::fs::remove_file(&p).unwrap();
        }
    }
    assert_damaged(open(d).err().unwrap(), d, "lost its content");
}

#[test]
fn a_database_older_than_its_journal_is_refused() {
    // sled's files put back from an older copy under the current journal: the
    // cases saved in between would be gone and their ids handed out again.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = tempfile::tempdir().unwrap();
    {
        let store = open(d).unwrap();
        add(&store, input("11010519491231002X", None));
    }
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap() != "journal" && p.is_file() {
            std::fs::copy(&p, old.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    {
        let store = open(d).unwrap();
        add(&store, input("11010519491231002X", None));
    }
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("snap.") {
            std::fs::remove_file(&p).unwrap();
        }
    }
    for e in std::fs::read_dir(old.path()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
    }
    assert_damaged(open(d).err().unwrap(), d, "older than its commit journal");
}

#[test]
fn a_case_id_is_never_handed_out_twice_even_when_the_counter_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    let first: Vec<CaseId> = (0..3).map(|_| add(&store, input("11010519491231002X", None)).id).collect();
    // The day's counter lost (as from a damaged or hand-mended store).
    store.trees[COUNTERS].remove(sequence_key("320106001", 3, day())).unwrap();
    let next = add(&store, input("11010519491231002X", None));
    assert_eq!(next.id.as_str(), "320106001-03-20261129-0004");
    assert!(!first.contains(&next.id));
    assert_eq!(store.case_count(), 4);
}

#[test]
fn the_store_is_private_even_in_a_directory_made_open_beforehand() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    std::fs::create_dir(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for _ in 0..2 {
        let store = open(&d).unwrap();
        add(&store, input("11010519491231002X", None));
        drop(store);
        assert_eq!(mode(&d), 0o700);
        for (path, _) in files(&d) {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        std::fs::set_permissions(d.join("db"), std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn a_dropped_store_lets_go_of_its_files_at_once() {
    // The next process must be able to open the store the moment this one is
    // done with it: no sled thread may keep the database (and its lock) open.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..50 {
        let store = open(d).unwrap();
        for _ in 0..5 {
            add(&store, input("11010519491231002X", None));
        }
        drop(store);
        // Another test of this process may be starting a program: its child
        // holds copies of every descriptor from fork to exec, a moment. Wait
        // that long, never for a sled thread that keeps the files open.
        let free = |path: &Path| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
            loop {
                if File::open(path).unwrap().try_lock().is_ok() {
                    return true;
                }
                if std::time::Instant::now() > deadline {
                    return false;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };
        assert!(free(&d.join("db")), "round {i}: the database is still locked after the store was dropped");
        assert!(free(d), "round {i}: the directory is still locked");
    }
}

#[test]
fn a_store_made_by_an_older_onedoor_and_stopped_before_its_schema_is_finished() {
    // The previous onedoor made the journal (generation 1), then wrote the
    // schema record: killed in between, the store holds nothing yet.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(open(d).unwrap());
    {
        let db = super::sled_config(d, 8 << 20).open().unwrap();
        db.open_tree("meta").unwrap().clear().unwrap();
        db.flush().unwrap();
    }
    journal::Journal::create(&d.join("journal"), directory::SledSettings::of(d).compression).unwrap();
    let store = open(d).unwrap();
    assert_eq!(add(&store, input("11010519491231002X", None)).id.as_str(), "320106001-03-20261129-0001");
}

#[test]
fn a_store_opens_again_at_once_while_other_threads_start_programs() {
    // A child being started holds a copy of every descriptor of this process,
    // the store's locks with them, from fork until exec: a store closed and
    // opened again meanwhile waits for that moment instead of calling itself
    // "in use" (the CLI tests, and any program embedding the counter, do this).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let spawner = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::process::Command::new("true").status();
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failed = None;
    for i in 0..100 {
        match open(dir.path()) {
            Ok(store) => drop(add(&store, input("11010519491231002X", None))),
            Err(e) => {
                failed = Some(format!("open {i}: {e}"));
                break;
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    spawner.join().unwrap();
    assert_eq!(failed, None);
}

fn restore(backup: &Path, dir: &Path) -> Result<backup::Restored, backup::BackupError> {
    let now = FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 18, 0, 0).unwrap();
    Store::restore_from(backup, dir, &StoreOptions::default(), false, now)
}

#[test]
fn a_backup_taken_during_a_stream_of_commits_holds_exactly_the_commits_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(open(dir.path()).unwrap());
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<CaseId>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, acknowledged, stop) = (store.clone(), acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let id = add(&store, input("11010519491231002X", None)).id;
                acknowledged.lock().unwrap().push(id);
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 20 {
        std::thread::yield_now();
    }
    let before = acknowledged.lock().unwrap().len();
    let backups = tempfile::tempdir().unwrap();
    let made = store
        .backup_to(
            backups.path(),
            FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap(),
        )
        .unwrap();
    while acknowledged.lock().unwrap().len() < before + 20 {
        std::thread::yield_now();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let target = tempfile::tempdir().unwrap();
    let restored = restore(&made, target.path()).unwrap();
    let back = open(target.path()).unwrap();
    let held: Vec<CaseId> = back.all_case_ids().map(Result::unwrap).collect();
    assert!(held.len() >= before, "every case reported before the backup began is in it");
    assert!(held.len() < acknowledged.len(), "the cases after it are not");
    let mut first: Vec<CaseId> = acknowledged[..held.len()].to_vec();
    first.sort();
    assert_eq!(held, first, "the backup holds the first commits, whole, in order");
    assert_eq!(restored.cases, held.len() as u64);
    assert_eq!(back.cases_on_day(day()).unwrap().len(), held.len(), "its indexes came with it");
    // A case numbered today after the backup is never numbered again.
    assert!(add(&back, input("11010519491231002X", None)).id.seq() > backup::RESTORED_DAY_SEQUENCE);
}

#[test]
fn a_damaged_or_partial_backup_is_refused_and_nothing_is_restored() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    for _ in 0..3 {
        add(&store, input("11010519491231002X", None));
    }
    let backups = tempfile::tempdir().unwrap();
    let made = store.backup_to(backups.path(), chrono::Utc::now().fixed_offset()).unwrap();
    for (path, _) in files(&made) {
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(backup::verify(&made).unwrap().manifest.cases, 3);
    let data = std::fs::read(made.join("trees.bin")).unwrap();
    let cases = [
        (
            "a flipped bit",
            {
                let mut d = data.clone();
                d[40] ^= 1;
                d
            },
            "damaged or cut short",
        ),
        ("cut short", data[..data.len() - 7].to_vec(), "damaged or cut short"),
    ];
    for (what, bytes, says) in cases {
        std::fs::write(made.join("trees.bin"), &bytes).unwrap();
        let err = backup::verify(&made).unwrap_err().to_string();
        assert!(err.contains(says), "{what}: {err}");
        let target = tempfile::tempdir().unwrap();
        assert!(restore(&made, &target.path().join("store")).is_err(), "{what}");
        assert!(!target.path().join("store").exists(), "{what}: nothing was made");
    }
    std::fs::write(made.join("trees.bin"), &data).unwrap();
    std::fs::remove_file(made.join("manifest.json")).unwrap();
    let err = backup::verify(&made).unwrap_err().to_string();
    assert!(err.contains("no manifest.json"), "{err}");
}

#[test]
fn a_restore_never_touches_a_store_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    add(&store, input("11010519491231002X", None));
    let backups = tempfile::tempdir().unwrap();
    let made = store.backup_to(backups.path(), chrono::Utc::now().fixed_offset()).unwrap();
    let before = store.fingerprint().unwrap();
    let now = chrono::Utc::now().fixed_offset();
    let err = Store::restore_from(&made, dir.path(), &StoreOptions::default(), true, now).unwrap_err();
    assert!(err.to_string().contains("in use"), "{err}");
    assert_eq!(store.fingerprint().unwrap(), before);
    drop(store);
    // Once closed, it is replaced only when asked, and kept aside.
    assert!(Store::restore_from(&made, dir.path(), &StoreOptions::default(), false, now).is_err());
    let done = Store::restore_from(&made, dir.path(), &StoreOptions::default(), true, now).unwrap();
    let kept = done.replaced.unwrap();
    assert!(kept.join("db").exists() && kept.join("journal").exists());
    assert_eq!(open(dir.path()).unwrap().case_count(), 1);
}

/// A copy of the store schema 1 wrote (tests/fixtures/store-schema1, with
/// commits still in its journal), its journal given back its trailing zeros.
fn schema_1_store(into: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-schema1");
    std::fs::create_dir_all(into).unwrap();
    for name in ["db", "conf", "journal", "snap.0000000000000570"] {
        std::fs::copy(fixture.join(name), into.join(name)).unwrap();
    }
    std::fs::File::options().write(true).open(into.join("journal")).unwrap().set_len(journal::CAPACITY).unwrap();
}

#[test]
fn a_migration_stopped_at_any_step_is_finished_or_undone_by_the_next_open() {
    let reference = {
        let dir = tempfile::tempdir().unwrap();
        schema_1_store(dir.path());
        let store = open(dir.path()).unwrap();
        assert_eq!(store.case_count(), 59);
        store.fingerprint().unwrap()
    };
    // Stopped while rebuilding (no ready mark): the half-built store is
    // dropped and the migration made again from the untouched old store.
    let dir = tempfile::tempdir().unwrap();
    schema_1_store(dir.path());
    migrate::until_ready(dir.path(), &StoreOptions::default()).unwrap();
    std::fs::remove_file(dir.path().join(directory::MIGRATING).join(directory::MIGRATION_READY)).unwrap();
    std::fs::remove_file(dir.path().join(directory::MIGRATING).join("journal")).unwrap();
    assert_eq!(open(dir.path()).unwrap().fingerprint().unwrap(), reference, "stopped while rebuilding");
    // Stopped after each rename of the swap.
    let steps = {
        let dir = tempfile::tempdir().unwrap();
        schema_1_store(dir.path());
        migrate::until_ready(dir.path(), &StoreOptions::default()).unwrap();
        directory::swap_steps(dir.path()).unwrap().len()
    };
    assert!(steps >= 6, "{steps} renames");
    for done in 0..=steps {
        let dir = tempfile::tempdir().unwrap();
        schema_1_store(dir.path());
        migrate::until_ready(dir.path(), &StoreOptions::default()).unwrap();
        std::fs::create_dir_all(dir.path().join(directory::MIGRATED_AWAY)).unwrap();
        for (from, to) in directory::swap_steps(dir.path()).unwrap().into_iter().take(done) {
            std::fs::rename(from, to).unwrap();
        }
        let store = open(dir.path()).unwrap_or_else(|e| panic!("stopped after {done} of {steps} renames: {e}"));
        assert_eq!(store.fingerprint().unwrap(), reference, "stopped after {done} of {steps} renames");
        assert_eq!(store.case_count(), 59);
        drop(store);
        for place in [directory::MIGRATING, directory::MIGRATED_AWAY] {
            assert!(!dir.path().join(place).exists(), "{place} is left after {done} renames");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Items put and removed in a tree of runs, over several transactions,
    /// read back as the sorted map they make: inside the transaction that
    /// writes them, one by one and walked in order after it, and after a
    /// reopen. Values of up to 400 bytes in runs of 1 KiB make runs split and
    /// merge all the time.
    #[test]
    fn a_tree_of_runs_is_the_sorted_map_of_its_items(
        batches in proptest::collection::vec(
            proptest::collection::vec((proptest::bool::weighted(0.7), 0u16..300, 0usize..400), 1..40),
            1..8,
        )
    ) {
        use std::ops::ControlFlow;
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let key = |k: u16| format!("{:03}-{}", k % 300, "k".repeat(usize::from(k % 7))).into_bytes();
        for (n, batch) in batches.iter().enumerate() {
            let before = model.clone();
            let after = store.write::<BTreeMap<Vec<u8>, Vec<u8>>, std::convert::Infallible>(|tx| {
                let mut m = before.clone();
                for (put, k, len) in batch {
                    let k = key(*k);
                    if *put {
                        let v = vec![(len % 251) as u8; *len];
                        tx.put_item(NAMES, &k, &v)?;
                        m.insert(k.clone(), v);
                    } else {
                        tx.remove_item(NAMES, &k)?;
                        m.remove(&k);
                    }
                    assert_eq!(tx.item::<std::convert::Infallible>(NAMES, &k)?, m.get(&k).cloned());
                }
                let prefix = key(batch[0].1)[..2].to_vec();
                let seen = tx.items_with_prefix::<std::convert::Infallible>(NAMES, &prefix)?;
                let want: Vec<(Vec<u8>, Vec<u8>)> =
                    m.iter().filter(|(k, _)| k.starts_with(&prefix)).map(|(k, v)| (k.clone(), v.clone())).collect();
                assert_eq!(seen, want, "the transaction's own view of {prefix:?}");
                Ok(m)
            }).unwrap();
            model = after;
            if n % 3 == 2 {
                drop(store);
                store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
            }
            let mut walked = Vec::new();
            store.walk(NAMES, &[], |k, v| { walked.push((k.to_vec(), v.to_vec())); Ok(ControlFlow::Continue(())) }).unwrap();
            let want: Vec<(Vec<u8>, Vec<u8>)> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            proptest::prop_assert_eq!(walked, want);
            for k in (0u16..300).step_by(17) {
                proptest::prop_assert_eq!(store.item(NAMES, &key(k)).unwrap(), model.get(&key(k)).cloned());
            }
            // No run but the first is empty, and every item lies between its
            // run's key and the next run's: nothing stale is left to come back.
            let stored: Vec<(sled::IVec, sled::IVec)> = store.trees[NAMES].iter().map(|e| e.unwrap()).collect();
            for (i, (k, v)) in stored.iter().enumerate() {
                let run = runs::Run::decode(v).unwrap();
                proptest::prop_assert!(k.is_empty() || !run.is_empty(), "an empty run at {:?}", k);
                let next = stored.get(i + 1).map(|(n, _)| n.to_vec());
                for (item, _) in run.items() {
                    proptest::prop_assert!(item.as_slice() >= &k[..] && next.as_ref().is_none_or(|n| item < n));
                }
            }
        }
    }
}

fn finish(store: &Store, c: &Case, steps: &[Transition]) {
    let at = c.received_at;
    for t in steps {
        store.update_case(&c.id, |case, _| case.apply(t, "clerk01", at).or_else(refuse)).unwrap();
    }
}

fn reject_steps() -> Vec<Transition> {
    vec![
        Transition::Refer { department: Department::CivilAffairs, due_by: day() },
        Transition::Review { note: None },
        Transition::Reject { reason: "income above the standard".into() },
    ]
}

#[test]
fn a_finished_case_enters_the_outbox_in_the_commit_that_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let ids = {
        let store = open(dir.path()).unwrap();
        let rejected = add(&store, input("11010519491231002X", None));
        let withdrawn = add(&store, input("32010619850615351X", None));
        let open_case = add(&store, input("110101199003070011", None));
        finish(&store, &rejected, &reject_steps());
        assert_eq!(store.outbox_ids().unwrap(), vec![rejected.id.clone()]);
        finish(&store, &withdrawn, &[Transition::Withdraw { note: None }]);
        assert_eq!(store.outbox_counts(), (2, 0));
        assert!(!store.outbox_ids().unwrap().contains(&open_case.id));
        // Killed right after: the journal holds both.
        crash(store);
        vec![rejected.id, withdrawn.id]
    };
    let store = open(dir.path()).unwrap();
    assert_eq!(store.outbox_ids().unwrap(), ids);
    let (_, entry) = &store.outbox().unwrap()[0];
    assert_eq!((entry.attempts, entry.next_attempt_ms, entry.last_error.as_deref()), (0, 0, None));
}

#[test]
fn what_the_district_answered_is_written_back_and_a_dead_letter_can_be_retried() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    let cases: Vec<Case> = ["11010519491231002X", "32010619850615351X", "110101199003070011"]
        .iter()
        .map(|n| add(&store, input(n, None)))
        .collect();
    for c in &cases {
        finish(&store, c, &[Transition::Withdraw { note: None }]);
    }
    let receipt = DistrictReceipt { receipt_id: "R-1".into(), received_at: "2026-11-29T09:00:00+08:00".into() };
    let later = OutboxEntry { queued_ms: 1, attempts: 1, next_attempt_ms: 99, last_error: Some("503".into()) };
    let dead = DeadLetter { status: 422, reason: "other content".into(), at_ms: 5, attempts: 1 };
    store
        .record_forwarding(&[
            Forwarded::Taken { id: cases[0].id.clone(), receipt: receipt.clone() },
            Forwarded::Later { id: cases[1].id.clone(), entry: later.clone() },
            Forwarded::Refused { id: cases[2].id.clone(), dead: dead.clone() },
        ])
        .unwrap();
    drop(store);
    let store = open(dir.path()).unwrap();
    assert_eq!(store.outbox().unwrap(), vec![(cases[1].id.clone(), later)]);
    assert_eq!(store.dead_letters().unwrap(), vec![(cases[2].id.clone(), dead)]);
    assert_eq!(store.district_receipt(&cases[0].id).unwrap(), Some(receipt));
    assert!(matches!(store.retry_dead_letter(&cases[0].id), Err(WriteError::Refused(RetryError::NotDead(_)))));
    store.retry_dead_letter(&cases[2].id).unwrap();
    assert_eq!(store.outbox_counts(), (2, 0));
    let (_, again) = store.outbox().unwrap().into_iter().find(|(id, _)| *id == cases[2].id).unwrap();
    assert_eq!((again.attempts, again.next_attempt_ms), (0, 0));
}

#[test]
fn finished_cases_from_before_the_upgrade_are_put_in_the_outbox_once() {
    let dir = tempfile::tempdir().unwrap();
    let (rejected, forwarded) = {
        let store = open(dir.path()).unwrap();
        let rejected = add(&store, input("11010519491231002X", None));
        let forwarded = add(&store, input("32010619850615351X", None));
        finish(&store, &rejected, &reject_steps());
        finish(&store, &forwarded, &[Transition::Withdraw { note: None }]);
        // As the store was before this change: no entry for a rejected case,
        // no receipts, and no mark that the outbox was filled.
        store
            .write::<(), std::convert::Infallible>(|tx| {
                tx.remove(OUTBOX, rejected.id.as_str().as_bytes())?;
                tx.remove(META, b"outbox-filled")
            })
            .unwrap();
        // One the forwarder already took: it has a receipt and stays out.
        let receipt = DistrictReceipt { receipt_id: "R-2".into(), received_at: "2026-11-29T09:00:00+08:00".into() };
        store.record_forwarding(&[Forwarded::Taken { id: forwarded.id.clone(), receipt }]).unwrap();
        assert_eq!(store.outbox_counts(), (0, 0));
        (rejected.id, forwarded.id)
    };
    let store = open(dir.path()).unwrap();
    assert_eq!(store.outbox_ids().unwrap(), vec![rejected.clone()]);
    // Once: forwarded meanwhile, it does not come back at the next open.
    let receipt = DistrictReceipt { receipt_id: "R-3".into(), received_at: "2026-11-29T09:00:00+08:00".into() };
    store.record_forwarding(&[Forwarded::Taken { id: rejected, receipt }]).unwrap();
    drop(store);
    let store = open(dir.path()).unwrap();
    assert_eq!(store.outbox_counts(), (0, 0));
    assert!(store.district_receipt(&forwarded).unwrap().is_some());
}

/// A fill of schema 3's trees stopped half-way (the schema record still
/// says 2, the trees hold part of it) is made again from empty at the next open.
#[test]
fn a_fill_of_the_reports_trees_stopped_half_way_is_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<CaseId> = {
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let ids = (0..3).map(|_| add(&store, input("11010519491231002X", None)).id).collect();
        store.trees[META].insert(SCHEMA_KEY, &2u32.to_be_bytes()).unwrap();
        store.trees[BACKLOG].insert(b"2026112900000000-", &9u32.to_be_bytes()).unwrap();
        store.trees[REPORT_FACTS].clear().unwrap();
        store.sync().unwrap();
        ids
    };
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    let groups = store.backlog_groups().unwrap();
    assert_eq!(groups.iter().map(|g| g.count).sum::<u32>(), 3, "{groups:?}");
    for id in &ids {
        assert_eq!(store.report_case_of(id).unwrap().map(|c| c.id), Some(id.clone()));
    }
    let schema = store.trees[META].get(SCHEMA_KEY).unwrap().unwrap();
    assert_eq!(schema.as_ref(), &SCHEMA_VERSION.to_be_bytes());
}

#[test]
fn an_import_refused_at_its_last_case_writes_none_of_the_cases_handed_in_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    let kept = add(&store, input("11010519491231002X", None));
    // Two new cases go into the transaction one by one, then one whose id the store holds.
    let new: Vec<Case> = ["110105194912310038", "110105194912310054"]
        .iter()
        .enumerate()
        .map(|(i, number)| received(input(number, None), CaseId::new("320106001", 3, day(), 10 + i as u32)))
        .collect();
    let refused = store.import::<std::convert::Infallible>(|_, put| {
        new.iter().try_for_each(&mut *put)?;
        put(&kept)
    });
    assert!(matches!(refused, Err(WriteError::Store(StoreError::AlreadyExists(id))) if id == kept.id));
    assert_eq!(store.case_count(), 1);
    for case in &new {
        assert!(store.case(&case.id).unwrap().is_none(), "{} was written by a refused import", case.id);
        assert!(store.cases_of_person(&case.applicant.id_number).unwrap().is_empty());
    }
    // The day's numbering did not move past the refused ids either.
    assert_eq!(add(&store, input("11010519491231002X", None)).id.as_str(), "320106001-03-20261129-0002");
}

/// Imports `cases` (of [`day`], window 3) in one transaction.
fn import(store: &Store, cases: &[Case]) {
    store.import::<std::convert::Infallible>(|_, put| cases.iter().try_for_each(&mut *put)).unwrap();
}

fn schema(store: &Store) -> u32 {
    migrate::schema_of(store.dir(), &store.db).unwrap().unwrap()
}

/// What the person index answers for `numbers`, by number and by prefix.
fn people_answers(store: &Store, numbers: &[&str]) -> Vec<Vec<CaseId>> {
    let mut answers: Vec<Vec<CaseId>> = numbers
        .iter()
        .map(|n| {
            store.cases_of_person(&IdNumber::parse_any_date(n).unwrap()).unwrap().into_iter().map(|s| s.id).collect()
        })
        .collect();
    answers.push(store.people_with_prefix(b"1101", 100).unwrap().into_iter().map(|s| s.id).collect());
    answers.push(store.people_with_prefix(b"1101", 2).unwrap().into_iter().map(|s| s.id).collect());
    answers.push(store.people_containing(b"0038", 100).unwrap().into_iter().map(|s| s.id).collect());
    answers
}

/// An import's people wait beside the person index, are found there by the
/// duplicate check and the searches at once, and answer the same once
/// settled into it; while they wait the schema record says so.
#[test]
fn imported_people_are_found_at_once_and_the_same_once_settled() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    let at_window = add(&store, input("11010519491231002X", None));
    let imported: Vec<Case> = [
        ("11010519491231002X", Some("110101199003070011")),
        ("110105194912310038", None),
        ("32010619850615351X", Some("110105194912310054")),
    ]
    .iter()
    .enumerate()
    .map(|(i, (number, member))| received(input(number, *member), CaseId::new("320106001", 3, day(), 10 + i as u32)))
    .collect();
    import(&store, &imported);
    assert_eq!(store.imported_people_waiting().unwrap(), 5);
    assert_eq!(schema(&store), SCHEMA_IMPORTING);

    let numbers = ["11010519491231002X", "110101199003070011", "110105194912310038", "110105194912310054"];
    let waiting = people_answers(&store, &numbers);
    assert_eq!(waiting[0], vec![at_window.id.clone(), imported[0].id.clone()], "both trees, in id order");
    assert_eq!(waiting[1], vec![imported[0].id.clone()], "a member of an imported case");
    let ids = |seqs: &[u32]| -> Vec<CaseId> { seqs.iter().map(|&s| CaseId::new("320106001", 3, day(), s)).collect() };
    assert_eq!(waiting[4], ids(&[10, 1, 10, 11, 12]), "by prefix: the items of both trees, in number order");
    assert_eq!(waiting[5], ids(&[10, 1]), "and no more than the limit");
    assert_eq!(waiting[6], vec![imported[1].id.clone()]);
    // The duplicate check at the window sees the imported person.
    assert_eq!(store.search("110105194912310038", 10).unwrap()[0].id, imported[1].id);

    // A store opened while they wait answers the same.
    let store = {
        drop(store);
        open(dir.path()).unwrap()
    };
    assert_eq!(people_answers(&store, &numbers), waiting);

    assert_eq!(store.settle_imported_people(2).unwrap(), 2);
    assert_eq!(store.imported_people_waiting().unwrap(), 3);
    assert_eq!(schema(&store), SCHEMA_IMPORTING, "three still wait");
    assert_eq!(people_answers(&store, &numbers), waiting);
    assert_eq!(store.settle_imported_people(100).unwrap(), 3);
    assert_eq!(store.imported_people_waiting().unwrap(), 0);
    assert_eq!(schema(&store), SCHEMA_VERSION, "none waits: an older onedoor reads the store again");
    assert_eq!(people_answers(&store, &numbers), waiting);
    assert_eq!(store.count_items(PEOPLE).unwrap(), 6, "one item per person and case, in the index");
    assert_eq!(store.settle_imported_people(100).unwrap(), 0);
}

/// A case changed at the window while its people wait is changed where they
/// are: one item per person and case, and one taken out of the household
/// is gone from both trees.
#[test]
fn an_imported_case_changed_before_it_is_settled_keeps_one_item_per_person() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    let case = received(input("11010519491231002X", Some("110101199003070011")), CaseId::new("320106001", 3, day(), 1));
    import(&store, std::slice::from_ref(&case));
    finish(&store, &case, &reject_steps());
    let applicant = IdNumber::parse_any_date("11010519491231002X").unwrap();
    let member = IdNumber::parse_any_date("110101199003070011").unwrap();
    assert_eq!(store.cases_of_person(&applicant).unwrap()[0].state, State::Rejected);
    assert_eq!((store.count_items(PEOPLE_IMPORTED).unwrap(), store.count_items(PEOPLE).unwrap()), (2, 0));
    store
        .update_case::<std::convert::Infallible>(&case.id, |case, _| {
            case.household.members.clear();
            Ok(())
        })
        .unwrap();
    assert!(store.cases_of_person(&member).unwrap().is_empty());
    assert_eq!((store.count_items(PEOPLE_IMPORTED).unwrap(), store.count_items(PEOPLE).unwrap()), (1, 0));
    store.settle_imported_people(10).unwrap();
    assert_eq!(store.cases_of_person(&applicant).unwrap()[0].state, State::Rejected);
    assert!(store.cases_of_person(&member).unwrap().is_empty());
    assert_eq!((store.count_items(PEOPLE_IMPORTED).unwrap(), store.count_items(PEOPLE).unwrap()), (0, 1));
}

/// A backup taken while imported people wait carries them, and says the
/// schema that reads them.
#[test]
fn a_backup_while_imported_people_wait_restores_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    let case = received(input("110105194912310038", None), CaseId::new("320106001", 3, day(), 1));
    import(&store, std::slice::from_ref(&case));
    let backups = tempfile::tempdir().unwrap();
    let at = FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    let made = store.backup_to(backups.path(), at).unwrap();
    assert_eq!(backup::verify(&made).unwrap().manifest.schema, SCHEMA_IMPORTING);
    let target = tempfile::tempdir().unwrap();
    restore(&made, target.path()).unwrap();
    let back = open(target.path()).unwrap();
    let found = back.cases_of_person(&IdNumber::parse_any_date("110105194912310038").unwrap()).unwrap();
    assert_eq!(found.into_iter().map(|s| s.id).collect::<Vec<_>>(), vec![case.id]);
    back.settle_imported_people(10).unwrap();
    assert_eq!(schema(&back), SCHEMA_VERSION);
}

/// The counter's settler settles what an import left waiting, and lets go
/// of the store when the counter ends.
#[test]
fn the_settler_settles_an_imports_people_and_stops_with_its_handle() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(open(dir.path()).unwrap());
    let case = received(input("110105194912310038", Some("110105194912310054")), CaseId::new("320106001", 3, day(), 1));
    import(&store, &[case]);
    let settler = settler::spawn(std::sync::Arc::clone(&store)).unwrap();
    let started = std::time::Instant::now();
    while store.imported_people_waiting().unwrap() > 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the settler never settled them");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(schema(&store), SCHEMA_VERSION);
    drop(settler);
    // Its thread has ended and dropped its handle on the store: this is the last.
    assert_eq!(std::sync::Arc::strong_count(&store), 1, "the settler still holds the store");
    drop(store);
    open(dir.path()).unwrap();
}

/// The writes of `people_imported` (runs) the journal holds for the next open to replay.
fn imported_people_in_journal(dir: &Path) -> usize {
    let (_, unapplied) = journal::Journal::open(&dir.join(directory::JOURNAL)).unwrap();
    unapplied.iter().flatten().filter(|op| usize::from(op.tree) == PEOPLE_IMPORTED).count()
}

/// An older onedoor reads the schema record before it replays the journal,
/// and stops, half-way through a commit, at a tree it does not know: while
/// the journal holds a write of `people_imported`, sled itself says schema 4
/// (written and checkpointed before the import's commit), and it says 3
/// again only once the journal holds none.
#[test]
fn the_schema_record_says_4_whenever_the_journal_holds_imported_people() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    add(&store, input("11010519491231002X", None));
    let case = received(input("110105194912310038", Some("110105194912310054")), CaseId::new("320106001", 3, day(), 9));
    import(&store, std::slice::from_ref(&case));
    crash(store);
    assert!(imported_people_in_journal(dir.path()) > 0, "the import's people are in the journal");
    {
        // As an older onedoor finds it: sled's own record, before any replay;
        // the case added before the import was checkpointed with it.
        let db = open::open_sled(dir.path(), &StoreOptions::default()).unwrap();
        assert_eq!(migrate::schema_of(dir.path(), &db).unwrap(), Some(SCHEMA_IMPORTING));
        let (_, unapplied) = journal::Journal::open(&dir.path().join(directory::JOURNAL)).unwrap();
        assert_eq!(unapplied.len(), 1, "only the import's commit waits to be replayed");
    }
    let store = open(dir.path()).unwrap();
    while store.settle_imported_people(1).unwrap() > 0 {}
    assert_eq!(schema(&store), SCHEMA_VERSION);
    crash(store);
    assert_eq!(imported_people_in_journal(dir.path()), 0, "schema 3, and nothing of theirs to replay");
    let store = open(dir.path()).unwrap();
    let found = store.cases_of_person(&IdNumber::parse_any_date("110105194912310054").unwrap()).unwrap();
    assert_eq!(found.into_iter().map(|s| s.id).collect::<Vec<_>>(), vec![case.id]);
}

/// A store with one imported case whose applicant's number was then
/// corrected: the corrected item goes to the index itself, and nobody waits
/// while the schema record still says 4.
fn imported_then_corrected() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).unwrap();
    let case = received(input("110105194912310038", None), CaseId::new("320106001", 3, day(), 1));
    import(&store, std::slice::from_ref(&case));
    store
        .update_case::<std::convert::Infallible>(&case.id, |case, _| {
            case.applicant.id_number = IdNumber::parse_any_date("110105194912310054").unwrap();
            Ok(())
        })
        .unwrap();
    (dir, store)
}

/// A case changed so that none of its people waits any more leaves the
/// schema record saying 4 only until the next settling, which writes nothing else.
#[test]
fn with_none_waiting_the_schema_record_is_put_right_by_the_settling() {
    let (_dir, store) = imported_then_corrected();
    assert_eq!(store.imported_people_waiting().unwrap(), 0, "the corrected number is in the index itself");
    assert_eq!(schema(&store), SCHEMA_IMPORTING);
    assert_eq!(store.settle_imported_people(10).unwrap(), 0);
    assert_eq!(schema(&store), SCHEMA_VERSION);
    let found = store.cases_of_person(&IdNumber::parse_any_date("110105194912310054").unwrap()).unwrap();
    assert_eq!(found.len(), 1);
    assert!(store.cases_of_person(&IdNumber::parse_any_date("110105194912310038").unwrap()).unwrap().is_empty());
}

/// A store whose commit could not be completed takes no checkpoint, which
/// would drop that commit's record from the journal: not even the one that
/// puts the schema record right once none waits.
#[test]
fn a_poisoned_store_settles_nothing_and_keeps_its_journal() {
    let (dir, store) = imported_then_corrected();
    store.poisoned.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(store.settle_imported_people(10).is_err(), "none waits, but the record is not put right");
    assert!(store.import::<std::convert::Infallible>(|_, _| Ok(())).is_ok(), "an empty import writes nothing");
    assert_eq!(schema(&store), SCHEMA_IMPORTING);
    crash(store);
    let (_, unapplied) = journal::Journal::open(&dir.path().join(directory::JOURNAL)).unwrap();
    assert_eq!(unapplied.len(), 2, "the import and the correction are still there to replay");
}
