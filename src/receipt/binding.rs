//! What goes on each receipt: the counter's details (`ReceiptContext`), the
//! paper, and the fields taken from a case or a day's counts.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::encode::Charset;
use super::names;
use super::template::{Item, ReceiptKind, Templates, Values};
use super::Receipt;
use crate::domain::audit::Digest;
use crate::domain::case::HistoryAction;
use crate::domain::report::{DayReport, Sources};
use crate::domain::{Case, Channel, Kind, Money, State};

/// The paper in the printer, as a number of half-width columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    mm: u16,
    columns: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    #[error("paper_mm = {0} is not a paper width the counter knows (58 or 80); set `columns` for this printer")]
    UnknownWidth(u16),
    #[error("columns = {0} is out of range; a receipt printer has from {MIN_COLUMNS} to {MAX_COLUMNS} columns")]
    Columns(u16),
}

const MIN_COLUMNS: u16 = 16;
const MAX_COLUMNS: u16 = 128;

impl Paper {
    /// 58 mm paper at 203 dpi: 32 columns.
    pub const MM58: Paper = Paper { mm: 58, columns: 32 };
    /// 80 mm paper at 203 dpi: 48 columns.
    pub const MM80: Paper = Paper { mm: 80, columns: 48 };
    /// 80 mm paper at 180 dpi (Epson TM-T81/T82 for China): 42 columns.
    pub const MM80_180DPI: Paper = Paper { mm: 80, columns: 42 };

    /// From the config's `paper_mm` and optional `columns` (which wins).
    pub fn new(paper_mm: u16, columns: Option<u16>) -> Result<Paper, PaperError> {
        let columns = match (columns, paper_mm) {
            (Some(c), _) => c,
            (None, 58) => 32,
            (None, 80) => 48,
            (None, other) => return Err(PaperError::UnknownWidth(other)),
        };
        if !(MIN_COLUMNS..=MAX_COLUMNS).contains(&columns) {
            return Err(PaperError::Columns(columns));
        }
        Ok(Paper { mm: paper_mm, columns })
    }

    pub fn mm(self) -> u16 {
        self.mm
    }

    /// Half-width columns across the paper (a Chinese character takes two).
    pub fn columns(self) -> usize {
        usize::from(self.columns)
    }
}

/// The counter's details printed on every receipt, from the config and the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptContext {
    /// The town (street office), e.g. 宁海路街道.
    pub town_name: String,
    /// The accepting centre; `{town_name}便民服务中心` when not set.
    pub centre_name: Option<String>,
    pub window: u8,
    /// Where the person asks about progress.
    pub centre_phone: String,
    /// The supervision and complaints line, printed when set.
    pub complaint_phone: Option<String>,
    /// The clerk at the window (name or staff number); the case's operator when not set.
    pub clerk: Option<String>,
    pub paper: Paper,
    pub charset: Charset,
    /// A reprint of a receipt that was pending: marked 补打 on the paper.
    pub reprint: bool,
    /// The dates promised on the case's acceptance receipt (help-by on the green channel, estimates marked).
    pub promise: crate::window::Promise,
}

impl ReceiptContext {
    /// A context with the defaults: no centre name, no complaint line, GBK, not a reprint.
    pub fn new(
        town_name: impl Into<String>,
        window: u8,
        centre_phone: impl Into<String>,
        paper: Paper,
    ) -> ReceiptContext {
        ReceiptContext {
            town_name: town_name.into(),
            centre_name: None,
            window,
            centre_phone: centre_phone.into(),
            complaint_phone: None,
            clerk: None,
            paper,
            charset: Charset::default(),
            reprint: false,
            promise: crate::window::Promise::default(),
        }
    }

    fn values(&self, clerk: &str) -> Values {
        let mut v = Values::default();
        let centre = self.centre_name.clone().unwrap_or_else(|| format!("{}便民服务中心", self.town_name));
        v.set("town_name", &self.town_name)
            .set("centre_name", centre)
            .set("window", self.window.to_string())
            .set("centre_phone", &self.centre_phone)
            .set("complaint_phone", self.complaint_phone.as_deref().unwrap_or(""))
            .set("clerk", self.clerk.as_deref().unwrap_or(clerk))
            .set("reprint", if self.reprint { "补打" } else { "" })
            .set("wide", if self.paper.columns() >= 42 { "yes" } else { "" });
        v
    }
}

const MINUTE: &str = "%Y-%m-%d %H:%M";
const DAY: &str = "%Y-%m-%d";

fn yuan(m: Money) -> String {
    format!("{m}元")
}

/// The amount in capital numerals, as on any paper that records money:
/// 3000.50 -> 叁仟元伍角整, 10010000.00 -> 壹仟零壹万元整.
pub fn amount_in_words(m: Money) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const SECTIONS: [&str; 3] = ["", "万", "亿"];
    let text = m.to_string();
    let (whole, frac) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let digit = |c: char| c.to_digit(10).unwrap_or(0) as usize;
    let mut out = String::new();
    let mut zero = false;
    let mut section_has = false;
    let whole = whole.trim_start_matches('0');
    let n = whole.chars().count();
    for (i, c) in whole.chars().enumerate() {
        let pos = n - 1 - i;
        let d = digit(c);
        if d == 0 {
            zero = true;
        } else {
            if zero {
                out.push('零');
                zero = false;
            }
            out.push(DIGITS[d]);
            out.push_str(UNITS[pos % 4]);
            section_has = true;
        }
        if pos % 4 == 0 && pos > 0 {
            if section_has {
                out.push_str(SECTIONS[(pos / 4).min(2)]);
            }
            section_has = false;
        }
    }
    let mut frac = frac.chars().map(digit);
    let (jiao, fen) = (frac.next().unwrap_or(0), frac.next().unwrap_or(0));
    if out.is_empty() && jiao == 0 && fen == 0 {
        return "零元整".to_string();
    }
    if !out.is_empty() {
        out.push('元');
    }
    if jiao == 0 && fen == 0 {
        out.push('整');
        return out;
    }
    if jiao > 0 {
        out.push(DIGITS[jiao]);
        out.push('角');
    } else if !out.is_empty() {
        out.push('零');
    }
    if fen > 0 {
        out.push(DIGITS[fen]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

fn case_values(case: &Case, ctx: &ReceiptContext, clerk: &str) -> Values {
    let mut v = ctx.values(clerk);
    v.set("case_id", case.id.as_str())
        .set("applicant_name", &case.applicant.name)
        .set("id_masked", case.applicant.id_number.masked())
        .set("kind", names::kind(case.kind));
    v
}

/// 受理回执: the acceptance receipt the person takes home.
pub fn acceptance(case: &Case, ctx: &ReceiptContext, templates: &Templates) -> Receipt {
    let mut v = case_values(case, ctx, &case.operator);
    let department = case.referrals.last().map(|r| r.department).unwrap_or_else(|| case.kind.usual_department());
    let owed = case.documents_owed().map(|d| Item::new(names::document(d))).collect();
    v.set("channel", names::channel(case.channel))
        .set("department", names::department(department))
        .set("received_at", case.received_at.format(MINUTE).to_string())
        .set("due_by", case.due_by.map(|d| d.format(DAY).to_string()).unwrap_or_default())
        .set("help_by", ctx.promise.help_by.map(|d| d.format(DAY).to_string()).unwrap_or_default())
        .set("estimated", if ctx.promise.estimated { "以上日期为预计，以当年节假日安排为准" } else { "" })
        .set("ticket", case.ticket.map(|t| t.to_string()).unwrap_or_default())
        .set_list("documents_owed", owed);
    Receipt::render(templates.get(ReceiptKind::Acceptance), &v, ctx.paper, ctx.charset)
}

/// 发放回执: proof that the granted amount was paid, with the amount in capitals.
pub fn disbursement(case: &Case, ctx: &ReceiptContext, templates: &Templates) -> Receipt {
    let paid = case.history.iter().rev().find(|h| h.action == HistoryAction::Disbursed);
    let clerk = paid.map(|h| h.by.as_str()).unwrap_or(&case.operator);
    let mut v = case_values(case, ctx, clerk);
    v.set("state", names::state(case.state))
        .set("amount", case.granted_amount.map(yuan).unwrap_or_default())
        .set("amount_in_words", case.granted_amount.map(amount_in_words).unwrap_or_default())
        .set("paid_at", paid.map(|h| h.at.format(MINUTE).to_string()).unwrap_or_default());
    let payment = case.payment.as_ref();
    v.set("money_source", payment.map(|p| names::money_source(p.source)).unwrap_or_default())
        .set("ledger_entry", payment.and_then(|p| p.ledger_entry).map(|n| n.to_string()).unwrap_or_default())
        .set("transfer_ref", payment.and_then(|p| p.transfer_ref.as_ref()).map(|r| r.to_string()).unwrap_or_default());
    Receipt::render(templates.get(ReceiptKind::Disbursement), &v, ctx.paper, ctx.charset)
}

/// A window's day in numbers: what the daily summary prints. Made from the
/// same [`DayReport`] as `onedoor report daily`, so paper and screen agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySummary {
    pub day: NaiveDate,
    /// Cases received that day, by kind.
    pub received_by_kind: BTreeMap<Kind, u32>,
    /// Of those, on the green channel.
    #[serde(default)]
    pub green: u32,
    /// Where the cases received that day stand now.
    pub by_state: BTreeMap<State, u32>,
    /// Of those, not yet closed now, and overdue now.
    #[serde(default)]
    pub open: u32,
    #[serde(default)]
    pub overdue: u32,
    /// Cases paid that day, and the total paid.
    pub disbursed_count: u32,
    pub disbursed_total: Money,
    /// Of the total, out of the relief fund and through the regular budget,
    /// and whether the two make the total (see [`crate::domain::report::PaidBySource`]).
    #[serde(default)]
    pub paid_from_fund: Money,
    #[serde(default)]
    pub paid_through_budget: Money,
    #[serde(default)]
    pub paid_reconciles: bool,
    /// The relief fund's day; off the paper when `None`.
    #[serde(default)]
    pub fund: Option<DailyFund>,
    /// The audit chain's head when the summary was printed (its entry number
    /// and digest): the anchor outside the store that the supervisor signs.
    #[serde(default)]
    pub audit_head: Option<(u64, Digest)>,
}

/// The audit head a daily summary printed, read back from its text (what a
/// supervisor types into `onedoor audit verify --anchor SEQ:HASH`).
pub fn anchor_on_paper(text: &str) -> Option<(u64, Digest)> {
    let mut lines = text.lines().map(str::trim);
    let label = lines.find(|l| l.starts_with(AUDIT_HEAD_LABEL))?;
    let seq = label.strip_prefix(AUDIT_HEAD_LABEL)?.trim_start_matches('第').split('条').next()?.parse().ok()?;
    let hex: String = lines.take(2).collect();
    Some((seq, Digest::parse(&hex)?))
}

/// The label of the audit head on the daily summary (`receipts/daily_summary.tpl`).
const AUDIT_HEAD_LABEL: &str = "审计链头（";

/// The relief fund's day on the daily summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyFund {
    pub opening: Money,
    pub inflows: Money,
    pub outflows: Money,
    pub closing: Money,
    /// Opening + inflows - outflows = closing, and the ledger comes to the stored balance.
    pub balances: bool,
}

impl DailySummary {
    /// The figures of a day's report.
    pub fn of(report: &DayReport) -> DailySummary {
        let r = &report.received;
        let f = &report.fund;
        DailySummary {
            day: report.day,
            received_by_kind: r.by_kind.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (*k, *n)).collect(),
            green: r.by_channel.get(&Channel::Green).copied().unwrap_or(0),
            by_state: r.by_state.iter().filter(|(_, n)| **n > 0).map(|(s, n)| (*s, *n)).collect(),
            open: r.open,
            overdue: r.overdue,
            disbursed_count: report.steps.disbursed_count,
            disbursed_total: report.steps.disbursed_total,
            paid_from_fund: report.paid.from_fund,
            paid_through_budget: report.paid.through_budget,
            paid_reconciles: report.paid.reconciles,
            audit_head: None,
            fund: Some(DailyFund {
                opening: f.opening,
                inflows: f.inflows,
                outflows: f.outflows,
                closing: f.closing,
                balances: f.balances,
            }),
        }
    }

    /// Counts `cases` for `day` (in each record's own offset, the centre's),
    /// without the fund and with nothing overdue.
    pub fn tally<'a>(day: NaiveDate, cases: impl IntoIterator<Item = &'a Case>) -> DailySummary {
        let cases: Vec<Case> = cases.into_iter().cloned().collect();
        let none = HashSet::new();
        let sources = Sources { cases: &cases, overdue: &none, ledger: &[], fund_balance: Money::ZERO };
        DailySummary { fund: None, ..DailySummary::of(&DayReport::compute(day, sources)) }
    }

    pub fn received(&self) -> u32 {
        self.received_by_kind.values().sum()
    }
}

/// 日汇总: the day's counts by kind (all eight, zeros too) and by state, what
/// is still open and overdue, the total paid, and the relief fund's day.
pub fn daily_summary(summary: &DailySummary, ctx: &ReceiptContext, templates: &Templates) -> Receipt {
    let mut v = ctx.values("");
    let by_kind = Kind::ALL
        .iter()
        .map(|k| {
            let n = summary.received_by_kind.get(k).copied().unwrap_or(0);
            Item::new(names::kind(*k)).with("count", n.to_string())
        })
        .collect();
    let by_state = summary
        .by_state
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(st, n)| Item::new(names::state(*st)).with("count", n.to_string()))
        .collect();
    let fund = |f: fn(&DailyFund) -> Money| summary.fund.as_ref().map(|x| yuan(f(x))).unwrap_or_default();
    let unbalanced = summary.fund.as_ref().is_some_and(|f| !f.balances);
    v.set("day", summary.day.format(DAY).to_string())
        .set("received", summary.received().to_string())
        .set("green", summary.green.to_string())
        .set("open", summary.open.to_string())
        .set("overdue", summary.overdue.to_string())
        .set("disbursed_count", summary.disbursed_count.to_string())
        .set("disbursed_total", yuan(summary.disbursed_total))
        .set("audit_seq", summary.audit_head.map(|(seq, _)| seq.to_string()).unwrap_or_default())
        .set("audit_head_1", summary.audit_head.map(|(_, d)| d.hex()[..32].to_string()).unwrap_or_default())
        .set("audit_head_2", summary.audit_head.map(|(_, d)| d.hex()[32..].to_string()).unwrap_or_default())
        .set("paid_from_fund", yuan(summary.paid_from_fund))
        .set("paid_through_budget", yuan(summary.paid_through_budget))
        .set("paid_unreconciled", if summary.paid_reconciles { "" } else { "发放与资金来源不符，请核对" })
        .set("fund_opening", fund(|f| f.opening))
        .set("fund_inflows", fund(|f| f.inflows))
        .set("fund_outflows", fund(|f| f.outflows))
        .set("fund_closing", fund(|f| f.closing))
        .set("fund_unbalanced", if unbalanced { "账目不平，请核对" } else { "" })
        .set_list("by_kind", by_kind)
        .set_list("by_state", by_state);
    Receipt::render(templates.get(ReceiptKind::DailySummary), &v, ctx.paper, ctx.charset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> String {
        amount_in_words(s.parse().unwrap())
    }

    #[test]
    fn capital_amounts_follow_the_usual_rules() {
        assert_eq!(words("3000"), "叁仟元整");
        assert_eq!(words("3000.50"), "叁仟元伍角整");
        assert_eq!(words("3000.05"), "叁仟元零伍分");
        assert_eq!(words("1055900"), "壹佰零伍万伍仟玖佰元整");
        assert_eq!(words("10010000"), "壹仟零壹万元整");
        assert_eq!(words("20000001"), "贰仟万零壹元整");
        assert_eq!(words("100000000"), "壹亿元整");
        assert_eq!(words("800.07"), "捌佰元零柒分");
        assert_eq!(words("0.5"), "伍角整");
        assert_eq!(words("0"), "零元整");
        assert_eq!(words("10"), "壹拾元整");
    }

    #[test]
    fn paper_widths_come_from_mm_or_the_override() {
        assert_eq!(Paper::new(58, None).unwrap().columns(), 32);
        assert_eq!(Paper::new(80, None).unwrap().columns(), 48);
        assert_eq!(Paper::new(80, Some(42)).unwrap().columns(), 42);
        assert_eq!(Paper::new(76, None), Err(PaperError::UnknownWidth(76)));
        assert_eq!(Paper::new(58, Some(4)), Err(PaperError::Columns(4)));
    }
}
