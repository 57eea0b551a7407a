//! The counter's screens, each a component that owns its state, turns the
//! actions of its keymap section into changes and effects, and draws itself
//! from `&self`: the queue (home), the intake form, a case's detail, search,
//! the overdue list, and the help over any of them.

pub mod detail;
pub mod help;
pub mod intake;
pub mod overdue;
pub mod queue;
pub mod search;
pub mod signin;
