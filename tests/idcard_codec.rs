//! The ID card frame codec and text block without a port: the published
//! synthetic read answer (peripherals.md A.6) and properties of the decoder.

use chrono::NaiveDate;
use onedoor::devices::idcard::frame::{MAX_LEN, PREAMBLE};
use onedoor::devices::idcard::{
    CardKind, CardSex, Command, FrameDecoder, IdCard, IdNumberCheck, Response, Status, ValidUntil,
};
use proptest::prelude::*;

fn put(block: &mut [u8; 256], offset: usize, len: usize, text: &str) {
    let mut units: Vec<u16> = text.encode_utf16().collect();
    units.resize(len / 2, 0x20);
    for (i, u) in units.iter().enumerate() {
        block[offset + 2 * i..offset + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
}

/// The synthetic 30 01 answer of peripherals.md A.6: 李四, all-zero photo.
fn li_si_frame() -> Vec<u8> {
    let mut text = [0u8; 256];
    put(&mut text, 0, 256, "");
    put(&mut text, 0, 30, "李四");
    put(&mut text, 30, 2, "2");
    put(&mut text, 32, 4, "01");
    put(&mut text, 36, 16, "19491231");
    put(&mut text, 52, 70, "北京市朝阳区示例路1号");
    put(&mut text, 122, 36, "11010519491231002X");
    put(&mut text, 158, 30, "北京市公安局朝阳分局");
    put(&mut text, 188, 16, "20200101");
    put(&mut text, 204, 16, "20400101");
    let mut data = vec![0x01, 0x00, 0x04, 0x00];
    data.extend_from_slice(&text);
    data.extend_from_slice(&[0u8; 1024]);
    Response::new(Status::Success, data).encode()
}

#[test]
fn the_published_synthetic_vector_parses() {
    let frame = li_si_frame();
    assert_eq!(frame.len(), 1295);
    assert_eq!(frame[..14], [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x05, 0x08, 0x00, 0x00, 0x90, 0x01, 0x00, 0x04, 0x00]);
    assert_eq!(frame[14..18], [0x4E, 0x67, 0xDB, 0x56], "李四 in UCS-2 LE");
    assert_eq!(frame[1294], 0xC5, "CHK_SUM of the published vector");

    let mut decoder = FrameDecoder::new();
    decoder.push(&frame);
    let response = Response::from_payload(&decoder.next_frame().unwrap().unwrap()).unwrap();
    assert_eq!(response.status(), Status::Success);
    let card = IdCard::from_read_data(&response.data, false, false).unwrap();
    assert_eq!(card.kind, CardKind::Resident);
    assert_eq!(card.name, "李四");
    assert_eq!(card.sex, CardSex::Female);
    assert_eq!(card.ethnicity.as_ref().map(|e| e.code.as_str()), Some("01"));
    assert_eq!(card.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
    assert_eq!(card.address.as_deref(), Some("北京市朝阳区示例路1号"));
    assert_eq!(card.id_number, "11010519491231002X");
    assert_eq!(card.id_number_check, IdNumberCheck::Valid);
    assert_eq!(card.issuing_authority.as_deref(), Some("北京市公安局朝阳分局"));
    assert_eq!(card.valid_from, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
    assert_eq!(card.valid_until, ValidUntil::Date(NaiveDate::from_ymd_opt(2040, 1, 1).unwrap()));
    assert!(card.is_expired(NaiveDate::from_ymd_opt(2040, 1, 2).unwrap()));
    assert!(!card.is_expired(NaiveDate::from_ymd_opt(2040, 1, 1).unwrap()));
    assert_eq!(card.checked_id_number().map(|n| n.masked()), Some("110105********002X".to_string()));
}

#[test]
fn a_truncated_read_answer_is_an_error() {
    let frame = li_si_frame();
    let data = &frame[10..frame.len() - 100];
    assert!(IdCard::from_read_data(data, false, false).is_err());
}

/// Junk rich in preamble bytes.
fn junk_byte() -> impl Strategy<Value = u8> {
    prop_oneof![any::<u8>(), Just(0xAA), Just(0x96), Just(0x69)]
}

fn any_response() -> impl Strategy<Value = Response> {
    (any::<u8>(), any::<u8>(), any::<u8>(), proptest::collection::vec(any::<u8>(), 0..1500))
        .prop_map(|(sw1, sw2, sw3, data)| Response { sw1, sw2, sw3, data })
}

proptest! {
    #[test]
    fn decode_of_encode_is_the_same_answer(response in any_response(), cuts in proptest::collection::vec(1usize..64, 0..50)) {
        let bytes = response.encode();
        let mut decoder = FrameDecoder::new();
        let mut rest = &bytes[..];
        let mut decoded = None;
        // Fed in arbitrary pieces, the frame comes out only once it is whole.
        for cut in cuts.iter().copied().chain(std::iter::once(usize::MAX)) {
            let n = cut.min(rest.len());
            decoder.push(&rest[..n]);
            rest = &rest[n..];
            if let Some(frame) = decoder.next_frame() {
                prop_assert!(rest.is_empty(), "a frame came out before all of it arrived");
                decoded = Some(Response::from_payload(&frame.unwrap()).unwrap());
            }
            if rest.is_empty() {
                break;
            }
        }
        prop_assert_eq!(decoded, Some(response));
        prop_assert_eq!(decoder.buffered(), 0);
    }

    #[test]
    fn decode_of_encode_is_the_same_command(cmd in any::<u8>(), para in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let command = Command { cmd, para, data };
        let mut decoder = FrameDecoder::new();
        decoder.push(&command.encode());
        let payload = decoder.next_frame().unwrap().unwrap();
        prop_assert_eq!(Command::from_payload(&payload).unwrap(), command);
    }

    #[test]
    fn arbitrary_bytes_never_panic_loop_or_pile_up(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..40)) {
        let mut decoder = FrameDecoder::new();
        let mut fed = 0;
        for chunk in &chunks {
            decoder.push(chunk);
            fed += chunk.len();
            // Each call either yields or consumes bytes, so this ends.
            let mut calls = 0;
            while decoder.next_frame().is_some() {
                calls += 1;
                prop_assert!(calls <= fed, "more frames than bytes fed");
            }
            prop_assert!(decoder.buffered() < 7 + MAX_LEN);
        }
    }

    #[test]
    fn a_frame_is_found_after_any_junk(junk in proptest::collection::vec(junk_byte(), 0..200), response in any_response()) {
        let mut decoder = FrameDecoder::new();
        decoder.push(&junk);
        while decoder.next_frame().is_some() {}
        decoder.push(&response.encode());
        let mut last = None;
        while let Some(frame) = decoder.next_frame() {
            if let Ok(payload) = frame {
                last = Response::from_payload(&payload).ok();
            }
        }
        // Junk holding a whole preamble may announce a length that swallows
        // the answer; any other junk, even ending in part of a preamble, is skipped.
        if !junk.windows(PREAMBLE.len()).any(|w| w == PREAMBLE) {
            prop_assert_eq!(last, Some(response));
        }
    }
}
