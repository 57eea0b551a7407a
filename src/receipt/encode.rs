//! ESC/POS bytes for a laid-out receipt: `ESC @`, `FS &` (Chinese mode), GB18030
//! text, `GS ( k` QR code, feed and cut. Characters the printer's font cannot
//! carry are replaced by their code, `[U+36C3]`, never dropped.

use std::cell::RefCell;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};
use serde::{Deserialize, Serialize};

use super::template::{Align, QrLevel, Size};
use super::{Line, Receipt};

/// The character set the printer's font holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charset {
    /// GBK (the double-byte part of GB18030): most printers sold in China.
    #[default]
    Gbk,
    /// Only GB2312 (levels I and II): older, low-end firmware.
    Gb2312,
}

impl Charset {
    /// The two GB18030 bytes of a character this printer can print, or `None`.
    fn double_byte(self, c: char) -> Option<[u8; 2]> {
        let mut buf = [0u8; 4];
        let (bytes, _, _) = encoding_rs::GB18030.encode(c.encode_utf8(&mut buf));
        let pair = match bytes.as_ref() {
            [a, b] if *a >= 0x81 => [*a, *b],
            _ => return None,
        };
        match self {
            Charset::Gbk => Some(pair),
            Charset::Gb2312 => ((0xA1..=0xF7).contains(&pair[0]) && (0xA1..=0xFE).contains(&pair[1])).then_some(pair),
        }
    }
}

/// Characters with a printable look-alike: `¥` is not in GBK, `￥` is.
fn look_alike(c: char) -> Option<char> {
    match c {
        '¥' => Some('￥'),
        '\u{a0}' | '\u{3000}' => Some(' '),
        '•' => Some('·'),
        _ => None,
    }
}

/// The text as the printer can carry it: ASCII and double-byte GB characters
/// are kept; control characters become spaces; any other character (a rare
/// name character outside GBK such as 㛃, anything GB18030 writes in four
/// bytes) is written as its code point, `[U+36C3]`, and recorded in `substituted`.
pub fn printable(text: &str, charset: Charset, substituted: &mut Vec<char>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = look_alike(c).unwrap_or(c);
        if c.is_ascii_control() || c.is_control() {
            out.push(' ');
        } else if c.is_ascii() || charset.double_byte(c).is_some() {
            out.push(c);
        } else {
            out.push_str(&format!("[U+{:04X}]", u32::from(c)));
            if !substituted.contains(&c) {
                substituted.push(c);
            }
        }
    }
    out
}

const GS: u8 = 0x1D;
const FS: u8 = 0x1C;
const LF: u8 = 0x0A;

/// Lines fed after the last line so the text clears the cutter.
pub const FEED_BEFORE_CUT: u8 = 4;

fn text_bytes(text: &str, charset: Charset, out: &mut Vec<u8>) {
    let mut ignored = Vec::new();
    for c in printable(text, charset, &mut ignored).chars() {
        if c.is_ascii() {
            out.push(c as u8);
        } else if let Some(pair) = charset.double_byte(c) {
            out.extend_from_slice(&pair);
        }
    }
}

/// An escpos `Driver` that keeps what is written, in memory: the crate's
/// commands become the receipt's bytes (the counter sends them itself, status first).
#[derive(Debug, Default)]
pub struct MemoryDriver(pub RefCell<Vec<u8>>);

impl Driver for MemoryDriver {
    fn name(&self) -> String {
        "memory".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// What the printer's QR code can hold (the crate refuses more than 7089 bytes).
const QR_MAX_BYTES: usize = 7000;

fn qr_level(level: QrLevel) -> QRCodeCorrectionLevel {
    match level {
        QrLevel::L => QRCodeCorrectionLevel::L,
        QrLevel::M => QRCodeCorrectionLevel::M,
        QrLevel::Q => QRCodeCorrectionLevel::Q,
        QrLevel::H => QRCodeCorrectionLevel::H,
    }
}

/// The receipt as ESC/POS bytes: initialise, Chinese mode, the lines (style
/// commands only where the style changes), feed, full cut. No byte >= 0x80
/// is sent before `FS &`. The commands are the escpos crate's; the text is
/// GB18030 (the crate has no Chinese mode), and the cut is `GS V 0`.
pub fn to_escpos(receipt: &Receipt) -> Vec<u8> {
    let mut printer = Printer::new(MemoryDriver::default(), Protocol::default(), None);
    if let Err(e) = write_receipt(&mut printer, receipt) {
        // Only a QR code beyond what the crate takes could fail, and its data is cut to fit.
        tracing::error!("the receipt could not be encoded whole: {e}");
    }
    printer.driver().0.into_inner()
}

fn write_receipt(p: &mut Printer<MemoryDriver>, receipt: &Receipt) -> escpos::errors::Result<()> {
    let charset = receipt.charset();
    p.init()?.custom(&[FS, b'&'])?;
    let (mut align, mut bold, mut size) = (Align::Left, false, Size::Normal);
    let justify = |p: &mut Printer<MemoryDriver>, cur: &mut Align, want: Align| -> escpos::errors::Result<()> {
        if *cur != want {
            let mode = match want {
                Align::Left => JustifyMode::LEFT,
                Align::Center => JustifyMode::CENTER,
                Align::Right => JustifyMode::RIGHT,
            };
            p.justify(mode)?;
            *cur = want;
        }
        Ok(())
    };
    for line in receipt.lines() {
        match line {
            Line::Text { text, align: a, bold: b, size: s } => {
                justify(p, &mut align, *a)?;
                if bold != *b {
                    p.bold(*b)?;
                    bold = *b;
                }
                if size != *s {
                    match s {
                        Size::Normal => p.size(1, 1)?,
                        Size::Tall => p.size(1, 2)?,
                        Size::Double => p.size(2, 2)?,
                    };
                    size = *s;
                }
                let mut out = Vec::new();
                text_bytes(text, charset, &mut out);
                out.push(LF);
                p.custom(&out)?;
            }
            Line::Qr { data, module, level } => {
                justify(p, &mut align, Align::Center)?;
                let mut end = data.len().min(QR_MAX_BYTES);
                while !data.is_char_boundary(end) {
                    end -= 1;
                }
                let option = QRCodeOption::new(QRCodeModel::Model2, (*module).clamp(1, 15), qr_level(*level));
                p.qrcode_option(&data[..end], option)?.custom(&[LF])?;
            }
            Line::Feed(n) => {
                p.feeds(*n)?;
            }
        }
    }
    if bold {
        p.bold(false)?;
    }
    if size != Size::Normal {
        p.size(1, 1)?;
    }
    justify(p, &mut align, Align::Left)?;
    // The crate's cut is `GS V A 0` (feed, then cut): the counter feeds itself and sends `GS V 0`.
    p.feeds(FEED_BEFORE_CUT)?.custom(&[GS, b'V', 0])?.print()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_encodes_as_the_reference_bytes() {
        let mut out = Vec::new();
        text_bytes("受理回执", Charset::Gbk, &mut out);
        assert_eq!(out, [0xCA, 0xDC, 0xC0, 0xED, 0xBB, 0xD8, 0xD6, 0xB4]);
    }

    #[test]
    fn rare_and_four_byte_characters_are_shown_by_code_and_recorded() {
        let mut subs = Vec::new();
        assert_eq!(printable("王㛃", Charset::Gbk, &mut subs), "王[U+36C3]");
        assert_eq!(printable("𠀀", Charset::Gbk, &mut subs), "[U+20000]");
        assert_eq!(subs, ['㛃', '𠀀']);
    }

    #[test]
    fn gbk_only_names_pass_on_gbk_but_not_on_gb2312() {
        let mut subs = Vec::new();
        assert_eq!(printable("张喆", Charset::Gbk, &mut subs), "张喆");
        assert_eq!(printable("张喆", Charset::Gb2312, &mut subs), "张[U+5586]");
    }

    #[test]
    fn yen_sign_and_controls_are_made_safe() {
        let mut subs = Vec::new();
        assert_eq!(printable("¥5\u{1b}@", Charset::Gbk, &mut subs), "￥5 @");
        assert!(subs.is_empty());
    }

    #[test]
    fn qr_store_length_counts_the_three_header_bytes() {
        let mut p = Printer::new(MemoryDriver::default(), Protocol::default(), None);
        let option = QRCodeOption::new(QRCodeModel::Model2, 6, qr_level(QrLevel::M));
        p.qrcode_option("SZJ-20240501-000123", option).unwrap().print().unwrap();
        let out = p.driver().0.into_inner();
        let store = [GS, b'(', b'k', 0x16, 0x00, 0x31, 0x50, 0x30, b'S', b'Z', b'J'];
        assert!(out.windows(store.len()).any(|w| w == store), "{out:02X?}");
        let model = [GS, b'(', b'k', 4, 0, 49, 65, 50, 0];
        assert!(out.starts_with(&model), "model 2 first: {out:02X?}");
    }
}
