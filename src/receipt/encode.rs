//! ESC/POS bytes for a laid-out receipt: `ESC @`, `FS &` (Chinese mode), GB18030
//! text, `GS ( k` QR code, feed and cut. Characters the printer's font cannot
//! carry are replaced by their code, `[U+36C3]`, never dropped.

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

const ESC: u8 = 0x1B;
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

fn qr_bytes(data: &str, module: u8, level: QrLevel, out: &mut Vec<u8>) {
    let data = &data.as_bytes()[..data.len().min(7000)];
    let ec = match level {
        QrLevel::L => 48,
        QrLevel::M => 49,
        QrLevel::Q => 50,
        QrLevel::H => 51,
    };
    let len = data.len() + 3;
    out.extend_from_slice(&[GS, b'(', b'k', 4, 0, 49, 65, 50, 0]); // model 2
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 67, module.clamp(1, 16)]); // module size
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 69, ec]); // error correction
    out.extend_from_slice(&[GS, b'(', b'k', (len % 256) as u8, (len / 256) as u8, 49, 80, 48]); // store
    out.extend_from_slice(data);
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 81, 48]); // print
}

/// The receipt as ESC/POS bytes: initialise, Chinese mode, the lines (style
/// commands only where the style changes), feed, full cut. No byte >= 0x80
/// is sent before `FS &`.
pub fn to_escpos(receipt: &Receipt) -> Vec<u8> {
    let charset = receipt.charset();
    let mut out = vec![ESC, b'@', FS, b'&'];
    let (mut align, mut bold, mut size) = (Align::Left, false, Size::Normal);
    let set_align = |out: &mut Vec<u8>, cur: &mut Align, want: Align| {
        if *cur != want {
            let n = match want {
                Align::Left => 0,
                Align::Center => 1,
                Align::Right => 2,
            };
            out.extend_from_slice(&[ESC, b'a', n]);
            *cur = want;
        }
    };
    for line in receipt.lines() {
        match line {
            Line::Text { text, align: a, bold: b, size: s } => {
                set_align(&mut out, &mut align, *a);
                if bold != *b {
                    out.extend_from_slice(&[ESC, b'E', u8::from(*b)]);
                    bold = *b;
                }
                if size != *s {
                    let n = match s {
                        Size::Normal => 0x00,
                        Size::Tall => 0x01,
                        Size::Double => 0x11,
                    };
                    out.extend_from_slice(&[GS, b'!', n]);
                    size = *s;
                }
                text_bytes(text, charset, &mut out);
                out.push(LF);
            }
            Line::Qr { data, module, level } => {
                set_align(&mut out, &mut align, Align::Center);
                qr_bytes(data, *module, *level, &mut out);
                out.push(LF);
            }
            Line::Feed(n) => out.extend_from_slice(&[ESC, b'd', *n]),
        }
    }
    if bold {
        out.extend_from_slice(&[ESC, b'E', 0]);
    }
    if size != Size::Normal {
        out.extend_from_slice(&[GS, b'!', 0]);
    }
    set_align(&mut out, &mut align, Align::Left);
    out.extend_from_slice(&[ESC, b'd', FEED_BEFORE_CUT, GS, b'V', 0]);
    out
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
        let mut out = Vec::new();
        qr_bytes("SZJ-20240501-000123", 6, QrLevel::M, &mut out);
        let store = [GS, b'(', b'k', 0x16, 0x00, 0x31, 0x50, 0x30, b'S', b'Z', b'J'];
        assert!(out.windows(store.len()).any(|w| w == store));
    }
}
