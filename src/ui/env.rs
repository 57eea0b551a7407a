//! What every screen and popup of the counter may read: the window (the one
//! service layer over the store and the policies), the counter's settings,
//! who is at the window, the language, the keymap, the look and the time.
//! Components read it; only `App` changes it (the clock).

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate};

use super::action::Action;
use super::keymap::{Keymap, Section};
use super::theme::Theme;
use crate::config::CounterConfig;
use crate::domain::policy::PolicyBook;
use crate::domain::time::Moment;
use crate::store::Store;
use crate::window::{Window, WindowError};
use crate::Lang;

/// Where the time comes from: the wall clock in the centre's offset, or a
/// fixed instant (tests, training, `ONEDOOR_NOW`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System(FixedOffset),
    Fixed(Moment),
}

impl Clock {
    pub fn now(&self) -> Moment {
        match self {
            Clock::System(offset) => chrono::Utc::now().with_timezone(offset),
            Clock::Fixed(m) => *m,
        }
    }
}

pub struct Env {
    pub store: Arc<Store>,
    pub counter: CounterConfig,
    /// The policy book the window judges by (built-in plus `[policy] file`).
    pub policies: Arc<PolicyBook>,
    /// Who is at the window: the operator signed in, or (in an office
    /// without operators yet) the config's `operator`.
    pub operator: String,
    /// The operator signed in, once the store has operators.
    pub signed_in: Option<crate::domain::operator::Operator>,
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    pub clock: Clock,
    /// The time of the event being handled (moved on by the tick).
    pub now: Moment,
    /// Where the draft and the held tickets are kept (the data directory).
    pub data_dir: PathBuf,
}

impl Env {
    /// The window, judging by the configured policy book.
    pub fn window(&self) -> Window<'_> {
        Window::with_policies(&self.store, &self.counter, &self.policies)
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// A window refusal or failure in the clerk's language; above the
    /// clerk's limit it says which key a supervisor uses.
    pub fn refusal(&self, e: &WindowError) -> String {
        let mut text = super::app::window_error(e, self.lang);
        if matches!(e, WindowError::AboveClerkLimit { .. }) {
            if let Some(key) = self.keymap.hint(Section::Detail, Action::ApproveAsSupervisor) {
                text.push_str(&super::strings::supervisor_hint(&key.to_string(), self.lang));
            }
        }
        text
    }

    /// The key to name in a hint for `action` on `section` (empty when unbound).
    pub fn key(&self, section: Section, action: Action) -> String {
        self.keymap.hint(section, action).map(|k| k.to_string()).unwrap_or_default()
    }
}
