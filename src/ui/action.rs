//! The one vocabulary between the keymap, the screens and the counter: every
//! key binding names an [`Action`], and the counter's update matches on it.

use serde::{Deserialize, Serialize};

/// Something the clerk asked for with a key. Names are the `snake_case` words
/// used in keymap files (`action = "call_next"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Show or hide the help overlay (every binding of the screen).
    Help,
    /// Open an empty intake form without a ticket.
    NewCase,
    /// Open the search screen.
    Search,
    /// Issue the next ticket of the day and open intake for it.
    CallNext,
    /// Recall the oldest ticket on hold.
    Recall,
    /// Put the ticket being served on hold, keeping what was typed.
    Hold,
    /// The called ticket did not come to the window: recorded as a no-show, the form closed.
    NoShow,
    /// Read the card on the reader again (without lifting it).
    ReadCard,
    /// Fill the household (size, income, members) from the applicant's latest earlier case.
    ReuseHousehold,
    /// Save the form (accept the case).
    Save,
    /// Leave the screen or cancel.
    Back,
    /// Close the counter (asks first when a form has unsaved input).
    Quit,
    NextField,
    /// The next field to type into (choices and ticks already set are passed over).
    NextInput,
    PrevField,
    /// Open the selected line.
    Select,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    /// Cursor left in a text field, previous choice in a choice field.
    Left,
    /// Cursor right in a text field, next choice in a choice field.
    Right,
    /// Switch a check box or the green channel.
    Toggle,
    DeleteBack,
    DeleteForward,
    LineStart,
    LineEnd,
    /// Refer the case to a department.
    Refer,
    /// Record the department's review.
    Review,
    Approve,
    Reject,
    Disburse,
    Complete,
    Withdraw,
    /// Approval by a supervisor (the operator), above the clerk's limit.
    ApproveAsSupervisor,
    /// Print a case's receipt again (one that is pending, or a lost one).
    Reprint,
    /// Open the list of overdue cases.
    Overdue,
    /// The queue's next filter: all, waiting, green channel, overdue.
    Filter,
    /// The queue by urgency (past a deadline first), or back in time order.
    SortByUrgency,
    /// Yes, in a confirmation.
    Confirm,
    /// No, in a confirmation.
    Cancel,
    /// Leave the counter to the next operator: back to the sign-in screen
    /// (a form being filled is kept for its owner).
    SignOut,
    /// At the first start: work without operators for now (as the config's `operator`).
    WithoutOperators,
}

/// The keys of a list: a line, a page, the ends.
pub const LIST_KEYS: &[Action] =
    &[Action::Up, Action::Down, Action::PageUp, Action::PageDown, Action::First, Action::Last];

/// The editing keys of a text field.
pub const TEXT_KEYS: &[Action] =
    &[Action::Left, Action::Right, Action::DeleteBack, Action::DeleteForward, Action::LineStart, Action::LineEnd];

impl Action {
    /// Every action, for the keymap tests and the help.
    pub const ALL: &'static [Action] = &[
        Action::Help,
        Action::NewCase,
        Action::Search,
        Action::CallNext,
        Action::Recall,
        Action::Hold,
        Action::NoShow,
        Action::ReadCard,
        Action::ReuseHousehold,
        Action::Save,
        Action::Back,
        Action::Quit,
        Action::NextField,
        Action::NextInput,
        Action::PrevField,
        Action::Select,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::First,
        Action::Last,
        Action::Left,
        Action::Right,
        Action::Toggle,
        Action::DeleteBack,
        Action::DeleteForward,
        Action::LineStart,
        Action::LineEnd,
        Action::Refer,
        Action::Review,
        Action::Approve,
        Action::Reject,
        Action::Disburse,
        Action::Complete,
        Action::Withdraw,
        Action::ApproveAsSupervisor,
        Action::Reprint,
        Action::Overdue,
        Action::Filter,
        Action::SortByUrgency,
        Action::Confirm,
        Action::Cancel,
        Action::SignOut,
        Action::WithoutOperators,
    ];

    /// The action's name in keymap files (`call_next`).
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// Parses a keymap file's action name.
    pub fn from_name(name: &str) -> Option<Action> {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        let de: StrDeserializer<'_, Error> = name.into_deserializer();
        Action::deserialize(de).ok()
    }
}
