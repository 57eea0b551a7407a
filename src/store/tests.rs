use super::*;
use crate::domain::case::{Acceptance, CaseInput};
use crate::domain::{Channel, Department, Transition};
use chrono::{FixedOffset, TimeZone};

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

fn add(store: &Store, input: CaseInput) -> Case {
    let at = FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
    store
        .add_case::<std::convert::Infallible>("320106001", 3, day(), |id| {
            Ok(Case::receive(
                input.clone(),
                Acceptance {
                    id,
                    operator: "clerk01".into(),
                    at,
                    due_by: None,
                    entitlement: None,
                    policy: None,
                    related_cases: vec![],
                },
            ))
        })
        .unwrap()
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
    assert_eq!(store.search("李", 10).unwrap().len(), 0, "members are found by number, not name");
    let by_number = store.search("110101199003", 10).unwrap();
    assert_eq!(by_number.iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&a.id]);
    let by_id = store.search(b.id.as_str(), 10).unwrap();
    assert_eq!(by_id[0].id, b.id);
    assert_eq!(store.search("320106001-03", 1).unwrap().len(), 1, "the limit holds");
    assert!(store.search("  ", 10).unwrap().is_empty());
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
        let record = j.record(&[op]).unwrap();
        j.append(&record).unwrap();
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
    fn the_codec_round_trips_cases_and_refuses_other_versions(seed in 1u64..u64::MAX, person in 0u64..1_000_000, version in 2u8..=255) {
        let at = FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
        let case = crate::bench::synthetic_case(&mut crate::bench::Rng::new(seed), CaseId::new("320106001", 3, day(), 1), person, at);
        let bytes = encode(&case, "case").unwrap();
        let back: Case = decode(&bytes, "case").unwrap();
        proptest::prop_assert_eq!(&back, &case);
        let mut other = bytes.clone();
        other[0] = version;
        let refused = matches!(decode::<Case>(&other, "case"), Err(StoreError::UnknownRecordVersion { .. }));
        proptest::prop_assert!(refused);
    }
}
