//! The GA 467 frame codec, pure and without I/O: command frames for the reader,
//! a streaming decoder for its answers, and the SW3 status codes in plain words.

use std::fmt;

use crate::{tr, Lang};

/// Every frame, in both directions, starts with these five bytes.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// The longest length field the decoder accepts. The longest real answer (text,
/// photo and fingerprints, `30 10`) has a length of 0x090A = 2314.
pub const MAX_LEN: usize = 4096;

/// The shortest length field of a real frame (a command without data).
pub const MIN_LEN: usize = 3;

/// The most data bytes a frame can carry (length = data + the 2 or 3 header
/// bytes + the checksum byte must stay within [`MAX_LEN`]).
pub const MAX_DATA: usize = MAX_LEN - 4;

/// The XOR checksum: every byte after the preamble (length included) up to,
/// not including, the checksum byte.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// Frames `payload` (command or status bytes plus data): preamble, big-endian
/// length, payload, checksum.
fn encode_frame(payload: &[u8]) -> Vec<u8> {
    let len = payload.len() + 1;
    let len_bytes = [(len >> 8) as u8, (len & 0xFF) as u8];
    let mut frame = Vec::with_capacity(PREAMBLE.len() + 2 + len);
    frame.extend_from_slice(&PREAMBLE);
    frame.extend_from_slice(&len_bytes);
    frame.extend_from_slice(payload);
    frame.push(checksum(&frame[PREAMBLE.len()..]));
    frame
}

/// A command from the counter to the reader (`CMD`, `Para`, optional data).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Command {
    pub cmd: u8,
    pub para: u8,
    pub data: Vec<u8>,
}

impl Command {
    /// Reset the security module (复位SAM_A).
    pub const RESET_SAM: Command = Command::new(0x10, 0xFF);
    /// Security module status check (SAM_A状态检测); a ready reader answers 0x90.
    pub const SAM_STATUS: Command = Command::new(0x11, 0xFF);
    /// Read the security module's id (读SAM_A管理信息).
    pub const SAM_ID: Command = Command::new(0x12, 0xFF);
    /// Find a card on the reader (寻找居民身份证); 0x9F found, 0x80 none.
    pub const FIND_CARD: Command = Command::new(0x20, 0x01);
    /// Select the card found (选取居民身份证).
    pub const SELECT_CARD: Command = Command::new(0x20, 0x02);
    /// Read the text block and the photo (读机读文字信息和相片信息).
    pub const READ_TEXT_AND_PHOTO: Command = Command::new(0x30, 0x01);
    /// Read the appended address (读追加住址信息).
    pub const READ_APPENDED_ADDRESS: Command = Command::new(0x30, 0x03);
    /// Read the text block, the photo and the fingerprints.
    pub const READ_WITH_FINGERPRINTS: Command = Command::new(0x30, 0x10);

    pub const fn new(cmd: u8, para: u8) -> Command {
        Command { cmd, para, data: Vec::new() }
    }

    /// The whole frame to write to the port. At most [`MAX_DATA`] bytes of data
    /// are framed (no command of the protocol carries more than one byte).
    pub fn encode(&self) -> Vec<u8> {
        let mut payload = vec![self.cmd, self.para];
        payload.extend(self.data.iter().take(MAX_DATA));
        encode_frame(&payload)
    }

    /// A command from a decoded payload (used by reader simulators).
    pub fn from_payload(payload: &[u8]) -> Result<Command, FrameError> {
        match payload {
            [cmd, para, data @ ..] => Ok(Command { cmd: *cmd, para: *para, data: data.to_vec() }),
            _ => Err(FrameError::TooShort(payload.len())),
        }
    }
}

/// An answer from the reader: three status words (only SW3 carries meaning)
/// and the data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Response {
    pub sw1: u8,
    pub sw2: u8,
    pub sw3: u8,
    pub data: Vec<u8>,
}

impl Response {
    /// An answer with SW1 = SW2 = 0, as every reader sends them.
    pub fn new(status: Status, data: Vec<u8>) -> Response {
        Response { sw1: 0, sw2: 0, sw3: status.code(), data }
    }

    pub fn status(&self) -> Status {
        Status::from_code(self.sw3)
    }

    /// The whole frame as the reader sends it. At most [`MAX_DATA`] bytes of
    /// data are framed.
    pub fn encode(&self) -> Vec<u8> {
        let mut payload = vec![self.sw1, self.sw2, self.sw3];
        payload.extend(self.data.iter().take(MAX_DATA - 1));
        encode_frame(&payload)
    }

    /// An answer from a decoded payload.
    pub fn from_payload(payload: &[u8]) -> Result<Response, FrameError> {
        match payload {
            [sw1, sw2, sw3, data @ ..] => Ok(Response { sw1: *sw1, sw2: *sw2, sw3: *sw3, data: data.to_vec() }),
            _ => Err(FrameError::TooShort(payload.len())),
        }
    }
}

/// What can be wrong with the bytes of a frame (as opposed to what the reader says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum FrameError {
    #[error("the frame's checksum is {found:#04X} but its bytes give {expected:#04X}")]
    Checksum { expected: u8, found: u8 },
    #[error("the frame announces {0} bytes, which no reader sends")]
    Length(usize),
    #[error("the frame carries {0} bytes, too few for its header")]
    TooShort(usize),
}

impl FrameError {
    pub fn message(&self, lang: Lang) -> String {
        let detail = self.to_string();
        match self {
            FrameError::Checksum { .. } => tr!(lang, "frame-checksum", detail = detail),
            FrameError::Length(n) => tr!(lang, "frame-length", n = *n, detail = detail),
            FrameError::TooShort(n) => tr!(lang, "frame-too-short", n = *n, detail = detail),
        }
    }
}

/// Accepts bytes as they arrive from the port and hands back whole frames: it
/// skips stray bytes up to the preamble, waits however the frame is split,
/// and checks the length and the checksum. It never holds more than one
/// frame's worth of bytes once [`FrameDecoder::next_frame`] returns `None`.
#[derive(Debug, Default, Clone)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    skipped: usize,
}

impl FrameDecoder {
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }

    /// Adds bytes just read from the port.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets everything buffered (before a new command is sent).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.skipped = 0;
    }

    /// Bytes held, waiting for the rest of a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Stray bytes thrown away so far while looking for a preamble.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The payload of the next whole frame (the bytes between the length and
    /// the checksum), an error for a damaged frame (its preamble is then
    /// skipped so the search goes on after it), or `None` until more bytes come.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        let start = match self.buf.windows(PREAMBLE.len()).position(|w| w == PREAMBLE) {
            Some(start) => start,
            None => {
                // Keep a tail that may be the beginning of a preamble.
                let keep = self.buf.len().min(PREAMBLE.len() - 1);
                self.discard(self.buf.len() - keep);
                return None;
            }
        };
        self.discard(start);
        let header = PREAMBLE.len() + 2;
        if self.buf.len() < header {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([self.buf[5], self.buf[6]]));
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            self.discard(1);
            return Some(Err(FrameError::Length(len)));
        }
        let total = header + len;
        if self.buf.len() < total {
            return None;
        }
        let expected = checksum(&self.buf[PREAMBLE.len()..total - 1]);
        let found = self.buf[total - 1];
        if expected != found {
            self.discard(1);
            return Some(Err(FrameError::Checksum { expected, found }));
        }
        let payload = self.buf[header..total - 1].to_vec();
        self.buf.drain(..total);
        Some(Ok(payload))
    }

    fn discard(&mut self, n: usize) {
        self.skipped += n;
        self.buf.drain(..n);
    }
}

/// The reader's status word SW3 (GA 467 code table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0x90 操作成功
    Success,
    /// 0x91 the card holds no such item (e.g. no appended address)
    NoSuchItem,
    /// 0x9F a card was found
    CardFound,
    /// 0x10 the reader got a frame with a wrong checksum from us
    ChecksumError,
    /// 0x11 the reader got a frame with a wrong length from us
    LengthError,
    /// 0x21 the reader does not know the command
    BadCommand,
    /// 0x23 越权操作
    NotPermitted,
    /// 0x24 无法识别的错误
    UnrecognisedError,
    /// 0x31 the card failed to authenticate the security module
    CardRejectedSam,
    /// 0x32 the security module failed to authenticate the card
    SamRejectedCard,
    /// 0x33 信息验证失败
    VerificationFailed,
    /// 0x37 指纹信息验证错误
    FingerprintVerificationFailed,
    /// 0x3F 信息长度错误
    InformationLengthError,
    /// 0x40 the card is of a kind the reader cannot read
    UnknownCardKind,
    /// 0x41 reading the card failed
    ReadFailed,
    /// 0x47 取随机数失败
    RandomNumberFailed,
    /// 0x60 the security module failed its self-test
    SamSelfTestFailed,
    /// 0x66 the security module is not authorised
    SamNotAuthorised,
    /// 0x80 no card on the reader
    NoCard,
    /// 0x81 selecting the card failed
    SelectFailed,
    /// Any other code.
    Other(u8),
}

impl Status {
    pub fn from_code(code: u8) -> Status {
        match code {
            0x90 => Status::Success,
            0x91 => Status::NoSuchItem,
            0x9F => Status::CardFound,
            0x10 => Status::ChecksumError,
            0x11 => Status::LengthError,
            0x21 => Status::BadCommand,
            0x23 => Status::NotPermitted,
            0x24 => Status::UnrecognisedError,
            0x31 => Status::CardRejectedSam,
            0x32 => Status::SamRejectedCard,
            0x33 => Status::VerificationFailed,
            0x37 => Status::FingerprintVerificationFailed,
            0x3F => Status::InformationLengthError,
            0x40 => Status::UnknownCardKind,
            0x41 => Status::ReadFailed,
            0x47 => Status::RandomNumberFailed,
            0x60 => Status::SamSelfTestFailed,
            0x66 => Status::SamNotAuthorised,
            0x80 => Status::NoCard,
            0x81 => Status::SelectFailed,
            other => Status::Other(other),
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0x90,
            Status::NoSuchItem => 0x91,
            Status::CardFound => 0x9F,
            Status::ChecksumError => 0x10,
            Status::LengthError => 0x11,
            Status::BadCommand => 0x21,
            Status::NotPermitted => 0x23,
            Status::UnrecognisedError => 0x24,
            Status::CardRejectedSam => 0x31,
            Status::SamRejectedCard => 0x32,
            Status::VerificationFailed => 0x33,
            Status::FingerprintVerificationFailed => 0x37,
            Status::InformationLengthError => 0x3F,
            Status::UnknownCardKind => 0x40,
            Status::ReadFailed => 0x41,
            Status::RandomNumberFailed => 0x47,
            Status::SamSelfTestFailed => 0x60,
            Status::SamNotAuthorised => 0x66,
            Status::NoCard => 0x80,
            Status::SelectFailed => 0x81,
            Status::Other(code) => code,
        }
    }

    /// Success (0x90) or card found (0x9F).
    pub fn is_ok(self) -> bool {
        matches!(self, Status::Success | Status::CardFound)
    }

    /// What the clerk reads, with what to do where there is something to do.
    pub fn message(self, lang: Lang) -> String {
        match self {
            Status::Success => tr!(lang, "reader-status-success").to_string(),
            Status::NoSuchItem => tr!(lang, "reader-status-no_such_item").to_string(),
            Status::CardFound => tr!(lang, "reader-status-card_found").to_string(),
            Status::ChecksumError => tr!(lang, "reader-status-checksum_error").to_string(),
            Status::LengthError => tr!(lang, "reader-status-length_error").to_string(),
            Status::BadCommand => tr!(lang, "reader-status-bad_command").to_string(),
            Status::NotPermitted => tr!(lang, "reader-status-not_permitted").to_string(),
            Status::UnrecognisedError => tr!(lang, "reader-status-unrecognised_error").to_string(),
            Status::CardRejectedSam => tr!(lang, "reader-status-card_rejected_sam").to_string(),
            Status::SamRejectedCard => tr!(lang, "reader-status-sam_rejected_card").to_string(),
            Status::VerificationFailed => tr!(lang, "reader-status-verification_failed").to_string(),
            Status::FingerprintVerificationFailed => {
                tr!(lang, "reader-status-fingerprint_verification_failed").to_string()
            }
            Status::InformationLengthError => tr!(lang, "reader-status-information_length_error").to_string(),
            Status::UnknownCardKind => tr!(lang, "reader-status-unknown_card_kind").to_string(),
            Status::ReadFailed => tr!(lang, "reader-status-read_failed").to_string(),
            Status::RandomNumberFailed => tr!(lang, "reader-status-random_number_failed").to_string(),
            Status::SamSelfTestFailed => tr!(lang, "reader-status-sam_self_test_failed").to_string(),
            Status::SamNotAuthorised => tr!(lang, "reader-status-sam_not_authorised").to_string(),
            Status::NoCard => tr!(lang, "reader-status-no_card").to_string(),
            Status::SelectFailed => tr!(lang, "reader-status-select_failed").to_string(),
            Status::Other(code) => tr!(lang, "reader-status-other", code = format!("{code:#04X}")),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (status {:#04X})", self.message(Lang::En), self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_frames_match_the_published_bytes() {
        let cases: [(Command, &[u8]); 5] = [
            (Command::SAM_STATUS, &[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x11, 0xFF, 0xED]),
            (Command::FIND_CARD, &[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22]),
            (Command::SELECT_CARD, &[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21]),
            (Command::READ_TEXT_AND_PHOTO, &[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32]),
            (Command::READ_WITH_FINGERPRINTS, &[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x10, 0x23]),
        ];
        for (command, bytes) in cases {
            assert_eq!(command.encode(), bytes, "{command:?}");
        }
        let set_rf = Command { cmd: 0x61, para: 0xFF, data: vec![0x50] };
        assert_eq!(set_rf.encode(), [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x61, 0xFF, 0x50, 0xCA]);
    }

    #[test]
    fn captured_answers_decode() {
        let mut decoder = FrameDecoder::new();
        decoder.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00, 0x00, 0x9F, 0, 0, 0, 0, 0x97]);
        decoder.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x80, 0x84]);
        let found = Response::from_payload(&decoder.next_frame().unwrap().unwrap()).unwrap();
        assert_eq!(found.status(), Status::CardFound);
        assert_eq!(found.data, [0, 0, 0, 0]);
        let none = Response::from_payload(&decoder.next_frame().unwrap().unwrap()).unwrap();
        assert_eq!(none.status(), Status::NoCard);
        assert!(decoder.next_frame().is_none());
    }

    #[test]
    fn a_damaged_checksum_is_reported_and_the_next_frame_still_found() {
        let mut decoder = FrameDecoder::new();
        decoder.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x90, 0x95]);
        decoder.push(&Response::new(Status::Success, vec![]).encode());
        assert_eq!(decoder.next_frame(), Some(Err(FrameError::Checksum { expected: 0x94, found: 0x95 })));
        let ok = decoder.next_frame().unwrap().unwrap();
        assert_eq!(Response::from_payload(&ok).unwrap().status(), Status::Success);
    }

    #[test]
    fn an_absurd_length_is_refused_at_once() {
        let mut decoder = FrameDecoder::new();
        decoder.push(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF, 0x00]);
        assert_eq!(decoder.next_frame(), Some(Err(FrameError::Length(0xFFFF))));
        assert!(decoder.next_frame().is_none());
    }

    #[test]
    fn every_known_code_round_trips_and_has_words_in_both_languages() {
        for code in 0..=u8::MAX {
            let status = Status::from_code(code);
            assert_eq!(status.code(), code);
            assert!(!status.message(Lang::ZhCn).is_empty());
            assert!(!status.message(Lang::En).is_empty());
        }
        assert!(Status::SamNotAuthorised.message(Lang::ZhCn).contains("未经授权"));
        assert!(Status::NoCard.message(Lang::En).contains("no card"));
    }
}
