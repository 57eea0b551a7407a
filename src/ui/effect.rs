//! What a screen or a popup asks the counter to do ([`Effect`]): it changes
//! its own state and returns effects, and `App` applies them in order (the
//! shape of gitui's `InternalEvent` queue). Writes to the store are effects
//! too, so one place commits, refreshes what is shown and prints.

use super::form::Form;
use super::popups::{Countersigned, Popup, Secret};
use crate::domain::dedup::SupervisorOverride;
use crate::domain::{Case, CaseId};
use crate::receipt::ReceiptKind;
use crate::window::{CaseAction, Countersign};

/// The screens of the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Intake,
    Detail,
    Search,
    /// Open cases past their promised date or with a referral past its date.
    Overdue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Error,
}

/// The line above the key bar: what just happened, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
}

#[derive(Debug, Clone)]
pub enum Effect {
    /// Show a screen (the overdue list is loaded again first).
    Show(Screen),
    /// Open a case's detail; Back returns to `back`.
    OpenCase {
        id: CaseId,
        back: Screen,
    },
    /// Leave the case detail for the screen it was opened from.
    CloseCase,
    /// A new form, or the one the queue already has open.
    NewCase,
    /// Issue the next ticket and open a form for it.
    CallNext,
    /// Take a held ticket back into the form (`None`: the oldest).
    Recall(Option<usize>),
    /// Open this form (a recalled or restored one), putting a form being filled on hold.
    OpenIntake(Box<Form>),
    /// Close the form without saving it; its draft goes.
    CloseIntake,
    /// Put the form on hold, keeping what was typed.
    Hold,
    /// Read the card on the reader again.
    ReadCard,
    /// Print every receipt that waited for the printer.
    PrintPending,
    /// The called ticket did not come: record it as a no-show and close the form.
    NoShow,
    /// The form changed: keep it as the draft.
    Draft,
    /// Accept the form as a case (with a supervisor's override of a blocking
    /// duplicate, countersigned at the counter once there are operators).
    Accept(Option<SupervisorOverride>, Option<Countersign>),
    /// Check a supervisor's name and PIN for one step (a wrong PIN counts
    /// toward their lockout), then go on with that step.
    Countersign {
        then: Countersigned,
        name: String,
        pin: Secret,
    },
    /// Open a popup over the screen.
    Popup(Popup),
    /// A step on a case, already confirmed (countersigned by a supervisor at the counter).
    Step {
        id: CaseId,
        action: CaseAction,
        countersign: Option<Countersign>,
    },
    /// Print a case's receipt again (which one, for a paid case).
    Reprint(Box<Case>),
    /// Print this receipt of a case again.
    PrintAgain {
        id: CaseId,
        kind: ReceiptKind,
    },
    Message(Message),
    /// Open the help of the screen.
    Help,
    /// Close the counter (asks first while a form has unsaved input).
    Quit,
    /// Close the counter, confirmed.
    QuitNow,
    /// Drop the draft left from last time.
    DiscardDraft,
}

/// What a key did: the effects to apply, in order.
pub type Effects = Vec<Effect>;

impl Effect {
    pub fn info(text: impl Into<String>) -> Effect {
        Effect::Message(Message { kind: MessageKind::Info, text: text.into() })
    }

    pub fn error(text: impl Into<String>) -> Effect {
        Effect::Message(Message { kind: MessageKind::Error, text: text.into() })
    }
}
