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
        let day = NaiveDate::parse_from_str(day, "%Y%m%d").map_err(|_| bad())?;
        let window: u8 = window.parse().map_err(|_| bad())?;
        let seq: u32 = seq.parse().map_err(|_| bad())?;
        // One spelling per case: `-00007` is `-0007`.
        Ok(CaseId::new(town, window, day, seq))
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

/// Why an input was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InputError {
    pub field: String,
    pub problem: String,
}

fn input_error(field: impl Into<String>, problem: impl Into<String>) -> InputError {
    InputError { field: field.into(), problem: problem.into() }
}

/// A text field is within `max` characters, has no control characters but
/// newlines, and (if `required`) is not blank.
pub(crate) fn check_text(field: &str, value: &str, required: bool, max: usize) -> Result<(), InputError> {
    if required && value.trim().is_empty() {
        return Err(input_error(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(input_error(field, format!("is longer than {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(input_error(field, "contains control characters"));
    }
    Ok(())
}

fn check_member(i: usize, m: &Member, today: NaiveDate) -> Result<(), InputError> {
    check_text(&format!("household.members[{i}].name"), &m.name, true, MAX_TEXT_CHARS)?;
    check_text(&format!("household.members[{i}].relation"), &m.relation, true, MAX_TEXT_CHARS)?;
    if m.id_number.birth_date() > today {
        return Err(input_error(format!("household.members[{i}].id_number"), "birth date is in the future"));
    }
    Ok(())
}

impl CaseInput {
    /// Checks everything serde's types do not: lengths, the household's size
    /// against its members, dates not in the future, repeated people.
    pub fn validate(&self, today: NaiveDate) -> Result<(), InputError> {
        if let Some(s) = &self.schema {
            if s != SCHEMA {
                return Err(input_error("schema", format!("'{s}' is not supported; expected '{SCHEMA}'")));
            }
        }
        let a = &self.applicant;
        check_text("applicant.name", &a.name, true, MAX_TEXT_CHARS)?;
        if let Some(id) = IdNumber::parse(a.id_number.as_str(), today).err() {
            return Err(input_error("applicant.id_number", id.to_string()));
        }
        if let Some(phone) = &a.phone {
            let ok = phone.len() <= 20 && phone.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ');
            if !ok {
                return Err(input_error("applicant.phone", "may contain only digits, spaces, '+' and '-'"));
            }
        }
        for (field, value) in [("applicant.address", &a.address), ("applicant.ethnicity", &a.ethnicity)] {
            if let Some(v) = value {
                check_text(field, v, false, MAX_TEXT_CHARS)?;
            }
        }
        if let Some(sex) = a.sex {
            if sex != a.id_number.sex() {
                return Err(input_error("applicant.sex", "does not match the ID number"));
            }
        }
        if let Some(b) = a.birth_date {
            if b != a.id_number.birth_date() {
                return Err(input_error("applicant.birth_date", "does not match the ID number"));
            }
        }
        if let Some(h) = &self.household {
            if h.size == 0 {
                return Err(input_error("household.size", "must be at least 1 (the applicant)"));
            }
            if h.members.len() > MAX_MEMBERS {
                return Err(input_error("household.members", format!("lists more than {MAX_MEMBERS} people")));
            }
            if h.members.len() + 1 > usize::from(h.size) {
                return Err(input_error(
                    "household.size",
                    format!("is {} but the applicant and {} members are listed", h.size, h.members.len()),
                ));
            }
            let mut seen = vec![&a.id_number];
            for (i, m) in h.members.iter().enumerate() {
                check_member(i, m, today)?;
                if seen.contains(&&m.id_number) {
                    return Err(input_error(format!("household.members[{i}].id_number"), "lists a person twice"));
                }
                seen.push(&m.id_number);
            }
        }
        check_text("description", &self.description, false, MAX_DESCRIPTION_CHARS)?;
        if let Source::OfficerReport { reporter, village } = &self.source {
            check_text("source.reporter", reporter, true, MAX_TEXT_CHARS)?;
            check_text("source.village", village, true, MAX_TEXT_CHARS)?;
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
        let note = match input.channel {
            Channel::Green => Some("green channel".to_string()),
            Channel::Normal => None,
        };
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
            history: vec![HistoryEntry { at: acc.at, by: acc.operator, action: HistoryAction::Received, note }],
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

    /// Applies a transition if it is legal from the current state, recording it
    /// in the history; an illegal one changes nothing.
    pub fn apply(&mut self, t: &Transition, by: &str, at: Moment) -> Result<(), TransitionError> {
        let green = self.channel == Channel::Green;
        let refuse = |why: &'static str| TransitionError { action: t.name(), state: self.state, why };
        let (next, action, note) = match (t, self.state) {
            (Transition::Refer { department, due_by }, State::Received | State::Referred) if !green => {
                self.add_referral(*department, *due_by, at);
                (State::Referred, HistoryAction::Referred, Some(department.code().to_string()))
            }
            (Transition::Refer { department, due_by }, State::Received | State::Approved | State::Disbursed)
                if green =>
            {
                // A green case is referred for its after-the-fact review; its state does not change.
                self.add_referral(*department, *due_by, at);
                (self.state, HistoryAction::Referred, Some(department.code().to_string()))
            }
            (Transition::Review { note }, State::Referred) if !green => {
                self.close_open_referral(at, note);
                (State::UnderReview, HistoryAction::Reviewed, note.clone())
            }
            (Transition::Review { note }, State::Approved | State::Disbursed) if green => {
                if self.post_reviewed() {
                    return Err(refuse("the after-the-fact review is already recorded"));
                }
                self.close_open_referral(at, note);
                (self.state, HistoryAction::PostReviewed, note.clone())
            }
            (Transition::Approve { amount }, State::UnderReview)
            | (Transition::Approve { amount }, State::Received)
                if (self.state == State::UnderReview) != green =>
            {
                let amount =
                    amount.or_else(|| self.entitlement.as_ref().map(|e| e.amount)).unwrap_or(self.requested_amount);
                self.granted_amount = Some(amount);
                (State::Approved, HistoryAction::Approved, Some(amount.to_string()))
            }
            (Transition::Reject { reason }, State::UnderReview) if !green => {
                (State::Rejected, HistoryAction::Rejected, Some(reason.clone()))
            }
            (Transition::Disburse, State::Approved) => {
                let amount = self.granted_amount.unwrap_or(Money::ZERO);
                (State::Disbursed, HistoryAction::Disbursed, Some(amount.to_string()))
            }
            (Transition::Complete, State::Disbursed) => {
                if green && !self.post_reviewed() {
                    return Err(refuse("a green-channel case needs its after-the-fact review before completion"));
                }
                (State::Completed, HistoryAction::Completed, None)
            }
            (Transition::Withdraw { note }, s) if s.is_open() => {
                (State::Withdrawn, HistoryAction::Withdrawn, note.clone())
            }
            _ => return Err(refuse(self.why_not(t))),
        };
        self.state = next;
        self.history.push(HistoryEntry { at, by: by.to_string(), action, note });
        Ok(())
    }

    fn add_referral(&mut self, department: Department, due_by: NaiveDate, at: Moment) {
        self.referrals.push(Referral { department, referred_at: at, due_by, handled_at: None, outcome: None });
    }

    fn close_open_referral(&mut self, at: Moment, note: &Option<String>) {
        if let Some(r) = self.referrals.iter_mut().rev().find(|r| r.handled_at.is_none()) {
            r.handled_at = Some(at);
            r.outcome = Some(note.clone().unwrap_or_else(|| "reviewed".to_string()));
        }
    }

    fn why_not(&self, t: &Transition) -> &'static str {
        let green = self.channel == Channel::Green;
        match t {
            _ if self.state.is_closed() => "the case is closed",
            Transition::Refer { .. } => "only a received case can be referred",
            Transition::Review { .. } if green => "a green-channel case is reviewed after it is approved",
            Transition::Review { .. } => "only a referred case can be reviewed",
            Transition::Approve { .. } if green => "a green-channel case is approved straight after it is received",
            Transition::Approve { .. } => "a case is approved only after the department's review",
            Transition::Reject { .. } if green => "a green-channel case cannot be rejected; withdraw it",
            Transition::Reject { .. } => "a case is rejected only after the department's review",
            Transition::Disburse => "only an approved case can be paid",
            Transition::Complete => "only a paid case can be completed",
            Transition::Withdraw { .. } => "only an open case can be withdrawn",
        }
    }

    /// Notes in the history that the case was brought in by `case import`.
    pub fn record_import(&mut self, by: &str, at: Moment) {
        self.history.push(HistoryEntry { at, by: by.to_string(), action: HistoryAction::Imported, note: None });
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
    pub fn name(&self) -> &'static str {
        match self {
            Transition::Refer { .. } => "refer",
            Transition::Review { .. } => "review",
            Transition::Approve { .. } => "approve",
            Transition::Reject { .. } => "reject",
            Transition::Disburse => "disburse",
            Transition::Complete => "complete",
            Transition::Withdraw { .. } => "withdraw",
        }
    }
}

/// An illegal transition: what was asked, from which state, and why not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a case that is {state}: {why}")]
pub struct TransitionError {
    pub action: &'static str,
    pub state: State,
    pub why: &'static str,
}

#[cfg(test)]
mod tests;
