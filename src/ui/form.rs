//! The one intake form for all eight kinds (one door): what the clerk types,
//! which field has the focus, and how the form becomes a [`CaseInput`] for
//! the window. Nothing here draws; `screens/intake.rs` does.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::strings::{self, S};
use super::widgets::input::Limit;
use crate::domain::case::{CaseInput, DocumentInput, MAX_MEMBERS};
use crate::domain::policy::{Assessment, BillItem, BillLine, FullStandardCategory, Policy, SupportMode};
use crate::domain::{
    Applicant, Channel, Department, Document, Household, IdNumber, IdNumberError, Kind, Member, Money, Reason,
    Residence, Source,
};
use crate::Lang;

/// How the case reached the window, as chosen on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceChoice {
    #[default]
    WalkIn,
    OfficerReport,
    DepartmentReferral,
}

impl SourceChoice {
    pub const ALL: [SourceChoice; 3] =
        [SourceChoice::WalkIn, SourceChoice::OfficerReport, SourceChoice::DepartmentReferral];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            SourceChoice::WalkIn => S::SourceWalkIn.get(lang),
            SourceChoice::OfficerReport => S::SourceOfficer.get(lang),
            SourceChoice::DepartmentReferral => S::SourceDept.get(lang),
        }
    }
}

/// What the policy in force offers the form's choices: the rural dibao
/// classes (the monthly subsidy per person, class 1 first) and the
/// hospital-bill items it discounts, with the percent off.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyChoices {
    pub rural_classes: Vec<Money>,
    pub bill_items: Vec<(BillItem, Decimal)>,
}

impl PolicyChoices {
    pub fn of(policy: &Policy) -> PolicyChoices {
        PolicyChoices {
            rural_classes: policy.dibao.rural.classes.clone(),
            bill_items: policy.medical.discounts.iter().filter(|(_, p)| !p.is_zero()).map(|(i, p)| (*i, *p)).collect(),
        }
    }
}

/// What the ID card reader returned, as the counter keeps it on the form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CardFields {
    pub name: String,
    pub id_number: String,
    pub address: String,
    pub ethnicity: String,
    /// The card's raw photo, only when `[devices] keep_photo` is on; saved with the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_wlt: Option<Vec<u8>>,
}

/// Everything typed on the intake form. Serialised as the draft and with held tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Form {
    /// This form's own token, recorded with the case it is saved as: a draft
    /// whose token is in the store was saved already (empty: none yet).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub draft: String,
    pub ticket: Option<u32>,
    pub id_number: String,
    pub name: String,
    pub phone: String,
    pub residence: Residence,
    pub household_size: String,
    pub monthly_income: String,
    pub kind: Kind,
    pub reason: Reason,
    pub requested_amount: String,
    pub green: bool,
    pub source: SourceChoice,
    pub reporter: String,
    pub village: String,
    pub source_department: Department,
    pub description: String,
    /// Documents of the checklist handed in.
    pub documents: Vec<Document>,
    /// The card read for this applicant, if any.
    pub card: Option<CardFields>,
    /// Household members besides the applicant, one line each: "ID number name relation".
    pub members: Vec<String>,
    /// Rural dibao: the class assessed (1 first).
    pub rural_class: Option<u8>,
    /// Urban dibao and medical relief: a category that receives the full standard.
    pub category: Option<FullStandardCategory>,
    /// Special hardship and medical relief: how the person is supported.
    pub support: Option<SupportMode>,
    /// Medical relief: the hospital bill's amounts as typed, by item.
    pub bill: BTreeMap<BillItem, String>,
}

impl Default for Form {
    fn default() -> Form {
        Form {
            draft: String::new(),
            ticket: None,
            id_number: String::new(),
            name: String::new(),
            phone: String::new(),
            residence: Residence::Urban,
            household_size: "1".into(),
            monthly_income: String::new(),
            kind: Kind::Temporary,
            reason: Reason::SeriousIllness,
            requested_amount: String::new(),
            green: false,
            source: SourceChoice::WalkIn,
            reporter: String::new(),
            village: String::new(),
            source_department: Department::CivilAffairs,
            description: String::new(),
            documents: Vec::new(),
            card: None,
            members: Vec::new(),
            rural_class: None,
            category: None,
            support: None,
            bill: BTreeMap::new(),
        }
    }
}

/// A field of the form, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    IdNumber,
    Name,
    Phone,
    Residence,
    HouseholdSize,
    MonthlyIncome,
    Kind,
    Reason,
    RequestedAmount,
    Green,
    Source,
    Reporter,
    Village,
    SourceDepartment,
    Description,
    /// Rural dibao class.
    RuralClass,
    /// Full-standard category.
    Category,
    /// Special-hardship support mode.
    Support,
    /// The amount of one item of the hospital bill.
    Bill(BillItem),
    /// The n-th household member besides the applicant.
    Member(usize),
    /// The n-th document of the kind's checklist.
    Document(usize),
}

/// What sort of control a field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Text,
    Choice,
    Check,
}

impl Field {
    pub fn control(self) -> Control {
        match self {
            Field::IdNumber
            | Field::Name
            | Field::Phone
            | Field::HouseholdSize
            | Field::MonthlyIncome
            | Field::RequestedAmount
            | Field::Reporter
            | Field::Village
            | Field::Description
            | Field::Bill(_)
            | Field::Member(_) => Control::Text,
            Field::Residence
            | Field::Kind
            | Field::Reason
            | Field::Source
            | Field::SourceDepartment
            | Field::RuralClass
            | Field::Category
            | Field::Support => Control::Choice,
            Field::Green | Field::Document(_) => Control::Check,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Field::IdNumber => S::FieldIdNumber.get(lang),
            Field::Name => S::FieldName.get(lang),
            Field::Phone => S::FieldPhone.get(lang),
            Field::Residence => S::FieldResidence.get(lang),
            Field::HouseholdSize => S::FieldHouseholdSize.get(lang),
            Field::MonthlyIncome => S::FieldIncome.get(lang),
            Field::Kind => S::FieldKind.get(lang),
            Field::Reason => S::FieldReason.get(lang),
            Field::RequestedAmount => S::FieldAmount.get(lang),
            Field::Green => S::FieldGreen.get(lang),
            Field::Source => S::FieldSource.get(lang),
            Field::Reporter => S::FieldReporter.get(lang),
            Field::Village => S::FieldVillage.get(lang),
            Field::SourceDepartment => S::FieldSourceDept.get(lang),
            Field::Description => S::FieldDescription.get(lang),
            Field::RuralClass => S::FieldRuralClass.get(lang),
            Field::Category => S::FieldCategory.get(lang),
            Field::Support => S::FieldSupport.get(lang),
            Field::Bill(item) => strings::bill_item(item, lang),
            Field::Member(_) => S::FieldMember.get(lang),
            Field::Document(_) => S::FieldDocuments.get(lang),
        }
    }

    /// The field's name for the clerk: its label, numbered for a household member.
    pub fn name(self, lang: Lang) -> String {
        match self {
            Field::Member(i) => strings::member(i + 1, lang),
            _ => self.label(lang).to_string(),
        }
    }

    /// Longest text a field takes, in characters.
    fn max_chars(self) -> usize {
        match self {
            Field::IdNumber => 20,
            Field::Phone => 20,
            Field::HouseholdSize => 2,
            Field::MonthlyIncome | Field::RequestedAmount | Field::Bill(_) => 12,
            Field::Member(_) => 80,
            Field::Description => crate::domain::case::MAX_DESCRIPTION_CHARS,
            _ => crate::domain::case::MAX_TEXT_CHARS,
        }
    }

    /// What the field's text input takes: its length, which characters, an
    /// ID number's letters in upper case.
    pub fn limit(self) -> Limit {
        let accepts: fn(char) -> bool = match self {
            Field::IdNumber => |c| c.is_ascii_alphanumeric(),
            Field::Phone => |c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ',
            Field::HouseholdSize => |c| c.is_ascii_digit(),
            Field::MonthlyIncome | Field::RequestedAmount | Field::Bill(_) => |c| c.is_ascii_digit() || c == '.',
            _ => |c| !c.is_control(),
        };
        Limit { max_chars: self.max_chars(), accepts, upper: self == Field::IdNumber }
    }
}

/// A problem with the form: the field to go back to and what to tell the clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: Field,
    pub message: String,
}

/// A household member's line as the live check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberStatus {
    /// Nothing typed.
    Blank,
    /// The ID number (the first word) is wrong or not complete yet.
    Id(IdNumberError),
    /// A valid number without the name and the relation after it.
    NeedsNameAndRelation(IdNumber),
    Complete(Member),
}

/// Checks an ID number as typed: `Ok` when valid, else why not. A character
/// that can never be right is named at once, before the number is complete.
pub fn check_id_number(text: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
    for (i, c) in text.trim().chars().enumerate() {
        let ok = c.is_ascii_digit() || (i == 17 && c.eq_ignore_ascii_case(&'x'));
        if !ok && i < 17 {
            return Err(IdNumberError::NotADigit { position: i + 1, found: c });
        }
        if !ok && i == 17 {
            return Err(IdNumberError::BadCheckCharacter(c));
        }
    }
    IdNumber::parse(text, today)
}

/// The words of a member's line: spaces, commas and the enumeration comma separate them.
fn member_words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|w| !w.is_empty())
        .collect()
}

impl Form {
    /// The fields in focus order: the applicant, the application, what the
    /// kind's policy needs, the documents, then the household members (last,
    /// as on the paper form, so a clerk who does not list them never passes
    /// them). The source's details, the assessment and the members appear
    /// only when they apply.
    pub fn fields(&self, choices: &PolicyChoices) -> Vec<Field> {
        let mut f = vec![
            Field::IdNumber,
            Field::Name,
            Field::Phone,
            Field::Residence,
            Field::HouseholdSize,
            Field::MonthlyIncome,
            Field::Kind,
            Field::Reason,
            Field::RequestedAmount,
            Field::Green,
            Field::Source,
        ];
        match self.source {
            SourceChoice::WalkIn => {}
            SourceChoice::OfficerReport => f.extend([Field::Reporter, Field::Village]),
            SourceChoice::DepartmentReferral => f.push(Field::SourceDepartment),
        }
        f.push(Field::Description);
        f.extend(self.assessment_fields(choices));
        f.extend((0..self.kind.documents().len()).map(Field::Document));
        f.extend((0..self.member_rows()).map(Field::Member));
        f
    }

    /// What the policy needs for the chosen kind beyond the household's size and income.
    pub fn assessment_fields(&self, choices: &PolicyChoices) -> Vec<Field> {
        match (self.kind, self.residence) {
            (Kind::Dibao, Residence::Rural) => vec![Field::RuralClass],
            (Kind::Dibao, Residence::Urban) => vec![Field::Category],
            (Kind::SpecialHardship, _) => vec![Field::Support],
            (Kind::Medical, _) => {
                let mut f = vec![Field::Category, Field::Support];
                f.extend(choices.bill_items.iter().map(|(item, _)| Field::Bill(*item)));
                f
            }
            (Kind::Disaster | Kind::Education | Kind::Housing | Kind::Employment | Kind::Temporary, _) => Vec::new(),
        }
    }

    /// How many member lines the form shows: one for each person of the
    /// household besides the applicant, and never fewer than are filled in.
    pub fn member_rows(&self) -> usize {
        let size: usize = self.household_size.trim().parse().unwrap_or(1);
        let filled = self.members.iter().rposition(|m| !m.trim().is_empty()).map_or(0, |i| i + 1);
        size.saturating_sub(1).min(MAX_MEMBERS).max(filled)
    }

    pub fn text(&self, field: Field) -> Option<&str> {
        Some(match field {
            Field::IdNumber => &self.id_number,
            Field::Name => &self.name,
            Field::Phone => &self.phone,
            Field::HouseholdSize => &self.household_size,
            Field::MonthlyIncome => &self.monthly_income,
            Field::RequestedAmount => &self.requested_amount,
            Field::Reporter => &self.reporter,
            Field::Village => &self.village,
            Field::Description => &self.description,
            Field::Member(i) => self.members.get(i).map_or("", String::as_str),
            Field::Bill(item) => self.bill.get(&item).map_or("", String::as_str),
            Field::Residence
            | Field::Kind
            | Field::Reason
            | Field::Green
            | Field::Source
            | Field::SourceDepartment
            | Field::RuralClass
            | Field::Category
            | Field::Support
            | Field::Document(_) => return None,
        })
    }

    fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        Some(match field {
            Field::IdNumber => &mut self.id_number,
            Field::Name => &mut self.name,
            Field::Phone => &mut self.phone,
            Field::HouseholdSize => &mut self.household_size,
            Field::MonthlyIncome => &mut self.monthly_income,
            Field::RequestedAmount => &mut self.requested_amount,
            Field::Reporter => &mut self.reporter,
            Field::Village => &mut self.village,
            Field::Description => &mut self.description,
            Field::Member(i) => {
                if i >= MAX_MEMBERS {
                    return None;
                }
                if self.members.len() <= i {
                    self.members.resize(i + 1, String::new());
                }
                &mut self.members[i]
            }
            Field::Bill(item) => self.bill.entry(item).or_default(),
            Field::Residence
            | Field::Kind
            | Field::Reason
            | Field::Green
            | Field::Source
            | Field::SourceDepartment
            | Field::RuralClass
            | Field::Category
            | Field::Support
            | Field::Document(_) => return None,
        })
    }

    /// Drops what an edit left empty (bill amounts, trailing member lines),
    /// so an emptied form is a blank form again.
    fn tidy(&mut self) {
        self.bill.retain(|_, amount| !amount.is_empty());
        while self.members.last().is_some_and(|m| m.is_empty()) {
            self.members.pop();
        }
    }

    /// Sets a text field to what its input holds now (a line left empty goes, see `tidy`).
    pub fn set_text(&mut self, field: Field, text: &str) {
        if let Some(t) = self.text_mut(field) {
            t.clear();
            t.push_str(text);
        }
        self.tidy();
    }

    /// The choice field's value moved by `step` (wrapping), or a check box switched.
    pub fn cycle(&mut self, field: Field, step: isize, choices: &PolicyChoices) {
        fn next<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
            let i = all.iter().position(|x| *x == now).unwrap_or(0) as isize;
            let n = all.len() as isize;
            all[((i + step).rem_euclid(n)) as usize]
        }
        match field {
            Field::Residence => self.residence = next(&[Residence::Urban, Residence::Rural], self.residence, step),
            Field::Kind => self.kind = next(Kind::ALL, self.kind, step),
            Field::Reason => self.reason = next(Reason::ALL, self.reason, step),
            Field::Source => self.source = next(&SourceChoice::ALL, self.source, step),
            Field::SourceDepartment => self.source_department = next(Department::ALL, self.source_department, step),
            Field::RuralClass => {
                let classes = u8::try_from(choices.rural_classes.len()).unwrap_or(u8::MAX);
                let all: Vec<Option<u8>> = std::iter::once(None).chain((1..=classes).map(Some)).collect();
                self.rural_class = next(&all, self.rural_class, step);
            }
            Field::Category => {
                use FullStandardCategory::*;
                self.category = next(&[None, Some(ThreeNo), Some(Orphan), Some(AidsOrTbFamily)], self.category, step);
            }
            Field::Support => {
                use SupportMode::*;
                self.support =
                    next(&[None, Some(Centralised), Some(Dispersed), Some(DispersedOrphan)], self.support, step);
            }
            Field::Green => self.green = !self.green,
            Field::Document(i) => {
                if let Some(doc) = self.kind.documents().get(i).copied() {
                    if let Some(pos) = self.documents.iter().position(|d| *d == doc) {
                        self.documents.remove(pos);
                    } else {
                        self.documents.push(doc);
                    }
                }
            }
            // A text field is typed, not cycled.
            _ => {}
        }
    }

    /// Has the clerk typed or chosen anything (beyond the ticket)?
    pub fn is_dirty(&self) -> bool {
        let blank = Form { ticket: self.ticket, draft: self.draft.clone(), ..Form::default() };
        *self != blank
    }

    /// The ID number as typed, checked: `Ok` when valid, else why not.
    pub fn id_check(&self, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        check_id_number(&self.id_number, today)
    }

    /// The n-th member's line, checked as the applicant's number is.
    pub fn member_status(&self, i: usize, today: NaiveDate) -> MemberStatus {
        let words = member_words(self.members.get(i).map_or("", String::as_str));
        let Some(first) = words.first() else {
            return MemberStatus::Blank;
        };
        let id_number = match check_id_number(first, today) {
            Ok(id) => id,
            Err(e) => return MemberStatus::Id(e),
        };
        match words.as_slice() {
            [_, name @ .., relation] if !name.is_empty() => MemberStatus::Complete(Member {
                name: name.join(" "),
                id_number,
                relation: relation.to_string(),
                monthly_income: Money::ZERO,
            }),
            _ => MemberStatus::NeedsNameAndRelation(id_number),
        }
    }

    /// The ID numbers of the household that check: the applicant's and the members'.
    pub fn household_id_numbers(&self, today: NaiveDate) -> Vec<IdNumber> {
        let members = (0..self.member_rows()).filter_map(|i| match self.member_status(i, today) {
            MemberStatus::NeedsNameAndRelation(id) => Some(id),
            MemberStatus::Complete(m) => Some(m.id_number),
            MemberStatus::Blank | MemberStatus::Id(_) => None,
        });
        let mut ids: Vec<IdNumber> = self.id_check(today).ok().into_iter().chain(members).collect();
        let mut seen = Vec::new();
        ids.retain(|id| {
            let new = !seen.contains(id);
            seen.push(id.clone());
            new
        });
        ids
    }

    /// The card's photo to keep with the case: only while the ID number is
    /// still the one read from that card.
    pub fn card_photo(&self) -> Option<&[u8]> {
        self.card.as_ref().filter(|_| self.from_card(Field::IdNumber)).and_then(|c| c.photo_wlt.as_deref())
    }

    /// Is the name (or number) still the one read from the card?
    pub fn from_card(&self, field: Field) -> bool {
        match (&self.card, field) {
            (Some(c), Field::Name) => c.name == self.name,
            (Some(c), Field::IdNumber) => c.id_number.eq_ignore_ascii_case(&self.id_number),
            _ => false,
        }
    }

    /// Turns the form into the window's input, or says which field is wrong.
    pub fn to_input(&self, today: NaiveDate, lang: Lang) -> Result<CaseInput, FormError> {
        let err = |field: Field, message: String| FormError { field, message };
        let id_number = self.id_check(today).map_err(|e| {
            err(
                Field::IdNumber,
                strings::field_problem(Field::IdNumber.label(lang), &strings::id_error(&e, lang), lang),
            )
        })?;
        let name = self.name.trim();
        if name.is_empty() {
            return Err(err(Field::Name, strings::required(Field::Name.label(lang), lang)));
        }
        let size: u8 = match self.household_size.trim().parse() {
            Ok(n) if (1..=99).contains(&n) => n,
            _ => {
                return Err(err(
                    Field::HouseholdSize,
                    strings::field_problem(Field::HouseholdSize.label(lang), strings::household_size_error(lang), lang),
                ))
            }
        };
        let money = |field: Field, text: &str, required: bool| -> Result<Money, FormError> {
            if text.trim().is_empty() && !required {
                return Ok(Money::ZERO);
            }
            if text.trim().is_empty() {
                return Err(err(field, strings::required(&field.name(lang), lang)));
            }
            text.trim().parse::<Money>().map_err(|e| {
                err(field, strings::field_problem(&field.name(lang), &strings::money_error(&e, lang), lang))
            })
        };
        let monthly_income = money(Field::MonthlyIncome, &self.monthly_income, false)?;
        let requested_amount = money(Field::RequestedAmount, &self.requested_amount, true)?;
        let source = match self.source {
            SourceChoice::WalkIn => Source::WalkIn,
            SourceChoice::OfficerReport => {
                if self.reporter.trim().is_empty() {
                    return Err(err(Field::Reporter, strings::required(Field::Reporter.label(lang), lang)));
                }
                if self.village.trim().is_empty() {
                    return Err(err(Field::Village, strings::required(Field::Village.label(lang), lang)));
                }
                Source::OfficerReport {
                    reporter: self.reporter.trim().to_string(),
                    village: self.village.trim().to_string(),
                }
            }
            SourceChoice::DepartmentReferral => Source::DepartmentReferral { department: self.source_department },
        };
        let assessment = match (self.kind, self.residence) {
            (Kind::Dibao, Residence::Rural) => Assessment { rural_class: self.rural_class, ..Assessment::default() },
            (Kind::Dibao, Residence::Urban) => {
                Assessment { categories: self.category.into_iter().collect(), ..Assessment::default() }
            }
            (Kind::SpecialHardship, _) => Assessment { support: self.support, ..Assessment::default() },
            (Kind::Medical, _) => {
                let mut hospital_bill = Vec::new();
                for (item, text) in self.bill.iter().filter(|(_, t)| !t.trim().is_empty()) {
                    hospital_bill.push(BillLine { item: *item, amount: money(Field::Bill(*item), text, false)? });
                }
                Assessment {
                    categories: self.category.into_iter().collect(),
                    support: self.support,
                    hospital_bill,
                    ..Assessment::default()
                }
            }
            (Kind::Disaster | Kind::Education | Kind::Housing | Kind::Employment | Kind::Temporary, _) => {
                Assessment::default()
            }
        };
        let members = self.members_checked(&id_number, today, lang)?;
        if members.len() + 1 > usize::from(size) {
            return Err(err(Field::HouseholdSize, strings::household_too_small(size, members.len(), lang)));
        }
        let phone = Some(self.phone.trim().to_string()).filter(|p| !p.is_empty());
        let card = self.card.as_ref().filter(|c| self.from_card(Field::IdNumber) && !c.id_number.is_empty());
        let documents = self
            .kind
            .documents()
            .iter()
            .filter(|d| self.documents.contains(d))
            .map(|d| DocumentInput::Name(*d))
            .collect();
        Ok(CaseInput {
            schema: None,
            kind: self.kind,
            channel: if self.green { Channel::Green } else { Channel::Normal },
            source,
            applicant: Applicant {
                name: name.to_string(),
                id_number,
                sex: None,
                birth_date: None,
                ethnicity: card.map(|c| c.ethnicity.clone()).filter(|e| !e.is_empty()),
                address: card.map(|c| c.address.clone()).filter(|a| !a.is_empty()),
                phone,
                residence: self.residence,
            },
            household: Some(Household { size, monthly_income, members }),
            reason: self.reason,
            description: self.description.trim().to_string(),
            requested_amount,
            documents,
            ticket: self.ticket,
            assessment,
        })
    }

    /// The members filled in, each checked; a wrong one is named by its line.
    fn members_checked(&self, applicant: &IdNumber, today: NaiveDate, lang: Lang) -> Result<Vec<Member>, FormError> {
        // Each member with the line it was typed on.
        let mut members: Vec<(usize, Member)> = Vec::new();
        for i in 0..self.member_rows() {
            let field = Field::Member(i);
            let wrong = |message: String| FormError { field, message };
            match self.member_status(i, today) {
                MemberStatus::Blank => {}
                MemberStatus::Id(e) => {
                    let label = strings::member_id(i + 1, lang);
                    return Err(wrong(strings::field_problem(&label, &strings::id_error(&e, lang), lang)));
                }
                MemberStatus::NeedsNameAndRelation(_) => return Err(wrong(strings::member_incomplete(i + 1, lang))),
                MemberStatus::Complete(m) => {
                    if m.id_number == *applicant {
                        return Err(wrong(strings::member_repeats(i + 1, None, lang)));
                    }
                    if let Some((j, _)) = members.iter().find(|(_, o)| o.id_number == m.id_number) {
                        return Err(wrong(strings::member_repeats(i + 1, Some(j + 1), lang)));
                    }
                    members.push((i, m));
                }
            }
        }
        Ok(members.into_iter().map(|(_, m)| m).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn form() -> Form {
        Form {
            id_number: "34052419800101001X".into(),
            name: "赵建国".into(),
            household_size: "3".into(),
            requested_amount: "800".into(),
            ..Form::default()
        }
    }

    #[test]
    fn a_member_line_is_number_name_and_relation() {
        let mut f = form();
        f.members = vec!["110101199003070011，张秀英，妻子".into(), "11010519491231002x Maria del Carmen 母亲".into()];
        let MemberStatus::Complete(m) = f.member_status(0, today()) else {
            panic!("{:?}", f.member_status(0, today()))
        };
        assert_eq!(
            (m.id_number.as_str(), m.name.as_str(), m.relation.as_str()),
            ("110101199003070011", "张秀英", "妻子")
        );
        let MemberStatus::Complete(m) = f.member_status(1, today()) else { panic!() };
        assert_eq!((m.id_number.as_str(), m.name.as_str()), ("11010519491231002X", "Maria del Carmen"));
        f.members = vec!["1101A".into(), "110101199003070011 张秀英".into(), "  ".into()];
        assert_eq!(f.member_status(0, today()), MemberStatus::Id(IdNumberError::NotADigit { position: 5, found: 'A' }));
        assert!(matches!(f.member_status(1, today()), MemberStatus::NeedsNameAndRelation(_)));
        assert_eq!(f.member_status(2, today()), MemberStatus::Blank);
    }

    #[test]
    fn the_form_has_a_member_line_for_everyone_but_the_applicant() {
        let mut f = form();
        assert_eq!(f.member_rows(), 2);
        f.household_size = "1".into();
        assert_eq!(f.member_rows(), 0);
        // A line typed in is never hidden, even when the size goes down.
        f.members = vec![String::new(), "110101199003070011 张秀英 妻子".into()];
        assert_eq!(f.member_rows(), 2);
        let e = f.to_input(today(), Lang::En).unwrap_err();
        assert_eq!(e.field, Field::HouseholdSize);
        assert_eq!(e.message, "Household: 1 persons, but 1 members besides the applicant are listed");
        f.household_size = "3".into();
        let input = f.to_input(today(), Lang::En).unwrap();
        assert_eq!(input.household.unwrap().members.len(), 1, "the blank line is skipped");
    }

    #[test]
    fn the_same_person_twice_is_refused_with_both_lines() {
        let mut f = form();
        f.household_size = "4".into();
        f.members =
            vec!["110101199003070011 张秀英 妻子".into(), String::new(), "110101199003070011 张秀英 女儿".into()];
        let e = f.to_input(today(), Lang::ZhCn).unwrap_err();
        assert_eq!((e.field, e.message.as_str()), (Field::Member(2), "成员3与成员1是同一人"));
        f.members = vec!["34052419800101001X 赵建国 本人".into()];
        let e = f.to_input(today(), Lang::ZhCn).unwrap_err();
        assert_eq!((e.field, e.message.as_str()), (Field::Member(0), "成员1与申请人是同一人"));
    }

    #[test]
    fn only_what_the_kind_needs_goes_into_the_assessment() {
        let choices = PolicyChoices::of(&Policy::builtin());
        let mut f = form();
        f.residence = Residence::Rural;
        f.rural_class = Some(2);
        f.support = Some(SupportMode::Dispersed);
        f.bill.insert(BillItem::Bed, "1200".into());
        f.kind = Kind::Temporary;
        assert_eq!(f.to_input(today(), Lang::En).unwrap().assessment, Assessment::default());
        f.kind = Kind::Dibao;
        assert_eq!(f.fields(&choices).iter().filter(|x| **x == Field::RuralClass).count(), 1);
        let a = f.to_input(today(), Lang::En).unwrap().assessment;
        assert_eq!(a, Assessment { rural_class: Some(2), ..Assessment::default() });
        f.kind = Kind::Medical;
        let a = f.to_input(today(), Lang::En).unwrap().assessment;
        assert_eq!(a.support, Some(SupportMode::Dispersed));
        assert_eq!(a.rural_class, None);
        assert_eq!(a.hospital_bill, [BillLine { item: BillItem::Bed, amount: Money::yuan(1200) }]);
        // The items the policy does not discount get no line.
        assert!(!f.fields(&choices).contains(&Field::Bill(BillItem::Other)));
        assert!(f.fields(&choices).contains(&Field::Bill(BillItem::Drugs)));
        f.bill.insert(BillItem::Drugs, "12.345".into());
        let e = f.to_input(today(), Lang::En).unwrap_err();
        assert_eq!((e.field, e.message.as_str()), (Field::Bill(BillItem::Drugs), "Drugs: at most 2 decimal places"));
    }

    #[test]
    fn the_class_choice_offers_the_policys_classes() {
        let choices = PolicyChoices::of(&Policy::builtin());
        let mut f = form();
        let mut seen = Vec::new();
        for _ in 0..4 {
            f.cycle(Field::RuralClass, 1, &choices);
            seen.push(f.rural_class);
        }
        assert_eq!(seen, [Some(1), Some(2), Some(3), None]);
        f.cycle(Field::RuralClass, -1, &choices);
        assert_eq!(f.rural_class, Some(3));
    }

    #[test]
    fn an_emptied_field_leaves_a_blank_form_and_the_draft_keeps_everything() {
        let mut f = Form::default();
        f.set_text(Field::Bill(BillItem::Bed), "5");
        f.set_text(Field::Member(1), "1");
        assert!(f.is_dirty());
        f.set_text(Field::Bill(BillItem::Bed), "");
        f.set_text(Field::Member(1), "");
        assert!(!f.is_dirty(), "{f:?}");
        // Everything on the form survives the draft file, and an older draft still reads.
        let mut f = form();
        f.members = vec!["110101199003070011 张秀英 妻子".into()];
        f.rural_class = Some(2);
        f.category = Some(FullStandardCategory::Orphan);
        f.support = Some(SupportMode::DispersedOrphan);
        f.bill.insert(BillItem::Surgery, "3000".into());
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Form>(&json).unwrap(), f);
        let old: Form = serde_json::from_str(r#"{"name":"王芳","household_size":"2"}"#).unwrap();
        assert_eq!((old.name.as_str(), old.members.len(), old.bill.len()), ("王芳", 0, 0));
    }
}
