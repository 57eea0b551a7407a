//! The shipped receipts, byte for byte, at 58 and 80 mm, read back through the
//! independent decoder. `UPDATE_GOLDEN=1 cargo test --test receipt_golden`
//! rewrites tests/golden/*.hex and *.txt after a deliberate change; review the
//! .txt previews (and `git diff`) before committing them.
#![forbid(unsafe_code)]

#[path = "receipt_support.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use onedoor::domain::{Kind, Money, State};
use onedoor::receipt::{self, DailyFund, DailySummary, Paper, Receipt, ReceiptContext, Templates};
use support::{case_from, case_json, decode, disbursed_case_json, Decoded};

fn ctx(paper: Paper) -> ReceiptContext {
    let mut c = ReceiptContext::new("宁海路街道", 3, "025-83331234", paper);
    c.complaint_phone = Some("12345".into());
    c
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::new();
    for chunk in bytes.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        s.push_str(&line.join(" "));
        s.push('\n');
    }
    s
}

fn from_hex(text: &str) -> Vec<u8> {
    text.split_whitespace().map(|h| u8::from_str_radix(h, 16).unwrap()).collect()
}

/// Compares with (or, with UPDATE_GOLDEN=1, writes) `name.hex` and `name.txt`.
fn golden(name: &str, receipt: &Receipt) -> Decoded {
    let bytes = receipt::to_escpos(receipt);
    let preview = receipt::to_text(receipt).join("\n") + "\n";
    let (hex_path, txt_path) = (golden_dir().join(format!("{name}.hex")), golden_dir().join(format!("{name}.txt")));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&hex_path, to_hex(&bytes)).unwrap();
        std::fs::write(&txt_path, &preview).unwrap();
    }
    let want = std::fs::read_to_string(&hex_path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", hex_path.display()));
    let want = from_hex(&want);
    let decoded = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    if bytes != want {
        let at = bytes.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(bytes.len().min(want.len()));
        let was = decode(&want).map(|d| d.all_text()).unwrap_or_else(|e| e);
        panic!(
            "{name}: bytes differ from {} at offset {at}\n--- now ---\n{}\n--- golden ---\n{was}",
            hex_path.display(),
            decoded.all_text()
        );
    }
    assert_eq!(std::fs::read_to_string(&txt_path).unwrap(), preview, "{name}: the preview changed");
    decoded
}

/// What every receipt must satisfy on paper `columns` wide.
fn on_paper(d: &Decoded, columns: usize) {
    assert!(d.initialised_first, "starts with ESC @");
    assert!(d.ends_with_cut, "ends with a cut");
    assert_eq!(d.cuts, 1);
    assert_eq!(d.four_byte, 0, "no four-byte GB18030 sequences");
    for l in &d.lines {
        assert!(l.columns() <= columns, "'{}' takes {} columns of {columns}", l.text, l.columns());
    }
}

#[test]
fn acceptance_receipt_at_58_and_80_mm() {
    let templates = Templates::builtin().unwrap();
    let case = case_from(case_json());
    for (name, paper) in [("acceptance_58", Paper::MM58), ("acceptance_80", Paper::MM80)] {
        let r = receipt::acceptance(&case, &ctx(paper), &templates);
        let d = golden(name, &r);
        on_paper(&d, paper.columns());
        let text = d.all_text();
        assert_eq!(d.lines[0].text, "社会救助受理回执");
        assert_eq!((d.lines[0].align, d.lines[0].wide, d.lines[0].bold), (1, 2, true));
        assert!(text.contains("320106001-03-20261129-0007"), "case id");
        assert!(text.contains("申请人：王芳"));
        assert!(text.contains("110105********002X"), "masked id number");
        assert!(!text.contains("11010519491231002X"), "the full id number must never be printed");
        assert!(!text.contains("19491231"), "not even the birth date part");
        for want in [
            "救助事项：临时救助",
            "宁海路街道便民服务中心",
            "受理窗口：第3号窗口",
            "受理人：clerk01",
            "受理时间：2026-11-29 09:12",
            "承诺办结：2026-12-18前",
            "· 户口簿",
            "· 家庭收入证明",
            "咨询电话：025-83331234",
            "监督电话：12345",
        ] {
            assert!(text.contains(want), "{name}: missing '{want}' in\n{text}");
        }
        assert!(!text.contains("居民身份证"), "a document handed in is not listed as owed");
        assert_eq!(d.qr.len(), 1);
        let qr = &d.qr[0];
        assert_eq!(qr.data, b"320106001-03-20261129-0007", "QR content is the case id");
        assert_eq!((qr.model, qr.module, qr.level, qr.printed), (Some(50), Some(6), Some(49), true));
    }
}

#[test]
fn on_58_mm_the_case_id_goes_under_its_label_whole() {
    let templates = Templates::builtin().unwrap();
    let r = receipt::acceptance(&case_from(case_json()), &ctx(Paper::MM58), &templates);
    let d = decode(&receipt::to_escpos(&r)).unwrap();
    let i = d.texts().iter().position(|t| *t == "受理编号：").unwrap();
    assert_eq!(d.lines[i + 1].text, "320106001-03-20261129-0007");
}

#[test]
fn disbursement_receipt_at_58_and_80_mm() {
    let templates = Templates::builtin().unwrap();
    let case = case_from(disbursed_case_json());
    for (name, paper) in [("disbursement_58", Paper::MM58), ("disbursement_80", Paper::MM80)] {
        let r = receipt::disbursement(&case, &ctx(paper), &templates);
        let d = golden(name, &r);
        on_paper(&d, paper.columns());
        let text = d.all_text();
        assert_eq!(d.lines[0].text, "救助金发放回执");
        for want in [
            "320106001-03-20261129-0007",
            "领款人：王芳",
            "110105********002X",
            "发放金额：3000.00元",
            "金额大写：叁仟元整",
            "发放时间：2026-12-10 10:05",
            "资金来源：常规资金（一卡通）",
            "转账流水号：ZJ20261210-0042",
            "经办人：clerk02",
        ] {
            assert!(text.contains(want), "{name}: missing '{want}' in\n{text}");
        }
        assert!(!text.contains("11010519491231002X"));
    }
}

#[test]
fn daily_summary_at_58_and_80_mm() {
    let templates = Templates::builtin().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let summary = DailySummary {
        day,
        received_by_kind: BTreeMap::from([(Kind::Temporary, 5), (Kind::Medical, 2), (Kind::Dibao, 1)]),
        green: 1,
        by_state: BTreeMap::from([(State::Received, 6), (State::Referred, 2)]),
        open: 8,
        overdue: 1,
        disbursed_count: 3,
        disbursed_total: "7500.50".parse::<Money>().unwrap(),
        paid_from_fund: "7000".parse::<Money>().unwrap(),
        paid_through_budget: "500.50".parse::<Money>().unwrap(),
        paid_reconciles: true,
        audit_head: Some((42, onedoor::domain::audit::Digest::of(b"the chain"))),
        fund: Some(DailyFund {
            opening: "12000".parse().unwrap(),
            inflows: "500".parse().unwrap(),
            outflows: "7000".parse().unwrap(),
            closing: "5500".parse().unwrap(),
            balances: true,
        }),
    };
    for (name, paper) in [("daily_summary_58", Paper::MM58), ("daily_summary_80", Paper::MM80)] {
        let mut c = ctx(paper);
        c.clerk = Some("clerk01".into());
        let r = receipt::daily_summary(&summary, &c, &templates);
        let d = golden(name, &r);
        on_paper(&d, paper.columns());
        let texts = d.texts();
        let row = |label: &str| texts.iter().find(|t| t.trim_start().starts_with(label)).copied().unwrap_or("");
        // Rows are flush right: the count ends exactly at the paper's edge.
        assert!(row("当日受理").ends_with("8件"), "{texts:?}");
        assert_eq!(row("当日受理").len() - row("当日受理").trim_end().len(), 0);
        assert_eq!(d.lines.iter().find(|l| l.text.starts_with("当日受理")).unwrap().columns(), paper.columns());
        assert!(row("临时救助").ends_with(" 5件"));
        assert!(row("医疗救助").ends_with(" 2件"));
        assert!(row("住房救助").ends_with(" 0件"), "every kind is listed, zeros too");
        assert!(row("已受理").ends_with(" 6件"));
        assert!(row("发放合计").ends_with("7500.50元"));
        // The numbers line up: every count carries its unit, so every figure ends two columns from the edge.
        let bare = texts.iter().filter(|t| {
            !t.contains("窗口") && t.trim_start().contains("  ") && t.trim_end().ends_with(|c: char| c.is_ascii_digit())
        });
        assert_eq!(bare.count(), 0, "a count without its unit sticks out: {texts:?}");
        assert!(row("其中绿色通道").ends_with("1件"));
        assert!(row("已逾期").ends_with("1件"));
        assert!(row("期初余额").ends_with("12000.00元"));
        assert!(row("当日收入").ends_with("500.00元"));
        assert!(row("当日支出").ends_with("7000.00元"));
        assert!(row("期末余额").ends_with("5500.00元"));
        assert!(!d.all_text().contains("账目不平"), "a day that balances says nothing more");
        assert!(d.all_text().contains("2026-11-29"));
        assert!(d.qr.is_empty());
    }
}

#[test]
fn a_fund_day_that_does_not_balance_is_flagged_and_no_fund_prints_no_fund() {
    let templates = Templates::builtin().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let fund = DailyFund {
        opening: Money::ZERO,
        inflows: Money::ZERO,
        outflows: "100".parse().unwrap(),
        closing: Money::ZERO,
        balances: false,
    };
    let mut summary = DailySummary::tally(day, []);
    summary.fund = Some(fund);
    let r = receipt::daily_summary(&summary, &ctx(Paper::MM58), &templates);
    let text = decode(&receipt::to_escpos(&r)).unwrap().all_text();
    assert!(text.contains("账目不平"), "{text}");
    summary.fund = None;
    let r = receipt::daily_summary(&summary, &ctx(Paper::MM58), &templates);
    let text = decode(&receipt::to_escpos(&r)).unwrap().all_text();
    assert!(!text.contains("救助储备金") && text.contains("发放合计"), "{text}");
}

#[test]
fn a_tally_of_cases_counts_the_day_and_the_payments() {
    let received = case_from(case_json());
    let mut paid = disbursed_case_json();
    paid["id"] = "320106001-03-20261129-0008".into();
    let paid = case_from(paid);
    // The same case given twice counts once.
    assert_eq!(DailySummary::tally(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(), [&paid, &paid]).received(), 1);
    let s = DailySummary::tally(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(), [&received, &paid]);
    assert_eq!(s.received(), 2);
    assert_eq!(s.received_by_kind.get(&Kind::Temporary), Some(&2));
    assert_eq!(s.by_state.get(&State::Disbursed), Some(&1));
    assert_eq!(s.disbursed_count, 0);
    let s = DailySummary::tally(NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(), [&received, &paid]);
    assert_eq!((s.received(), s.disbursed_count, s.disbursed_total.to_string().as_str()), (0, 1, "3000.00"));
}

#[test]
fn the_qr_bytes_match_the_escpos_crate() {
    use escpos::printer::Printer;
    use escpos::utils::{Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

    let mut p = Printer::new(receipt::MemoryDriver::default(), Protocol::default(), None);
    let option = QRCodeOption::new(QRCodeModel::Model2, 6, QRCodeCorrectionLevel::M);
    p.qrcode_option("320106001-03-20261129-0007", option).unwrap().print().unwrap();
    let theirs = p.driver().0.into_inner();

    let r = receipt::acceptance(&case_from(case_json()), &ctx(Paper::MM80), &Templates::builtin().unwrap());
    let ours = receipt::to_escpos(&r);
    let start = ours.windows(3).position(|w| w == [0x1D, 0x28, 0x6B]).unwrap();
    assert_eq!(&ours[start..start + theirs.len()], theirs.as_slice());
}
