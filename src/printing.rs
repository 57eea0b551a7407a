//! Printing at the window: a receipt is made from a case only after the case is
//! durably committed; if the printer cannot take it (paper out, cover open,
//! offline, not answering), the receipt goes on the store's durable pending
//! list and the case itself is never affected.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::devices::printer::{self, PrintError, PrinterSpec, PrinterStatus};
use crate::domain::{Case, CaseId};
use crate::receipt::{self, DailySummary, Paper, Receipt, ReceiptContext, ReceiptKind, Templates};
use crate::store::{Store, StoreError};

/// What happened to a receipt.
#[derive(Debug)]
pub enum Printed {
    /// On paper; the printer's state after it (paper near end is worth a
    /// warning), and the characters it could not carry, printed as `[U+XXXX]`:
    /// the clerk writes them in by hand.
    OnPaper { status: PrinterStatus, substituted: Vec<char> },
    /// No printer (`none`): the lines to show on screen instead.
    OnScreen(Vec<String>),
    /// Not printed: kept on the pending list under this key.
    Pending { key: String, error: PrintError },
}

#[derive(Debug, thiserror::Error)]
pub enum PrintingError {
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A receipt that could not be printed, as the store keeps it until it is reprinted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingReceipt {
    pub kind: ReceiptKind,
    /// The case, for acceptance and disbursement receipts.
    pub case_id: Option<CaseId>,
    /// The day, for a daily summary.
    pub day: Option<NaiveDate>,
    pub status: Option<PrinterStatus>,
    /// Why it was not printed (English, for the log).
    pub reason: String,
}

impl PendingReceipt {
    pub fn for_case(kind: ReceiptKind, case_id: &CaseId, error: &PrintError) -> PendingReceipt {
        PendingReceipt {
            kind,
            case_id: Some(case_id.clone()),
            day: None,
            status: error.status(),
            reason: error.to_string(),
        }
    }

    pub fn for_day(day: NaiveDate, error: &PrintError) -> PendingReceipt {
        PendingReceipt {
            kind: ReceiptKind::DailySummary,
            case_id: None,
            day: Some(day),
            status: error.status(),
            reason: error.to_string(),
        }
    }
}

/// The receipts waiting to be printed, with their keys, oldest key first.
pub fn pending_receipts(store: &Store) -> Result<Vec<(String, PendingReceipt)>, StoreError> {
    store.pending_receipts()
}

/// Is the receipt under `key` on the pending list?
pub fn is_pending(store: &Store, key: &str) -> Result<bool, StoreError> {
    Ok(pending_receipts(store)?.iter().any(|(k, _)| k == key))
}

/// The key of a case's receipt on the pending list.
pub fn pending_key(kind: ReceiptKind, id: &CaseId) -> String {
    let k = match kind {
        ReceiptKind::Acceptance => "acceptance",
        ReceiptKind::Disbursement => "disbursement",
        ReceiptKind::DailySummary => "daily_summary",
    };
    format!("{k}/{id}")
}

/// The key of a day's summary on the pending list.
pub fn daily_summary_key(day: NaiveDate) -> String {
    format!("daily_summary/{}", day.format("%Y-%m-%d"))
}

/// Everything printing needs from the config, prepared once.
pub struct Desk {
    pub spec: PrinterSpec,
    pub templates: Templates,
    pub context: ReceiptContext,
    /// The policies the promised dates are worked out by (the built-in book unless set).
    pub policies: crate::domain::policy::PolicyBook,
}

impl Desk {
    /// Reads the printer spec, the paper and the templates (a broken template is
    /// reported here, at start-up, with its file and line).
    pub fn from_config(config: &Config, printer: Option<&str>) -> Result<Desk, PrintingError> {
        let spec_text = printer.unwrap_or(&config.devices.printer);
        let spec = PrinterSpec::parse(spec_text).map_err(|e| PrintingError::Setup(e.to_string()))?;
        let paper = Paper::new(config.devices.paper_mm, config.devices.columns)
            .map_err(|e| PrintingError::Setup(e.to_string()))?;
        let templates = Templates::load(config.receipts.templates.as_deref().map(Path::new))
            .map_err(|e| PrintingError::Setup(e.to_string()))?;
        let c = &config.counter;
        let context = ReceiptContext::new(c.town_name.clone(), c.window, c.centre_phone.clone(), paper);
        let policies = crate::window::builtin_policies().clone();
        Ok(Desk { spec, templates, context, policies })
    }

    /// The receipt of `kind` for a case. The daily summary is not a case's
    /// receipt: see [`Desk::print_daily_summary`].
    pub fn receipt(
        &self,
        case: &Case,
        kind: ReceiptKind,
        clerk: &str,
        reprint: bool,
    ) -> Result<Receipt, PrintingError> {
        let mut ctx = self.context.clone();
        ctx.clerk = Some(clerk.to_string());
        ctx.reprint = reprint;
        ctx.promise = crate::window::promise(&self.policies, case);
        match kind {
            ReceiptKind::Acceptance => Ok(receipt::acceptance(case, &ctx, &self.templates)),
            ReceiptKind::Disbursement => Ok(receipt::disbursement(case, &ctx, &self.templates)),
            ReceiptKind::DailySummary => Err(PrintingError::Setup(
                "the daily summary is not a case's receipt; print it with `onedoor report daily --print`".into(),
            )),
        }
    }

    /// Prints a case's receipt, or keeps it pending. Call only with a committed
    /// case; this blocks on the printer, so the counter calls it from a worker thread.
    pub fn print_case(
        &self,
        store: &Store,
        case: &Case,
        kind: ReceiptKind,
        clerk: &str,
        reprint: bool,
    ) -> Result<Printed, PrintingError> {
        let receipt = self.receipt(case, kind, clerk, reprint)?;
        let key = pending_key(kind, &case.id);
        self.print_or_keep(store, &receipt, key, reprint, |error| PendingReceipt::for_case(kind, &case.id, error))
    }

    /// The daily summary of a day, drawn up by `clerk`.
    pub fn daily_summary(&self, summary: &DailySummary, clerk: &str, reprint: bool) -> Receipt {
        let mut ctx = self.context.clone();
        ctx.clerk = Some(clerk.to_string());
        ctx.reprint = reprint;
        receipt::daily_summary(summary, &ctx, &self.templates)
    }

    /// Prints the daily summary, or keeps it pending under [`daily_summary_key`]
    /// (the same no-lost-receipt rule as a case's receipt).
    pub fn print_daily_summary(
        &self,
        store: &Store,
        summary: &DailySummary,
        clerk: &str,
        reprint: bool,
    ) -> Result<Printed, PrintingError> {
        let receipt = self.daily_summary(summary, clerk, reprint);
        let key = daily_summary_key(summary.day);
        self.print_or_keep(store, &receipt, key, reprint, |error| PendingReceipt::for_day(summary.day, error))
    }

    /// On screen with no printer; on paper (a reprint then leaves the pending
    /// list); or, when the printer cannot take it, on the pending list.
    fn print_or_keep(
        &self,
        store: &Store,
        receipt: &Receipt,
        key: String,
        reprint: bool,
        pending: impl FnOnce(&PrintError) -> PendingReceipt,
    ) -> Result<Printed, PrintingError> {
        if !self.spec.prints_on_paper() {
            return Ok(Printed::OnScreen(receipt::to_text(receipt)));
        }
        match printer::print(&self.spec, &receipt::to_escpos(receipt)) {
            Ok(status) => {
                if reprint {
                    store.remove_pending_receipt(&key)?;
                }
                Ok(Printed::OnPaper { status, substituted: receipt.substituted().to_vec() })
            }
            Err(error) => {
                store.add_pending_receipt(&key, &pending(&error))?;
                Ok(Printed::Pending { key, error })
            }
        }
    }
}

/// The characters a receipt printed as `[U+XXXX]`, for the clerk to write in
/// by hand: `㛃 (U+36C3)`, comma separated.
pub fn write_in_by_hand(substituted: &[char]) -> String {
    substituted.iter().map(|c| format!("{c} (U+{:04X})", u32::from(*c))).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Acceptance, CaseInput};
    use crate::receipt::Paper;

    fn desk() -> Desk {
        Desk {
            spec: PrinterSpec::parse("none").unwrap(),
            templates: Templates::builtin().unwrap(),
            context: ReceiptContext::new("宁海路街道", 3, "025-83331234", Paper::MM58),
            policies: crate::window::builtin_policies().clone(),
        }
    }

    fn case() -> Case {
        let input: CaseInput = serde_json::from_value(serde_json::json!({
            "kind": "temporary",
            "applicant": {"name": "王芳", "id_number": "11010519491231002X", "residence": "urban"},
            "reason": "serious_illness",
            "requested_amount": "800",
        }))
        .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let at = chrono::TimeZone::with_ymd_and_hms(
            &chrono::FixedOffset::east_opt(8 * 3600).unwrap(),
            2026,
            11,
            29,
            9,
            0,
            0,
        )
        .unwrap();
        let id = CaseId::new("320106001", 3, day, 7);
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

    #[test]
    fn a_case_never_prints_as_a_daily_summary_and_the_summary_has_its_own_receipt() {
        let desk = desk();
        let err = desk.receipt(&case(), ReceiptKind::DailySummary, "clerk01", false).unwrap_err();
        assert!(err.to_string().contains("report daily --print"), "{err}");
        let acceptance = desk.receipt(&case(), ReceiptKind::Acceptance, "clerk01", false).unwrap();
        assert_eq!(acceptance.kind(), ReceiptKind::Acceptance);

        let summary = DailySummary::tally(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(), [&case()]);
        let r = desk.daily_summary(&summary, "super01", true);
        assert_eq!(r.kind(), ReceiptKind::DailySummary);
        let text = receipt::to_text(&r).join("\n");
        assert!(text.contains("窗口日汇总") && text.contains("2026-11-29") && text.contains("补打"), "{text}");
        assert!(text.contains("制表：super01"), "{text}");
        assert_eq!(daily_summary_key(summary.day), "daily_summary/2026-11-29");
    }
}
