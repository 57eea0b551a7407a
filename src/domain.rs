//! The rules of social assistance at the window, pure and without I/O: who the
//! applicant is, what a case is and how it moves, what money looks like.
//! The CLI, the counter and the district receiver all call these; a rule lives here once.

pub mod audit;
pub mod calendar;
pub mod case;
pub mod dedup;
pub mod fund;
pub mod id_number;
pub mod kind;
pub mod money;
pub mod operator;
pub mod overview;
pub mod payment;
pub mod person;
pub mod policy;
pub mod report;
pub mod text;
pub mod time;

pub use case::{Case, CaseId, CaseInput, HistoryEntry, Referral, State, Transition};
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use kind::{Channel, Department, Document, Kind, Reason, Source};
pub use money::{Money, MoneyError};
pub use payment::{MoneySource, Payment, TransferRef};
pub use person::{Applicant, Household, Member, Residence};
