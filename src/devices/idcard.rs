//! Reading second-generation ID cards over the GA 467 serial frame protocol:
//! the frame codec, the text block of each kind of card, the reader thread,
//! and the `card read` / `devices probe` commands.

pub mod card;
pub mod cli;
pub mod codes;
pub mod frame;
pub mod probe;
pub mod reader;

pub use card::{CardError, CardKind, IdCard, IdNumberCheck, ValidUntil, WltPhoto};
pub use cli::{run_card_read, run_devices_probe, write_card};
pub use codes::{CardSex, Ethnicity};
pub use frame::{Command, FrameDecoder, FrameError, Response, Status};
pub use probe::{probe, probe_port, probe_port_at_rates, probe_rates, PortFinding, PortReport};
pub use reader::{
    read_once, spawn, ReadCommand, ReaderConfig, ReaderError, ReaderEvent, ReaderHandle, ReaderStatus, Step,
};
