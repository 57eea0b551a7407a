//! The printer's real-time status (`DLE EOT n`, one byte back) and what it
//! means (what the clerk reads is in the locale files: `printer-*`).

use serde::{Deserialize, Serialize};

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

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
        use crate::l10n::names::{printer_advice, printer_status};
        use PrinterStatus::*;
        for s in [Ready, PaperNearEnd, PaperOut, CoverOpen, Offline, Error, NotAnswering, BadReply] {
            assert_eq!(s.can_print(), matches!(s, Ready | PaperNearEnd));
            assert!(!printer_advice(s, Lang::ZhCn).is_ascii() && !printer_status(s, Lang::ZhCn).is_ascii());
            assert!(printer_advice(s, Lang::En).is_ascii() && printer_status(s, Lang::En).is_ascii());
        }
    }
}
