//! onedoor: the counter application of a town social-assistance window.
//!
//! The same crate is the `onedoor` binary and a library: [`domain`] holds the
//! rules (no I/O), [`store`] keeps cases durably in sled, and [`ui`] is the
//! counter screen that a host ratatui program can embed.
#![forbid(unsafe_code)]

pub mod auth;
pub mod bench;
pub mod clerk_pause;
pub mod cli;
pub mod config;
pub mod control;
pub mod cpus;
pub mod devices;
pub mod domain;
pub mod l10n;
pub mod lang;
pub mod printing;
pub mod private_file;
pub mod receipt;
pub mod sample;
pub mod session;
pub mod store;
pub mod sync;
pub mod ui;
pub mod window;

pub use lang::Lang;
