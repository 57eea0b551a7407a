//! The names of the domain's codes in the clerk's language, one translation
//! each, for the screens, the CLI's text output and the reports alike:
//! `kind-dibao`, `state-under_review`, `printer-paper_out`…

use crate::devices::printer::PrinterStatus;
use crate::domain::case::{Flag, HistoryAction, Step};
use crate::domain::policy::{BillItem, FullStandardCategory, SupportMode};
use crate::domain::{Channel, Department, Document, Kind, MoneySource, Reason, Residence, Sex, State};
use crate::receipt::ReceiptKind;
use crate::Lang;

use super::text;

/// The message `{family}-{code}`, or the code itself if the file lacks it.
fn coded(lang: Lang, family: &str, code: &'static str) -> &'static str {
    super::coded(lang, family, code).unwrap_or(code)
}

pub fn kind(k: Kind, lang: Lang) -> &'static str {
    coded(lang, "kind", k.code())
}

pub fn reason(r: Reason, lang: Lang) -> &'static str {
    coded(lang, "reason", r.code())
}

pub fn department(d: Department, lang: Lang) -> &'static str {
    coded(lang, "department", d.code())
}

pub fn state(s: State, lang: Lang) -> &'static str {
    coded(lang, "state", s.code())
}

pub fn channel(c: Channel, lang: Lang) -> &'static str {
    coded(lang, "channel", c.code())
}

pub fn money_source(m: MoneySource, lang: Lang) -> &'static str {
    coded(lang, "funding", m.code())
}

pub fn residence(r: Residence, lang: Lang) -> &'static str {
    coded(lang, "residence", r.code())
}

pub fn document(d: Document, lang: Lang) -> &'static str {
    coded(lang, "document", d.code())
}

pub fn flag(f: Flag, lang: Lang) -> &'static str {
    coded(lang, "flag", f.code())
}

pub fn bill_item(item: BillItem, lang: Lang) -> &'static str {
    coded(lang, "bill", item.code())
}

pub fn history_action(a: HistoryAction, lang: Lang) -> &'static str {
    coded(lang, "history", crate::domain::report::action_code(a))
}

pub fn sex(s: Sex, lang: Lang) -> &'static str {
    match s {
        Sex::Male => text(lang, "sex-male"),
        Sex::Female => text(lang, "sex-female"),
    }
}

/// How a case stands against a deadline ("on track", "将到期").
pub fn deadline(status: crate::domain::policy::DeadlineStatus, lang: Lang) -> &'static str {
    coded(lang, "deadline", status.code())
}

/// A step on a case as a verb ("approve", "批准").
pub fn step(s: Step, lang: Lang) -> &'static str {
    coded(lang, "step", s.code())
}

/// A full-standard category, or none.
pub fn category(c: Option<FullStandardCategory>, lang: Lang) -> &'static str {
    match c {
        None => text(lang, "no-category"),
        Some(c) => coded(lang, "category", c.code()),
    }
}

/// How a person is supported, or not assessed yet.
pub fn support_mode(m: Option<SupportMode>, lang: Lang) -> &'static str {
    match m {
        None => text(lang, "not-assessed"),
        Some(m) => coded(lang, "support", m.code()),
    }
}

pub fn receipt_kind(kind: ReceiptKind, lang: Lang) -> &'static str {
    match kind {
        ReceiptKind::Acceptance => text(lang, "receipt-acceptance"),
        ReceiptKind::Disbursement => text(lang, "receipt-disbursement"),
        ReceiptKind::DailySummary => text(lang, "receipt-daily_summary"),
    }
}

fn printer_id(status: PrinterStatus) -> &'static str {
    match status {
        PrinterStatus::Ready => "printer-ready",
        PrinterStatus::PaperNearEnd => "printer-paper_near_end",
        PrinterStatus::PaperOut => "printer-paper_out",
        PrinterStatus::CoverOpen => "printer-cover_open",
        PrinterStatus::Offline => "printer-offline",
        PrinterStatus::Error => "printer-error",
        PrinterStatus::NotAnswering => "printer-not_answering",
        PrinterStatus::BadReply => "printer-bad_reply",
    }
}

/// The printer's state in a word or two, for the status line.
pub fn printer_status(status: PrinterStatus, lang: Lang) -> &'static str {
    text(lang, printer_id(status))
}

/// What the printer's state means for the clerk, and what to do.
pub fn printer_advice(status: PrinterStatus, lang: Lang) -> String {
    super::attribute(lang, printer_id(status), "advice", &[])
}
