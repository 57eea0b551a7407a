//! The district wire protocol v1 (`docs/district-protocol.md`): the paths,
//! headers and JSON bodies of every endpoint, the onedoor extension (what a
//! counter reports about itself), and what each status means to a counter.
//! Requests are parsed strictly (an unknown field is a 400); responses are
//! read leniently, so a newer district can add fields without breaking counters.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::case::{text_problem, HistoryAction, MAX_DESCRIPTION_CHARS, MAX_MEMBERS, MAX_TEXT_CHARS};
use crate::domain::time::{self, Moment};
use crate::domain::{Case, CaseId, IdNumber, Kind, Money, Reason, State};

/// `POST`: one finished case (`onedoor.case/1`).
pub const CASES_PATH: &str = "/v1/cases";
/// `POST`: is this person already helped somewhere in the district?
pub const SEARCH_PATH: &str = "/v1/assistance/search";
/// `GET`: is the server up, and on which store.
pub const HEALTH_PATH: &str = "/v1/health";
/// `GET` with the district's admin token: every town's last contact.
pub const TOWNS_PATH: &str = "/v1/towns";
/// `POST` (onedoor extension): a counter says it is alive, with its report headers.
pub const HEARTBEAT_PATH: &str = "/v1/onedoor/heartbeat";

/// The largest request body a district accepts (413 above it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The most ID numbers one search may carry: an applicant and a whole household, with room.
pub const MAX_SEARCH_VALUES: usize = 64;
/// The most records one search answers with (the most recent first).
pub const MAX_SEARCH_RECORDS: usize = 500;
/// Longest history a forwarded case may carry; records stay small.
pub const MAX_HISTORY_ENTRIES: usize = 200;
/// Most referrals, documents or related cases a forwarded case may list.
pub const MAX_LIST_ITEMS: usize = 50;

/// The header naming the case a `POST /v1/cases` carries: its case id.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The content type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";
/// The only currency amounts are in.
pub const CURRENCY: &str = "CNY";

/// Extension header: how many cases sit in the counter's dead-letter list.
pub const DEAD_LETTERS_HEADER: &str = "Onedoor-Dead-Letters";
/// Extension header: how many finished cases wait in the counter's outbox.
pub const OUTBOX_HEADER: &str = "Onedoor-Outbox";
/// Extension header: the head of the counter's audit chain, `ENTRIES:SHA256HEX`.
pub const AUDIT_HEAD_HEADER: &str = "Onedoor-Audit-Head";

/// What `201` and `200` answer to `POST /v1/cases`: the counter keeps `receipt_id` with the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReceipt {
    pub case_id: CaseId,
    /// When the district first received the case (the same on every later `200`).
    #[serde(with = "time::moment")]
    pub received_at: Moment,
    /// The district's reference for the case, the same on every later `200`.
    pub receipt_id: String,
}

/// The only kind of identifier a search takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierType {
    IdNumber,
}

/// `POST /v1/assistance/search`: ID numbers go in the body, never in a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    pub identifier_type: IdentifierType,
    pub values: Vec<String>,
    /// Only cases received at a window on or after this day.
    #[serde(default, with = "time::day_opt")]
    pub since: Option<NaiveDate>,
}

/// Why a search request is refused (400). Never repeats the ID number itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchRequestError {
    #[error("values is empty: give at least one ID number")]
    NoValues,
    #[error("values has {0} ID numbers; at most {MAX_SEARCH_VALUES} may be searched at once")]
    TooManyValues(usize),
    #[error("values[{index}] is not a valid ID number: {problem}")]
    BadIdNumber { index: usize, problem: String },
}

impl SearchRequest {
    /// A search for these people (the applicant and the household members).
    pub fn for_people<'a>(people: impl IntoIterator<Item = &'a IdNumber>, since: Option<NaiveDate>) -> SearchRequest {
        SearchRequest {
            identifier_type: IdentifierType::IdNumber,
            values: people.into_iter().map(|id| id.as_str().to_string()).collect(),
            since,
        }
    }

    /// The ID numbers searched for, checked (a 15-digit number converted), each once.
    pub fn id_numbers(&self) -> Result<Vec<IdNumber>, SearchRequestError> {
        if self.values.is_empty() {
            return Err(SearchRequestError::NoValues);
        }
        if self.values.len() > MAX_SEARCH_VALUES {
            return Err(SearchRequestError::TooManyValues(self.values.len()));
        }
        let mut ids: Vec<IdNumber> = Vec::with_capacity(self.values.len());
        for (index, value) in self.values.iter().enumerate() {
            let id = IdNumber::parse_any_date(value)
                .map_err(|e| SearchRequestError::BadIdNumber { index, problem: e.to_string() })?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

/// How a person appears in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    Member,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Member => "member",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "applicant" => Ok(Role::Applicant),
            "member" => Ok(Role::Member),
            other => Err(format!("'{other}' is not a role (applicant or member)")),
        }
    }
}

/// One person's part in one case, as a search answers it: no name, address or description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistanceRecord {
    pub case_id: CaseId,
    pub town_code: String,
    pub id_number: IdNumber,
    pub role: Role,
    pub kind: Kind,
    pub reason: Reason,
    pub state: State,
    pub granted_amount: Option<Money>,
    pub currency: String,
    /// When the case reached its final state (completed, rejected or withdrawn).
    #[serde(with = "time::moment_opt")]
    pub completed_at: Option<Moment>,
}

impl AssistanceRecord {
    /// The records a finished case gives: the applicant's first, then each member's.
    pub fn of_case(case: &Case) -> Vec<AssistanceRecord> {
        let completed_at = finished_at(case);
        let record = |id_number: &IdNumber, role| AssistanceRecord {
            case_id: case.id.clone(),
            town_code: case.id.town_code().to_string(),
            id_number: id_number.clone(),
            role,
            kind: case.kind,
            reason: case.reason,
            state: case.state,
            granted_amount: case.granted_amount,
            currency: CURRENCY.to_string(),
            completed_at,
        };
        let mut records = vec![record(&case.applicant.id_number, Role::Applicant)];
        records.extend(case.household.members.iter().map(|m| record(&m.id_number, Role::Member)));
        records
    }
}

/// The answer to a search: `found` is true when there is at least one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub found: bool,
    pub records: Vec<AssistanceRecord>,
}

impl SearchResponse {
    pub fn new(records: Vec<AssistanceRecord>) -> SearchResponse {
        SearchResponse { found: !records.is_empty(), records }
    }
}

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// `sled` or `postgres`.
    pub store: String,
    #[serde(default)]
    pub version: Option<String>,
}

/// The head of a counter's audit chain: how many entries it has and the
/// SHA-256 of the last one; on the wire `ENTRIES:HEX` (64 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditHead {
    pub entries: u64,
    pub sha256: String,
}

impl fmt::Display for AuditHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.entries, self.sha256)
    }
}

impl FromStr for AuditHead {
    type Err = String;
    fn from_str(s: &str) -> Result<AuditHead, String> {
        let bad = || "is not ENTRIES:SHA256 (a count, a colon and 64 hex digits)".to_string();
        let (entries, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let entries: u64 = entries.parse().map_err(|_| bad())?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(AuditHead { entries, sha256: hash.to_ascii_lowercase() })
    }
}

impl Serialize for AuditHead {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AuditHead {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AuditHead, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// What a counter says about itself on any authenticated request (the
/// onedoor extension headers). Another district platform ignores them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CounterReport {
    pub dead_letters: Option<u32>,
    pub outbox_waiting: Option<u32>,
    pub audit_head: Option<AuditHead>,
}

impl CounterReport {
    pub fn is_empty(&self) -> bool {
        self.dead_letters.is_none() && self.outbox_waiting.is_none() && self.audit_head.is_none()
    }

    /// The headers a counter adds to its requests.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(n) = self.dead_letters {
            headers.push((DEAD_LETTERS_HEADER, n.to_string()));
        }
        if let Some(n) = self.outbox_waiting {
            headers.push((OUTBOX_HEADER, n.to_string()));
        }
        if let Some(head) = &self.audit_head {
            headers.push((AUDIT_HEAD_HEADER, head.to_string()));
        }
        headers
    }

    /// Reads the extension headers through `header` (a lookup by name). A
    /// malformed one is left out and described in the second value: the
    /// request itself is never refused for it.
    pub fn from_headers<'a>(header: impl Fn(&str) -> Option<&'a str>) -> (CounterReport, Vec<String>) {
        let mut problems = Vec::new();
        let mut count = |name: &str| -> Option<u32> {
            let value = header(name)?;
            match value.trim().parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(format!("{name} is not a count"));
                    None
                }
            }
        };
        let dead_letters = count(DEAD_LETTERS_HEADER);
        let outbox_waiting = count(OUTBOX_HEADER);
        let audit_head = header(AUDIT_HEAD_HEADER).and_then(|v| match v.parse() {
            Ok(head) => Some(head),
            Err(e) => {
                problems.push(format!("{AUDIT_HEAD_HEADER} {e}"));
                None
            }
        });
        (CounterReport { dead_letters, outbox_waiting, audit_head }, problems)
    }
}

/// One town in `GET /v1/towns`: how the district IT officer sees a silent kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownStatus {
    pub town_code: String,
    /// The last authenticated request from the town's counters.
    #[serde(with = "time::moment_opt")]
    pub last_contact: Option<Moment>,
    pub cases_held: u64,
    /// When the district received the town's latest new case.
    #[serde(with = "time::moment_opt")]
    pub last_case_received_at: Option<Moment>,
    /// As last reported by a counter (extension headers), with when.
    pub dead_letters: Option<u32>,
    pub outbox_waiting: Option<u32>,
    pub audit_head: Option<AuditHead>,
    #[serde(with = "time::moment_opt")]
    pub reported_at: Option<Moment>,
}

/// `GET /v1/towns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownsView {
    #[serde(with = "time::moment")]
    pub at: Moment,
    pub towns: Vec<TownStatus>,
}

/// `POST /v1/onedoor/heartbeat` answers with the town the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatReply {
    pub town_code: String,
    #[serde(with = "time::moment")]
    pub at: Moment,
}

/// The kinds of error a district answers, each with its status and a stable
/// `type` (RFC 9457 problem details).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Invalid,
    Unauthorized,
    WrongTown,
    NotFound,
    MethodNotAllowed,
    Timeout,
    InFlight,
    TooLarge,
    Conflict,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl ProblemKind {
    pub fn status(self) -> u16 {
        match self {
            ProblemKind::Invalid => 400,
            ProblemKind::Unauthorized => 401,
            ProblemKind::WrongTown => 403,
            ProblemKind::NotFound => 404,
            ProblemKind::MethodNotAllowed => 405,
            ProblemKind::Timeout => 408,
            ProblemKind::InFlight => 409,
            ProblemKind::TooLarge => 413,
            ProblemKind::Conflict => 422,
            ProblemKind::TooManyRequests => 429,
            ProblemKind::Internal => 500,
            ProblemKind::Unavailable => 503,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::Invalid => "invalid",
            ProblemKind::Unauthorized => "unauthorized",
            ProblemKind::WrongTown => "wrong-town",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::Timeout => "timeout",
            ProblemKind::InFlight => "in-flight",
            ProblemKind::TooLarge => "too-large",
            ProblemKind::Conflict => "conflict",
            ProblemKind::TooManyRequests => "too-many-requests",
            ProblemKind::Internal => "internal",
            ProblemKind::Unavailable => "unavailable",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::Invalid => "the request is not valid",
            ProblemKind::Unauthorized => "the token is missing or unknown",
            ProblemKind::WrongTown => "the token may not do this",
            ProblemKind::NotFound => "no such endpoint",
            ProblemKind::MethodNotAllowed => "method not allowed here",
            ProblemKind::Timeout => "the request body did not arrive in time",
            ProblemKind::InFlight => "the same case is still being written",
            ProblemKind::TooLarge => "the request body is over 1 MiB",
            ProblemKind::Conflict => "the district holds this case id with other content",
            ProblemKind::TooManyRequests => "too many requests from this town at once",
            ProblemKind::Internal => "the district server failed",
            ProblemKind::Unavailable => "the district cannot take requests now",
        }
    }

    /// The problem's `type`: `urn:onedoor:problem:SLUG`.
    pub fn type_uri(self) -> String {
        format!("urn:onedoor:problem:{}", self.slug())
    }
}

/// An error body (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type", default = "about_blank")]
    pub problem_type: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub detail: Option<String>,
    /// The case the problem is about, where there is one.
    #[serde(default)]
    pub case_id: Option<String>,
}

fn about_blank() -> String {
    "about:blank".to_string()
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: kind.type_uri(),
            title: kind.title().to_string(),
            status: kind.status(),
            detail: Some(detail.into()),
            case_id: None,
        }
    }

    pub fn about(mut self, case_id: &str) -> Problem {
        self.case_id = Some(case_id.to_string());
        self
    }
}

/// What a counter does with a case after the district's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// 201 / 200: the district holds it; remove it from the outbox, keep the receipt.
    Accepted,
    /// 400 / 413 / 422: the case itself is refused; park it as a dead letter with the reason.
    DeadLetter,
    /// 408 / 409 / 429 / 5xx: try again later (after `Retry-After` when given).
    Retry,
    /// 401 / 403 / 404 / 405 and anything else: the token or the address is
    /// wrong; stop forwarding until someone fixes it.
    Stop,
}

impl Disposition {
    pub fn of_status(status: u16) -> Disposition {
        match status {
            200 | 201 => Disposition::Accepted,
            400 | 413 | 422 => Disposition::DeadLetter,
            408 | 409 | 429 | 500..=599 => Disposition::Retry,
            _ => Disposition::Stop,
        }
    }
}

/// Reads a `Retry-After` value: delay seconds or an HTTP date. A date in the
/// past is no wait; anything unreadable is `None` (use the backoff instead).
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - now).to_std().unwrap_or(Duration::ZERO))
}

/// Why a case is not one a district receives (400): the field and what is wrong.
/// Why the district refuses a forwarded case: the field (its JSON path) and
/// what is wrong, in the English of the protocol's problem answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ForwardedCaseError {
    pub field: String,
    pub problem: String,
}

fn refuse(field: impl Into<String>, problem: impl Into<String>) -> ForwardedCaseError {
    ForwardedCaseError { field: field.into(), problem: problem.into() }
}

/// A text of a forwarded case within the sizes a counter writes.
fn check_text(field: &str, value: &str, required: bool, max: usize) -> Result<(), ForwardedCaseError> {
    match text_problem(value, required, max) {
        Some(problem) => Err(refuse(field, problem.to_string())),
        None => Ok(()),
    }
}

/// When the case reached its final state: the last history entry that put it there.
pub fn finished_at(case: &Case) -> Option<Moment> {
    let action = match case.state {
        State::Completed => HistoryAction::Completed,
        State::Rejected => HistoryAction::Rejected,
        State::Withdrawn => HistoryAction::Withdrawn,
        _ => return None,
    };
    case.history.iter().rev().find(|h| h.action == action).map(|h| h.at)
}

/// Checks a case a counter forwards beyond what its JSON types check: it is
/// finished (completed, rejected or withdrawn, with that step in its
/// history), its household adds up, nobody is listed twice, and its texts and
/// lists are within the sizes a counter writes.
pub fn check_forwarded_case(case: &Case) -> Result<(), ForwardedCaseError> {
    if !case.state.is_closed() {
        return Err(refuse(
            "state",
            format!("is '{}'; only a finished case (completed, rejected or withdrawn) is forwarded", case.state),
        ));
    }
    if finished_at(case).is_none() {
        return Err(refuse("history", format!("has no '{}' step for the case's state", case.state)));
    }
    if case.state == State::Completed && case.granted_amount.is_none() {
        return Err(refuse("granted_amount", "a completed case has a granted amount"));
    }
    let text = |field: &str, value: &str, max: usize| check_text(field, value, false, max);
    check_text("applicant.name", &case.applicant.name, true, MAX_TEXT_CHARS)?;
    for (field, value) in [("applicant.address", &case.applicant.address), ("applicant.phone", &case.applicant.phone)] {
        if let Some(v) = value {
            text(field, v, MAX_TEXT_CHARS)?;
        }
    }
    text("description", &case.description, MAX_DESCRIPTION_CHARS)?;
    text("operator", &case.operator, MAX_TEXT_CHARS)?;
    let members = &case.household.members;
    if members.len() > MAX_MEMBERS {
        return Err(refuse("household.members", format!("lists more than {MAX_MEMBERS} people")));
    }
    if members.len() + 1 > usize::from(case.household.size) {
        return Err(refuse(
            "household.size",
            format!("is {} but the applicant and {} members are listed", case.household.size, members.len()),
        ));
    }
    let mut seen = vec![&case.applicant.id_number];
    for (i, m) in members.iter().enumerate() {
        text(&format!("household.members[{i}].name"), &m.name, MAX_TEXT_CHARS)?;
        text(&format!("household.members[{i}].relation"), &m.relation, MAX_TEXT_CHARS)?;
        if seen.contains(&&m.id_number) {
            return Err(refuse(format!("household.members[{i}].id_number"), "lists a person twice"));
        }
        seen.push(&m.id_number);
    }
    if case.history.len() > MAX_HISTORY_ENTRIES {
        return Err(refuse("history", format!("has more than {MAX_HISTORY_ENTRIES} entries")));
    }
    for (i, h) in case.history.iter().enumerate() {
        text(&format!("history[{i}].by"), &h.by, MAX_TEXT_CHARS)?;
        if let Some(note) = &h.note {
            text(&format!("history[{i}].note"), note, MAX_DESCRIPTION_CHARS)?;
        }
    }
    for (field, len) in [
        ("referrals", case.referrals.len()),
        ("documents", case.documents.len()),
        ("related_cases", case.related_cases.len()),
    ] {
        if len > MAX_LIST_ITEMS {
            return Err(refuse(field, format!("has more than {MAX_LIST_ITEMS} entries")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_request_with_an_unknown_field_is_refused() {
        let ok = r#"{"identifier_type":"id_number","values":["11010519491231002X"],"since":"2026-01-01"}"#;
        let req: SearchRequest = serde_json::from_str(ok).unwrap();
        assert_eq!(req.since, NaiveDate::from_ymd_opt(2026, 1, 1));
        let extra = r#"{"identifier_type":"id_number","values":[],"name":"王芳"}"#;
        assert!(serde_json::from_str::<SearchRequest>(extra).unwrap_err().to_string().contains("unknown field"));
        let other_type = r#"{"identifier_type":"passport","values":["X"]}"#;
        assert!(serde_json::from_str::<SearchRequest>(other_type).is_err());
    }

    #[test]
    fn search_values_are_checked_without_repeating_the_number() {
        let req = SearchRequest {
            identifier_type: IdentifierType::IdNumber,
            values: vec!["11010519491231002X".into(), "110105194912310021".into()],
            since: None,
        };
        let err = req.id_numbers().unwrap_err();
        assert!(matches!(err, SearchRequestError::BadIdNumber { index: 1, .. }), "{err}");
        assert!(!err.to_string().contains("110105194912310021"));
        let twice = SearchRequest { values: vec!["11010519491231002X".into(), "11010519491231002x".into()], ..req };
        assert_eq!(twice.id_numbers().unwrap().len(), 1);
    }

    #[test]
    fn the_extension_headers_round_trip_and_a_bad_one_is_only_left_out() {
        let report = CounterReport {
            dead_letters: Some(2),
            outbox_waiting: Some(40),
            audit_head: Some(AuditHead { entries: 1234, sha256: "ab".repeat(32) }),
        };
        let headers = report.headers();
        let get = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str());
        assert_eq!(CounterReport::from_headers(get), (report, vec![]));
        let (read, problems) = CounterReport::from_headers(|name| match name {
            DEAD_LETTERS_HEADER => Some("-1"),
            AUDIT_HEAD_HEADER => Some("12:abc"),
            OUTBOX_HEADER => Some("3"),
            _ => None,
        });
        assert_eq!(read, CounterReport { outbox_waiting: Some(3), ..CounterReport::default() });
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn statuses_tell_the_counter_what_to_do() {
        for (status, want) in [
            (201, Disposition::Accepted),
            (200, Disposition::Accepted),
            (422, Disposition::DeadLetter),
            (400, Disposition::DeadLetter),
            (413, Disposition::DeadLetter),
            (409, Disposition::Retry),
            (429, Disposition::Retry),
            (503, Disposition::Retry),
            (500, Disposition::Retry),
            (401, Disposition::Stop),
            (403, Disposition::Stop),
            (404, Disposition::Stop),
        ] {
            assert_eq!(Disposition::of_status(status), want, "{status}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T08:49:37Z").unwrap().with_timezone(&Utc);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("Sun, 29 Nov 2026 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("Sun, 29 Nov 2026 08:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn problems_carry_their_status_and_a_stable_type() {
        let p = Problem::new(ProblemKind::Conflict, "content differs").about("320106001-03-20261129-0007");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], "urn:onedoor:problem:conflict");
        assert_eq!(json["status"], 422);
        assert_eq!(json["case_id"], "320106001-03-20261129-0007");
    }
}
