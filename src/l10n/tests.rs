//! The locale files: both parse, hold the same messages, and every message
//! the code names is in them; none carries bidi isolation marks.

use std::collections::BTreeSet;
use std::path::Path;

use fluent_bundle::FluentResource;

use super::*;
use crate::domain::case::{Flag, Step};
use crate::domain::policy::{BillItem, FullStandardCategory, SupportMode};
use crate::domain::{Channel, Department, Document, Kind, Reason, Residence, State};

fn ids(lang: Lang) -> BTreeSet<String> {
    let resource = FluentResource::try_new(source(lang).to_string())
        .unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", lang.code()));
    let ids: Vec<String> = message_ids(&resource);
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "{} defines a message twice", lang.code());
    set
}

#[test]
fn both_locale_files_parse_and_hold_the_same_message_ids() {
    let (zh, en) = (ids(Lang::ZhCn), ids(Lang::En));
    let only_zh: Vec<_> = zh.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&zh).collect();
    assert!(only_zh.is_empty() && only_en.is_empty(), "only in zh-CN: {only_zh:?}; only in en: {only_en:?}");
    assert!(zh.len() > 400, "{}", zh.len());
}

/// Every string literal the code passes as a message id: `tr!(lang, "id" …)`,
/// `text(lang, "id")` and the ids of [`crate::ui::strings::S`].
fn ids_in_code() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut sources = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
    let mut found = BTreeSet::new();
    for text in &sources {
        for pattern in ["tr!(", "text(lang, ", "l10n::text(lang, "] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(pattern) {
                rest = &rest[at + pattern.len()..];
                // `tr!(lang, "id"`: skip to the first string literal of the call, on the same or the next line.
                let head: String = rest.chars().take(160).collect();
                let Some(open) = head.find('"') else { continue };
                if head[..open].contains(';') || head[..open].contains('{') {
                    continue;
                }
                let after = &head[open + 1..];
                let Some(close) = after.find('"') else { continue };
                let id = &after[..close];
                if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    found.insert(id.to_string());
                }
            }
        }
    }
    found.remove("id");
    found
}

#[test]
fn every_message_the_code_names_is_in_both_files() {
    let known = ids(Lang::En);
    let mut missing: Vec<String> = ids_in_code().into_iter().filter(|id| !known.contains(id)).collect();
    for s in crate::ui::strings::S::ALL {
        if !known.contains(s.id()) {
            missing.push(s.id().to_string());
        }
    }
    assert!(missing.is_empty(), "named in the code but in no locale file: {missing:?}");
    assert!(ids_in_code().len() > 150, "the scan finds the code's ids: {}", ids_in_code().len());
}

#[test]
fn every_code_has_a_name_in_both_languages() {
    for lang in [Lang::ZhCn, Lang::En] {
        let mut ids: Vec<String> = Vec::new();
        ids.extend(Kind::ALL.iter().map(|k| format!("kind-{}", k.code())));
        ids.extend(Reason::ALL.iter().map(|r| format!("reason-{}", r.code())));
        ids.extend(Department::ALL.iter().map(|d| format!("department-{}", d.code())));
        ids.extend(Channel::ALL.iter().map(|c| format!("channel-{}", c.code())));
        ids.extend(Document::ALL.iter().map(|d| format!("document-{}", d.code())));
        ids.extend(State::ALL.iter().map(|s| format!("state-{}", s.code())));
        ids.extend([Residence::Urban, Residence::Rural].iter().map(|r| format!("residence-{}", r.code())));
        ids.extend(Step::ALL.iter().map(|s| format!("step-{}", s.code())));
        use Flag::*;
        for f in [Capped, Ineligible, FullStandard, PossibleDuplicate, ReceivesDibao, ReserveFund, YearlyCapReached] {
            ids.push(format!("flag-{}", f.code()));
        }
        use BillItem::*;
        for b in [Registration, Diagnosis, Injection, Observation, Bed, Surgery, Examination, Drugs, Other] {
            ids.push(format!("bill-{}", b.code()));
        }
        use FullStandardCategory::*;
        ids.extend([ThreeNo, Orphan, AidsOrTbFamily].iter().map(|c| format!("category-{}", c.code())));
        use SupportMode::*;
        ids.extend([Centralised, Dispersed, DispersedOrphan].iter().map(|m| format!("support-{}", m.code())));
        use crate::domain::case::HistoryAction as H;
        for a in [
            H::Received,
            H::Referred,
            H::Reviewed,
            H::Approved,
            H::Rejected,
            H::Disbursed,
            H::Completed,
            H::Withdrawn,
            H::PostReviewed,
            H::Override,
            H::Imported,
        ] {
            ids.push(format!("history-{}", crate::domain::report::action_code(a)));
        }
        let keymap_descs = ["help", "save", "call_next", "approve_as_supervisor", "overdue"];
        ids.extend(keymap_descs.iter().map(|k| format!("key-{k}")));
        let missing: Vec<&String> = ids.iter().filter(|id| lookup(lang, id).is_none()).collect();
        assert!(missing.is_empty(), "{}: {missing:?}", lang.code());
    }
}

#[test]
fn no_bidi_isolation_marks_reach_the_terminal() {
    for lang in [Lang::ZhCn, Lang::En] {
        assert!(!source(lang).contains(['\u{2068}', '\u{2069}']));
        let said = crate::tr!(lang, "accepted", id = "320106001-01-20261130-0001");
        assert!(said.contains("320106001-01-20261130-0001"), "{said}");
        assert!(!said.contains(['\u{2068}', '\u{2069}']), "{said:?}");
        for text in locale(lang).plain.values() {
            assert!(!text.contains(['\u{2068}', '\u{2069}']), "{text:?}");
        }
    }
    assert_eq!(crate::tr!(Lang::ZhCn, "money", amount = crate::domain::Money::yuan(3000)), "3000.00元");
    assert_eq!(crate::tr!(Lang::En, "list-separator"), ", ", "a value's blanks are kept as placeables");
}

#[test]
fn plural_and_numeral_selectors_work() {
    assert_eq!(crate::tr!(Lang::ZhCn, "rural-class", class = 2u8), "二类");
    assert_eq!(crate::tr!(Lang::ZhCn, "rural-class", class = 12u8), "12类");
    assert_eq!(crate::tr!(Lang::En, "rural-class", class = 2u8), "class 2");
}
