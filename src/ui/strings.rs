//! The counter's texts by message id (the messages are in `locales/*.ftl`):
//! the fixed texts as [`S`], and the texts with values as functions. A
//! screen reads in one language, and a test can assert on what it says.
//! Hints name the keys of the active keymap, never a key written in a text.

use crate::domain::{
    Channel, Department, Document, IdNumberError, Kind, Money, MoneyError, Reason, Residence, Sex, State,
};
use crate::l10n::{self, names, Say};
use crate::{tr, Lang};

macro_rules! strings {
    ($($key:ident => $id:literal;)+) => {
        /// A fixed text of the counter, by its message id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum S { $($key),+ }

        impl S {
            /// Every fixed text, for the test that each has a message.
            pub const ALL: &'static [S] = &[$(S::$key),+];

            /// The message id.
            pub fn id(self) -> &'static str {
                match self { $(S::$key => $id),+ }
            }

            pub fn get(self, lang: Lang) -> &'static str {
                l10n::text(lang, self.id())
            }
        }
    };
}

strings! {
    Operator => "operator";
    IdReader => "id-reader";
    Printer => "printer";
    Fund => "fund";
    DeviceNotConfigured => "device-not-configured";
    DeviceNone => "device-none";
    DeviceReady => "device-ready";
    DeviceBusy => "device-busy";
    DeviceSimulated => "device-simulated";
    DeviceConnecting => "device-connecting";
    PrinterUnreachable => "printer-unreachable";
    PrinterStopped => "printer-stopped";
    NoPrinter => "no-printer";
    ChooseReceipt => "choose-receipt";
    OverrideTitle => "override-title";
    OverridePrompt => "override-prompt";
    EnterSupervisorAmount => "enter-supervisor-amount";
    OverdueTitle => "overdue-title";
    OverdueNone => "overdue-none";
    ColCaseId => "col-case-id";
    QueueTitle => "queue-title";
    Waiting => "waiting";
    InProgress => "in-progress";
    Done => "done";
    ColTicket => "col-ticket";
    ColTime => "col-time";
    ColApplicant => "col-applicant";
    ColIdNumber => "col-id-number";
    ColKind => "col-kind";
    ColState => "col-state";
    ColDue => "col-due";
    GreenMark => "green-mark";
    OverdueMark => "overdue-mark";
    AtRiskMark => "at-risk-mark";
    EstimatedMark => "estimated-mark";
    DeadlineAtRisk => "deadline-at-risk";
    DeadlineBreached => "deadline-breached";
    DeadlineLegend => "deadline-legend";
    HeldState => "held-state";
    HeldNoName => "held-no-name";
    IntakeTitle => "intake-title";
    TicketLabel => "ticket-label";
    NoTicket => "no-ticket";
    FromCard => "from-card";
    FieldIdNumber => "field-id-number";
    FieldName => "field-name";
    FieldPhone => "field-phone";
    FieldResidence => "field-residence";
    FieldHouseholdSize => "field-household-size";
    FieldIncome => "field-income";
    FieldKind => "field-kind";
    FieldReason => "field-reason";
    FieldAmount => "field-amount";
    FieldGreen => "field-green";
    FieldSource => "field-source";
    FieldReporter => "field-reporter";
    FieldVillage => "field-village";
    FieldSourceDept => "field-source-dept";
    FieldDescription => "field-description";
    FieldDocuments => "field-documents";
    FieldAddress => "field-address";
    FieldMember => "field-member";
    FieldRuralClass => "field-rural-class";
    FieldCategory => "field-category";
    FieldSupport => "field-support";
    NotAssessed => "not-assessed";
    NoCategory => "no-category";
    MembersHint => "members-hint";
    MemberNeedsName => "member-needs-name";
    Yes => "yes";
    No => "no";
    Entitlement => "entitlement";
    EntitlementPending => "entitlement-pending";
    IdTyping => "id-typing";
    IdOk => "id-ok";
    SourceWalkIn => "source-walk-in";
    SourceOfficer => "source-officer";
    SourceDept => "source-dept";
    DetailTitle => "detail-title";
    Applicant => "applicant";
    Household => "household";
    Persons => "persons";
    MonthlyIncome => "monthly-income";
    Requested => "requested";
    Granted => "granted";
    Paid => "show-paid";
    Received => "received";
    DueBy => "due-by";
    HelpBy => "help-by";
    Referrals => "referrals";
    NoReferrals => "no-referrals";
    Pending => "pending";
    History => "history";
    Documents => "documents";
    SearchTitle => "search-title";
    SearchPrompt => "search-prompt";
    SearchHint => "search-hint";
    SearchNone => "search-none";
    HelpTitle => "help-title";
    HelpGlobal => "help-global";
    ConfirmTitle => "confirm-title";
    ConfirmQuit => "confirm-quit";
    ConfirmDiscard => "confirm-discard";
    ConfirmRestore => "confirm-restore";
    ChooseDepartment => "choose-department";
    EnterAmount => "enter-amount";
    EnterReason => "enter-reason";
    EnterReviewNote => "enter-review-note";
    ReasonRequired => "reason-required";
    TooSmallTitle => "too-small-title";
    NothingSelected => "nothing-selected";
    NoHeld => "no-held";
    ReadCardNotInForm => "read-card-not-in-form";
    CardFilled => "card-filled";
    StoreFailed => "store-failed";
    DraftRestored => "draft-restored";
    DraftDiscarded => "draft-discarded";
    ConfirmNoShow => "confirm-no-show";
    Estimated => "deadline-estimated";
    ReadingCardAgain => "reading-card-again";
    BackToLine => "key-bar-back-to-line";
    NoEarlierHousehold => "no-earlier-household";
    FilterAll => "queue-filter-all";
    FilterWaiting => "queue-filter-waiting";
    FilterGreen => "queue-filter-green";
    FilterOverdue => "queue-filter-overdue";
    FilterMine => "queue-filter-mine";
    SupervisorTitle => "supervisor-title";
    SortedByUrgency => "queue-sorted-by-urgency";
    NoReader => "no-reader";
    NoShowNoTicket => "no-show-no-ticket";
}

/// What a key binding named in a keymap file does (`desc = "save"`: `key-save`).
pub fn key_desc(key: &str, lang: Lang) -> Option<&'static str> {
    l10n::coded(lang, "key", key)
}

pub fn kind(kind: Kind, lang: Lang) -> &'static str {
    names::kind(kind, lang)
}

pub fn reason(reason: Reason, lang: Lang) -> &'static str {
    names::reason(reason, lang)
}

pub fn department(d: Department, lang: Lang) -> &'static str {
    names::department(d, lang)
}

pub fn state(s: State, lang: Lang) -> &'static str {
    names::state(s, lang)
}

pub fn channel(c: Channel, lang: Lang) -> &'static str {
    names::channel(c, lang)
}

pub fn residence(r: Residence, lang: Lang) -> &'static str {
    names::residence(r, lang)
}

pub fn sex(s: Sex, lang: Lang) -> &'static str {
    names::sex(s, lang)
}

pub fn document(d: Document, lang: Lang) -> &'static str {
    names::document(d, lang)
}

pub fn history_action(a: crate::domain::case::HistoryAction, lang: Lang) -> &'static str {
    names::history_action(a, lang)
}

/// What is wrong with a typed ID number, short enough for the line beside the field.
pub fn id_error(e: &IdNumberError, lang: Lang) -> String {
    e.say(lang)
}

pub fn money_error(e: &MoneyError, lang: Lang) -> String {
    e.say(lang)
}

pub fn required(field: &str, lang: Lang) -> String {
    tr!(lang, "required", field = field)
}

pub fn field_problem(field: &str, problem: &str, lang: Lang) -> String {
    tr!(lang, "field-problem", field = field, problem = problem)
}

/// A household member by the line it is typed on (1 first).
pub fn member(n: usize, lang: Lang) -> String {
    tr!(lang, "member-n", n = n)
}

/// A household member's ID number, for an error that names it.
pub fn member_id(n: usize, lang: Lang) -> String {
    tr!(lang, "member-id-number", n = n)
}

pub fn member_incomplete(n: usize, lang: Lang) -> String {
    tr!(lang, "member-incomplete", n = n)
}

/// A member listed twice: as the applicant (`None`) or as an earlier member.
pub fn member_repeats(n: usize, earlier: Option<usize>, lang: Lang) -> String {
    match earlier {
        None => tr!(lang, "member-repeats-applicant", n = n),
        Some(m) => tr!(lang, "member-repeats-member", n = n, m = m),
    }
}

pub fn household_too_small(size: u8, members: usize, lang: Lang) -> String {
    tr!(lang, "household-too-small", size = size, members = members)
}

pub fn bill_item(item: crate::domain::policy::BillItem, lang: Lang) -> &'static str {
    names::bill_item(item, lang)
}

/// Beside a bill item's amount: its percent off and, once the discounts
/// apply to the household, the relief on the amount.
pub fn discount(percent: rust_decimal::Decimal, relief: Option<Money>, lang: Lang) -> String {
    let percent = percent.normalize().to_string();
    match relief {
        None => tr!(lang, "discount", percent = percent),
        Some(r) => tr!(lang, "discount-relief", percent = percent, relief = r),
    }
}

/// A rural dibao class with its monthly subsidy per person (when the policy has the class).
pub fn rural_class(class: Option<u8>, per_person: Option<Money>, lang: Lang) -> String {
    match (class, per_person) {
        (None, _) => S::NotAssessed.get(lang).to_string(),
        (Some(c), Some(m)) => tr!(lang, "rural-class-subsidy", class = c, amount = m),
        (Some(c), None) => tr!(lang, "rural-class", class = c),
    }
}

pub fn category(c: Option<crate::domain::policy::FullStandardCategory>, lang: Lang) -> &'static str {
    names::category(c, lang)
}

pub fn support_mode(m: Option<crate::domain::policy::SupportMode>, lang: Lang) -> &'static str {
    names::support_mode(m, lang)
}

/// The line at the edge of a form column that has more lines than fit.
pub fn more_lines(above: bool, n: usize, lang: Lang) -> String {
    if above {
        tr!(lang, "more-above", n = n)
    } else {
        tr!(lang, "more-below", n = n)
    }
}

pub fn household_size_error(lang: Lang) -> &'static str {
    tr!(lang, "household-size-error")
}

pub fn too_small(width: u16, height: u16, lang: Lang) -> String {
    tr!(lang, "too-small", width = width, height = height)
}

pub fn window_label(window: u8, lang: Lang) -> String {
    tr!(lang, "window-label", window = window)
}

pub fn money(amount: Money, lang: Lang) -> String {
    tr!(lang, "money", amount = amount)
}

pub fn called(ticket: u32, lang: Lang) -> String {
    tr!(lang, "called", ticket = ticket)
}

/// A form put on hold, and the key that recalls it.
pub fn held(ticket: Option<u32>, key: &str, lang: Lang) -> String {
    match ticket {
        Some(t) => tr!(lang, "held-ticket", ticket = t, key = key),
        None => tr!(lang, "held-form", key = key),
    }
}

pub fn accepted(id: &str, lang: Lang) -> String {
    tr!(lang, "accepted", id = id)
}

pub fn acted(action: &str, lang: Lang) -> String {
    tr!(lang, "acted", action = action)
}

pub fn confirm_act(verb: &str, id: &str, extra: Option<&str>, lang: Lang) -> String {
    match extra {
        Some(detail) => tr!(lang, "confirm-act-detail", action = verb, id = id, detail = detail),
        None => tr!(lang, "confirm-act", action = verb, id = id),
    }
}

/// Case ids for a banner line: as many as fit in `room` cells, then how many
/// more there are (at least the first id, whatever the room).
pub fn case_ids(ids: &[&str], room: usize, lang: Lang) -> String {
    let width = crate::ui::widgets::width;
    let mut text = String::new();
    for shown in (1..=ids.len()).rev() {
        text = ids[..shown].join(tr!(lang, "list-separator"));
        let rest = ids.len() - shown;
        if rest > 0 {
            text.push_str(&tr!(lang, "ids-more", total = ids.len(), rest = rest));
        }
        if width(&text) <= room {
            break;
        }
    }
    text
}

/// Earlier cases of the applicant (or, `through_members`, of the household),
/// newest first, in `room` cells; `latest` says what the newest one is.
pub fn earlier_cases_banner(ids: &[&str], latest: &str, through_members: bool, room: usize, lang: Lang) -> String {
    let n = ids.len();
    let head = if through_members { tr!(lang, "earlier-household", n = n) } else { tr!(lang, "earlier-person", n = n) };
    let room = room.saturating_sub(crate::ui::widgets::width(&head));
    let one = ids.first().map(|id| tr!(lang, "earlier-one", id = *id, latest = latest));
    let list = match one {
        Some(one) if n == 1 && crate::ui::widgets::width(&one) <= room => one,
        _ => case_ids(ids, room, lang),
    };
    format!("{head}{list}")
}

/// The policy's possible duplicates (same kind and reason within its window), in `room` cells.
pub fn possible_duplicates_banner(ids: &[&str], blocks: bool, room: usize, lang: Lang) -> String {
    let head = if blocks { tr!(lang, "possible-duplicate-blocks") } else { tr!(lang, "possible-duplicate-note") };
    let room = room.saturating_sub(crate::ui::widgets::width(head));
    format!("{head}{}", case_ids(ids, room, lang))
}

/// The store failed: nothing was saved, and why.
pub fn failed(e: &dyn Say, lang: Lang) -> String {
    tr!(lang, "store-failed-because", error = e.say(lang))
}

pub fn results(n: usize, lang: Lang) -> String {
    tr!(lang, "results", n = n)
}

pub fn flag(f: crate::domain::case::Flag, lang: Lang) -> &'static str {
    names::flag(f, lang)
}

/// The entitlement line of the form: the amount and its marks (and, in
/// English, the policy's own words for the basis).
pub fn entitlement(e: &crate::domain::case::Entitlement, lang: Lang) -> String {
    let flags: Vec<&str> = e.flags.iter().map(|f| flag(*f, lang)).collect();
    let mut s = money(e.amount, lang);
    if !flags.is_empty() {
        s = tr!(lang, "entitlement-flags", amount = s, flags = flags.join(" "));
    }
    if !e.basis.is_empty() {
        s = tr!(lang, "entitlement-basis", entitlement = s, basis = &e.basis);
    }
    s
}

/// Why a card on the reader could not be read.
pub fn card_failed(reason: &str, lang: Lang) -> String {
    tr!(lang, "card-failed", reason = reason)
}

pub fn card_expired(until: chrono::NaiveDate, lang: Lang) -> String {
    tr!(lang, "card-expired", until = until)
}

pub fn card_number_problem(e: &IdNumberError, lang: Lang) -> String {
    tr!(lang, "card-number-problem", problem = e.say(lang))
}

/// The reader's trouble, short enough for the status line.
pub fn reader_problem(e: &crate::devices::idcard::ReaderError, lang: Lang) -> String {
    use crate::devices::idcard::ReaderError;
    let why = match e {
        ReaderError::NotFound { .. } => tr!(lang, "reader-why-not_found"),
        ReaderError::Disconnected { .. } => tr!(lang, "reader-why-unplugged"),
        ReaderError::Busy { .. } => tr!(lang, "reader-why-busy"),
        ReaderError::CannotOpen { .. } => tr!(lang, "reader-why-cannot_open"),
        ReaderError::NoAnswer { .. } => tr!(lang, "reader-why-no_answer"),
        ReaderError::Refused { .. } => tr!(lang, "reader-why-security_module"),
        ReaderError::NoCard { .. } | ReaderError::Garbled(_) | ReaderError::Card(_) | ReaderError::Output(_) => {
            tr!(lang, "reader-why-fault")
        }
    };
    tr!(lang, "reader-problem", why = why)
}

/// The printer's state on the status line.
pub fn printer_state(status: crate::devices::printer::PrinterStatus, lang: Lang) -> crate::ui::DeviceState {
    use crate::devices::printer::PrinterStatus;
    use crate::ui::DeviceState;
    match status {
        PrinterStatus::Ready => DeviceState::Ready,
        other => DeviceState::Problem(names::printer_status(other, lang).to_string()),
    }
}

pub fn receipt_kind(kind: crate::receipt::ReceiptKind, lang: Lang) -> &'static str {
    names::receipt_kind(kind, lang)
}

pub fn printed(kind: crate::receipt::ReceiptKind, id: &str, reprint: bool, lang: Lang) -> String {
    let what = receipt_kind(kind, lang);
    if reprint {
        tr!(lang, "reprinted", what = what, id = id)
    } else {
        tr!(lang, "printed", what = what, id = id)
    }
}

/// A receipt the printer did not take: why, and that it is kept to reprint (with `key`).
pub fn receipt_pending(kind: crate::receipt::ReceiptKind, id: &str, reason: &str, key: &str, lang: Lang) -> String {
    tr!(lang, "receipt-pending", reason = reason, what = receipt_kind(kind, lang), id = id, key = key)
}

pub fn receipt_failed(kind: crate::receipt::ReceiptKind, id: &str, error: &str, lang: Lang) -> String {
    tr!(lang, "receipt-failed", what = receipt_kind(kind, lang), id = id, error = error)
}

pub fn reprinting(kind: crate::receipt::ReceiptKind, id: &str, lang: Lang) -> String {
    tr!(lang, "reprinting", what = receipt_kind(kind, lang), id = id)
}

/// The title of a receipt shown on screen.
pub fn receipt_on_screen(kind: crate::receipt::ReceiptKind, lang: Lang) -> String {
    tr!(lang, "receipt-on-screen", what = receipt_kind(kind, lang))
}

/// After a receipt with characters the printer could not carry.
pub fn write_in_by_hand(chars: &str, lang: Lang) -> String {
    tr!(lang, "write-in-by-hand", chars = chars)
}

/// After a refusal above the clerk's limit: the key a supervisor presses.
pub fn supervisor_hint(key: &str, lang: Lang) -> String {
    tr!(lang, "supervisor-hint", key = key)
}

/// The line of a supervisor's approval that says who is approving.
pub fn supervisor_line(operator: &str, lang: Lang) -> String {
    tr!(lang, "supervisor-line", operator = operator)
}

/// A deadline missed, for the overdue list.
pub fn late(l: &crate::window::Late, lang: Lang) -> String {
    use crate::window::Late;
    let day = |d: &chrono::NaiveDate| d.format("%m-%d").to_string();
    match l {
        Late::Due(due) => tr!(lang, "late-due", day = day(due)),
        Late::HelpBy(by) => tr!(lang, "late-help-by", day = day(by)),
        Late::Referral(d, due) => tr!(lang, "late-referral", department = department(*d, lang), day = day(due)),
    }
}

pub fn overdue_count(n: usize, lang: Lang) -> String {
    tr!(lang, "overdue-count", n = n)
}

pub fn overdue_shown(n: usize, lang: Lang) -> String {
    tr!(lang, "overdue-shown", n = n)
}
