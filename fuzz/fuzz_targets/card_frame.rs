//! The ID card reader's frames: any bytes from the serial line, in any chunks.
#![no_main]
use libfuzzer_sys::fuzz_target;
use onedoor::devices::idcard::{Command, FrameDecoder, IdCard, Response};

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| *b as usize % (data.len().max(1)));
    let mut decoder = FrameDecoder::new();
    decoder.push(&data[..split]);
    decoder.push(&data[split..]);
    while let Some(frame) = decoder.next_frame() {
        if let Ok(payload) = frame {
            let _ = Response::from_payload(&payload);
            let _ = Command::from_payload(&payload);
        }
    }
    let _ = IdCard::from_read_data(data, data.len() % 2 == 0, true);
});
