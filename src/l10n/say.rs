//! What a refusal or a failure says to the clerk, in the configured language:
//! one translation for each typed error of the domain, the window, the store
//! and the session, by message id. The counter's message line and the CLI's
//! `error:` line both say it this way; the English `Display` is for the log.

use crate::domain::case::{ImpossibleCase, State};
use crate::domain::case::{InputError, InputField, InputProblem, NotNow, TransitionError};
use crate::domain::dedup::DuplicateRefusal;
use crate::domain::fund::{FundError, FundField, TextProblem};
use crate::domain::operator::{BadOperatorName, BadPin};
use crate::domain::payment::BadTransferRef;
use crate::domain::policy::Ceiling;
use crate::domain::text::Unprintable;
use crate::domain::{IdNumberError, MoneyError, MoneySource, Payment};
use crate::session::SessionError;
use crate::store::StoreError;
use crate::window::{ImportRefusal, WindowError};
use crate::{tr, Lang};

use super::names;

/// A refusal or failure in the clerk's words.
pub trait Say {
    fn say(&self, lang: Lang) -> String;
}

impl Say for IdNumberError {
    /// Short enough for the line beside the ID number field.
    fn say(&self, lang: Lang) -> String {
        match self {
            IdNumberError::Empty => tr!(lang, "id-empty").to_string(),
            IdNumberError::WrongLength(n) => tr!(lang, "id-wrong-length", n = *n),
            IdNumberError::NotADigit { position, found } => {
                tr!(lang, "id-not-a-digit", position = *position, found = *found)
            }
            IdNumberError::BadCheckCharacter(c) => tr!(lang, "id-bad-check-character", found = *c),
            IdNumberError::NoSuchDate(d) => tr!(lang, "id-no-such-date", date = d),
            IdNumberError::FutureDate(d) => tr!(lang, "id-future-date", date = d),
            IdNumberError::CheckMismatch { expected, found } => {
                tr!(lang, "id-check-mismatch", expected = *expected, found = *found)
            }
        }
    }
}

impl Say for MoneyError {
    fn say(&self, lang: Lang) -> String {
        match self {
            MoneyError::NotANumber(s) => tr!(lang, "money-not-a-number", text = s),
            MoneyError::Negative(_) => tr!(lang, "money-negative").to_string(),
            MoneyError::TooPrecise(_) => tr!(lang, "money-too-precise").to_string(),
            MoneyError::TooLarge(_) => tr!(lang, "money-too-large").to_string(),
        }
    }
}

/// The name of an input's field for the clerk (its JSON path in English).
fn input_field(field: InputField, lang: Lang) -> String {
    let path = field.to_string();
    match field {
        InputField::Schema => tr!(lang, "input-field-schema", path = path),
        InputField::ApplicantName => tr!(lang, "input-field-applicant-name", path = path),
        InputField::ApplicantIdNumber => tr!(lang, "input-field-applicant-id-number", path = path),
        InputField::ApplicantPhone => tr!(lang, "input-field-applicant-phone", path = path),
        InputField::ApplicantAddress => tr!(lang, "input-field-applicant-address", path = path),
        InputField::ApplicantEthnicity => tr!(lang, "input-field-applicant-ethnicity", path = path),
        InputField::ApplicantSex => tr!(lang, "input-field-applicant-sex", path = path),
        InputField::ApplicantBirthDate => tr!(lang, "input-field-applicant-birth-date", path = path),
        InputField::HouseholdSize => tr!(lang, "input-field-household-size", path = path),
        InputField::HouseholdMembers => tr!(lang, "input-field-household-members", path = path),
        InputField::MemberName(i) => tr!(lang, "input-field-member-name", path = path, n = i + 1),
        InputField::MemberRelation(i) => tr!(lang, "input-field-member-relation", path = path, n = i + 1),
        InputField::MemberIdNumber(i) => tr!(lang, "input-field-member-id-number", path = path, n = i + 1),
        InputField::Description => tr!(lang, "input-field-description", path = path),
        InputField::SourceReporter => tr!(lang, "input-field-source-reporter", path = path),
        InputField::SourceVillage => tr!(lang, "input-field-source-village", path = path),
    }
}

impl Say for InputProblem {
    fn say(&self, lang: Lang) -> String {
        match self {
            InputProblem::Empty => tr!(lang, "input-empty").to_string(),
            InputProblem::TooLong(n) => tr!(lang, "input-too-long", n = *n),
            InputProblem::Unprintable(u) => u.say(lang),
            InputProblem::BadPhone => tr!(lang, "input-bad-phone").to_string(),
            InputProblem::DoesNotMatchIdNumber => tr!(lang, "input-does-not-match-id-number").to_string(),
            InputProblem::BirthDateInFuture => tr!(lang, "input-birth-date-in-future").to_string(),
            InputProblem::SizeZero => tr!(lang, "input-size-zero").to_string(),
            InputProblem::TooManyMembers(n) => tr!(lang, "input-too-many-members", n = *n),
            InputProblem::SizeTooSmall { size, members } => {
                tr!(lang, "input-size-too-small", size = *size, members = *members)
            }
            InputProblem::PersonTwice => tr!(lang, "input-person-twice").to_string(),
            InputProblem::UnsupportedSchema(s) => {
                tr!(lang, "input-unsupported-schema", schema = s, expected = crate::domain::case::SCHEMA)
            }
            InputProblem::IdNumber(e) => e.say(lang),
        }
    }
}

impl Say for InputError {
    fn say(&self, lang: Lang) -> String {
        tr!(lang, "input-error", field = input_field(self.field, lang), problem = self.problem.say(lang))
    }
}

fn not_now(why: NotNow, lang: Lang) -> &'static str {
    match why {
        NotNow::Closed => tr!(lang, "not-now-closed"),
        NotNow::AlreadyReviewedAfterwards => tr!(lang, "not-now-already-reviewed-afterwards"),
        NotNow::GreenNeedsReviewFirst => tr!(lang, "not-now-green-needs-review-first"),
        NotNow::ReferOnlyReceived => tr!(lang, "not-now-refer-only-received"),
        NotNow::GreenReviewedAfterApproval => tr!(lang, "not-now-green-reviewed-after-approval"),
        NotNow::ReviewOnlyReferred => tr!(lang, "not-now-review-only-referred"),
        NotNow::GreenApprovedAtOnce => tr!(lang, "not-now-green-approved-at-once"),
        NotNow::ApproveAfterReview => tr!(lang, "not-now-approve-after-review"),
        NotNow::GreenNotRejected => tr!(lang, "not-now-green-not-rejected"),
        NotNow::RejectAfterReview => tr!(lang, "not-now-reject-after-review"),
        NotNow::PayOnlyApproved => tr!(lang, "not-now-pay-only-approved"),
        NotNow::CompleteOnlyPaid => tr!(lang, "not-now-complete-only-paid"),
        NotNow::WithdrawOnlyOpen => tr!(lang, "not-now-withdraw-only-open"),
    }
}

impl Say for TransitionError {
    fn say(&self, lang: Lang) -> String {
        tr!(
            lang,
            "transition-error",
            step = names::step(self.step, lang),
            step_code = self.step.code(),
            state = names::state(self.state, lang),
            state_code = self.state.code(),
            why = not_now(self.why, lang),
        )
    }
}

impl Say for DuplicateRefusal {
    fn say(&self, lang: Lang) -> String {
        match self {
            DuplicateRefusal::NeedsOverride(cases) => {
                let each: Vec<String> = cases
                    .iter()
                    .map(|c| {
                        let granted =
                            c.granted.map(|g| tr!(lang, "earlier-case-granted", amount = g)).unwrap_or_default();
                        tr!(
                            lang,
                            "earlier-case",
                            id = &c.id,
                            kind = names::kind(c.kind, lang),
                            kind_code = c.kind.code(),
                            reason = names::reason(c.reason, lang),
                            reason_code = c.reason.code(),
                            received = c.received,
                            id_number = c.id_number.masked(),
                            state = names::state(c.state, lang),
                            state_code = c.state.code(),
                            granted = granted,
                        )
                    })
                    .collect();
                tr!(lang, "duplicate-needs-override", cases = each.join(tr!(lang, "earlier-case-separator")))
            }
            DuplicateRefusal::OverrideIncomplete => tr!(lang, "duplicate-override-incomplete").to_string(),
        }
    }
}

impl Say for BadTransferRef {
    fn say(&self, lang: Lang) -> String {
        match self {
            BadTransferRef::Empty => tr!(lang, "transfer-ref-empty").to_string(),
            BadTransferRef::TooLong => tr!(lang, "transfer-ref-too-long").to_string(),
            BadTransferRef::Character(c) => tr!(lang, "transfer-ref-character", char = format!("{c:?}")),
        }
    }
}

/// A payment in one line, for the case detail and `case show`: the amount,
/// the money it came from (`source`, as the caller names it) and its trace
/// (the fund's ledger entry or the finance's transfer reference).
pub fn payment(p: &Payment, source: &str, lang: Lang) -> String {
    match (p.source, p.ledger_entry, &p.transfer_ref) {
        (MoneySource::ReliefFund, Some(entry), _) => {
            tr!(lang, "paid-from-fund-entry", amount = p.amount, source = source, entry = entry)
        }
        (_, _, Some(reference)) => {
            tr!(lang, "paid-through-budget-ref", amount = p.amount, source = source, reference = reference.as_str())
        }
        _ => tr!(lang, "paid-no-trace", amount = p.amount, source = source),
    }
}

impl Say for FundError {
    fn say(&self, lang: Lang) -> String {
        match self {
            FundError::OverBalance { balance, amount } => {
                tr!(lang, "fund-over-balance", balance = *balance, amount = *amount)
            }
            FundError::Zero => tr!(lang, "fund-zero").to_string(),
            FundError::TooLarge => tr!(lang, "fund-too-large").to_string(),
            FundError::Text { field, problem } => {
                let field = match field {
                    FundField::Operator => tr!(lang, "fund-field-operator"),
                    FundField::Note => tr!(lang, "fund-field-note"),
                    FundField::Donor => tr!(lang, "fund-field-donor"),
                    FundField::CorrectionReason => tr!(lang, "fund-field-correction-reason"),
                };
                let problem = match problem {
                    TextProblem::Empty => tr!(lang, "input-empty"),
                    TextProblem::TooLong => tr!(lang, "fund-text-too-long"),
                    TextProblem::Unprintable(u) => unprintable(*u, lang),
                };
                tr!(lang, "fund-text", field = field, problem = problem)
            }
            FundError::EarlierYear { year, last } => tr!(lang, "fund-earlier-year", year = *year, last = *last),
        }
    }
}

impl Say for Ceiling {
    fn say(&self, lang: Lang) -> String {
        match self {
            Ceiling::ReserveFundGrant(m) => tr!(lang, "ceiling-reserve-fund-grant", amount = *m),
            Ceiling::PerCase(m) => tr!(lang, "ceiling-per-case", amount = *m),
            Ceiling::YearlyUrban(m) => tr!(lang, "ceiling-yearly-urban", amount = *m),
            Ceiling::YearlyRural(m) => tr!(lang, "ceiling-yearly-rural", amount = *m),
            Ceiling::Entitlement(m) => tr!(lang, "ceiling-entitlement", amount = *m),
            Ceiling::KindCap(k, m) => {
                tr!(lang, "ceiling-kind-cap", amount = *m, kind = names::kind(*k, lang), kind_code = k.code())
            }
        }
    }
}

impl Say for WindowError {
    fn say(&self, lang: Lang) -> String {
        match self {
            WindowError::Input(e) => e.say(lang),
            WindowError::Transition(e) => e.say(lang),
            WindowError::Duplicate(e) => e.say(lang),
            WindowError::Fund(e) => e.say(lang),
            WindowError::AboveClerkLimit { amount, limit } => {
                tr!(lang, "above-clerk-limit", amount = *amount, limit = *limit)
            }
            WindowError::AboveCeiling { amount, ceiling } => {
                tr!(lang, "above-ceiling", amount = *amount, ceiling = ceiling.say(lang), most = ceiling.amount())
            }
            WindowError::ZeroGrant => tr!(lang, "zero-grant").to_string(),
            WindowError::AboveRequested { amount, requested } => {
                tr!(lang, "above-requested", amount = *amount, requested = *requested)
            }
            WindowError::NotSupervisor(who) => tr!(lang, "not-supervisor", who = who),
            WindowError::PaidFromFund => tr!(lang, "paid-from-fund").to_string(),
            WindowError::FundPaysOnlyGreen => tr!(lang, "fund-pays-only-green").to_string(),
            WindowError::TransferRefOnFund => tr!(lang, "transfer-ref-on-fund").to_string(),
            WindowError::MoreThanApproved { amount, granted } => {
                tr!(lang, "more-than-approved", amount = *amount, granted = *granted)
            }
            WindowError::TwiceInImport(id) => tr!(lang, "import-twice", id = id),
            WindowError::DuplicateInImport { first, kind, reason, id_number } => tr!(
                lang,
                "import-duplicate",
                first = first + 1,
                kind = names::kind(*kind, lang),
                kind_code = kind.code(),
                reason = names::reason(*reason, lang),
                reason_code = reason.code(),
                id_number = id_number.masked(),
            ),
            WindowError::BornInTheFuture => tr!(lang, "import-born-in-the-future").to_string(),
            WindowError::Impossible(e) => e.say(lang),
            WindowError::GrantedAboveCeiling { amount, ceiling } => {
                tr!(lang, "import-granted-above-ceiling", amount = *amount, ceiling = ceiling.say(lang))
            }
            WindowError::PaidWithoutFundEntry(id) => tr!(lang, "import-paid-without-fund-entry", id = id),
            WindowError::ReviewByPayer { payer } => tr!(lang, "review-by-payer", payer = payer),
            WindowError::NeedsSupervisor { step, who } => {
                let step = crate::l10n::coded(lang, "guarded", step.code()).unwrap_or(step.code());
                tr!(lang, "four-eyes-needs-supervisor", who = who, step = step)
            }
            WindowError::OwnCase { step, supervisor } => {
                let step = crate::l10n::coded(lang, "guarded", step.code()).unwrap_or(step.code());
                tr!(lang, "four-eyes-own-case", supervisor = supervisor, step = step)
            }
            WindowError::UnknownOperator(name) => tr!(lang, "operator-unknown", name = name),
            WindowError::OperatorDisabled(name) => tr!(lang, "operator-is-disabled", name = name),
            WindowError::WrongPin { left } => tr!(lang, "operator-wrong-pin", left = *left),
            WindowError::LockedOut { until } => {
                tr!(lang, "operator-locked-out", until = until.format("%Y-%m-%d %H:%M").to_string())
            }
            WindowError::FirstMustBeSupervisor => tr!(lang, "operator-first-supervisor").to_string(),
            WindowError::NeedsSupervisorOperator => tr!(lang, "operator-needs-supervisor").to_string(),
            WindowError::DisableSelf => tr!(lang, "operator-disable-self").to_string(),
            WindowError::OperatorExists(name) => tr!(lang, "operator-exists", name = name),
            WindowError::PinOfAnother(name) => tr!(lang, "operator-pin-of-another", name = name),
            WindowError::OperatorName(e) => match e {
                BadOperatorName::Empty => tr!(lang, "operator-name-empty").to_string(),
                BadOperatorName::TooLong => tr!(lang, "operator-name-too-long").to_string(),
                BadOperatorName::Character(c) => tr!(lang, "operator-name-character", char = format!("{c:?}")),
            },
            WindowError::Pin(e) => match e {
                BadPin::Length => tr!(lang, "pin-length").to_string(),
                BadPin::NotDigits => tr!(lang, "pin-not-digits").to_string(),
                BadPin::Guessable => tr!(lang, "pin-guessable").to_string(),
            },
            WindowError::Auth(e) => match e {
                crate::auth::AuthError::BadHash(why) => tr!(lang, "pin-bad-hash", why = why),
                crate::auth::AuthError::Hash(why) => tr!(lang, "pin-cannot-hash", why = why),
            },
            WindowError::Store(e) => e.say(lang),
        }
    }
}

fn unprintable(u: Unprintable, lang: Lang) -> &'static str {
    match u {
        Unprintable::Control => tr!(lang, "input-control-characters"),
        Unprintable::Direction => tr!(lang, "input-direction-controls"),
        Unprintable::Invisible => tr!(lang, "input-invisible-characters"),
    }
}

impl Say for Unprintable {
    fn say(&self, lang: Lang) -> String {
        unprintable(*self, lang).to_string()
    }
}

impl Say for ImpossibleCase {
    fn say(&self, lang: Lang) -> String {
        let state = |s: &State| format!("{} ({})", names::state(*s, lang), s.code());
        match self {
            ImpossibleCase::SequenceZero => tr!(lang, "import-sequence-zero").to_string(),
            ImpossibleCase::IdNotOfItsDay { id_day, received } => {
                tr!(lang, "import-id-not-of-its-day", day = *id_day, received = *received)
            }
            ImpossibleCase::ReceivedInTheFuture { received, today } => {
                tr!(lang, "import-received-in-the-future", received = *received, today = *today)
            }
            ImpossibleCase::NoHistory => tr!(lang, "import-no-history").to_string(),
            ImpossibleCase::HistoryNotFromReception => tr!(lang, "import-history-not-from-reception").to_string(),
            ImpossibleCase::HistoryOutOfOrder { entry } => tr!(lang, "import-history-out-of-order", entry = *entry),
            ImpossibleCase::HistoryInTheFuture { entry, today } => {
                tr!(lang, "import-history-in-the-future", entry = *entry, today = *today)
            }
            ImpossibleCase::IllegalStep { entry, action, state: s } => tr!(
                lang,
                "import-illegal-step",
                entry = *entry,
                action = names::history_action(*action, lang),
                state = state(s)
            ),
            ImpossibleCase::StateNotFromHistory { state: s, from_history } => {
                tr!(lang, "import-state-not-from-history", state = state(s), history = state(from_history))
            }
            ImpossibleCase::NoGrantedAmount { state: s } => tr!(lang, "import-no-granted-amount", state = state(s)),
        }
    }
}

impl Say for ImportRefusal {
    fn say(&self, lang: Lang) -> String {
        self.error.say(lang)
    }
}

impl Say for StoreError {
    fn say(&self, lang: Lang) -> String {
        match self {
            StoreError::InUse(dir) => tr!(lang, "store-in-use", dir = dir.display().to_string()),
            StoreError::Io { dir, source } => {
                tr!(lang, "store-io", dir = dir.display().to_string(), error = source.to_string())
            }
            StoreError::Damaged { dir, what } => {
                tr!(lang, "store-damaged", dir = dir.display().to_string(), detail = what)
            }
            StoreError::Failed(detail) => tr!(lang, "store-failure", detail = detail),
            StoreError::NewerSchema { found } => {
                tr!(lang, "store-newer-schema", found = *found, reads = crate::store::NEWEST_SCHEMA)
            }
            StoreError::NewerFormat { dir, what } => {
                tr!(lang, "store-newer-format", dir = dir.display().to_string(), detail = what)
            }
            StoreError::UnknownRecordVersion { what, version } => {
                tr!(lang, "store-unknown-record-version", what = *what, version = *version)
            }
            StoreError::TooLarge { what, size, limit } => {
                tr!(lang, "store-too-large", what = *what, size = *size, limit = *limit)
            }
            StoreError::NotFound(id) => tr!(lang, "store-not-found", id = id),
            StoreError::AlreadyExists(id) => tr!(lang, "store-already-exists", id = id),
        }
    }
}

impl Say for std::io::Error {
    /// The operating system's own words.
    fn say(&self, _lang: Lang) -> String {
        self.to_string()
    }
}

impl Say for SessionError {
    fn say(&self, lang: Lang) -> String {
        match self {
            SessionError::BadNow(s) => tr!(lang, "session-bad-now", now = s),
            SessionError::NoStore(dir) => tr!(lang, "session-no-store", dir = dir.display().to_string()),
            SessionError::NoReader => tr!(lang, "session-no-reader").to_string(),
            SessionError::Store(e) => e.say(lang),
            SessionError::SignIn(e) => e.say(lang),
            SessionError::Countersign { name, error } => {
                tr!(lang, "countersign-refused", name = name.escape_debug().to_string(), error = error.say(lang))
            }
            SessionError::PinNeeded(name) => tr!(lang, "pin-needed", name = name),
            SessionError::CountersignPinNeeded(name) => tr!(lang, "countersign-pin-needed", name = name),
            SessionError::PinUnreadable(e) => tr!(lang, "pin-cannot-read", error = e),
            // A config or policy file's own diagnostics (file, line, the parser's words).
            SessionError::Config(_)
            | SessionError::PolicyDirUnreadable { .. }
            | SessionError::PolicyDirEmpty(_)
            | SessionError::PolicyUnreadable { .. }
            | SessionError::Policy { .. } => self.to_string(),
        }
    }
}
