//! The command-line faces of the reader: `onedoor card read` (one read, the
//! fields as text or JSON) and `onedoor devices probe` (which port is the reader).

use std::io::Write;
use std::time::Duration;

use chrono::NaiveDate;
use serde::Serialize;

use super::card::IdCard;
use super::probe::{probe, PortFinding};
use super::reader::{read_once, ReaderConfig, ReaderError};
use crate::{tr, Lang};

/// The JSON object printed by `card read --json`.
#[derive(Serialize)]
struct CardOutput<'a> {
    schema: &'static str,
    #[serde(flatten)]
    card: &'a IdCard,
    expired: bool,
}

/// One read, waiting up to `wait` for a card, printed to `out` as text in
/// `lang` or as one JSON object. `today` is the command's day (the counter's
/// clock and UTC offset, or `ONEDOOR_NOW`): a card valid through an earlier
/// day is flagged expired. A missing reader, no card, or a failed read is an
/// `Err` whose [`ReaderError::message`] tells the clerk what to do.
pub fn run_card_read(
    config: &ReaderConfig,
    wait: Duration,
    today: NaiveDate,
    json: bool,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), ReaderError> {
    let card = read_once(config, wait)?;
    write_card(&card, today, json, lang, out).map_err(|e| ReaderError::Output(e.to_string()))
}

/// Prints a card as `card read` does (as of `today`).
pub fn write_card(card: &IdCard, today: NaiveDate, json: bool, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        let output = CardOutput { schema: "onedoor.id_card/1", card, expired: card.is_expired(today) };
        serde_json::to_writer_pretty(&mut *out, &output)?;
        writeln!(out)
    } else {
        out.write_all(card.render(lang, today).as_bytes())
    }
}

/// Lists the serial ports present (and the configured reader's port) and says
/// which answers as an ID card reader, and at what rate.
pub fn run_devices_probe(
    configured_port: Option<&str>,
    configured_baud: u32,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let reports = probe(configured_port, configured_baud);
    if reports.is_empty() {
        return writeln!(out, "{}", tr!(lang, "probe-no-ports"));
    }
    for report in &reports {
        let usb = report.usb.as_deref().map(|u| format!(" [{u}]")).unwrap_or_default();
        let configured = if report.configured { tr!(lang, "probe-configured") } else { "" };
        let baud = report.baud.map(|b| tr!(lang, "probe-baud", baud = b)).unwrap_or_default();
        writeln!(out, "{}{usb}{configured}  {}{baud}", report.path, report.finding.message(lang))?;
    }
    let reader = reports.iter().find(|r| r.finding == PortFinding::IdCardReader);
    match reader {
        Some(r) => {
            let baud = r.baud.unwrap_or(configured_baud);
            writeln!(out, "{}", tr!(lang, "probe-reader", port = &r.path, baud = baud))?;
            if baud != configured_baud {
                writeln!(out, "{}", tr!(lang, "probe-baud-differs", baud = baud))?;
            }
            Ok(())
        }
        None => writeln!(out, "{}", tr!(lang, "probe-no-reader")),
    }
}
