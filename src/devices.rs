//! The counter's peripherals: the second-generation ID card reader on a serial
//! port, and the ESC/POS receipt printer. Each runs on its own thread and
//! reports back as messages; nothing here blocks the counter's screen.

pub mod idcard;
pub mod printer;
