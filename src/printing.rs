//! Printing at the window: a receipt is made from a case only after the case is
//! durably committed; if the printer cannot take it (paper out, cover open,
//! offline, not answering), the receipt goes on the store's durable pending
//! list and the case itself is never affected.

use std::path::Path;

use crate::config::Config;
use crate::devices::printer::{self, PendingReceipt, PrintError, PrinterSpec, PrinterStatus};
use crate::domain::{Case, CaseId};
use crate::receipt::{self, Paper, Receipt, ReceiptContext, ReceiptKind, Templates};
use crate::store::{Store, StoreError};

/// What happened to a receipt.
#[derive(Debug)]
pub enum Printed {
    /// On paper; the printer's state after it (paper near end is worth a warning).
    OnPaper(PrinterStatus),
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

/// The key of a case's receipt on the pending list.
pub fn pending_key(kind: ReceiptKind, id: &CaseId) -> String {
    let k = match kind {
        ReceiptKind::Acceptance => "acceptance",
        ReceiptKind::Disbursement => "disbursement",
        ReceiptKind::DailySummary => "daily_summary",
    };
    format!("{k}/{id}")
}

/// Everything printing needs from the config, prepared once.
pub struct Desk {
    pub spec: PrinterSpec,
    pub templates: Templates,
    pub context: ReceiptContext,
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
        Ok(Desk { spec, templates, context })
    }

    /// The receipt of `kind` for a case.
    pub fn receipt(&self, case: &Case, kind: ReceiptKind, clerk: &str, reprint: bool) -> Receipt {
        let mut ctx = self.context.clone();
        ctx.clerk = Some(clerk.to_string());
        ctx.reprint = reprint;
        match kind {
            ReceiptKind::Disbursement => receipt::disbursement(case, &ctx, &self.templates),
            ReceiptKind::Acceptance | ReceiptKind::DailySummary => receipt::acceptance(case, &ctx, &self.templates),
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
        let receipt = self.receipt(case, kind, clerk, reprint);
        let key = pending_key(kind, &case.id);
        if !self.spec.prints_on_paper() {
            return Ok(Printed::OnScreen(receipt::to_text(&receipt)));
        }
        match printer::print(&self.spec, &receipt::to_escpos(&receipt)) {
            Ok(status) => {
                if reprint {
                    store.remove_pending_receipt(&key)?;
                }
                Ok(Printed::OnPaper(status))
            }
            Err(error) => {
                store.add_pending_receipt(&key, &PendingReceipt::for_case(kind, &case.id, &error))?;
                Ok(Printed::Pending { key, error })
            }
        }
    }
}
