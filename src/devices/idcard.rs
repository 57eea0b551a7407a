//! Reading second-generation ID cards over the GA 467 serial frame protocol:
//! the frame codec, the text block of each kind of card, the reader thread,
//! and the `card read` / `devices probe` commands.

pub mod card;
pub mod codes;
pub mod frame;

pub use card::{CardError, CardKind, IdCard, IdNumberCheck, ValidUntil, WltPhoto};
pub use codes::{CardSex, Ethnicity};
pub use frame::{Command, FrameDecoder, FrameError, Response, Status};
