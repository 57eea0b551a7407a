//! `onedoor` with no command (the counter on the store) and `onedoor demo`
//! (the counter on a store seeded with sample cases).

use super::{CliError, CliResult, Session};

/// The counter screen on the store; with `control`, the CLI beside it has
/// its commands carried out through the control socket.
pub fn counter(session: &Session, demo: bool, control: Option<crate::control::Handler>) -> CliResult {
    let options = crate::ui::RunOptions { demo, control, ..Default::default() };
    crate::ui::run(session, options).map_err(|e| match e {
        crate::ui::UiError::Keymap(_) | crate::ui::UiError::Receipts(_) => CliError::refused(e.to_string()),
        crate::ui::UiError::Session(s) => CliError::from(s),
        crate::ui::UiError::Store(s) => CliError::from(s),
        other => CliError::environment(other.to_string()),
    })
}

/// Seeds the demo store (once per day) and opens the counter on it.
pub fn demo(session: &Session, control: Option<crate::control::Handler>) -> CliResult {
    {
        let store = session.open_store()?;
        crate::ui::demo::seed_demo(&store, &session.config.counter, session.now, 46)?;
    }
    counter(session, true, control)
}
