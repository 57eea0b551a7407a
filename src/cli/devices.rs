//! `onedoor card read`, `onedoor devices probe` and `onedoor receipt print|pending`:
//! the window's ID card reader and receipt printer from the command line.

use std::io::Write;
use std::time::Duration;

use super::case::parse_id;
use super::{CliError, CliResult, Session};
use crate::devices::idcard;
use crate::printing::{Desk, Printed};
use crate::receipt::ReceiptKind;

pub fn card_read(
    ctx: &Session,
    port: Option<&str>,
    baud: Option<u32>,
    wait: u64,
    json: bool,
    out: &mut dyn Write,
) -> CliResult {
    let config = ctx.reader_config(port, baud)?;
    let lang = ctx.config.counter.locale;
    idcard::run_card_read(&config, Duration::from_secs(wait), ctx.today(), json, lang, out)
        .map_err(|e| CliError::environment(e.message(lang)))
}

pub fn probe(ctx: &Session, out: &mut dyn Write) -> CliResult {
    let devices = &ctx.config.devices;
    idcard::run_devices_probe(devices.id_reader.as_deref(), devices.id_reader_baud, ctx.config.counter.locale, out)?;
    let printer = &ctx.config.devices.printer;
    match crate::devices::printer::PrinterSpec::parse(printer) {
        Ok(spec) if spec.prints_on_paper() => match crate::devices::printer::status(&spec) {
            Ok(status) => writeln!(out, "printer {printer}: {}", status.message(ctx.config.counter.locale))?,
            Err(e) => writeln!(out, "printer {printer}: {}", e.message(ctx.config.counter.locale))?,
        },
        Ok(_) => writeln!(out, "printer: none configured (receipts are shown on screen)")?,
        Err(e) => writeln!(out, "printer {printer}: {e}")?,
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
    let id = parse_id(id)?;
    let desk = Desk::from_config(&ctx.config, printer).map_err(|e| CliError::refused(e.to_string()))?;
    let store = ctx.open_existing_store()?;
    let case = store.case(&id)?.ok_or_else(|| CliError::refused(format!("no case {id}")))?;
    let kind = if disbursement { ReceiptKind::Disbursement } else { ReceiptKind::Acceptance };
    let key = crate::printing::pending_key(kind, &id);
    let reprint = crate::printing::is_pending(&store, &key)?;
    let lang = ctx.config.counter.locale;
    match desk
        .print_case(&store, &case, kind, &ctx.operator, reprint)
        .map_err(|e| CliError::environment(e.to_string()))?
    {
        Printed::OnPaper { status, substituted } => {
            writeln!(out, "printed the receipt of {id} ({})", status.message(lang))?;
            if !substituted.is_empty() {
                eprintln!(
                    "note: the printer cannot print {}; they are printed as [U+XXXX]: write them on the receipt by hand",
                    crate::printing::write_in_by_hand(&substituted)
                );
            }
            Ok(())
        }
        Printed::OnScreen(lines) => {
            for line in lines {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        Printed::Pending { key, error } => Err(CliError::environment(format!(
            "{}; the receipt is kept as pending ({key}) and can be printed again",
            error.message(lang)
        ))),
    }
}

pub fn receipt_pending(ctx: &Session, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_existing_store()?;
    for (key, pending) in crate::printing::pending_receipts(&store)? {
        writeln!(out, "{key}  {}", pending.reason)?;
    }
    Ok(())
}
