//! The scripting CLI run for real on temporary stores: round trips, refusals
//! that leave the store exactly as it was, import all-or-nothing, the lock.

mod common;

use common::*;

#[test]
fn add_show_list_and_move_a_case_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = add(d, &case_json("11010519491231002X", "5000"));
    assert_eq!(id, format!("320106001-01-{TODAY}-0001"));
    assert_eq!(add(d, &case_json("32010619850615351X", "800")), format!("320106001-01-{TODAY}-0002"));

    let show = run(d, &["case", "show", &id, "--json"], None);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let case: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(case["schema"], "onedoor.case/1");
    assert_eq!(case["state"], "received");
    assert_eq!(case["applicant"]["sex"], "female");
    assert_eq!(case["operator"], "clerk01");
    assert_eq!(case["received_at"], NOW);

    let text = run(d, &["case", "show", &id], None).stdout;
    assert!(text.contains("110105********002X"), "{text}");
    assert!(!text.contains("11010519491231002X"), "the full number is never shown: {text}");

    let list = run(d, &["case", "list", "--id-number", "11010519491231002X", "--json"], None);
    let cases: Vec<serde_json::Value> = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["id"], id.as_str());

    for (args, state) in [
        (vec!["case", "refer", &id, "--to", "civil_affairs"], "referred"),
        (vec!["case", "review", &id, "--note", "household visited"], "under_review"),
        (vec!["case", "approve", &id, "--amount", "3000"], "approved"),
        (vec!["case", "disburse", &id], "disbursed"),
        (vec!["case", "complete", &id], "completed"),
    ] {
        let r = run(d, &args, None);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout.trim(), format!("{id} {state}"));
    }
    let list = run(d, &["case", "list", "--state", "completed"], None);
    assert!(list.stdout.contains(&id) && list.stdout.lines().count() == 1, "{}", list.stdout);
    let case: serde_json::Value = serde_json::from_str(&run(d, &["case", "show", &id, "--json"], None).stdout).unwrap();
    assert_eq!(case["granted_amount"], "3000.00");
    assert_eq!(case["history"].as_array().unwrap().len(), 6);
    assert_eq!(case["referrals"][0]["department"], "civil_affairs");
}

#[test]
fn bad_case_input_is_refused_with_exit_2_and_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add(d, &case_json("11010519491231002X", "5000"));
    let before = fingerprint(d);
    let unknown_field = case_json("11010519491231002X", "5000").replace("\"reason\"", "\"colour\":\"red\",\"reason\"");
    let cases = [
        ("{\"kind\": ", "invalid JSON"),
        (&case_json("110105194912310021", "5000") as &str, "should be X"),
        (&unknown_field, "unknown field `colour`"),
        (&case_json("11010519491231002X", "-5"), "negative"),
        (&case_json("11010519491231002X", "12.345"), "more than 2 decimal places"),
        (&case_json("11010520301231002X", "5"), "field 'applicant.id_number'"),
    ];
    for (json, needle) in cases {
        let r = run(d, &["case", "add", "--json", "-"], Some(json));
        assert_refused(&r, needle);
        assert_eq!(fingerprint(d), before, "the store changed after refusing: {json}");
    }
    // The refused attempts used no sequence numbers.
    assert_eq!(add(d, &case_json(&person(1), "5")), format!("320106001-01-{TODAY}-0002"));
}

#[test]
fn an_illegal_transition_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = add(d, &case_json("11010519491231002X", "5000"));
    let before = fingerprint(d);
    assert_refused(&run(d, &["case", "disburse", &id], None), "only an approved case can be paid");
    assert_refused(&run(d, &["case", "approve", &id], None), "after the department's review");
    assert_bad_argument(&run(d, &["case", "refer", &id, "--to", "mayor"], None), "civil_affairs, education");
    assert_refused(&run(d, &["case", "show", "320106001-01-20261130-0099"], None), "no case");
    assert_refused(&run(d, &["case", "show", "nonsense"], None), "not a case id");
    assert_eq!(fingerprint(d), before);
}

#[test]
fn import_with_one_bad_line_imports_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("intake.jsonl");
    let lines = [
        case_json("11010519491231002X", "100"),
        case_json("32010619850615351X", "200"),
        String::new(),
        case_json("510108199001014568", "300").replace("\"urban\"", "\"suburban\""),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let store_dir = d.join("store");
    add(&store_dir, &case_json("11010519491231002X", "5"));
    let before = fingerprint(&store_dir);
    let r = run(&store_dir, &["case", "import", file.to_str().unwrap()], None);
    assert_refused(&r, "line 4: field 'applicant.residence'");
    assert_eq!(fingerprint(&store_dir), before);

    std::fs::write(&file, [case_json(&person(1), "100"), case_json(&person(2), "200")].join("\n")).unwrap();
    let r = run(&store_dir, &["case", "import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [format!("320106001-01-{TODAY}-0002"), format!("320106001-01-{TODAY}-0003")]
    );
}

#[test]
fn export_then_import_keeps_ids_and_refuses_a_clash() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let id1 = add(&a, &case_json("11010519491231002X", "100"));
    add(&a, &case_json("32010619850615351X", "200"));
    let export = run(&a, &["case", "export", "--full-id"], None);
    assert_eq!(export.code, 0);
    assert_eq!(export.stdout.lines().count(), 2);
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, &export.stdout).unwrap();
    let r = run(&b, &["case", "import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown: serde_json::Value =
        serde_json::from_str(&run(&b, &["case", "show", &id1, "--json"], None).stdout).unwrap();
    assert_eq!(shown["history"].as_array().unwrap().last().unwrap()["action"], "imported");
    // The imported sequence numbers are not handed out again.
    assert_eq!(add(&b, &case_json(&person(3), "5")), format!("320106001-01-{TODAY}-0003"));
    let before = fingerprint(&b);
    assert_refused(&run(&b, &["case", "import", file.to_str().unwrap()], None), "line 1: case");
    assert_eq!(fingerprint(&b), before);

    let csv = run(&a, &["case", "export", "--format", "csv", "--from", "2026-11-30", "--to", "2026-11-30"], None);
    let rows: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", csv.stdout);
    assert!(rows[1].contains("110105********002X") && !csv.stdout.contains("11010519491231002X"));
}

#[test]
fn a_second_process_on_the_store_gets_the_lock_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add(d, &case_json("11010519491231002X", "100"));
    let _held = onedoor::store::Store::open(d, &Default::default()).unwrap();
    let r = run(d, &["case", "list"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.trim(), format!("error: the store {} is in use by another onedoor process", d.display()));
}

#[test]
fn id_check_explains_valid_and_invalid_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["id", "check", "11010519491231002x"], None);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("birth date: 1949-12-31")
            && r.stdout.contains("sex: female")
            && r.stdout.contains("region code: 110105"),
        "{}",
        r.stdout
    );
    let r = run(dir.path(), &["id", "check", "110105491231002"], None);
    assert!(r.stdout.contains("valid: 11010519491231002X"), "{}", r.stdout);
    assert_refused(&run(dir.path(), &["id", "check", "110105194912310021"], None), "should be X");
    assert!(!dir.path().join("db").exists(), "id check does not need the store");
}

#[test]
fn a_broken_config_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("onedoor.toml");
    std::fs::write(&cfg, "[counter]\nwindow = 3\ntown_code = 320106001\n").unwrap();
    let r = run(dir.path(), &["--config", cfg.to_str().unwrap(), "case", "list"], None);
    assert_refused(&r, &format!("{}:3:", cfg.display()));
}

#[test]
fn a_possible_duplicate_through_a_household_member_needs_a_supervisors_override() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = add(d, &case_json(&person(1), "500"));
    // The first applicant is now a household member of a new applicant asking for the same help.
    let json = case_json(&person(2), "500").replace(
        "\"reason\"",
        &format!(
            r#""household":{{"size":2,"monthly_income":"600","members":[{{"name":"王芳","id_number":"{}","relation":"spouse"}}]}},"reason""#,
            person(1)
        ),
    );
    let before = fingerprint(d);
    let r = run(d, &["case", "add", "--json", "-"], Some(&json));
    assert_refused(&r, "a supervisor must override it");
    assert!(r.stderr.contains(&first), "the earlier case is named: {}", r.stderr);
    assert_eq!(fingerprint(d), before);
    let r = run(
        d,
        &["--operator", "super01", "case", "add", "--json", "-", "--override-duplicate", "second illness, verified"],
        Some(&json),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = r.stdout.trim();
    let case: serde_json::Value = serde_json::from_str(&run(d, &["case", "show", id, "--json"], None).stdout).unwrap();
    assert_eq!(case["related_cases"][0], first.as_str());
    assert!(case["entitlement"]["flags"].as_array().unwrap().contains(&"possible_duplicate".into()));
    let history = case["history"].as_array().unwrap();
    assert!(
        history.iter().any(|h| h["action"] == "override"
            && h["by"] == "super01"
            && h["note"].as_str().unwrap().contains("second illness, verified")),
        "{history:?}"
    );
}

#[test]
fn the_entitlement_and_policy_version_are_recorded_at_intake() {
    let dir = tempfile::tempdir().unwrap();
    let id = add(dir.path(), &case_json(&person(1), "5000"));
    let case: serde_json::Value =
        serde_json::from_str(&run(dir.path(), &["case", "show", &id, "--json"], None).stdout).unwrap();
    assert_eq!(case["entitlement"]["amount"], "3000.00");
    assert!(case["entitlement"]["flags"].as_array().unwrap().contains(&"capped".into()));
    assert!(case["policy"].as_str().is_some_and(|v| !v.is_empty()));
    // Temporary assistance on the normal channel: 15 working days from Monday 2026-11-30.
    assert_eq!(case["due_by"], "2026-12-21");
}

#[test]
fn import_accounts_for_kept_ids_before_numbering_intakes_and_catches_duplicates_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for n in 1..=4 {
        add(&a, &case_json(&person(n), "100"));
    }
    let exported = run(&a, &["case", "export", "--full-id"], None).stdout;
    let fourth = exported.lines().nth(3).unwrap().to_string();
    for n in 11..=13 {
        add(&b, &case_json(&person(n), "100"));
    }
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, format!("{fourth}\n{}\n", case_json(&person(20), "100"))).unwrap();
    let r = run(&b, &["case", "import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [format!("320106001-01-{TODAY}-0004"), format!("320106001-01-{TODAY}-0005")]
    );

    let twice = dir.path().join("twice.jsonl");
    std::fs::write(&twice, format!("{}\n{}\n", case_json(&person(30), "100"), case_json(&person(30), "200"))).unwrap();
    let before = fingerprint(&b);
    assert_refused(
        &run(&b, &["case", "import", twice.to_str().unwrap()], None),
        "line 2: possible duplicate of line 1",
    );
    assert_eq!(fingerprint(&b), before);
}

/// What a test does to an exported case.
type Edit<'a> = Box<dyn Fn(&mut serde_json::Value) + 'a>;

/// An exported case edited into something no counter could have made: the
/// whole import is refused (exit 2), naming the line and the field, in both
/// languages, and the store is exactly as it was.
#[test]
fn import_refuses_exported_cases_no_counter_could_have_made() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    add(&a, &case_json("11010519491231002X", "100"));
    add(&a, &case_json("32010619850615351X", "200"));
    let export = run(&a, &["case", "export", "--full-id"], None);
    let lines: Vec<&str> = export.stdout.lines().collect();
    let good = lines[0];
    let case: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    // A case of its own, the day before (its id clashes with none of the export's).
    let own =
        run_at(&b, "2026-11-29T09:00:00+08:00", &["case", "add", "--json", "-"], Some(&case_json(&person(7), "5")));
    assert_eq!(own.code, 0, "{}", own.stderr);
    let before = fingerprint(&b);
    let entry = |action: &str, note: serde_json::Value| serde_json::json!({"at": "2026-11-30T10:00:00+08:00", "by": "clerk01", "action": action, "note": note});
    let received = case["history"][0].clone();
    let edits: Vec<(&str, Edit<'_>, &str, &str)> = vec![
        (
            "disbursed with no granted amount",
            Box::new(|c: &mut serde_json::Value| {
                c["state"] = "disbursed".into();
                c["history"] = serde_json::json!([
                    received,
                    entry("referred", "civil_affairs".into()),
                    entry("reviewed", serde_json::Value::Null),
                    entry("approved", serde_json::Value::Null),
                    entry("disbursed", serde_json::Value::Null)
                ]);
                c["granted_amount"] = serde_json::Value::Null;
            }),
            "line 2: field 'granted_amount'",
            "第 2 行：字段 'granted_amount'",
        ),
        (
            "a green case paid 50,000",
            Box::new(|c: &mut serde_json::Value| {
                c["channel"] = "green".into();
                c["state"] = "disbursed".into();
                c["granted_amount"] = "50000.00".into();
                c["history"] = serde_json::json!([
                    received,
                    entry("approved", "50000.00".into()),
                    entry("disbursed", "50000.00".into())
                ]);
            }),
            "line 2: field 'granted_amount'",
            "第 2 行：字段 'granted_amount'",
        ),
        (
            "a countersign of no approval or payment",
            Box::new(|c: &mut serde_json::Value| {
                c["history"] = serde_json::json!([received, entry("countersigned", "approved".into())]);
            }),
            "line 2: field 'history'",
            "第 2 行：字段 'history'",
        ),
        (
            "an empty history",
            Box::new(|c: &mut serde_json::Value| c["history"] = serde_json::json!([])),
            "line 2: field 'history'",
            "第 2 行：字段 'history'",
        ),
        (
            "received in 2999",
            Box::new(|c: &mut serde_json::Value| {
                let id = c["id"].as_str().unwrap().replace("-20261130-", "-29991130-");
                c["id"] = id.into();
                c["received_at"] = "2999-11-30T09:00:00+08:00".into();
                c["history"][0]["at"] = "2999-11-30T09:00:00+08:00".into();
            }),
            "line 2: field 'received_at'",
            "第 2 行：字段 'received_at'",
        ),
        (
            "an id of another day",
            Box::new(|c: &mut serde_json::Value| {
                let id = c["id"].as_str().unwrap().replace("-20261130-", "-20261101-");
                c["id"] = id.into();
            }),
            "line 2: field 'id'",
            "第 2 行：字段 'id'",
        ),
        (
            "sequence 0000",
            Box::new(|c: &mut serde_json::Value| {
                let id = c["id"].as_str().unwrap();
                c["id"] = format!("{}-0000", &id[..id.len() - 5]).into();
            }),
            "line 2: field 'id'",
            "第 2 行：字段 'id'",
        ),
    ];
    for (what, edit, english, chinese) in &edits {
        let mut bad = case.clone();
        edit(&mut bad);
        let file = dir.path().join("edited.jsonl");
        std::fs::write(&file, format!("{good}\n{bad}\n")).unwrap();
        let r = run(&b, &["case", "import", file.to_str().unwrap()], None);
        assert_refused(&r, english);
        assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
        let r = run(&b, &["--lang", "zh-CN", "case", "import", file.to_str().unwrap()], None);
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        assert!(r.stderr.contains(chinese), "{what}: {}", r.stderr);
        assert_eq!(fingerprint(&b), before, "{what}: the store changed");
    }
    // The export as it was still imports.
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, &export.stdout).unwrap();
    let r = run(&b, &["case", "import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Names and texts that hide what they say (a direction override that turns
/// the name around, a BOM or zero-width space, a bell, only invisible spaces)
/// are refused naming the field, in both languages; a BOM in front of the
/// whole file is the editor's and is dropped.
#[test]
fn names_with_hidden_characters_are_refused_and_a_file_bom_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let with_name = |name: &str| {
        format!(
            r#"{{"kind":"temporary","applicant":{{"name":"{name}","id_number":"11010519491231002X","residence":"urban"}},"reason":"serious_illness","requested_amount":"100"}}"#
        )
    };
    for (name, english, chinese) in [
        ("王\u{202E}芳", "applicant.name: contains direction controls", "含有改变显示方向的控制字符"),
        ("\u{FEFF}王芳", "applicant.name: contains invisible characters", "含有不可见字符"),
        ("王\u{200B}芳", "applicant.name: contains invisible characters", "含有不可见字符"),
        ("王\\u0007芳", "applicant.name: contains control characters", "含有控制字符"),
        ("\u{3000}\u{3000}", "applicant.name: must not be empty", "姓名：不能为空"),
    ] {
        let json = with_name(name);
        assert_refused(&run(d, &["case", "add", "--json", "-"], Some(&json)), english);
        let r = run(d, &["--lang", "zh-CN", "case", "add", "--json", "-"], Some(&json));
        assert_eq!(r.code, 2, "{name:?}: {}", r.stderr);
        assert!(r.stderr.contains(chinese), "{name:?}: {}", r.stderr);
    }
    assert!(!d.join("db").exists() || run(d, &["case", "list", "--json"], None).stdout.trim() == "[]");
    let file = d.join("case.json");
    std::fs::write(&file, format!("\u{FEFF}{}", with_name("王芳"))).unwrap();
    let r = run(d, &["case", "add", "--json", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Lists and exports mask ID numbers; an export made so cannot be imported
/// (the import says it needs `--full-id`) and the store stays as it was.
#[test]
fn lists_and_exports_mask_id_numbers_and_a_masked_export_is_not_imported() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let id = add(&a, &case_json("11010519491231002X", "100"));
    for args in [
        &["case", "export"][..],
        &["case", "export", "--format", "csv"][..],
        &["case", "list"][..],
        &["case", "list", "--json"][..],
        &["report", "daily"][..],
        &["report", "daily", "--format", "json"][..],
        &["report", "daily", "--format", "csv"][..],
    ] {
        let r = run(&a, args, None);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("11010519491231002X"), "{args:?} shows the full number:\n{}", r.stdout);
    }
    let export = run(&a, &["case", "export"], None).stdout;
    assert!(export.contains("110105********002X"), "{export}");
    // The case itself has it whole.
    assert!(run(&a, &["case", "show", &id, "--json"], None).stdout.contains("11010519491231002X"));

    add(&b, &case_json(&person(7), "5"));
    let before = fingerprint(&b);
    let file = dir.path().join("masked.jsonl");
    std::fs::write(&file, &export).unwrap();
    let r = run(&b, &["case", "import", file.to_str().unwrap()], None);
    assert_refused(&r, "line 1: the ID numbers in this record are masked");
    assert!(r.stderr.contains("--full-id"), "{}", r.stderr);
    assert_eq!(fingerprint(&b), before);

    let full = run(&a, &["case", "export", "--full-id"], None);
    assert_eq!(full.code, 0, "{}", full.stderr);
    assert!(full.stdout.contains("11010519491231002X"));
}
