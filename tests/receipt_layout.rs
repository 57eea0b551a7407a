//! Property tests: whatever the names, centre details and paper width, no
//! printed line is wider than the paper (double size counts twice), nothing
//! is dropped, no byte >= 0x80 leaves Chinese mode, and the ID number stays masked.
#![forbid(unsafe_code)]

#[path = "receipt_support.rs"]
mod support;

use onedoor::receipt::{self, Charset, Paper, ReceiptContext, ReceiptKind, Template, Templates, Values};
use proptest::prelude::*;
use serde_json::json;
use support::{case_from, case_json, decode, disbursed_case_json};
use unicode_width::UnicodeWidthStr;

/// Text as people and ID cards write it: common and rare hanzi (㛃 outside
/// GBK, 𠀀 four-byte), GBK-only 喆 and 堃, full-width punctuation, ASCII,
/// the yen sign, emoji, control characters, and any character at all.
fn text() -> impl Strategy<Value = String> {
    let pick = prop::sample::select(vec![
        '王', '芳', '㛃', '𠀀', '喆', '堃', '镕', '·', '（', '）', '，', '。', '：', '-', ' ', ' ', 'A', 'z', '7', '¥',
        '€', '😀', 'é', '\u{1b}', '\n', '\u{301}', 'ｱ',
    ]);
    let one = prop_oneof![4 => pick, 1 => any::<char>()];
    prop::collection::vec(one, 0..60).prop_map(|v| v.into_iter().collect())
}

fn columns() -> impl Strategy<Value = u16> {
    prop_oneof![Just(32u16), Just(42), Just(48), 16u16..=80]
}

const STRESS: &str = "[center double bold] {town_name}\n[double] 申请人：{applicant_name}\n[row] {applicant_name} | {id_masked}\n[row double] {centre_name} | {centre_phone}\n[right tall] {centre_name}\n住址：{applicant_name}{centre_name}\n[each documents_owed]\n  · {item}\n[end]\n[qr] {case_id}\n";

fn ctx(paper: Paper, town: &str, centre: &str, phone: &str) -> ReceiptContext {
    let mut c = ReceiptContext::new(town, 3, phone, paper);
    c.centre_name = Some(centre.to_string());
    c.clerk = Some(centre.chars().take(8).collect());
    c
}

fn no_spaces(s: &str) -> String {
    s.chars().filter(|c| *c != ' ').collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn no_printed_line_is_wider_than_the_paper(
        name in text(), town in text(), centre in text(), phone in text(), cols in columns(), gb2312 in any::<bool>(),
    ) {
        let paper = Paper::new(58, Some(cols)).unwrap();
        let mut c = ctx(paper, &town, &centre, &phone);
        if gb2312 {
            c.charset = Charset::Gb2312;
        }
        let mut j = case_json();
        j["applicant"]["name"] = json!(name);
        let case = case_from(j);
        let mut dj = disbursed_case_json();
        dj["applicant"]["name"] = json!(name);
        let paid = case_from(dj);
        let templates = Templates::builtin().unwrap();
        let stress = Template::parse(ReceiptKind::Acceptance, "stress.tpl", STRESS).unwrap();
        let mut v = Values::default();
        v.set("town_name", &town).set("applicant_name", &name).set("id_masked", case.applicant.id_number.masked())
            .set("centre_name", &centre).set("centre_phone", &phone).set("case_id", case.id.as_str());
        v.set_list("documents_owed", vec![receipt::Item::new(name.clone()), receipt::Item::new(centre.clone())]);
        let receipts = [
            receipt::acceptance(&case, &c, &templates),
            receipt::disbursement(&paid, &c, &templates),
            receipt::Receipt::render(&stress, &v, paper, c.charset),
        ];
        for r in &receipts {
            let bytes = receipt::to_escpos(r);
            let d = decode(&bytes).map_err(TestCaseError::fail)?;
            for l in &d.lines {
                prop_assert!(l.columns() <= usize::from(cols), "'{}' x{} is {} columns of {cols}", l.text, l.wide, l.columns());
            }
            prop_assert_eq!(d.four_byte, 0);
            prop_assert!(d.ends_with_cut);
            let qr_wanted = usize::from(r.kind() == ReceiptKind::Acceptance);
            prop_assert_eq!(d.qr.len(), qr_wanted);
            for qr in &d.qr {
                prop_assert_eq!(qr.data.as_slice(), case.id.as_str().as_bytes());
            }
            let all = d.all_text();
            prop_assert!(!all.contains("11010519491231002X"));
            prop_assert!(no_spaces(&all.replace('\n', "")).contains("110105********002X"), "masked id on every receipt");
            for c in r.substituted() {
                let code = format!("[U+{:04X}]", u32::from(*c));
                // A code may be broken over two lines on very narrow paper, never lost.
                prop_assert!(no_spaces(&all.replace('\n', "")).contains(&code), "{} is shown as {}", c, code);
            }
            for line in receipt::to_text(r) {
                prop_assert!(line.width_cjk() <= usize::from(cols), "preview '{}' is wider than {cols}", line);
            }
        }
    }

    #[test]
    fn wrapping_keeps_every_character(s in text(), budget in 2usize..60, hang in 0usize..30) {
        let mut subs = Vec::new();
        let s = receipt::printable(&s, Charset::Gbk, &mut subs);
        let lines = receipt::wrap(&s, budget, hang);
        for l in &lines {
            prop_assert!(receipt::columns_of(l) <= budget.max(2), "'{}' wider than {}", l, budget);
        }
        prop_assert_eq!(no_spaces(&lines.concat()), no_spaces(&s));
    }
}

#[test]
fn a_rare_name_character_is_printed_by_its_code_and_reported() {
    let mut j = case_json();
    j["applicant"]["name"] = json!("李㛃");
    let case = case_from(j);
    let c = ReceiptContext::new("宁海路街道", 3, "025-83331234", Paper::MM58);
    let r = receipt::acceptance(&case, &c, &Templates::builtin().unwrap());
    assert_eq!(r.substituted(), ['㛃']);
    let d = decode(&receipt::to_escpos(&r)).unwrap();
    assert!(d.texts().contains(&"申请人：李[U+36C3]"), "{:?}", d.texts());
    assert_eq!(d.four_byte, 0);
}

#[test]
fn a_gbk_name_on_a_gb2312_printer_is_substituted_too() {
    let mut j = case_json();
    j["applicant"]["name"] = json!("张喆");
    let case = case_from(j);
    let mut c = ReceiptContext::new("宁海路街道", 3, "025-83331234", Paper::MM80);
    let templates = Templates::builtin().unwrap();
    let gbk = receipt::acceptance(&case, &c, &templates);
    assert!(gbk.substituted().is_empty());
    assert!(decode(&receipt::to_escpos(&gbk)).unwrap().texts().contains(&"申请人：张喆"));
    c.charset = Charset::Gb2312;
    let old = receipt::acceptance(&case, &c, &templates);
    assert_eq!(old.substituted(), ['喆']);
}

#[test]
fn the_42_column_paper_is_respected() {
    let case = case_from(case_json());
    let c = ReceiptContext::new("宁海路街道", 3, "025-83331234", Paper::new(80, Some(42)).unwrap());
    let r = receipt::acceptance(&case, &c, &Templates::builtin().unwrap());
    let d = decode(&receipt::to_escpos(&r)).unwrap();
    assert!(d.lines.iter().all(|l| l.columns() <= 42));
    assert!(d.lines.iter().any(|l| l.text.len() == 42 && l.text.chars().all(|c| c == '-')), "rules span the paper");
}
