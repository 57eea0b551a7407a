//! `onedoor card read`, `onedoor devices probe` and `onedoor receipt print|pending`:
//! the window's ID card reader and receipt printer from the command line.

use std::io::Write;
use std::time::Duration;

use super::case::parse_id;
use super::{CliError, CliResult, Session};
use crate::devices::idcard;
use crate::l10n::names;
use crate::printing::{Desk, Printed};
use crate::receipt::ReceiptKind;
use crate::tr;

pub fn card_read(
    ctx: &Session,
    port: Option<&str>,
    baud: Option<u32>,
    wait: u64,
    json: bool,
    out: &mut dyn Write,
) -> CliResult {
    let config = ctx.reader_config(port, baud)?;
    let lang = ctx.lang;
    idcard::run_card_read(&config, Duration::from_secs(wait), ctx.today(), json, lang, out)
        .map_err(|e| CliError::environment(e.message(lang)))
}

pub fn probe(ctx: &Session, out: &mut dyn Write) -> CliResult {
    let lang = ctx.lang;
    let devices = &ctx.config.devices;
    idcard::run_devices_probe(devices.id_reader.as_deref(), devices.id_reader_baud, ctx.lang, out)?;
    let printer = &ctx.config.devices.printer;
    match crate::devices::printer::PrinterSpec::parse(printer) {
        Ok(spec) if spec.prints_on_paper() => match crate::devices::printer::status(&spec) {
            Ok(status) => writeln!(
                out,
                "{}",
                tr!(lang, "probe-printer", printer = printer, state = names::printer_advice(status, lang))
            )?,
            Err(e) => writeln!(out, "{}", tr!(lang, "probe-printer", printer = printer, state = e.message(lang)))?,
        },
        Ok(_) => writeln!(out, "{}", tr!(lang, "probe-no-printer"))?,
        Err(e) => writeln!(out, "{}", tr!(lang, "probe-printer", printer = printer, state = e.to_string()))?,
    }
    Ok(())
}

pub fn receipt_print(
    ctx: &Session,
    id: &str,
    printer: Option<&str>,
    disbursement: bool,
    out: &mut dyn Write,
) -> CliResult {
    let lang = ctx.lang;
    let id = parse_id(id, lang)?;
    let mut desk = Desk::from_config(&ctx.config, printer).map_err(|e| CliError::refused(e.to_string()))?;
    desk.policies = ctx.policies.clone();
    let store = ctx.open_existing_store()?;
    let case = store.case(&id)?.ok_or_else(|| crate::store::StoreError::NotFound(id.clone()))?;
    let kind = if disbursement { ReceiptKind::Disbursement } else { ReceiptKind::Acceptance };
    let key = crate::printing::pending_key(kind, &id);
    let reprint = crate::printing::is_pending(&store, &key)?;
    match desk
        .print_case(&store, &case, kind, &ctx.operator, reprint)
        .map_err(|e| CliError::environment(e.to_string()))?
    {
        Printed::OnPaper { status, substituted } => {
            writeln!(out, "{}", tr!(lang, "receipt-printed", id = &id, status = names::printer_advice(status, lang)))?;
            if !substituted.is_empty() {
                let chars = crate::printing::write_in_by_hand(&substituted);
                ctx.note(&tr!(lang, "receipt-write-in-note", chars = chars));
            }
            Ok(())
        }
        Printed::OnScreen(lines) => {
            for line in lines {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        Printed::Pending { key, error } => {
            Err(CliError::environment(tr!(lang, "receipt-kept-pending", reason = error.message(lang), key = key)))
        }
    }
}

pub fn receipt_pending(ctx: &Session, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_existing_store()?;
    for (key, pending) in crate::printing::pending_receipts(&store)? {
        writeln!(out, "{key}  {}", pending.reason)?;
    }
    Ok(())
}
