//! Printer spec strings from the config and the command line:
//! `serial:/dev/ttyS0?baud=9600`, `usb:/dev/usb/lp0`, `tcp:192.168.1.50:9100`,
//! `file:/path/out.bin`, `none`; with `status=off` and `timeout_ms=N` options.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How the counter reaches its printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// A serial port (RS-232 or USB-serial), written raw.
    Serial { path: PathBuf, baud: u32 },
    /// The kernel's usblp character device, e.g. `/dev/usb/lp0`.
    Usb { path: PathBuf },
    /// A network printer's raw port (9100 unless given).
    Tcp { host: String, port: u16 },
    /// Append the bytes to a file (tests, or a spool picked up elsewhere).
    File { path: PathBuf },
    /// No printer: the receipt is shown on screen instead.
    None,
}

/// A parsed printer spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSpec {
    pub connection: Connection,
    /// Ask `DLE EOT` before printing (serial, usb, tcp; `status=off` turns it off
    /// for a printer that never answers).
    pub ask_status: bool,
    /// How long to wait for each status answer.
    pub status_timeout: Duration,
}

/// Default wait for one status byte.
pub const STATUS_TIMEOUT: Duration = Duration::from_millis(500);
pub const DEFAULT_BAUD: u32 = 9600;
pub const DEFAULT_TCP_PORT: u16 = 9100;

/// Why a printer spec was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("printer '{spec}': {problem}; expected serial:/dev/ttyS0?baud=9600, usb:/dev/usb/lp0, tcp:192.168.1.50:9100, file:/path/out.bin or none")]
pub struct SpecError {
    pub spec: String,
    pub problem: String,
}

impl PrinterSpec {
    pub fn none() -> PrinterSpec {
        PrinterSpec { connection: Connection::None, ask_status: false, status_timeout: STATUS_TIMEOUT }
    }

    /// Parses a spec string; the error says what is wrong and what is expected.
    pub fn parse(text: &str) -> Result<PrinterSpec, SpecError> {
        let spec = text.trim();
        let bad = |problem: String| SpecError { spec: spec.to_string(), problem };
        if spec.is_empty() {
            return Err(bad("it is empty".into()));
        }
        if spec == "none" {
            return Ok(PrinterSpec::none());
        }
        let Some((scheme, rest)) = spec.split_once(':') else {
            return Err(bad("it has no kind of connection before ':'".into()));
        };
        let (target, query) = match rest.split_once('?') {
            Some((t, q)) => (t, Some(q)),
            None => (rest, None),
        };
        let mut baud = None;
        let mut ask_status = None;
        let mut status_timeout = STATUS_TIMEOUT;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "baud" => match v.parse::<u32>() {
                    Ok(b) if (300..=4_000_000).contains(&b) => baud = Some(b),
                    _ => return Err(bad(format!("baud '{v}' is not a baud rate such as 9600 or 115200"))),
                },
                "status" => match v {
                    "on" => ask_status = Some(true),
                    "off" => ask_status = Some(false),
                    _ => return Err(bad(format!("status '{v}' must be on or off"))),
                },
                "timeout_ms" => match v.parse::<u64>() {
                    Ok(ms) if (10..=10_000).contains(&ms) => status_timeout = Duration::from_millis(ms),
                    _ => return Err(bad(format!("timeout_ms '{v}' must be from 10 to 10000"))),
                },
                other => return Err(bad(format!("unknown option '{other}' (known: baud, status, timeout_ms)"))),
            }
        }
        let path = |what: &str| -> Result<PathBuf, SpecError> {
            if target.is_empty() {
                Err(bad(format!("the {what} path is missing")))
            } else if what != "file" && !target.starts_with('/') {
                Err(bad(format!("the {what} device must be an absolute path such as /dev/…")))
            } else {
                Ok(PathBuf::from(target))
            }
        };
        let connection = match scheme {
            "serial" => Connection::Serial { path: path("serial")?, baud: baud.unwrap_or(DEFAULT_BAUD) },
            "usb" => Connection::Usb { path: path("usb")? },
            "tcp" => {
                let (host, port) = host_port(target).map_err(bad)?;
                Connection::Tcp { host, port }
            }
            "file" => Connection::File { path: path("file")? },
            other => return Err(bad(format!("'{other}' is not a kind of printer connection"))),
        };
        if baud.is_some() && !matches!(connection, Connection::Serial { .. }) {
            return Err(bad("baud applies only to a serial printer".into()));
        }
        let can_answer = !matches!(connection, Connection::File { .. });
        if ask_status == Some(true) && !can_answer {
            return Err(bad("a file cannot answer a status query".into()));
        }
        Ok(PrinterSpec { connection, ask_status: ask_status.unwrap_or(can_answer), status_timeout })
    }

    /// Whether receipts go to paper (false for `none`: show them on screen).
    pub fn prints_on_paper(&self) -> bool {
        !matches!(self.connection, Connection::None)
    }
}

fn host_port(target: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(v6) = target.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, rest)) => (h, rest.strip_prefix(':')),
            None => return Err("an IPv6 address needs a closing ']'".into()),
        }
    } else {
        match target.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (target, None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    let port = match port {
        None => DEFAULT_TCP_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(format!("'{p}' is not a port number")),
        },
    };
    Ok((host.to_string(), port))
}

impl fmt::Display for PrinterSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut opts: Vec<String> = Vec::new();
        match &self.connection {
            Connection::Serial { path, baud } => {
                write!(f, "serial:{}", path.display())?;
                opts.push(format!("baud={baud}"));
            }
            Connection::Usb { path } => write!(f, "usb:{}", path.display())?,
            Connection::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}")?,
            Connection::Tcp { host, port } => write!(f, "tcp:{host}:{port}")?,
            Connection::File { path } => return write!(f, "file:{}", path.display()),
            Connection::None => return f.write_str("none"),
        }
        if !self.ask_status {
            opts.push("status=off".into());
        }
        if self.status_timeout != STATUS_TIMEOUT {
            opts.push(format!("timeout_ms={}", self.status_timeout.as_millis()));
        }
        if !opts.is_empty() {
            write!(f, "?{}", opts.join("&"))?;
        }
        Ok(())
    }
}

impl FromStr for PrinterSpec {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<PrinterSpec, SpecError> {
        PrinterSpec::parse(s)
    }
}

impl Serialize for PrinterSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PrinterSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PrinterSpec, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_spec_parses_and_prints_back() {
        for (text, shown) in [
            ("serial:/dev/ttyS0?baud=9600", "serial:/dev/ttyS0?baud=9600"),
            ("serial:/dev/ttyUSB0", "serial:/dev/ttyUSB0?baud=9600"),
            ("usb:/dev/usb/lp0", "usb:/dev/usb/lp0"),
            ("usb:/dev/usb/lp0?status=off", "usb:/dev/usb/lp0?status=off"),
            ("tcp:192.168.1.50:9100", "tcp:192.168.1.50:9100"),
            ("tcp:printer.local", "tcp:printer.local:9100"),
            ("tcp:[::1]:9101?timeout_ms=200", "tcp:[::1]:9101?timeout_ms=200"),
            ("file:/tmp/out.bin", "file:/tmp/out.bin"),
            (" none ", "none"),
        ] {
            let spec = PrinterSpec::parse(text).unwrap();
            assert_eq!(spec.to_string(), shown);
            assert_eq!(PrinterSpec::parse(shown).unwrap(), spec);
        }
        let s = PrinterSpec::parse("serial:/dev/ttyS0?baud=115200").unwrap();
        assert_eq!(s.connection, Connection::Serial { path: "/dev/ttyS0".into(), baud: 115200 });
        assert!(s.ask_status);
        assert!(!PrinterSpec::parse("file:out.bin").unwrap().ask_status);
        assert!(!PrinterSpec::parse("none").unwrap().prints_on_paper());
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (text, says) in [
            ("", "it is empty"),
            ("lpt1", "no kind of connection"),
            ("bluetooth:x", "'bluetooth' is not a kind"),
            ("serial:", "serial path is missing"),
            ("serial:ttyS0", "absolute path"),
            ("serial:/dev/ttyS0?baud=fast", "baud 'fast'"),
            ("usb:/dev/usb/lp0?baud=9600", "baud applies only"),
            ("tcp:10.0.0.1:99999", "'99999' is not a port"),
            ("tcp::9100", "host is missing"),
            ("tcp:10.0.0.1?colour=red", "unknown option 'colour'"),
            ("file:/x?status=on", "cannot answer"),
        ] {
            let e = PrinterSpec::parse(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
            assert!(e.contains("expected serial:"), "{e}");
        }
    }
}
