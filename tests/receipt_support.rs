//! Test support shared by the receipt and printer tests: an ESC/POS decoder
//! written apart from the encoder (from the command tables in
//! peripherals.md C), and realistic cases built from case JSON.
//! Included by the other tests with `#[path = "receipt_support.rs"] mod support;`;
//! run on its own it checks the decoder against hand-written bytes.
#![forbid(unsafe_code)]
#![allow(dead_code)]

use onedoor::domain::Case;
use serde_json::{json, Value};
use unicode_width::UnicodeWidthStr;

/// One printed line as the decoder saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedLine {
    pub text: String,
    /// 0 left, 1 centre, 2 right.
    pub align: u8,
    pub bold: bool,
    /// Character width and height multipliers from `GS !`.
    pub wide: u8,
    pub high: u8,
}

impl PrintedLine {
    /// Columns the line takes on paper: unicode-width (East Asian ambiguous
    /// as wide, as a Chinese printer prints them) times the width multiplier.
    pub fn columns(&self) -> usize {
        self.text.width_cjk() * usize::from(self.wide)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QrCode {
    pub model: Option<u8>,
    pub module: Option<u8>,
    pub level: Option<u8>,
    pub data: Vec<u8>,
    pub printed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    pub lines: Vec<PrintedLine>,
    pub qr: Vec<QrCode>,
    /// Lines fed by `ESC d`.
    pub fed: usize,
    pub cuts: usize,
    pub ends_with_cut: bool,
    pub initialised_first: bool,
    /// GB18030 four-byte sequences seen (a GBK printer cannot print them).
    pub four_byte: usize,
}

impl Decoded {
    pub fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|l| l.text.as_str()).collect()
    }

    pub fn all_text(&self) -> String {
        self.texts().join("\n")
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Style {
    align: u8,
    bold: bool,
    wide: u8,
    high: u8,
}

const FRESH: Style = Style { align: 0, bold: false, wide: 1, high: 1 };

/// Decodes an ESC/POS stream of the commands a receipt may use. Anything else
/// is an error, and so is a byte >= 0x80 outside Chinese mode, a style change
/// in the middle of a line, or text left without a line feed.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let mut d = Decoded { initialised_first: bytes.starts_with(&[0x1B, 0x40]), ..Decoded::default() };
    let mut chinese = false;
    let mut style = FRESH;
    let mut line_style: Option<Style> = None;
    let mut text: Vec<u8> = Vec::new();
    let mut qr = QrCode::default();
    let mut i = 0;
    let need = |i: usize, n: usize| -> Result<&[u8], String> {
        bytes.get(i..i + n).ok_or_else(|| format!("command at offset {i} is cut short"))
    };
    let flush =
        |d: &mut Decoded, text: &mut Vec<u8>, line_style: &mut Option<Style>, style: Style| -> Result<(), String> {
            let (s, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(text);
            if had_errors {
                return Err(format!("line {} is not valid GB18030", d.lines.len() + 1));
            }
            let st = line_style.take().unwrap_or(style);
            d.lines.push(PrintedLine {
                text: s.into_owned(),
                align: st.align,
                bold: st.bold,
                wide: st.wide,
                high: st.high,
            });
            text.clear();
            Ok(())
        };
    while i < bytes.len() {
        let b = bytes[i];
        let mid_line = !text.is_empty();
        let style_change = |what: &str| -> Result<(), String> {
            if mid_line {
                Err(format!("{what} at offset {i} in the middle of a line"))
            } else {
                Ok(())
            }
        };
        match b {
            0x1B => {
                let c = need(i, 2)?[1];
                match c {
                    b'@' => {
                        style_change("ESC @")?;
                        chinese = false;
                        style = FRESH;
                        i += 2;
                    }
                    b'a' => {
                        style_change("ESC a")?;
                        let n = need(i, 3)?[2];
                        style.align = match n {
                            0 | 48 => 0,
                            1 | 49 => 1,
                            2 | 50 => 2,
                            _ => return Err(format!("ESC a {n} at offset {i}")),
                        };
                        i += 3;
                    }
                    b'E' => {
                        style_change("ESC E")?;
                        style.bold = need(i, 3)?[2] & 1 == 1;
                        i += 3;
                    }
                    b'd' => {
                        let n = need(i, 3)?[2];
                        if mid_line {
                            flush(&mut d, &mut text, &mut line_style, style)?;
                            d.fed += usize::from(n.saturating_sub(1));
                        } else {
                            d.fed += usize::from(n);
                        }
                        i += 3;
                    }
                    other => return Err(format!("unknown ESC 0x{other:02X} at offset {i}")),
                }
            }
            0x1C => {
                let c = need(i, 2)?[1];
                match c {
                    b'&' => chinese = true,
                    b'.' => chinese = false,
                    other => return Err(format!("unknown FS 0x{other:02X} at offset {i}")),
                }
                i += 2;
            }
            0x1D => {
                let c = need(i, 2)?[1];
                match c {
                    b'!' => {
                        style_change("GS !")?;
                        let n = need(i, 3)?[2];
                        style.wide = ((n >> 4) & 7) + 1;
                        style.high = (n & 7) + 1;
                        i += 3;
                    }
                    b'V' => {
                        if mid_line {
                            return Err(format!("cut at offset {i} with text not yet printed"));
                        }
                        let m = need(i, 3)?[2];
                        i += match m {
                            0 | 1 | 48 | 49 => 3,
                            65 | 66 => 4,
                            _ => return Err(format!("GS V {m} at offset {i}")),
                        };
                        need(i - 1, 1)?;
                        d.cuts += 1;
                        d.ends_with_cut = i == bytes.len();
                    }
                    b'(' => {
                        let h = need(i, 5)?;
                        if h[2] != b'k' {
                            return Err(format!("GS ( 0x{:02X} at offset {i}", h[2]));
                        }
                        let len = usize::from(h[3]) + 256 * usize::from(h[4]);
                        let p = need(i + 5, len)?;
                        if len < 2 || p[0] != 49 {
                            return Err(format!("GS ( k at offset {i} is not a QR code command"));
                        }
                        match (p[1], len) {
                            (65, 4) => qr.model = Some(p[2]),
                            (67, 3) => qr.module = Some(p[2]),
                            (69, 3) => qr.level = Some(p[2]),
                            (80, n) if n >= 3 && p[2] == 48 => qr.data = p[3..].to_vec(),
                            (81, 3) if p[2] == 48 => {
                                qr.printed = true;
                                d.qr.push(std::mem::take(&mut qr));
                            }
                            (f, n) => return Err(format!("QR function {f} with {n} bytes at offset {i}")),
                        }
                        i += 5 + len;
                    }
                    other => return Err(format!("unknown GS 0x{other:02X} at offset {i}")),
                }
            }
            0x0A => {
                flush(&mut d, &mut text, &mut line_style, style)?;
                i += 1;
            }
            0x20..=0x7E => {
                line_style.get_or_insert(style);
                text.push(b);
                i += 1;
            }
            0x80..=0xFF => {
                if !chinese {
                    return Err(format!("byte 0x{b:02X} at offset {i} outside Chinese mode"));
                }
                line_style.get_or_insert(style);
                let second = need(i, 2)?[1];
                let n = if (0x30..=0x39).contains(&second) { 4 } else { 2 };
                if n == 4 {
                    d.four_byte += 1;
                }
                text.extend_from_slice(need(i, n)?);
                i += n;
            }
            other => return Err(format!("unexpected control byte 0x{other:02X} at offset {i}")),
        }
    }
    if !text.is_empty() {
        return Err("text at the end without a line feed".into());
    }
    Ok(d)
}

/// The case every receipt test starts from, as `case show --json` prints it.
pub fn case_json() -> Value {
    json!({
        "schema": "onedoor.case/1",
        "id": "320106001-03-20261129-0007",
        "kind": "temporary",
        "channel": "normal",
        "source": {"type": "walk_in"},
        "applicant": {"name": "王芳", "id_number": "11010519491231002X", "sex": "female",
                      "birth_date": "1949-12-31", "ethnicity": "汉", "address": "江苏省南京市鼓楼区宁海路街道北京西路7号",
                      "phone": "13800000000", "residence": "urban"},
        "household": {"size": 3, "monthly_income": "300.00", "members": []},
        "reason": "serious_illness",
        "description": "丈夫突发脑梗住院，家庭无其他收入。",
        "requested_amount": "5000.00",
        "entitlement": {"amount": "3000.00", "basis": "临时救助标准每案3000元", "flags": ["capped"]},
        "granted_amount": null,
        "state": "received",
        "referrals": [],
        "due_by": "2026-12-18",
        "documents": [
            {"name": "id_card", "received": true},
            {"name": "household_register", "received": false},
            {"name": "income_proof", "received": false},
            {"name": "application_form", "received": true}
        ],
        "ticket": 17,
        "operator": "clerk01",
        "received_at": "2026-11-29T09:12:33+08:00",
        "policy": "default-2026",
        "related_cases": [],
        "history": [{"at": "2026-11-29T09:12:33+08:00", "by": "clerk01", "action": "received", "note": null}]
    })
}

pub fn case_from(json: Value) -> Case {
    serde_json::from_value(json).unwrap()
}

/// The same case, approved for 3000.00 and paid on 2026-12-10 by clerk02.
pub fn disbursed_case_json() -> Value {
    let mut j = case_json();
    j["state"] = json!("disbursed");
    j["granted_amount"] = json!("3000.00");
    j["referrals"] = json!([{"department": "civil_affairs", "referred_at": "2026-11-29T10:00:00+08:00",
        "due_by": "2026-12-04", "handled_at": "2026-12-03T15:00:00+08:00", "outcome": "核实属实"}]);
    let h = j["history"].as_array_mut().unwrap();
    h.push(json!({"at": "2026-11-29T10:00:00+08:00", "by": "clerk01", "action": "referred", "note": "civil_affairs"}));
    h.push(json!({"at": "2026-12-03T15:00:00+08:00", "by": "civil01", "action": "reviewed", "note": null}));
    h.push(json!({"at": "2026-12-08T11:00:00+08:00", "by": "super01", "action": "approved", "note": "3000.00"}));
    h.push(json!({"at": "2026-12-10T10:05:00+08:00", "by": "clerk02", "action": "disbursed", "note": "3000.00"}));
    j["payment"] = json!({"source": "budget", "amount": "3000.00", "paid_at": "2026-12-10T10:05:00+08:00",
        "ledger_entry": null, "transfer_ref": "ZJ20261210-0042"});
    j
}

#[test]
fn the_decoder_reads_chinese_text_styles_qr_and_cut() {
    let mut b = vec![0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 0x01, 0x1D, 0x21, 0x11];
    b.extend_from_slice(&[0xCA, 0xDC, 0xC0, 0xED, 0xBB, 0xD8, 0xD6, 0xB4, 0x0A]); // 受理回执
    b.extend_from_slice(&[0x1D, 0x21, 0x00, 0x1B, 0x61, 0x00, b'A', b'1', 0x0A]);
    b.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
    b.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, b'X', b'Y']);
    b.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
    b.extend_from_slice(&[0x1B, 0x64, 0x03, 0x1D, 0x56, 0x00]);
    let d = decode(&b).unwrap();
    assert_eq!(d.texts(), ["受理回执", "A1"]);
    assert_eq!((d.lines[0].align, d.lines[0].wide, d.lines[0].high), (1, 2, 2));
    assert_eq!(d.lines[0].columns(), 16);
    assert_eq!(d.qr.len(), 1);
    assert_eq!((d.qr[0].model, d.qr[0].data.as_slice()), (Some(50), &b"XY"[..]));
    assert!(d.ends_with_cut && d.initialised_first);
    assert_eq!(d.fed, 3);
}

#[test]
fn the_decoder_refuses_high_bytes_outside_chinese_mode_and_unknown_commands() {
    let e = decode(&[0x1B, 0x40, 0xCA, 0xDC, 0x0A]).unwrap_err();
    assert!(e.contains("outside Chinese mode"), "{e}");
    let e = decode(&[0x1B, 0x40, 0x1C, 0x26, 0x1C, 0x2E, 0xCA, 0xDC, 0x0A]).unwrap_err();
    assert!(e.contains("outside Chinese mode"), "{e}");
    assert!(decode(&[0x10, 0x04, 0x01]).is_err());
    assert!(decode(&[0x1B, 0x40, b'x']).is_err());
    assert!(decode(&[b'x', 0x1B, 0x61, 0x01, 0x0A]).unwrap_err().contains("middle of a line"));
}

#[test]
fn the_fixture_cases_deserialize() {
    let c = case_from(case_json());
    assert_eq!(c.documents_owed().count(), 2);
    let d = case_from(disbursed_case_json());
    assert_eq!(d.granted_amount.map(|m| m.to_string()).as_deref(), Some("3000.00"));
}
