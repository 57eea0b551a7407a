use super::*;

fn errors(kind: ReceiptKind, src: &str) -> Vec<String> {
    match Template::parse(kind, "t.tpl", src) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

fn texts(t: &Template, v: &Values) -> Vec<String> {
    t.expand(v)
        .into_iter()
        .map(|b| match b {
            Block::Text { left, right: Some(r), .. } => format!("{left}|{r}"),
            Block::Text { left, .. } => left,
            Block::Rule(c) => format!("rule {c}"),
            Block::Qr { data, .. } => format!("qr {data}"),
            Block::Feed(n) => format!("feed {n}"),
        })
        .collect()
}

#[test]
fn every_shipped_template_loads() {
    let t = Templates::builtin().unwrap();
    assert_eq!(t.get(ReceiptKind::Acceptance).file(), "receipts/acceptance.tpl");
}

#[test]
fn an_unknown_field_is_reported_with_file_line_and_the_known_fields() {
    let e = errors(ReceiptKind::Acceptance, "# title\n申请人：{applicant_nmae}\n");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("t.tpl:2: unknown field 'applicant_nmae'"), "{}", e[0]);
    assert!(e[0].contains("applicant_name"), "{}", e[0]);
}

#[test]
fn unclosed_blocks_stray_ends_and_bad_words_are_all_reported() {
    let e = errors(ReceiptKind::Acceptance, "[if due_by]\n[end]\n[end]\n[blink] x\n[each documents_owed]\n{item}\n");
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(e[0].starts_with("t.tpl:3: [end] without"), "{e:?}");
    assert!(e[1].starts_with("t.tpl:4: unknown word 'blink'"), "{e:?}");
    assert!(e[2].starts_with("t.tpl:5: [each …] is never closed"), "{e:?}");
}

#[test]
fn item_outside_each_a_list_as_a_field_and_a_cut_are_refused() {
    let e = errors(ReceiptKind::Acceptance, "{item}\n{documents_owed}\n[cut]\n[qr]\n[feed 99]\n申请人：{name\n");
    assert_eq!(e.len(), 6, "{e:?}");
    assert!(e[0].contains("only allowed inside [each"), "{e:?}");
    assert!(e[1].contains("is a list"), "{e:?}");
    assert!(e[2].contains("no [cut]"), "{e:?}");
    assert!(e[3].contains("[qr] needs the text"), "{e:?}");
    assert!(e[4].starts_with("t.tpl:5:"), "{e:?}");
    assert!(e[5].starts_with("t.tpl:6: a '{' is never closed"), "{e:?}");
}

#[test]
fn conditionals_lists_and_rows_expand() {
    let src = "[if due_by]\n承诺：{due_by}\n[else]\n无期限\n[end]\n[if not documents_owed]\n齐全\n[end]\n[each documents_owed]\n  · {item}\n[end]\n---\n[row] 编号 | {case_id}\n[qr] {case_id}\n[feed 2]\n{{字面}}\n";
    let t = Template::parse(ReceiptKind::Acceptance, "t.tpl", src).unwrap();
    let mut v = Values::default();
    v.set("due_by", "2026-12-18").set("case_id", "X-1");
    v.set_list("documents_owed", vec![Item::new("户口簿"), Item::new("收入证明")]);
    assert_eq!(
        texts(&t, &v),
        ["承诺：2026-12-18", "  · 户口簿", "  · 收入证明", "rule -", "编号|X-1", "qr X-1", "feed 2", "{字面}"]
    );
    let empty = Values::default();
    assert_eq!(texts(&t, &empty), ["无期限", "齐全", "rule -", "编号|", "feed 2", "{字面}"]);
}

#[test]
fn values_cannot_carry_control_bytes() {
    let t = Template::parse(ReceiptKind::Acceptance, "t.tpl", "{applicant_name}").unwrap();
    let mut v = Values::default();
    v.set("applicant_name", "王\u{1b}@\u{1d}V\n芳");
    assert_eq!(texts(&t, &v), ["王 @ V 芳"]);
}

#[test]
fn a_directory_overrides_one_template_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("disbursement.tpl"), "[center] 发放 {case_id}\n").unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    assert!(t.get(ReceiptKind::Disbursement).file().ends_with("disbursement.tpl"));
    assert!(t.get(ReceiptKind::Disbursement).file().starts_with(&dir.path().display().to_string()));
    assert_eq!(t.get(ReceiptKind::Acceptance).file(), "receipts/acceptance.tpl");

    std::fs::write(dir.path().join("acceptance.tpl"), "ok\n[if nothing]\n").unwrap();
    let e = check(dir.path()).unwrap_err().to_string();
    assert!(e.contains("acceptance.tpl:2: unknown field 'nothing'"), "{e}");
    assert!(e.contains("acceptance.tpl:2: [if …] is never closed"), "{e}");
    assert!(check(&dir.path().join("missing")).is_err());
}
