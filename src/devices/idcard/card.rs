//! What a card says: the 256-byte text block of a read (UCS-2, space padded)
//! turned into an [`IdCard`] for the resident card, the foreign permanent
//! resident cards ('I', 'Y') and the Hong Kong/Macau/Taiwan residence permit ('J').

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::codes::{CardSex, Ethnicity};
use crate::domain::id_number::{IdNumber, IdNumberError};
use crate::{tr, Lang};

/// Length of the text block.
pub const TEXT_LEN: usize = 256;
/// Length of the WLT-compressed photo.
pub const PHOTO_LEN: usize = 1024;

/// Which document was on the reader (flag at text offset 248).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// 居民身份证
    Resident,
    /// 外国人永久居留身份证 (2017 version, 'I')
    ForeignPermanentResident,
    /// 外国人永久居留身份证 (2023 version, 'Y')
    ForeignPermanentResident2023,
    /// 港澳台居民居住证 ('J')
    HkMacauTaiwanResidencePermit,
}

impl CardKind {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            CardKind::Resident => tr!(lang, "card-kind-resident"),
            CardKind::ForeignPermanentResident => tr!(lang, "card-kind-foreign_permanent_resident"),
            CardKind::ForeignPermanentResident2023 => tr!(lang, "card-kind-foreign_permanent_resident_2023"),
            CardKind::HkMacauTaiwanResidencePermit => tr!(lang, "card-kind-hk_macau_taiwan_residence_permit"),
        }
    }
}

/// The end of the validity period: a date, or 长期 (long-term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidUntil {
    Date(NaiveDate),
    LongTerm,
}

impl Serialize for ValidUntil {
    /// `"2040-01-01"` or `"long_term"`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ValidUntil::Date(d) => d.serialize(s),
            ValidUntil::LongTerm => s.serialize_str("long_term"),
        }
    }
}

/// Whether the number on the card passed the GB 11643 check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdNumberCheck {
    Valid,
    /// The number on the card does not check; it is kept as read.
    Invalid(IdNumberError),
    /// The card's number does not follow GB 11643 (a foreigner's card).
    NotApplicable,
}

impl Serialize for IdNumberCheck {
    /// `"valid"`, `"not_applicable"` or `{"invalid": "why"}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "snake_case")]
        enum Shown {
            Valid,
            Invalid(String),
            NotApplicable,
        }
        match self {
            IdNumberCheck::Valid => Shown::Valid,
            IdNumberCheck::Invalid(e) => Shown::Invalid(e.to_string()),
            IdNumberCheck::NotApplicable => Shown::NotApplicable,
        }
        .serialize(s)
    }
}

/// The raw WLT-compressed photo (1024 bytes); it cannot be decoded without the
/// vendor's library. Shown in JSON as hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WltPhoto(pub Vec<u8>);

impl Serialize for WltPhoto {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut hex = String::with_capacity(self.0.len() * 2);
        for b in &self.0 {
            let _ = write!(hex, "{b:02x}");
        }
        s.serialize_str(&hex)
    }
}

/// One card as read. Fields a kind of card does not carry are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdCard {
    pub kind: CardKind,
    /// The name in Chinese (may be empty on a foreigner's card).
    pub name: String,
    /// Foreigner's cards: the name in Latin letters.
    pub english_name: Option<String>,
    pub sex: CardSex,
    /// Resident card only.
    pub ethnicity: Option<Ethnicity>,
    pub birth_date: NaiveDate,
    pub address: Option<String>,
    /// As read from the card, even when it does not check (see `id_number_check`).
    pub id_number: String,
    pub id_number_check: IdNumberCheck,
    pub issuing_authority: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_until: ValidUntil,
    /// Foreigner's cards: ISO 3166-1 alpha-3 nationality code.
    pub nationality: Option<String>,
    /// Residence permit: the Home Return / Taiwan Compatriot permit number.
    pub permit_number: Option<String>,
    /// Residence permit: times issued; 2023 foreigner's card: times renewed.
    pub issue_count: Option<String>,
    /// 2017 foreigner's card: card version.
    pub card_version: Option<String>,
    /// 2017 foreigner's card: code of the authority that accepted the application.
    pub accepting_authority_code: Option<String>,
    /// Kept only when asked for (`keep_photo`).
    pub photo_wlt: Option<WltPhoto>,
}

/// A text block that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("the card's answer holds {found} bytes where {expected} were announced")]
    Truncated { expected: usize, found: usize },
    #[error("the card's text block is {0} bytes long, not 256")]
    TextLength(usize),
    #[error("the card's {field} '{raw}' is not a date")]
    BadDate { field: &'static str, raw: String },
    #[error("the card's sex code '{0}' is not in the code table")]
    BadSex(String),
}

impl CardError {
    pub fn message(&self, lang: Lang) -> String {
        let detail = self.to_string();
        match self {
            CardError::Truncated { expected, found } => {
                tr!(lang, "card-error-truncated", expected = *expected, found = *found, detail = detail)
            }
            CardError::TextLength(n) => tr!(lang, "card-error-text-length", n = *n, detail = detail),
            CardError::BadDate { field, raw } => {
                tr!(lang, "card-error-bad-date", field = *field, raw = raw, detail = detail)
            }
            CardError::BadSex(raw) => tr!(lang, "card-error-bad-sex", raw = raw, detail = detail),
        }
    }
}

impl IdCard {
    /// Parses the data of a successful read answer (after SW1-SW3): the length
    /// header (text, photo, and for `30 10` fingerprints), then the blocks.
    /// Fingerprints are never kept.
    pub fn from_read_data(data: &[u8], with_fingerprints: bool, keep_photo: bool) -> Result<IdCard, CardError> {
        let header = if with_fingerprints { 6 } else { 4 };
        if data.len() < header {
            return Err(CardError::Truncated { expected: header, found: data.len() });
        }
        let text_len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let photo_len = usize::from(u16::from_be_bytes([data[2], data[3]]));
        if text_len != TEXT_LEN {
            return Err(CardError::TextLength(text_len));
        }
        let expected = header + text_len + photo_len;
        if data.len() < expected {
            return Err(CardError::Truncated { expected, found: data.len() });
        }
        let mut text = [0u8; TEXT_LEN];
        text.copy_from_slice(&data[header..header + TEXT_LEN]);
        let mut card = IdCard::from_text_block(&text)?;
        if keep_photo && photo_len > 0 {
            let start = header + TEXT_LEN;
            card.photo_wlt = Some(WltPhoto(data[start..start + photo_len].to_vec()));
        }
        Ok(card)
    }

    /// Parses the 256-byte text block, by the kind flag at offset 248.
    pub fn from_text_block(text: &[u8; TEXT_LEN]) -> Result<IdCard, CardError> {
        let block = Block(text);
        match block.field(248, 2).as_str() {
            "I" => block.foreign_2017(),
            "Y" => block.foreign_2023(),
            "J" => block.resident(CardKind::HkMacauTaiwanResidencePermit),
            _ => block.resident(CardKind::Resident),
        }
    }

    /// The number as a checked [`IdNumber`] when it passed the check.
    pub fn checked_id_number(&self) -> Option<IdNumber> {
        match self.id_number_check {
            IdNumberCheck::Valid => IdNumber::parse_any_date(&self.id_number).ok(),
            IdNumberCheck::Invalid(_) | IdNumberCheck::NotApplicable => None,
        }
    }

    /// Past its last valid day on `today`; a long-term card never expires.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        match self.valid_until {
            ValidUntil::Date(last) => today > last,
            ValidUntil::LongTerm => false,
        }
    }

    /// The card as the clerk reads it, one field a line, with warnings
    /// (expired, number that does not check) at the end.
    pub fn render(&self, lang: Lang, today: NaiveDate) -> String {
        let mut lines: Vec<(&str, String)> = vec![(tr!(lang, "card-label-kind"), self.kind.name(lang).into())];
        if !self.name.is_empty() {
            lines.push((tr!(lang, "card-label-name"), self.name.clone()));
        }
        if let Some(english) = &self.english_name {
            lines.push((tr!(lang, "card-label-latin-name"), english.clone()));
        }
        lines.push((tr!(lang, "card-label-sex"), self.sex.name(lang).into()));
        if let Some(ethnicity) = &self.ethnicity {
            lines.push((tr!(lang, "card-label-ethnicity"), ethnicity.display(lang)));
        }
        if let Some(nationality) = &self.nationality {
            lines.push((tr!(lang, "card-label-nationality"), nationality.clone()));
        }
        lines.push((tr!(lang, "card-label-born"), self.birth_date.format("%Y-%m-%d").to_string()));
        if let Some(address) = &self.address {
            lines.push((tr!(lang, "card-label-address"), address.clone()));
        }
        let number_label = match self.kind {
            CardKind::Resident => tr!(lang, "card-label-id-number"),
            CardKind::HkMacauTaiwanResidencePermit => tr!(lang, "card-label-id-number"),
            CardKind::ForeignPermanentResident | CardKind::ForeignPermanentResident2023 => {
                tr!(lang, "card-label-card-number")
            }
        };
        lines.push((number_label, self.id_number.clone()));
        if let Some(permit) = &self.permit_number {
            lines.push((tr!(lang, "card-label-permit-number"), permit.clone()));
        }
        if let Some(count) = &self.issue_count {
            lines.push((tr!(lang, "card-label-times-issued"), count.clone()));
        }
        if let Some(authority) = &self.issuing_authority {
            lines.push((tr!(lang, "card-label-issued-by"), authority.clone()));
        }
        if let Some(code) = &self.accepting_authority_code {
            lines.push((tr!(lang, "card-label-accepting-authority"), code.clone()));
        }
        let until = match self.valid_until {
            ValidUntil::Date(d) => d.format("%Y-%m-%d").to_string(),
            ValidUntil::LongTerm => tr!(lang, "card-valid-long-term").to_string(),
        };
        let from = self.valid_from.format("%Y-%m-%d");
        lines.push((
            tr!(lang, "card-label-valid"),
            tr!(lang, "card-valid-range", from = from.to_string(), until = until),
        ));

        let width = lines.iter().map(|(label, _)| display_width(label)).max().unwrap_or(0);
        let mut out = String::new();
        for (label, value) in &lines {
            let pad = width - display_width(label);
            let _ = writeln!(out, "{label}{}  {value}", " ".repeat(pad));
        }
        if self.is_expired(today) {
            let _ = writeln!(out, "{}", tr!(lang, "card-has-expired"));
        }
        if let IdNumberCheck::Invalid(e) = &self.id_number_check {
            let _ = writeln!(out, "! {}", id_problem_message(e, lang));
        }
        out
    }
}

/// What is wrong with a number read from a card, in the clerk's language.
pub fn id_problem_message(e: &IdNumberError, lang: Lang) -> String {
    use crate::l10n::Say;
    tr!(lang, "card-number-problem", problem = e.say(lang))
}

/// Terminal columns of a label: CJK characters take two.
fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// The text block with field accessors by byte offset.
struct Block<'a>(&'a [u8; TEXT_LEN]);

impl Block<'_> {
    /// UCS-2 LE text at `offset`, trimmed of padding spaces and NULs.
    fn field(&self, offset: usize, len: usize) -> String {
        let units = self.0[offset..offset + len].chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]]));
        let text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
        text.trim_matches(|c: char| c == ' ' || c == '\0' || c == '\u{3000}').to_string()
    }

    fn optional(&self, offset: usize, len: usize) -> Option<String> {
        Some(self.field(offset, len)).filter(|s| !s.is_empty())
    }

    fn date(&self, offset: usize, field: &'static str) -> Result<NaiveDate, CardError> {
        let raw = self.field(offset, 16);
        parse_date(&raw).ok_or(CardError::BadDate { field, raw })
    }

    fn sex(&self, offset: usize) -> Result<CardSex, CardError> {
        let raw = self.field(offset, 2);
        CardSex::from_code(&raw).ok_or(CardError::BadSex(raw))
    }

    fn valid_until(&self, offset: usize) -> Result<ValidUntil, CardError> {
        let raw = self.field(offset, 16);
        if raw.starts_with("长期") {
            return Ok(ValidUntil::LongTerm);
        }
        parse_date(&raw).map(ValidUntil::Date).ok_or(CardError::BadDate { field: "valid until", raw })
    }

    /// The resident card and the residence permit share the layout up to 220.
    fn resident(&self, kind: CardKind) -> Result<IdCard, CardError> {
        let id_number = self.field(122, 36);
        let id_number_check = match IdNumber::parse_any_date(&id_number) {
            Ok(_) => IdNumberCheck::Valid,
            Err(e) => IdNumberCheck::Invalid(e),
        };
        let permit = kind == CardKind::HkMacauTaiwanResidencePermit;
        Ok(IdCard {
            kind,
            name: self.field(0, 30),
            english_name: None,
            sex: self.sex(30)?,
            ethnicity: if permit { None } else { self.optional(32, 4).map(|c| Ethnicity::from_code(&c)) },
            birth_date: self.date(36, "birth date")?,
            address: self.optional(52, 70),
            id_number,
            id_number_check,
            issuing_authority: self.optional(158, 30),
            valid_from: self.date(188, "valid from")?,
            valid_until: self.valid_until(204)?,
            nationality: None,
            permit_number: if permit { self.optional(220, 18) } else { None },
            issue_count: if permit { self.optional(238, 4) } else { None },
            card_version: None,
            accepting_authority_code: None,
            photo_wlt: None,
        })
    }

    fn foreign_2017(&self) -> Result<IdCard, CardError> {
        Ok(IdCard {
            kind: CardKind::ForeignPermanentResident,
            name: self.field(158, 30),
            english_name: Some(self.field(0, 120)),
            sex: self.sex(120)?,
            ethnicity: None,
            birth_date: self.date(220, "birth date")?,
            address: None,
            id_number: self.field(122, 30),
            id_number_check: IdNumberCheck::NotApplicable,
            issuing_authority: None,
            valid_from: self.date(188, "valid from")?,
            valid_until: self.valid_until(204)?,
            nationality: self.optional(152, 6),
            permit_number: None,
            issue_count: None,
            card_version: self.optional(236, 4),
            accepting_authority_code: self.optional(240, 8),
            photo_wlt: None,
        })
    }

    /// Layout from a single public source (Johann356/readinfo); see peripherals.md A.7.
    fn foreign_2023(&self) -> Result<IdCard, CardError> {
        let english = format!("{}{}", self.field(52, 70), self.field(220, 22));
        Ok(IdCard {
            kind: CardKind::ForeignPermanentResident2023,
            name: self.field(0, 30),
            english_name: Some(english.trim().to_string()),
            sex: self.sex(30)?,
            ethnicity: None,
            birth_date: self.date(36, "birth date")?,
            address: None,
            id_number: self.field(122, 36),
            id_number_check: IdNumberCheck::NotApplicable,
            issuing_authority: None,
            valid_from: self.date(188, "valid from")?,
            valid_until: self.valid_until(204)?,
            nationality: self.optional(242, 6),
            permit_number: None,
            issue_count: self.optional(32, 4),
            card_version: None,
            accepting_authority_code: None,
            photo_wlt: None,
        })
    }
}

/// `YYYYMMDD`, eight ASCII digits forming a real date.
fn parse_date(raw: &str) -> Option<NaiveDate> {
    if raw.len() != 8 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y%m%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(block: &mut [u8; TEXT_LEN], offset: usize, len: usize, text: &str) {
        let mut units: Vec<u16> = text.encode_utf16().collect();
        units.resize(len / 2, 0x20);
        for (i, u) in units.iter().enumerate() {
            block[offset + 2 * i..offset + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
    }

    fn resident_block() -> [u8; TEXT_LEN] {
        let mut b = [0u8; TEXT_LEN];
        put(&mut b, 0, TEXT_LEN, "");
        put(&mut b, 0, 30, "王芳");
        put(&mut b, 30, 2, "2");
        put(&mut b, 32, 4, "03");
        put(&mut b, 36, 16, "19491231");
        put(&mut b, 52, 70, "北京市朝阳区示例路1号");
        put(&mut b, 122, 36, "11010519491231002X");
        put(&mut b, 158, 30, "北京市公安局朝阳分局");
        put(&mut b, 188, 16, "20100101");
        put(&mut b, 204, 16, "长期");
        b
    }

    #[test]
    fn a_long_term_card_never_expires() {
        let card = IdCard::from_text_block(&resident_block()).unwrap();
        assert_eq!(card.valid_until, ValidUntil::LongTerm);
        assert!(!card.is_expired(NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()));
        assert_eq!(card.ethnicity.as_ref().and_then(|e| e.name), Some("回"));
        assert!(card.render(Lang::ZhCn, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).contains("2010-01-01 至 长期"));
    }

    #[test]
    fn a_mistyped_number_is_kept_and_flagged() {
        let mut b = resident_block();
        put(&mut b, 122, 36, "110105194912310021");
        let card = IdCard::from_text_block(&b).unwrap();
        assert_eq!(card.id_number, "110105194912310021");
        assert!(matches!(card.id_number_check, IdNumberCheck::Invalid(IdNumberError::CheckMismatch { .. })));
        assert_eq!(card.checked_id_number(), None);
        let shown = card.render(Lang::ZhCn, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert!(shown.contains("卡上号码未通过校验：校验位应为 X 而非 1"), "the counter's words for it: {shown}");
    }

    #[test]
    fn a_garbled_date_is_an_error_not_a_guess() {
        let mut b = resident_block();
        put(&mut b, 36, 16, "19491331");
        assert_eq!(
            IdCard::from_text_block(&b),
            Err(CardError::BadDate { field: "birth date", raw: "19491331".into() })
        );
    }
}
