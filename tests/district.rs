//! The district server over real HTTP on 127.0.0.1, the real binary, and a
//! real PostgreSQL: every endpoint and status of protocol v1, run once on the
//! embedded store and once on PostgreSQL (the same suite for both).

mod district_support;

use chrono::NaiveDate;
use district_support::*;
use onedoor::sync::wire::{self, AuditHead, CASES_PATH, SEARCH_PATH, TOWNS_PATH};

const A: &str = "320106001";
const B: &str = "320106002";

fn normal_acceptance(backend: Backend) {
    let h = Harness::new(backend);
    let case = completed(A, 1, 1);
    let answer = h.town(A).post_case(&case);
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(answer.content_type, "application/json");
    let receipt = answer.receipt();
    assert_eq!(receipt.case_id, case.id);
    assert!(receipt.receipt_id.starts_with("R-"), "{}", receipt.receipt_id);
    let town = h.town_status(A);
    assert_eq!(town.cases_held, 1);
    assert_eq!(town.last_case_received_at, Some(receipt.received_at));
    // The other endings are received too (for the district's statistics).
    for (seq, ending) in [(2, Ending::Rejected), (3, Ending::Withdrawn)] {
        let case = finished(A, day(), seq, &person(seq), &[], ending);
        assert_eq!(h.town(A).post_case(&case).status, 201);
    }
    assert_eq!(h.town_status(A).cases_held, 3);
}

fn the_same_case_twice_gets_200_and_the_first_receipt(backend: Backend) {
    let h = Harness::new(backend);
    let case = completed(A, 1, 1);
    let first = h.town(A).post_case(&case).receipt();
    let again = h.town(A).post_case(&case);
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.receipt(), first);
    // The same content written differently (spacing, field order) is the same case.
    let mut value = serde_json::to_value(&case).unwrap();
    let kind = value.as_object_mut().unwrap().remove("kind").unwrap();
    value.as_object_mut().unwrap().insert("kind".into(), kind);
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    let respelled = h.town(A).post(CASES_PATH, Some(case.id.as_str()), &pretty);
    assert_eq!(respelled.status, 200, "{respelled:?}");
    assert_eq!(respelled.receipt(), first);
    assert_eq!(h.town_status(A).cases_held, 1);
}

fn a_conflicting_case_gets_422_and_the_held_case_stays(backend: Backend) {
    let h = Harness::new(backend);
    let case = completed(A, 1, 1);
    let first = h.town(A).post_case(&case).receipt();
    let mut changed = case.clone();
    changed.description = "另一个案件".into();
    let answer = h.town(A).post_case(&changed);
    assert_eq!(answer.status, 422, "{answer:?}");
    let problem = answer.problem();
    assert_eq!(problem.problem_type, "urn:onedoor:problem:conflict");
    assert_eq!(problem.status, 422);
    assert_eq!(problem.case_id.as_deref(), Some(case.id.as_str()));
    assert!(problem.detail.unwrap().contains(&first.receipt_id));
    assert_eq!(h.town(A).post_case(&case).receipt(), first, "the held case is the first one");
}

fn a_case_still_being_written_gets_409(backend: Backend) {
    let h = Harness::new(backend);
    let case = completed(A, 1, 1);
    let stalled = Stalled::start(h.district.port, token_of(A), &case);
    h.wait_for_contact(A);
    let answer = h.town(A).post_case(&case);
    assert_eq!(answer.status, 409, "{answer:?}");
    assert_eq!(answer.retry_after.as_deref(), Some("1"));
    assert_eq!(answer.problem().problem_type, "urn:onedoor:problem:in-flight");
    let (status, body) = stalled.finish();
    assert_eq!(status, 201, "{body}");
    assert_eq!(h.town(A).post_case(&case).status, 200);
}

fn a_wrong_token_gets_401(backend: Backend) {
    let h = Harness::new(backend);
    let case = completed(A, 1, 1);
    let stranger = Client::new(&h.district.url(), "not-a-token-of-this-district-0123456789");
    for answer in [stranger.post_case(&case), stranger.search(&[&person(1)], None), stranger.get(TOWNS_PATH)] {
        assert_eq!(answer.status, 401, "{answer:?}");
        assert_eq!(answer.problem().problem_type, "urn:onedoor:problem:unauthorized");
    }
    let none = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut response = none
        .post(&format!("{}{CASES_PATH}", h.district.url()))
        .header(wire::IDEMPOTENCY_KEY, case.id.as_str())
        .send(serde_json::to_vec(&case).unwrap())
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers().get("www-authenticate").unwrap().to_str().unwrap().starts_with("Bearer"));
    let _ = response.body_mut().read_to_string();
    assert_eq!(h.town_status(A).cases_held, 0, "nothing was stored");
}

fn a_case_of_another_town_gets_403(backend: Backend) {
    let h = Harness::new(backend);
    let of_b = completed(B, 1, 1);
    let answer = h.town(A).post_case(&of_b);
    assert_eq!(answer.status, 403, "{answer:?}");
    let problem = answer.problem();
    assert_eq!(problem.problem_type, "urn:onedoor:problem:wrong-town");
    assert!(problem.detail.unwrap().contains(B));
    assert_eq!(h.admin().post_case(&of_b).status, 403, "the admin token sends no cases");
    assert_eq!(h.town(A).get(TOWNS_PATH).status, 403, "a town's token does not see the towns view");
    assert_eq!(h.town_status(B).cases_held, 0);
    assert_eq!(h.town(B).post_case(&of_b).status, 201);
}

fn a_body_over_1_mib_gets_413(backend: Backend) {
    let h = Harness::new(backend);
    let case = completed(A, 1, 1);
    let json = serde_json::to_vec(&case).unwrap();
    // Padded with spaces (still valid JSON): up to 1 MiB is taken, one byte more is not.
    let mut at_limit = json.clone();
    at_limit.resize(wire::MAX_BODY_BYTES, b' ');
    let mut over = at_limit.clone();
    over.push(b' ');
    let answer = h.town(A).post(CASES_PATH, Some(case.id.as_str()), &over);
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(answer.problem().problem_type, "urn:onedoor:problem:too-large");
    let search_over = vec![b' '; wire::MAX_BODY_BYTES + 1];
    assert_eq!(h.town(A).post(SEARCH_PATH, None, &search_over).status, 413);
    let answer = h.town(A).post(CASES_PATH, Some(case.id.as_str()), &at_limit);
    assert_eq!(answer.status, 201, "{answer:?}");
}

fn bad_json_and_unknown_fields_get_400(backend: Backend) {
    let h = Harness::new(backend);
    let client = h.town(A);
    let case = completed(A, 1, 1);
    let key = Some(case.id.as_str());
    let mut value = serde_json::to_value(&case).unwrap();
    value["nickname"] = "芳芳".into();
    let top = client.post(CASES_PATH, key, &serde_json::to_vec(&value).unwrap());
    let mut value = serde_json::to_value(&case).unwrap();
    value["applicant"]["nickname"] = "芳芳".into();
    let nested = client.post(CASES_PATH, key, &serde_json::to_vec(&value).unwrap());
    for (answer, field) in [(&top, "nickname"), (&nested, "applicant")] {
        assert_eq!(answer.status, 400, "{answer:?}");
        let detail = answer.problem().detail.unwrap();
        assert!(detail.contains("unknown field") && detail.contains(field), "{detail}");
    }
    let broken = client.post(CASES_PATH, key, b"{\"schema\": \"onedoor.case/1\", ");
    assert_eq!(broken.status, 400, "{broken:?}");
    assert_eq!(broken.problem().problem_type, "urn:onedoor:problem:invalid");
    // An open case is not forwarded; a key that is not the case id, or none, is refused.
    let mut open = case.clone();
    open.state = onedoor::domain::State::Approved;
    let answer = client.post_case(&open);
    assert_eq!(answer.status, 400);
    assert!(answer.problem().detail.unwrap().contains("finished"), "{answer:?}");
    let body = serde_json::to_vec(&case).unwrap();
    assert_eq!(client.post(CASES_PATH, Some("320106001-01-20261129-0099"), &body).status, 400);
    assert_eq!(client.post(CASES_PATH, None, &body).status, 400);
    // Searches too.
    let unknown = br#"{"identifier_type":"id_number","values":["11010519491231002X"],"name":"x"}"#;
    assert_eq!(client.post(SEARCH_PATH, None, unknown).status, 400);
    let bad_id = br#"{"identifier_type":"id_number","values":["110105194912310021"]}"#;
    let answer = client.post(SEARCH_PATH, None, bad_id);
    assert_eq!(answer.status, 400);
    assert!(answer.problem().detail.unwrap().contains("values[0]"));
    assert_eq!(h.town_status(A).cases_held, 0, "nothing was stored");
}

fn search_finds_applicants_and_members_and_nothing_personal(backend: Backend) {
    let h = Harness::new(backend);
    let (p, q, r) = (person(10), person(11), person(12));
    let early = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
    // Town A helped P (with Q in the household) in January and in November; town B helped Q.
    let january = finished(A, early, 1, &p, std::slice::from_ref(&q), Ending::Completed);
    let november = finished(A, day(), 1, &p, &[], Ending::Rejected);
    let of_b = finished(B, day(), 7, &q, std::slice::from_ref(&r), Ending::Completed);
    for (town, case) in [(A, &january), (A, &november), (B, &of_b)] {
        assert_eq!(h.town(town).post_case(case).status, 201);
    }
    let answer = h.town(B).search(&[&q], None);
    for private in ["王芳", "家人", "南京", "住院", "13800000000", "visited"] {
        assert!(!answer.body.contains(private), "the search answer holds '{private}': {}", answer.body);
    }
    let found = answer.search();
    assert!(found.found);
    let roles: Vec<(String, wire::Role, String)> =
        found.records.iter().map(|r| (r.case_id.to_string(), r.role, r.town_code.clone())).collect();
    assert_eq!(
        roles,
        [
            (of_b.id.to_string(), wire::Role::Applicant, B.to_string()),
            (january.id.to_string(), wire::Role::Member, A.to_string()),
        ],
        "the most recent first"
    );
    let applicant = &found.records[0];
    assert_eq!(applicant.id_number, q);
    assert_eq!(applicant.granted_amount, Some(onedoor::domain::Money::yuan(3000)));
    assert_eq!(applicant.currency, "CNY");
    assert_eq!(applicant.completed_at, wire::finished_at(&of_b));
    // `since` leaves out cases received before the day.
    let since = NaiveDate::from_ymd_opt(2026, 6, 1);
    let recent = h.town(B).search(&[&p, &q], since).search();
    let ids: Vec<String> = recent.records.iter().map(|r| r.case_id.to_string()).collect();
    assert_eq!(ids, [of_b.id.to_string(), november.id.to_string()]);
    assert_eq!(recent.records[1].state, onedoor::domain::State::Rejected);
    // Someone never helped: found is false. The admin may search too.
    let nobody = h.admin().search(&[&person(99)], None).search();
    assert!(!nobody.found && nobody.records.is_empty());
}

fn the_towns_view_shows_each_towns_contact_cases_and_reports(backend: Backend) {
    let h = Harness::new(backend);
    let mut a = h.town(A);
    let head = AuditHead { entries: 17, sha256: "ab".repeat(32) };
    a.headers = vec![
        (wire::DEAD_LETTERS_HEADER, "2".into()),
        (wire::OUTBOX_HEADER, "5".into()),
        (wire::AUDIT_HEAD_HEADER, head.to_string()),
    ];
    let receipt = a.post_case(&completed(A, 1, 1)).receipt();
    // B only says it is alive (the heartbeat of the onedoor extension).
    let beat = h.town(B).post(wire::HEARTBEAT_PATH, None, b"");
    assert_eq!(beat.status, 200, "{beat:?}");
    let view = h.admin().get(TOWNS_PATH).towns();
    let codes: Vec<&str> = view.towns.iter().map(|t| t.town_code.as_str()).collect();
    assert_eq!(codes, TOWNS.map(|(t, _)| t), "every town of the tokens file, heard from or not");
    let (ta, tb, tc) = (&view.towns[0], &view.towns[1], &view.towns[2]);
    assert_eq!(ta.cases_held, 1);
    assert_eq!(ta.last_case_received_at, Some(receipt.received_at));
    assert!(ta.last_contact.is_some_and(|at| at >= receipt.received_at));
    assert_eq!((ta.dead_letters, ta.outbox_waiting, ta.audit_head.as_ref()), (Some(2), Some(5), Some(&head)));
    assert!(tb.last_contact.is_some() && tb.cases_held == 0 && tb.dead_letters.is_none());
    assert!(tc.last_contact.is_none(), "town 3 never called");
    // A later report replaces the figures it carries.
    a.headers = vec![(wire::DEAD_LETTERS_HEADER, "0".into())];
    assert_eq!(a.search(&[&person(1)], None).status, 200);
    let ta = h.town_status(A);
    assert_eq!((ta.dead_letters, ta.outbox_waiting), (Some(0), Some(5)));

    // The same view on the command line, with the silent towns marked.
    let token_file = h.dir.path().join("admin.token");
    std::fs::write(&token_file, format!("{ADMIN_TOKEN}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_onedoor-district"))
            .args(["towns", "--url", &h.district.url(), "--token-file"])
            .arg(&token_file)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).unwrap();
    let line_of = |town: &str| table.lines().find(|l| l.starts_with(town)).unwrap().to_string();
    assert!(!line_of(A).contains("SILENT") && line_of(A).contains("17:abababababab"), "{table}");
    assert!(line_of("320106003").contains("never") && line_of("320106003").contains("SILENT"), "{table}");
    let out = run(&["--json"]);
    let json: wire::TownsView = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.towns.len(), 5);
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("chmod 600"));
}

fn health_names_the_store(backend: Backend) {
    let h = Harness::new(backend);
    let answer = h.admin().get(wire::HEALTH_PATH);
    assert_eq!(answer.status, 200);
    let health: wire::Health = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.store, if backend == Backend::Sled { "sled" } else { "postgres" });
    assert_eq!(h.admin().get("/v1/nothing").status, 404);
    assert_eq!(h.admin().get(CASES_PATH).status, 405);
}

fn the_log_never_holds_a_full_id_number(backend: Backend) {
    let h = Harness::new(backend);
    let (p, q) = (person(20), person(21));
    let case = finished(A, day(), 1, &p, std::slice::from_ref(&q), Ending::Completed);
    let client = h.town(A);
    assert_eq!(client.post_case(&case).status, 201);
    assert_eq!(client.post_case(&case).status, 200);
    assert_eq!(client.search(&[&p, &q], None).status, 200);
    let mut bad = serde_json::to_value(&case).unwrap();
    bad["applicant"]["id_number"] = serde_json::Value::from(format!("{}0", p.as_str()));
    assert_eq!(client.post(CASES_PATH, Some(case.id.as_str()), &serde_json::to_vec(&bad).unwrap()).status, 400);
    let log = h.district.log_text();
    assert!(log.contains(case.id.as_str()), "the log names the case: {log}");
    for id in [&p, &q] {
        assert!(!log.contains(id.as_str()), "the log holds {}: {log}", id.masked());
    }
}

fn the_server_sheds_load_with_503_and_429(backend: Backend) {
    let h = Harness::with(backend, false, &["--max-in-flight", "2", "--town-max-in-flight", "1"]);
    let first = completed(A, 1, 1);
    let stalled = Stalled::start(h.district.port, token_of(A), &first);
    h.wait_for_contact(A);
    // Town A already has its one request in progress.
    let answer = h.town(A).post_case(&completed(A, 2, 2));
    assert_eq!(answer.status, 429, "{answer:?}");
    assert_eq!(answer.retry_after.as_deref(), Some("1"));
    // B's request takes the second place; with both taken, C gets 503.
    let of_b = completed(B, 1, 3);
    let stalled_b = Stalled::start(h.district.port, token_of(B), &of_b);
    h.wait_for_contact(B);
    let answer = h.town("320106003").post_case(&completed("320106003", 1, 4));
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.retry_after.as_deref(), Some("1"));
    assert_eq!(answer.problem().problem_type, "urn:onedoor:problem:unavailable");
    assert_eq!(stalled.finish().0, 201);
    assert_eq!(stalled_b.finish().0, 201);
    assert_eq!(h.town(A).post_case(&completed(A, 2, 2)).status, 201, "taken once there is room");
}

fn import_reads_a_backlog_into_the_store(backend: Backend) {
    let mut h = Harness::new(backend);
    let cases: Vec<_> = (1..=3).map(|n| completed(B, n, 30 + n)).collect();
    let mut lines: Vec<String> = cases.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
    lines.push(r#"{"schema":"onedoor.case/1","id":"320106002-01-20261129-0009"}"#.to_string());
    lines.push(lines[0].clone());
    let file = h.dir.path().join("backlog.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    // The embedded store is one process's: stop the server first.
    h.district.terminate();
    assert_eq!(h.district.wait(), Some(0));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor-district"));
    cmd.arg("import");
    match &h.store {
        Store::Sled(dir) => cmd.arg("--data").arg(dir),
        Store::Postgres(url) => cmd.arg("--database").arg(url),
    };
    let out = cmd.arg(&file).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stdout.contains("imported 3 new cases; 1 were held already; 1 refused"), "{stdout}");
    assert!(stderr.contains("line 4: missing field"), "{stderr}");
    h.district.start_again();
    assert_eq!(h.town_status(B).cases_held, 3);
    let found = h.town(A).search(&[&person(32)], None).search();
    assert_eq!(found.records.len(), 1);
    assert_eq!(found.records[0].case_id, cases[1].id);
    assert_eq!(h.town(B).post_case(&cases[2]).status, 200, "held, as if it had been forwarded");
}

/// Served over HTTPS (`--tls-cert`, `--tls-key`), the district speaks the
/// same protocol to a client that trusts its CA, and none to a client that
/// trusts only the public roots, nor in plain HTTP.
fn https_serves_the_same_protocol_to_whoever_trusts_the_districts_ca(backend: Backend) {
    let mut h = Harness::tls(backend);
    let url = h.district.url();
    assert!(url.starts_with("https://"), "{url}");
    let helped = completed(A, 1, 1);
    let answer = h.town(A).post_case(&helped);
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(h.town(A).post_case(&helped).receipt(), answer.receipt(), "idempotent over HTTPS too");
    let found = h.town(B).search(&[&helped.applicant.id_number], None).search();
    assert!(found.found && found.records[0].case_id == helped.id, "{found:?}");
    assert_eq!(h.town_status(A).cases_held, 1);
    let public_roots = Client::new(&url, token_of(A));
    let refused = public_roots.try_post_case(&completed(A, 2, 2)).expect_err("a certificate of the district's own CA");
    assert!(refused.to_string().contains("UnknownIssuer"), "{refused}");
    let plain = Client::new(&url.replace("https://", "http://"), token_of(A));
    assert!(plain.try_post_case(&completed(A, 3, 3)).is_err(), "no plain HTTP on the HTTPS port");
    assert_eq!(h.town_status(A).cases_held, 1, "nothing came in but over HTTPS");
    h.district.terminate();
    assert_eq!(h.district.wait(), Some(0), "a clean stop: {}", h.district.log_text());
}

both_backends!(
    normal_acceptance,
    import_reads_a_backlog_into_the_store,
    the_same_case_twice_gets_200_and_the_first_receipt,
    a_conflicting_case_gets_422_and_the_held_case_stays,
    a_case_still_being_written_gets_409,
    a_wrong_token_gets_401,
    a_case_of_another_town_gets_403,
    a_body_over_1_mib_gets_413,
    bad_json_and_unknown_fields_get_400,
    search_finds_applicants_and_members_and_nothing_personal,
    the_towns_view_shows_each_towns_contact_cases_and_reports,
    health_names_the_store,
    the_log_never_holds_a_full_id_number,
    the_server_sheds_load_with_503_and_429,
    https_serves_the_same_protocol_to_whoever_trusts_the_districts_ca,
);

/// `serve` with a certificate refuses, before it listens, a private key any
/// user may read and a key that is not the certificate's.
#[test]
fn https_needs_the_certificates_own_key_readable_by_no_other_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let tokens = district_support::server::write_tokens(dir.path());
    let certs = Certificates::make();
    let serve = |cert: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor-district"))
            .args(["serve", "--listen", "127.0.0.1:0", "--tokens"])
            .arg(&tokens)
            .arg("--data")
            .arg(dir.path().join("store"))
            .arg("--tls-cert")
            .arg(cert)
            .arg("--tls-key")
            .arg(&certs.key)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    std::fs::set_permissions(&certs.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, stderr) = serve(&certs.cert);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("can be read by any user") && stderr.contains("chmod 600"), "{stderr}");
    std::fs::set_permissions(&certs.key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, stderr) = serve(&certs.other_ca);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("do not go together"), "{stderr}");
    let (code, stderr) = serve(&dir.path().join("none.pem"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot read the certificate"), "{stderr}");
}

#[test]
fn a_tokens_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = district_support::server::write_tokens(dir.path());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor-district"))
        .args(["serve", "--listen", "127.0.0.1:0", "--tokens"])
        .arg(&tokens)
        .arg("--data")
        .arg(dir.path().join("store"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: the tokens file") && stderr.contains("chmod 600"), "{stderr}");
}

#[test]
fn a_second_server_on_the_same_embedded_store_is_refused() {
    let h = Harness::new(Backend::Sled);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor-district"))
        .args(["serve", "--listen", "127.0.0.1:0", "--tokens"])
        .arg(&h.tokens)
        .arg("--data")
        .arg(match &h.store {
            Store::Sled(dir) => dir.clone(),
            Store::Postgres(_) => unreachable!(),
        })
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another onedoor-district"));
}

#[test]
fn sighup_reads_the_tokens_file_again() {
    let h = Harness::new(Backend::Sled);
    let new_token = "town-320106001-rotated-0123456789abcdef0123";
    let text = std::fs::read_to_string(&h.tokens).unwrap();
    let rotated = text.replace(&format!("{A} = \"{}\"", token_of(A)), &format!("{A} = \"{new_token}\""));
    assert_ne!(text, rotated);
    std::fs::write(&h.tokens, rotated).unwrap();
    let ok = std::process::Command::new("kill").arg("-HUP").arg(h.district.pid().to_string()).status().unwrap();
    assert!(ok.success());
    let new = Client::new(&h.district.url(), new_token);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while new.post_case(&completed(A, 1, 1)).status == 401 {
        assert!(std::time::Instant::now() < deadline, "the new token was never taken");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(h.town(A).post_case(&completed(A, 2, 2)).status, 401, "the old token is no longer valid");
    // A broken file is not taken: the tokens in use stay.
    std::fs::write(&h.tokens, "admin = \"short\"\n").unwrap();
    let ok = std::process::Command::new("kill").arg("-HUP").arg(h.district.pid().to_string()).status().unwrap();
    assert!(ok.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !h.district.log_text().contains("kept the tokens in use") {
        assert!(std::time::Instant::now() < deadline, "the broken file was not reported");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(new.post_case(&completed(A, 3, 3)).status, 201);
}

/// The kiosk binary links none of the district server: no HTTP server, no
/// async runtime, no database client.
#[test]
fn the_kiosk_binary_holds_no_server_code() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_onedoor")).unwrap();
    let district = std::fs::read(env!("CARGO_BIN_EXE_onedoor-district")).unwrap();
    for name in ["axum", "tokio", "tokio_postgres", "deadpool", "hyper", "tokio_rustls"] {
        let needle = format!("{}{name}", name.len());
        let found = |bytes: &[u8]| memchr::memmem::find(bytes, needle.as_bytes()).is_some();
        assert!(found(&district), "the check would see {name} in a binary that has it");
        assert!(!found(&binary), "the onedoor binary holds {name} symbols");
    }
}
