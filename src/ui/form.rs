//! The one intake form for all eight kinds (one door): what the clerk types,
//! which field has the focus, and how the form becomes a [`CaseInput`] for
//! the window. Nothing here draws; `screens/intake.rs` does.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::strings::{self, S};
use crate::domain::case::{CaseInput, DocumentInput};
use crate::domain::{
    Applicant, Channel, Department, Document, Household, IdNumber, IdNumberError, Kind, Money, Reason, Residence,
    Source,
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

/// What the ID card reader returned, as the counter keeps it on the form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CardFields {
    pub name: String,
    pub id_number: String,
    pub address: String,
    pub ethnicity: String,
}

/// Everything typed on the intake form. Serialised as the draft and with held tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Form {
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
}

impl Default for Form {
    fn default() -> Form {
        Form {
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
            | Field::Description => Control::Text,
            Field::Residence | Field::Kind | Field::Reason | Field::Source | Field::SourceDepartment => Control::Choice,
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
            Field::Document(_) => S::FieldDocuments.get(lang),
        }
    }

    /// Longest text a field takes, in characters.
    fn max_chars(self) -> usize {
        match self {
            Field::IdNumber => 20,
            Field::Phone => 20,
            Field::HouseholdSize => 2,
            Field::MonthlyIncome | Field::RequestedAmount => 12,
            Field::Description => crate::domain::case::MAX_DESCRIPTION_CHARS,
            _ => crate::domain::case::MAX_TEXT_CHARS,
        }
    }

    /// Whether a typed character belongs in this field.
    pub fn accepts(self, c: char) -> bool {
        match self {
            Field::IdNumber => c.is_ascii_alphanumeric(),
            Field::Phone => c.is_ascii_digit() || c == '-' || c == '+' || c == ' ',
            Field::HouseholdSize => c.is_ascii_digit(),
            Field::MonthlyIncome | Field::RequestedAmount => c.is_ascii_digit() || c == '.',
            _ => !c.is_control(),
        }
    }
}

/// A problem with the form: the field to go back to and what to tell the clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: Field,
    pub message: String,
}

impl Form {
    /// The fields in focus order; the source's details only when they apply.
    pub fn fields(&self) -> Vec<Field> {
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
        f.extend((0..self.kind.documents().len()).map(Field::Document));
        f
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
            _ => return None,
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
            _ => return None,
        })
    }

    /// Types a character at `cursor` (a char index); returns whether it was taken.
    pub fn insert(&mut self, field: Field, cursor: &mut usize, c: char) -> bool {
        if !field.accepts(c) {
            return false;
        }
        let max = field.max_chars();
        let Some(text) = self.text_mut(field) else {
            return false;
        };
        let c = if field == Field::IdNumber { c.to_ascii_uppercase() } else { c };
        if text.chars().count() >= max {
            return false;
        }
        super::widgets::input::insert(text, cursor, c);
        true
    }

    pub fn edit(&mut self, field: Field, edit: impl FnOnce(&mut String)) {
        if let Some(text) = self.text_mut(field) {
            edit(text);
        }
    }

    /// The choice field's value moved by `step` (wrapping), or a check box switched.
    pub fn cycle(&mut self, field: Field, step: isize) {
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
            Field::IdNumber
            | Field::Name
            | Field::Phone
            | Field::HouseholdSize
            | Field::MonthlyIncome
            | Field::RequestedAmount
            | Field::Reporter
            | Field::Village
            | Field::Description => {}
        }
    }

    /// Has the clerk typed or chosen anything (beyond the ticket)?
    pub fn is_dirty(&self) -> bool {
        let blank = Form { ticket: self.ticket, ..Form::default() };
        *self != blank
    }

    /// The ID number as typed, checked: `Ok` when valid, else why not. A
    /// character that can never be right is named at once, before the number
    /// is complete.
    pub fn id_check(&self, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        for (i, c) in self.id_number.trim().chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c.eq_ignore_ascii_case(&'x'));
            if !ok && i < 17 {
                return Err(IdNumberError::NotADigit { position: i + 1, found: c });
            }
            if !ok && i == 17 {
                return Err(IdNumberError::BadCheckCharacter(c));
            }
        }
        IdNumber::parse(&self.id_number, today)
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
                return Err(err(field, strings::required(field.label(lang), lang)));
            }
            text.trim().parse::<Money>().map_err(|e| {
                err(field, strings::field_problem(field.label(lang), &strings::money_error(&e, lang), lang))
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
            household: Some(Household { size, monthly_income, members: Vec::new() }),
            reason: self.reason,
            description: self.description.trim().to_string(),
            requested_amount,
            documents,
            ticket: self.ticket,
            assessment: Default::default(),
        })
    }
}

/// The entitlement line of the form, computed live as the clerk types.
/// A placeholder until the policy engine is connected: it returns `None`,
/// and the form shows that the engine is not connected.
pub fn entitlement_preview(_form: &Form, _today: NaiveDate, _lang: Lang) -> Option<String> {
    None
}
