//! The command-line faces of the reader: `onedoor card read` (one read, the
//! fields as text or JSON) and `onedoor devices probe` (which port is the reader).

use std::io::Write;
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use super::card::IdCard;
use super::probe::probe;
use super::reader::{read_once, ReaderConfig, ReaderError};
use crate::Lang;

/// The JSON object printed by `card read --json`.
#[derive(Serialize)]
struct CardOutput<'a> {
    schema: &'static str,
    #[serde(flatten)]
    card: &'a IdCard,
    expired: bool,
}

/// Today in China (+08:00), for the expiry flag.
fn today_in_china() -> NaiveDate {
    (Utc::now() + TimeDelta::hours(8)).date_naive()
}

/// One read, waiting up to `wait` for a card, printed to `out` as text in
/// `lang` or as one JSON object. A missing reader, no card, or a failed read
/// is an `Err` whose [`ReaderError::message`] tells the clerk what to do.
pub fn run_card_read(
    config: &ReaderConfig,
    wait: Duration,
    json: bool,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), ReaderError> {
    let card = read_once(config, wait)?;
    write_card(&card, today_in_china(), json, lang, out).map_err(|e| ReaderError::Output(e.to_string()))
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

/// Lists the serial ports present and says which answers as an ID card reader.
pub fn run_devices_probe(lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let reports = probe();
    if reports.is_empty() {
        return writeln!(out, "{}", lang.pick("没有找到串口。", "No serial ports found."));
    }
    for report in &reports {
        let usb = report.usb.as_deref().map(|u| format!(" [{u}]")).unwrap_or_default();
        writeln!(out, "{}{usb}  {}", report.path, report.finding.message(lang))?;
    }
    let readers: Vec<&str> = reports
        .iter()
        .filter(|r| r.finding == super::probe::PortFinding::IdCardReader)
        .map(|r| r.path.as_str())
        .collect();
    match readers.first() {
        Some(path) => writeln!(out, "{} {path}", lang.pick("身份证读卡器：", "ID card reader:")),
        None => writeln!(out, "{}", lang.pick("没有端口应答为身份证读卡器。", "No port answers as an ID card reader.")),
    }
}
