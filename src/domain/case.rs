//! A case: one application for help, from the moment the window accepts it to
//! its completion. Its state moves only along the legal transitions below, and
//! every move is written into its history with the time, the operator and a note.
//!
//! Normal:  received -> referred -> under_review -> approved | rejected;
//!          approved -> disbursed -> completed; withdrawn from any open state.
//! Green:   received -> approved -> disbursed -> completed, and the review is
//!          recorded afterwards (before completion).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::id_number::IdNumber;
use super::kind::{Channel, Department, Document, Kind, Reason, Source};
use super::money::Money;
use super::payment::Payment;
use super::person::{Applicant, Household, Member};
use super::policy::Assessment;
use super::time::{self, Moment};

/// The JSON schema name every case carries.
pub const SCHEMA: &str = "onedoor.case/1";

/// Longest description kept on a case; records stay small (see DESIGN.md, Durability).
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest name, note or address.
pub const MAX_TEXT_CHARS: usize = 200;
/// Most members a household may list.
pub const MAX_MEMBERS: usize = 30;

/// `{town_code}-{window:02}-{yyyymmdd}-{seq:04}`, e.g. `320106001-03-20261129-0007`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a case id like 320106001-03-20261129-0007")]
pub struct BadCaseId(pub String);

impl CaseId {
    pub fn new(town_code: &str, window: u8, day: NaiveDate, seq: u32) -> CaseId {
        CaseId(format!("{town_code}-{window:02}-{}-{seq:04}", day.format("%Y%m%d")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parts(&self) -> (&str, &str, &str, &str) {
        let mut it = self.0.split('-');
        let a = it.next().unwrap_or("");
        let b = it.next().unwrap_or("");
        let c = it.next().unwrap_or("");
        let d = it.next().unwrap_or("");
        (a, b, c, d)
    }

    pub fn town_code(&self) -> &str {
        self.parts().0
    }

    pub fn window(&self) -> u8 {
        self.parts().1.parse().unwrap_or(0)
    }

    /// The day of acceptance encoded in the id.
    pub fn day(&self) -> NaiveDate {
        NaiveDate::parse_from_str(self.parts().2, "%Y%m%d").unwrap_or(NaiveDate::MIN)
    }

    pub fn seq(&self) -> u32 {
        self.parts().3.parse().unwrap_or(0)
    }
}

impl FromStr for CaseId {
    type Err = BadCaseId;
    fn from_str(s: &str) -> Result<CaseId, BadCaseId> {
        let s = s.trim();
        let bad = || BadCaseId(s.to_string());
        let parts: Vec<&str> = s.split('-').collect();
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if parts.len() != 4 || !parts.iter().all(|p| digits(p)) {
            return Err(bad());
        }
        let (town, window, day, seq) = (parts[0], parts[1], parts[2], parts[3]);
        if town.len() > 12 || window.len() != 2 || day.len() != 8 || seq.len() < 4 || seq.len() > 6 {
            return Err(bad());
        }
        // Eight digits: no chrono parse, which costs more than the rest (ids are read by the ten thousand).
        let number = |p: &str| p.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
        let day =
            NaiveDate::from_ymd_opt(number(&day[..4]) as i32, number(&day[4..6]), number(&day[6..])).ok_or_else(bad)?;
        let window: u8 = window.parse().map_err(|_| bad())?;
        let seq_number: u32 = seq.parse().map_err(|_| bad())?;
        // One spelling per case: `-00007` is `-0007`; an id already spelled so is kept as it is.
        if seq.len() == 4 || !seq.starts_with('0') {
            return Ok(CaseId(s.to_string()));
        }
        Ok(CaseId::new(town, window, day, seq_number))
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CaseId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CaseId, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// `"schema": "onedoor.case/1"` in JSON; nothing at all in the binary store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SchemaTag;

impl Serialize for SchemaTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(SCHEMA)
        } else {
            s.serialize_unit()
        }
    }
}

impl<'de> Deserialize<'de> for SchemaTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SchemaTag, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            if s == SCHEMA {
                Ok(SchemaTag)
            } else {
                Err(serde::de::Error::custom(format!("schema '{s}' is not supported; expected '{SCHEMA}'")))
            }
        } else {
            <()>::deserialize(d)?;
            Ok(SchemaTag)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Received,
    Referred,
    UnderReview,
    Approved,
    Rejected,
    Disbursed,
    Completed,
    Withdrawn,
}

impl State {
    pub const ALL: [State; 8] = [
        State::Received,
        State::Referred,
        State::UnderReview,
        State::Approved,
        State::Rejected,
        State::Disbursed,
        State::Completed,
        State::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Referred => "referred",
            State::UnderReview => "under_review",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Disbursed => "disbursed",
            State::Completed => "completed",
            State::Withdrawn => "withdrawn",
        }
    }

    /// Still being worked on: it can be withdrawn and it has a deadline.
    pub fn is_open(self) -> bool {
        matches!(self, State::Received | State::Referred | State::UnderReview | State::Approved)
    }

    /// Nothing more will happen to it.
    pub fn is_closed(self) -> bool {
        matches!(self, State::Rejected | State::Completed | State::Withdrawn)
    }

    /// A stable one-byte tag, used in index keys.
    pub fn tag(self) -> u8 {
        self as u8
    }
}

impl FromStr for State {
    type Err = super::kind::UnknownCode;
    fn from_str(s: &str) -> Result<State, Self::Err> {
        State::ALL.iter().copied().find(|st| st.code() == s.trim()).ok_or_else(|| super::kind::UnknownCode {
            what: "State",
            found: s.to_string(),
            expected: &[
                "received",
                "referred",
                "under_review",
                "approved",
                "rejected",
                "disbursed",
                "completed",
                "withdrawn",
            ],
        })
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Marks on an entitlement that the clerk and the supervisor must see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The request was above a cap and was cut to it.
    Capped,
    /// The means test says no help of this kind is due.
    Ineligible,
    /// A category that receives the full standard.
    FullStandard,
    /// The applicant or a household member had a case of the same kind and reason recently.
    PossibleDuplicate,
    /// The household already receives the minimum living allowance.
    ReceivesDibao,
    /// Paid from the emergency relief reserve fund.
    ReserveFund,
    /// The household's yearly cap is used up.
    YearlyCapReached,
}

impl Flag {
    /// The name used in JSON and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Flag::Capped => "capped",
            Flag::Ineligible => "ineligible",
            Flag::FullStandard => "full_standard",
            Flag::PossibleDuplicate => "possible_duplicate",
            Flag::ReceivesDibao => "receives_dibao",
            Flag::ReserveFund => "reserve_fund",
            Flag::YearlyCapReached => "yearly_cap_reached",
        }
    }
}

/// What the policy says the person is entitled to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entitlement {
    pub amount: Money,
    /// In words, so the clerk can explain it and an auditor can check it.
    pub basis: String,
    #[serde(default)]
    pub flags: Vec<Flag>,
}

/// A referral to a department, with the time it has to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub department: Department,
    #[serde(with = "time::moment")]
    pub referred_at: Moment,
    #[serde(with = "time::day")]
    pub due_by: NaiveDate,
    #[serde(default, with = "time::moment_opt")]
    pub handled_at: Option<Moment>,
    #[serde(default)]
    pub outcome: Option<String>,
}

/// One line of the documents checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentItem {
    pub name: Document,
    pub received: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Received,
    Referred,
    Reviewed,
    Approved,
    Rejected,
    Disbursed,
    Completed,
    Withdrawn,
    /// The after-the-fact review of a green-channel case.
    PostReviewed,
    /// A supervisor let a case through a check that would have stopped it.
    Override,
    /// Brought in from another store with `case import`.
    Imported,
    /// The supervisor (`by`) who countersigned the step just before, with
    /// their name and PIN at the clerk's counter (`note`: that step's action).
    /// Last, so records written before it read unchanged.
    Countersigned,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    #[serde(with = "time::moment")]
    pub at: Moment,
    pub by: String,
    pub action: HistoryAction,
    #[serde(default)]
    pub note: Option<String>,
}

/// The case record: what `case show --json` prints and what the store keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub schema: SchemaTag,
    pub id: CaseId,
    pub kind: Kind,
    pub channel: Channel,
    pub source: Source,
    pub applicant: Applicant,
    pub household: Household,
    pub reason: Reason,
    pub description: String,
    pub requested_amount: Money,
    pub entitlement: Option<Entitlement>,
    pub granted_amount: Option<Money>,
    pub state: State,
    pub referrals: Vec<Referral>,
    #[serde(with = "time::day_opt")]
    pub due_by: Option<NaiveDate>,
    pub documents: Vec<DocumentItem>,
    pub ticket: Option<u32>,
    pub operator: String,
    #[serde(with = "time::moment")]
    pub received_at: Moment,
    /// The version of the policy the case was judged by.
    #[serde(default)]
    pub policy: Option<String>,
    /// What the clerk established for the policy (categories, class, bill…),
    /// kept so the entitlement can be computed again exactly.
    #[serde(default)]
    pub assessment: Assessment,
    /// Earlier cases of the household that look like the same help.
    #[serde(default)]
    pub related_cases: Vec<CaseId>,
    pub history: Vec<HistoryEntry>,
    /// What was paid and from which money, once the case is paid (`None` on
    /// a case paid before payments were kept). Last, so a record written
    /// before it reads as one without it (`store/codec.rs`).
    #[serde(default)]
    pub payment: Option<Payment>,
}

/// Is the case's due date still to be met? Until it is decided and paid; on
/// the green channel, also while paid and waiting for its after-the-fact review.
pub fn still_due(channel: Channel, state: State) -> bool {
    state.is_open() || (channel == Channel::Green && state == State::Disbursed)
}

/// Green channel: help is due (by the policy's help-by day) until the case is paid.
pub fn help_due(channel: Channel, state: State) -> bool {
    channel == Channel::Green && matches!(state, State::Received | State::Approved)
}

/// When an open case falls overdue, as far as that needs no policy: the day
/// after `due` (the earliest of its due date and its unanswered referrals'
/// dates, while they still run) and, when `help_due`, the day after its
/// policy's help-by day. `Window::is_late` judges by it as
/// `Window::deadlines_of` does (a test there holds the two together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lateness {
    pub due: Option<NaiveDate>,
    pub help_due: bool,
}

impl Lateness {
    /// From a case's channel, state, whether its after-the-fact review is
    /// recorded, its due date and its referrals (due date, answered).
    pub fn of(
        channel: Channel,
        state: State,
        post_reviewed: bool,
        due_by: Option<NaiveDate>,
        referrals: impl Iterator<Item = (NaiveDate, bool)>,
    ) -> Lateness {
        let runs = still_due(channel, state) && !post_reviewed;
        let unanswered = referrals.filter(|(_, answered)| !answered).map(|(due, _)| due);
        Lateness {
            due: due_by.into_iter().chain(unanswered).filter(|_| runs).min(),
            help_due: help_due(channel, state),
        }
    }
}

/// What a clerk or a script gives to open a case (`case add --json`). Only the
/// kind, the applicant, the reason and the requested amount are required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    #[serde(default)]
    pub schema: Option<String>,
    pub kind: Kind,
    #[serde(default)]
    pub channel: Channel,
    #[serde(default)]
    pub source: Source,
    pub applicant: Applicant,
    #[serde(default)]
    pub household: Option<Household>,
    pub reason: Reason,
    #[serde(default)]
    pub description: String,
    pub requested_amount: Money,
    /// Documents already handed in; the rest of the kind's checklist is owed.
    #[serde(default)]
    pub documents: Vec<DocumentInput>,
    #[serde(default)]
    pub ticket: Option<u32>,
    /// What the policy needs beyond the household: full-standard categories,
    /// rural class, support mode, the hospital bill.
    #[serde(default)]
    pub assessment: Assessment,
}

/// Most lines a hospital bill may have.
pub const MAX_BILL_LINES: usize = 50;

/// A document in the input: either its name (handed in) or `{name, received}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DocumentInput {
    Name(Document),
    Item(DocumentItem),
}

/// A field of a case's input, named as its JSON path (`household.members[2].name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputField {
    Schema,
    ApplicantName,
    ApplicantIdNumber,
    ApplicantPhone,
    ApplicantAddress,
    ApplicantEthnicity,
    ApplicantSex,
    ApplicantBirthDate,
    HouseholdSize,
    HouseholdMembers,
    MemberName(usize),
    MemberRelation(usize),
    MemberIdNumber(usize),
    Description,
    SourceReporter,
    SourceVillage,
}

impl fmt::Display for InputField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputField::Schema => f.write_str("schema"),
            InputField::ApplicantName => f.write_str("applicant.name"),
            InputField::ApplicantIdNumber => f.write_str("applicant.id_number"),
            InputField::ApplicantPhone => f.write_str("applicant.phone"),
            InputField::ApplicantAddress => f.write_str("applicant.address"),
            InputField::ApplicantEthnicity => f.write_str("applicant.ethnicity"),
            InputField::ApplicantSex => f.write_str("applicant.sex"),
            InputField::ApplicantBirthDate => f.write_str("applicant.birth_date"),
            InputField::HouseholdSize => f.write_str("household.size"),
            InputField::HouseholdMembers => f.write_str("household.members"),
            InputField::MemberName(i) => write!(f, "household.members[{i}].name"),
            InputField::MemberRelation(i) => write!(f, "household.members[{i}].relation"),
            InputField::MemberIdNumber(i) => write!(f, "household.members[{i}].id_number"),
            InputField::Description => f.write_str("description"),
            InputField::SourceReporter => f.write_str("source.reporter"),
            InputField::SourceVillage => f.write_str("source.village"),
        }
    }
}

/// What is wrong with a field of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputProblem {
    #[error("must not be empty")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("{0}")]
    Unprintable(super::text::Unprintable),
    #[error("may contain only digits, spaces, '+' and '-'")]
    BadPhone,
    #[error("does not match the ID number")]
    DoesNotMatchIdNumber,
    #[error("birth date is in the future")]
    BirthDateInFuture,
    #[error("must be at least 1 (the applicant)")]
    SizeZero,
    #[error("lists more than {0} people")]
    TooManyMembers(usize),
    #[error("is {size} but the applicant and {members} members are listed")]
    SizeTooSmall { size: u8, members: usize },
    #[error("lists a person twice")]
    PersonTwice,
    #[error("'{0}' is not supported; expected '{SCHEMA}'")]
    UnsupportedSchema(String),
    #[error("{0}")]
    IdNumber(super::id_number::IdNumberError),
}

/// Why an input was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InputError {
    pub field: InputField,
    pub problem: InputProblem,
}

fn input_error(field: InputField, problem: InputProblem) -> InputError {
    InputError { field, problem }
}

/// A text field is within `max` characters, has no control characters but
/// newlines, and (if `required`) is not blank.
pub(crate) fn check_text(field: InputField, value: &str, required: bool, max: usize) -> Result<(), InputError> {
    match text_problem(value, required, max) {
        Some(problem) => Err(input_error(field, problem)),
        None => Ok(()),
    }
}

/// What is wrong with a text, if anything (see [`check_text`]).
/// Only a description may have several lines.
pub(crate) fn text_problem(value: &str, required: bool, max: usize) -> Option<InputProblem> {
    if required && super::text::is_blank(value) {
        return Some(InputProblem::Empty);
    }
    if value.chars().count() > max {
        return Some(InputProblem::TooLong(max));
    }
    super::text::unprintable(value, max == MAX_DESCRIPTION_CHARS).map(InputProblem::Unprintable)
}

fn check_member(i: usize, m: &Member, today: NaiveDate) -> Result<(), InputError> {
    check_text(InputField::MemberName(i), &m.name, true, MAX_TEXT_CHARS)?;
    check_text(InputField::MemberRelation(i), &m.relation, true, MAX_TEXT_CHARS)?;
    if m.id_number.birth_date() > today {
        return Err(input_error(InputField::MemberIdNumber(i), InputProblem::BirthDateInFuture));
    }
    Ok(())
}

impl CaseInput {
    /// Checks everything serde's types do not: lengths, the household's size
    /// against its members, dates not in the future, repeated people.
    pub fn validate(&self, today: NaiveDate) -> Result<(), InputError> {
        if let Some(s) = &self.schema {
            if s != SCHEMA {
                return Err(input_error(InputField::Schema, InputProblem::UnsupportedSchema(s.clone())));
            }
        }
        let a = &self.applicant;
        check_text(InputField::ApplicantName, &a.name, true, MAX_TEXT_CHARS)?;
        if let Some(e) = IdNumber::parse(a.id_number.as_str(), today).err() {
            return Err(input_error(InputField::ApplicantIdNumber, InputProblem::IdNumber(e)));
        }
        if let Some(phone) = &a.phone {
            let ok = phone.len() <= 20 && phone.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ');
            if !ok {
                return Err(input_error(InputField::ApplicantPhone, InputProblem::BadPhone));
            }
        }
        for (field, value) in
            [(InputField::ApplicantAddress, &a.address), (InputField::ApplicantEthnicity, &a.ethnicity)]
        {
            if let Some(v) = value {
                check_text(field, v, false, MAX_TEXT_CHARS)?;
            }
        }
        if let Some(sex) = a.sex {
            if sex != a.id_number.sex() {
                return Err(input_error(InputField::ApplicantSex, InputProblem::DoesNotMatchIdNumber));
            }
        }
        if let Some(b) = a.birth_date {
            if b != a.id_number.birth_date() {
                return Err(input_error(InputField::ApplicantBirthDate, InputProblem::DoesNotMatchIdNumber));
            }
        }
        if let Some(h) = &self.household {
            if h.size == 0 {
                return Err(input_error(InputField::HouseholdSize, InputProblem::SizeZero));
            }
            if h.members.len() > MAX_MEMBERS {
                return Err(input_error(InputField::HouseholdMembers, InputProblem::TooManyMembers(MAX_MEMBERS)));
            }
            if h.members.len() + 1 > usize::from(h.size) {
                return Err(input_error(
                    InputField::HouseholdSize,
                    InputProblem::SizeTooSmall { size: h.size, members: h.members.len() },
                ));
            }
            let mut seen = vec![&a.id_number];
            for (i, m) in h.members.iter().enumerate() {
                check_member(i, m, today)?;
                if seen.contains(&&m.id_number) {
                    return Err(input_error(InputField::MemberIdNumber(i), InputProblem::PersonTwice));
                }
                seen.push(&m.id_number);
            }
        }
        check_text(InputField::Description, &self.description, false, MAX_DESCRIPTION_CHARS)?;
        if let Source::OfficerReport { reporter, village } = &self.source {
            check_text(InputField::SourceReporter, reporter, true, MAX_TEXT_CHARS)?;
            check_text(InputField::SourceVillage, village, true, MAX_TEXT_CHARS)?;
        }
        Ok(())
    }
}

/// What the window decided when it opened the case: computed outside the
/// case (by the policy) and handed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub id: CaseId,
    pub operator: String,
    pub at: Moment,
    pub due_by: Option<NaiveDate>,
    pub entitlement: Option<Entitlement>,
    pub policy: Option<String>,
    pub related_cases: Vec<CaseId>,
}

impl Case {
    /// A newly received case from a validated input.
    pub fn receive(input: CaseInput, acc: Acceptance) -> Case {
        let mut applicant = input.applicant;
        applicant.sex = Some(applicant.id_number.sex());
        applicant.birth_date = Some(applicant.id_number.birth_date());
        let handed_in: Vec<DocumentItem> = input
            .documents
            .iter()
            .map(|d| match d {
                DocumentInput::Name(name) => DocumentItem { name: *name, received: true },
                DocumentInput::Item(item) => *item,
            })
            .collect();
        let mut documents: Vec<DocumentItem> = input
            .kind
            .documents()
            .iter()
            .map(|name| DocumentItem { name: *name, received: handed_in.iter().any(|d| d.name == *name && d.received) })
            .collect();
        for extra in handed_in {
            if !documents.iter().any(|d| d.name == extra.name) {
                documents.push(extra);
            }
        }
        Case {
            schema: SchemaTag,
            id: acc.id,
            kind: input.kind,
            channel: input.channel,
            source: input.source,
            applicant,
            household: input.household.unwrap_or_default(),
            reason: input.reason,
            description: input.description,
            requested_amount: input.requested_amount,
            entitlement: acc.entitlement,
            granted_amount: None,
            state: State::Received,
            referrals: Vec::new(),
            due_by: acc.due_by,
            documents,
            ticket: input.ticket,
            operator: acc.operator.clone(),
            received_at: acc.at,
            policy: acc.policy,
            assessment: input.assessment,
            related_cases: acc.related_cases,
            history: vec![HistoryEntry { at: acc.at, by: acc.operator, action: HistoryAction::Received, note: None }],
            payment: None,
        }
    }

    /// The day the case was received, in the centre's time.
    pub fn day(&self) -> NaiveDate {
        self.received_at.date_naive()
    }

    pub fn year(&self) -> i32 {
        self.day().year()
    }

    /// Every ID number in the household: the applicant's first.
    pub fn id_numbers(&self) -> impl Iterator<Item = &IdNumber> {
        self.household.id_numbers(&self.applicant)
    }

    /// Documents of the checklist not yet handed in.
    pub fn documents_owed(&self) -> impl Iterator<Item = Document> + '_ {
        self.documents.iter().filter(|d| !d.received).map(|d| d.name)
    }

    /// Has the after-the-fact review of a green-channel case been recorded?
    pub fn post_reviewed(&self) -> bool {
        self.history.iter().any(|h| h.action == HistoryAction::PostReviewed)
    }

    /// The amount to pay: the granted amount once approved.
    pub fn amount_to_pay(&self) -> Option<Money> {
        self.granted_amount
    }

    /// May `step` be taken on the case now? The same rule [`Case::apply`]
    /// follows, asked without changing anything.
    pub fn allows(&self, step: Step) -> Result<(), TransitionError> {
        let green = self.channel == Channel::Green;
        let refuse = |why: NotNow| Err(TransitionError { step, state: self.state, why });
        match (step, self.state) {
            (Step::Refer, State::Received | State::Referred) if !green => Ok(()),
            // A green case is referred for its after-the-fact review; its state does not change.
            (Step::Refer, State::Received | State::Approved | State::Disbursed) if green => Ok(()),
            (Step::Review, State::Referred) if !green => Ok(()),
            (Step::Review, State::Approved | State::Disbursed) if green => {
                if self.post_reviewed() {
                    refuse(NotNow::AlreadyReviewedAfterwards)
                } else {
                    Ok(())
                }
            }
            (Step::Approve, State::UnderReview) if !green => Ok(()),
            (Step::Approve, State::Received) if green => Ok(()),
            (Step::Reject, State::UnderReview) if !green => Ok(()),
            (Step::Disburse, State::Approved) => Ok(()),
            (Step::Complete, State::Disbursed) => {
                if green && !self.post_reviewed() {
                    refuse(NotNow::GreenNeedsReviewFirst)
                } else {
                    Ok(())
                }
            }
            (Step::Withdraw, s) if s.is_open() => Ok(()),
            _ => refuse(self.why_not(step)),
        }
    }

    /// The steps the case allows now, in the order the counter offers them.
    pub fn steps_allowed(&self) -> Vec<Step> {
        Step::ALL.iter().copied().filter(|s| self.allows(*s).is_ok()).collect()
    }

    /// Applies a transition if it is legal from the current state, recording it
    /// in the history; an illegal one changes nothing.
    pub fn apply(&mut self, t: &Transition, by: &str, at: Moment) -> Result<(), TransitionError> {
        self.allows(t.step())?;
        let green = self.channel == Channel::Green;
        let (next, action, note) = match t {
            Transition::Refer { department, due_by } => {
                self.add_referral(*department, *due_by, at);
                let next = if green { self.state } else { State::Referred };
                (next, HistoryAction::Referred, Some(department.code().to_string()))
            }
            Transition::Review { note } => {
                self.close_open_referral(at, note);
                if green {
                    (self.state, HistoryAction::PostReviewed, note.clone())
                } else {
                    (State::UnderReview, HistoryAction::Reviewed, note.clone())
                }
            }
            Transition::Approve { amount } => {
                let amount =
                    amount.or_else(|| self.entitlement.as_ref().map(|e| e.amount)).unwrap_or(self.requested_amount);
                self.granted_amount = Some(amount);
                (State::Approved, HistoryAction::Approved, Some(amount.to_string()))
            }
            Transition::Reject { reason } => (State::Rejected, HistoryAction::Rejected, Some(reason.clone())),
            Transition::Disburse => {
                let amount = self.granted_amount.unwrap_or(Money::ZERO);
                (State::Disbursed, HistoryAction::Disbursed, Some(amount.to_string()))
            }
            Transition::Complete => (State::Completed, HistoryAction::Completed, None),
            Transition::Withdraw { note } => (State::Withdrawn, HistoryAction::Withdrawn, note.clone()),
        };
        self.state = next;
        self.history.push(HistoryEntry { at, by: by.to_string(), action, note });
        Ok(())
    }

    fn add_referral(&mut self, department: Department, due_by: NaiveDate, at: Moment) {
        self.referrals.push(Referral { department, referred_at: at, due_by, handled_at: None, outcome: None });
    }

    /// The department's answer closes the open referral: its note, or none
    /// (a referral answered without a note has no outcome text).
    fn close_open_referral(&mut self, at: Moment, note: &Option<String>) {
        if let Some(r) = self.referrals.iter_mut().rev().find(|r| r.handled_at.is_none()) {
            r.handled_at = Some(at);
            r.outcome = note.clone();
        }
    }

    fn why_not(&self, step: Step) -> NotNow {
        let green = self.channel == Channel::Green;
        match step {
            _ if self.state.is_closed() => NotNow::Closed,
            Step::Refer => NotNow::ReferOnlyReceived,
            Step::Review if green => NotNow::GreenReviewedAfterApproval,
            Step::Review => NotNow::ReviewOnlyReferred,
            Step::Approve if green => NotNow::GreenApprovedAtOnce,
            Step::Approve => NotNow::ApproveAfterReview,
            Step::Reject if green => NotNow::GreenNotRejected,
            Step::Reject => NotNow::RejectAfterReview,
            Step::Disburse => NotNow::PayOnlyApproved,
            Step::Complete => NotNow::CompleteOnlyPaid,
            Step::Withdraw => NotNow::WithdrawOnlyOpen,
        }
    }

    /// Notes in the history that the case was brought in by `case import`.
    pub fn record_import(&mut self, by: &str, at: Moment) {
        self.history.push(HistoryEntry { at, by: by.to_string(), action: HistoryAction::Imported, note: None });
    }

    /// Records that `supervisor` countersigned the last step (the four-eyes
    /// step taken at a clerk's counter): an entry naming them right after it.
    pub fn record_countersign(&mut self, supervisor: &str, at: Moment) {
        let step = self.history.last().map(|h| crate::domain::report::action_code(h.action).to_string());
        self.history.push(HistoryEntry {
            at,
            by: supervisor.to_string(),
            action: HistoryAction::Countersigned,
            note: step,
        });
    }

    /// Who countersigned the history entry at `index`, if someone did.
    pub fn countersigner_of(&self, index: usize) -> Option<&str> {
        self.history.get(index + 1).filter(|h| h.action == HistoryAction::Countersigned).map(|h| h.by.as_str())
    }

    /// Records a supervisor's override of a check, with the reason.
    pub fn record_override(&mut self, by: &str, at: Moment, reason: &str) {
        self.history.push(HistoryEntry {
            at,
            by: by.to_string(),
            action: HistoryAction::Override,
            note: Some(reason.to_string()),
        });
    }
}

/// What can be done to a case after it is received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Refer { department: Department, due_by: NaiveDate },
    Review { note: Option<String> },
    Approve { amount: Option<Money> },
    Reject { reason: String },
    Disburse,
    Complete,
    Withdraw { note: Option<String> },
}

impl Transition {
    /// The step this transition takes.
    pub fn step(&self) -> Step {
        match self {
            Transition::Refer { .. } => Step::Refer,
            Transition::Review { .. } => Step::Review,
            Transition::Approve { .. } => Step::Approve,
            Transition::Reject { .. } => Step::Reject,
            Transition::Disburse => Step::Disburse,
            Transition::Complete => Step::Complete,
            Transition::Withdraw { .. } => Step::Withdraw,
        }
    }
}

/// A step on a case, without what it carries (the department, the amount…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Refer,
    Review,
    Approve,
    Reject,
    Disburse,
    Complete,
    Withdraw,
}

impl Step {
    pub const ALL: &'static [Step] =
        &[Step::Refer, Step::Review, Step::Approve, Step::Reject, Step::Disburse, Step::Complete, Step::Withdraw];

    pub fn code(self) -> &'static str {
        match self {
            Step::Refer => "refer",
            Step::Review => "review",
            Step::Approve => "approve",
            Step::Reject => "reject",
            Step::Disburse => "disburse",
            Step::Complete => "complete",
            Step::Withdraw => "withdraw",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a step cannot be taken on a case now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotNow {
    #[error("the case is closed")]
    Closed,
    #[error("the after-the-fact review is already recorded")]
    AlreadyReviewedAfterwards,
    #[error("a green-channel case needs its after-the-fact review before completion")]
    GreenNeedsReviewFirst,
    #[error("only a received case can be referred")]
    ReferOnlyReceived,
    #[error("a green-channel case is reviewed after it is approved")]
    GreenReviewedAfterApproval,
    #[error("only a referred case can be reviewed")]
    ReviewOnlyReferred,
    #[error("a green-channel case is approved straight after it is received")]
    GreenApprovedAtOnce,
    #[error("a case is approved only after the department's review")]
    ApproveAfterReview,
    #[error("a green-channel case cannot be rejected; withdraw it")]
    GreenNotRejected,
    #[error("a case is rejected only after the department's review")]
    RejectAfterReview,
    #[error("only an approved case can be paid")]
    PayOnlyApproved,
    #[error("only a paid case can be completed")]
    CompleteOnlyPaid,
    #[error("only an open case can be withdrawn")]
    WithdrawOnlyOpen,
}

/// An illegal transition: what was asked, from which state, and why not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {step} a case that is {state}: {why}")]
pub struct TransitionError {
    pub step: Step,
    pub state: State,
    pub why: NotNow,
}

mod whole;
pub use whole::ImpossibleCase;

#[cfg(test)]
mod tests;
