//! The case JSON (`case add`, `case import`): intake records and exported cases.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    if let Ok(input) = onedoor::cli::parse_json::<onedoor::domain::case::CaseInput>(text) {
        let _ = input.validate(today);
    }
    if let Ok(case) = onedoor::cli::parse_json::<onedoor::domain::Case>(text) {
        let _ = serde_json::to_string(&case);
        let _ = onedoor::store::encode(&case, "case");
    }
});
