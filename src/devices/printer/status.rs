//! The printer's real-time status (`DLE EOT n`, one byte back) and what it
//! means for the clerk, in zh-CN and en.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// What the printer says about itself before a receipt is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterStatus {
    Ready,
    /// Prints, but the roll is nearly finished.
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    /// Offline for no reason it reports (pressed offline, or waiting to recover).
    Offline,
    /// Cutter jam, head too hot or another fault.
    Error,
    /// Nothing came back in time.
    NotAnswering,
    /// Something came back that is not a status byte (wrong baud rate, not an ESC/POS printer).
    BadReply,
}

/// The raw answers to `DLE EOT` 1 (printer), 2 (offline cause), 4 (paper
/// sensor) and, only when 2 reports an error, 3 (error cause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReplies {
    pub printer: u8,
    pub offline_cause: u8,
    pub paper: u8,
    pub error_cause: Option<u8>,
}

/// Every status byte has bit 1 and bit 4 set, bit 0 and bit 7 clear (0x12 = all clear).
pub fn is_status_byte(b: u8) -> bool {
    b & 0x93 == 0x12
}

impl StatusReplies {
    /// What the answers mean, the most specific cause first.
    pub fn status(&self) -> PrinterStatus {
        let all = [Some(self.printer), Some(self.offline_cause), Some(self.paper), self.error_cause];
        if !all.iter().flatten().all(|b| is_status_byte(*b)) {
            return PrinterStatus::BadReply;
        }
        if self.offline_cause & 0x04 != 0 {
            PrinterStatus::CoverOpen
        } else if self.paper & 0x60 != 0 || self.offline_cause & 0x20 != 0 {
            PrinterStatus::PaperOut
        } else if self.offline_cause & 0x40 != 0 {
            PrinterStatus::Error
        } else if self.printer & 0x08 != 0 {
            PrinterStatus::Offline
        } else if self.paper & 0x0C != 0 {
            PrinterStatus::PaperNearEnd
        } else {
            PrinterStatus::Ready
        }
    }
}

impl PrinterStatus {
    /// May a receipt be sent? (Ready, or paper near its end.)
    pub fn can_print(self) -> bool {
        matches!(self, PrinterStatus::Ready | PrinterStatus::PaperNearEnd)
    }

    /// What the clerk reads on screen.
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            PrinterStatus::Ready => lang.pick("打印机就绪", "The printer is ready"),
            PrinterStatus::PaperNearEnd => {
                lang.pick("打印纸即将用完，请准备换纸", "The paper roll is nearly finished; have a new roll ready")
            }
            PrinterStatus::PaperOut => {
                lang.pick("打印机缺纸，请装纸后补打回执", "The printer is out of paper; load a roll and reprint")
            }
            PrinterStatus::CoverOpen => {
                lang.pick("打印机上盖未合好，请合上后补打回执", "The printer cover is open; close it and reprint")
            }
            PrinterStatus::Offline => lang.pick(
                "打印机处于脱机状态，请检查电源和按键后补打回执",
                "The printer is offline; check its power and buttons, then reprint",
            ),
            PrinterStatus::Error => lang.pick(
                "打印机故障（切刀卡纸或打印头过热），请排除后补打回执",
                "The printer reports a fault (cutter jam or hot print head); clear it and reprint",
            ),
            PrinterStatus::NotAnswering => {
                lang.pick("打印机没有应答，请检查电源和连线", "The printer does not answer; check its power and cable")
            }
            PrinterStatus::BadReply => lang.pick(
                "打印机的应答无法识别，请检查波特率等设置",
                "The printer's answer cannot be read; check the baud rate and settings",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(printer: u8, offline_cause: u8, paper: u8) -> PrinterStatus {
        StatusReplies { printer, offline_cause, paper, error_cause: None }.status()
    }

    #[test]
    fn the_worked_replies_mean_what_the_manual_says() {
        assert_eq!(st(0x12, 0x12, 0x12), PrinterStatus::Ready);
        assert_eq!(st(0x1A, 0x32, 0x7E), PrinterStatus::PaperOut);
        assert_eq!(st(0x1A, 0x16, 0x12), PrinterStatus::CoverOpen);
        assert_eq!(st(0x1A, 0x12, 0x12), PrinterStatus::Offline);
        assert_eq!(st(0x12, 0x12, 0x1E), PrinterStatus::PaperNearEnd);
        assert_eq!(st(0x1A, 0x52, 0x12), PrinterStatus::Error);
        assert_eq!(st(0x00, 0x12, 0x12), PrinterStatus::BadReply);
    }

    #[test]
    fn only_ready_and_near_end_print_and_every_status_has_both_languages() {
        use PrinterStatus::*;
        for s in [Ready, PaperNearEnd, PaperOut, CoverOpen, Offline, Error, NotAnswering, BadReply] {
            assert_eq!(s.can_print(), matches!(s, Ready | PaperNearEnd));
            assert!(!s.message(Lang::ZhCn).is_ascii());
            assert!(s.message(Lang::En).is_ascii());
        }
    }
}
