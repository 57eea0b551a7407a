//! Finding the reader: lists the serial ports present (ttyUSB*, ttyACM*, ttyS*)
//! and asks each, briefly, whether it answers as an ID card reader.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::frame::{Command, Status};
use super::reader::{Link, ReaderError};
use crate::{tr, Lang};

/// How long a probed port may take to answer the SAM check, at each rate.
const PROBE_TIMEOUT: Duration = Duration::from_millis(300);
/// The reader's factory setting.
const FACTORY_BAUD: u32 = 115_200;
/// The slowest rate a reader can be set to (command `60 04`), and a common one.
const SLOW_BAUD: u32 = 9_600;

/// What probing one port found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "detail")]
pub enum PortFinding {
    /// It answered the SAM check with "ready".
    IdCardReader,
    /// It speaks the reader's protocol but is not ready (e.g. SAM not authorised).
    ReaderNotReady(String),
    /// It opened but did not answer as an ID card reader.
    NoAnswer,
    /// A built-in serial port with no hardware behind it.
    Absent,
    /// It could not be opened (busy, permissions…).
    Unusable(String),
}

impl PortFinding {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            PortFinding::IdCardReader => tr!(lang, "probe-port-reader").into(),
            PortFinding::ReaderNotReady(why) => tr!(lang, "probe-port-not-ready", why = why),
            PortFinding::NoAnswer => tr!(lang, "probe-port-no-answer").into(),
            PortFinding::Absent => tr!(lang, "probe-port-absent").into(),
            PortFinding::Unusable(why) => tr!(lang, "probe-port-unusable", why = why),
        }
    }
}

/// One serial port and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortReport {
    pub path: String,
    /// USB vendor:product and product name, when the port is on USB.
    pub usb: Option<String>,
    /// It is the config's `[devices] id_reader`.
    pub configured: bool,
    /// The rate it answered at, when it speaks the reader's protocol.
    pub baud: Option<u32>,
    pub finding: PortFinding,
}

/// The rates a reader is looked for at, in order and each once: the
/// configured one, the factory 115200, then 9600.
pub fn probe_rates(configured: u32) -> Vec<u32> {
    let mut rates = vec![configured];
    for rate in [FACTORY_BAUD, SLOW_BAUD] {
        if !rates.contains(&rate) {
            rates.push(rate);
        }
    }
    rates
}

/// Lists the serial ports present, plus the configured reader's port when it
/// is not among them (a `/dev/serial/by-id` link is, a pseudo-terminal is
/// not), and probes each at [`probe_rates`] (ports in parallel: about a
/// second in all when nothing answers).
pub fn probe(configured_port: Option<&str>, configured_baud: u32) -> Vec<PortReport> {
    let sys = Path::new("/sys/class/tty");
    let mut names: Vec<String> = match sys.read_dir() {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| ["ttyUSB", "ttyACM", "ttyS"].iter().any(|p| n.starts_with(p)))
            .filter(|n| Path::new("/dev").join(n).exists())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort_by_key(|n| port_order(n));
    // (path, a built-in UART with no hardware, configured)
    let mut ports: Vec<(String, bool, bool)> = names
        .iter()
        .map(|name| {
            let path = format!("/dev/{name}");
            let absent = name.starts_with("ttyS") && uart_absent(&sys.join(name));
            let configured = configured_port.is_some_and(|c| same_port(c, &path));
            (path, absent, configured)
        })
        .collect();
    if let Some(port) = configured_port {
        if !ports.iter().any(|(_, _, configured)| *configured) {
            ports.insert(0, (port.to_string(), false, true));
        }
    }
    let rates = probe_rates(configured_baud);
    let usb = usb_descriptions();
    std::thread::scope(|scope| {
        let probes: Vec<_> = ports
            .into_iter()
            .map(|(path, absent, configured)| {
                let rates = &rates;
                scope.spawn(move || {
                    let (finding, baud) =
                        if absent { (PortFinding::Absent, None) } else { probe_port_at_rates(&path, rates) };
                    (path, configured, baud, finding)
                })
            })
            .collect();
        probes
            .into_iter()
            .filter_map(|probe| probe.join().ok())
            .map(|(path, configured, baud, finding)| {
                let usb = usb.iter().find(|(p, _)| *p == path).map(|(_, d)| d.clone());
                PortReport { path, usb, configured, baud, finding }
            })
            .collect()
    })
}

/// Whether two paths name the same device (a by-id link and its ttyUSB node).
fn same_port(a: &str, b: &str) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Opens `path` at `baud` and sends the SAM status check.
pub fn probe_port(path: &str, baud: u32) -> PortFinding {
    probe_once(path, baud).0
}

/// Probes `path` at each rate in turn until it answers as a reader: what was
/// found, and the rate it answered at. A port that cannot be opened, or a
/// reader's clear answer (ready or not), ends the search; silence or a
/// damaged answer (the wrong rate looks like that) tries the next rate.
pub fn probe_port_at_rates(path: &str, rates: &[u32]) -> (PortFinding, Option<u32>) {
    let mut damaged = None;
    for &baud in rates {
        match probe_once(path, baud) {
            (finding @ (PortFinding::Absent | PortFinding::Unusable(_)), _) => return (finding, None),
            (finding, true) => return (finding, Some(baud)),
            (finding @ PortFinding::ReaderNotReady(_), false) => damaged = damaged.or(Some((finding, Some(baud)))),
            (_, false) => {}
        }
    }
    damaged.unwrap_or((PortFinding::NoAnswer, None))
}

/// What one attempt found, and whether it is settled (another rate would not change it).
fn probe_once(path: &str, baud: u32) -> (PortFinding, bool) {
    let mut link = match Link::open(path, baud) {
        Ok(link) => link,
        Err(ReaderError::NotFound { .. }) => return (PortFinding::Absent, true),
        Err(e) if path.contains("ttyS") => {
            tracing::debug!(port = path, error = %e, "built-in serial port cannot be opened");
            return (PortFinding::Absent, true);
        }
        Err(e) => return (PortFinding::Unusable(e.to_string()), true),
    };
    match link.exchange(&Command::SAM_STATUS, PROBE_TIMEOUT) {
        Ok(response) if response.status() == Status::Success => (PortFinding::IdCardReader, true),
        Ok(response) => (PortFinding::ReaderNotReady(response.status().message(Lang::En)), true),
        Err(ReaderError::Garbled(_)) => (PortFinding::ReaderNotReady("its answer was damaged".into()), false),
        Err(_) => (PortFinding::NoAnswer, false),
    }
}

/// ttyUSB0 < ttyUSB1 < ttyUSB10, USB before ACM before built-in ports.
fn port_order(name: &str) -> (u8, String, u32) {
    let rank = if name.starts_with("ttyUSB") {
        0
    } else if name.starts_with("ttyACM") {
        1
    } else {
        2
    };
    let prefix: String = name.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let number = name[prefix.len()..].parse().unwrap_or(u32::MAX);
    (rank, prefix, number)
}

/// A built-in UART whose type is 0 (PORT_UNKNOWN) has no hardware.
fn uart_absent(sys_entry: &Path) -> bool {
    match std::fs::read_to_string(sys_entry.join("type")) {
        Ok(t) => t.trim() == "0",
        Err(_) => false,
    }
}

/// Port path -> "vid:pid product" for USB serial ports.
fn usb_descriptions() -> Vec<(String, String)> {
    if !Path::new("/sys/class/tty").is_dir() {
        return Vec::new();
    }
    let Ok(ports) = serialport::available_ports() else {
        return Vec::new();
    };
    ports
        .into_iter()
        .filter_map(|p| match p.port_type {
            serialport::SerialPortType::UsbPort(info) => {
                let mut description = format!("{:04x}:{:04x}", info.vid, info.pid);
                for part in [info.manufacturer, info.product].into_iter().flatten() {
                    description.push(' ');
                    description.push_str(&part);
                }
                Some((p.port_name, description))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_sort_as_a_person_would() {
        let mut names = vec!["ttyS1", "ttyUSB10", "ttyACM0", "ttyUSB2", "ttyS0"];
        names.sort_by_key(|n| port_order(n));
        assert_eq!(names, ["ttyUSB2", "ttyUSB10", "ttyACM0", "ttyS0", "ttyS1"]);
    }

    #[test]
    fn a_missing_port_is_absent_not_an_error() {
        assert_eq!(probe_port("/dev/ttyUSB-onedoor-none", 115_200), PortFinding::Absent);
        assert_eq!(probe_port_at_rates("/dev/ttyUSB-onedoor-none", &[115_200, 9_600]), (PortFinding::Absent, None));
    }

    #[test]
    fn the_configured_rate_is_tried_first_then_the_factory_rate_then_9600() {
        assert_eq!(probe_rates(115_200), [115_200, 9_600]);
        assert_eq!(probe_rates(9_600), [9_600, 115_200]);
        assert_eq!(probe_rates(57_600), [57_600, 115_200, 9_600]);
    }
}
