//! A receipt template, of each kind.
#![no_main]
use libfuzzer_sys::fuzz_target;
use onedoor::receipt::{ReceiptKind, Template};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for kind in [ReceiptKind::Acceptance, ReceiptKind::Disbursement, ReceiptKind::DailySummary] {
            let _ = Template::parse(kind, "fuzz.txt", text);
        }
    }
});
