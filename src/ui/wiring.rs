//! Connecting the counter to the window's devices, as the terminal runner does
//! it: the ID card reader thread and the printer worker both report on the
//! counter's one channel. Kept apart from the terminal so a test can wire a
//! counter to a simulated reader and printer exactly the same way.

use std::sync::mpsc::Sender;
use std::sync::Arc;

use super::printer::{self, PrinterHandle};
use super::{CardRead, Counter, Msg, UiError};
use crate::devices::idcard::{self, ReaderConfig, ReaderEvent, ReaderHandle};
use crate::printing::Desk;
use crate::session::Session;
use crate::store::Store;

/// The reader settings of `[devices]`, or `None` when no reader is configured.
pub fn reader_config(session: &Session) -> Option<ReaderConfig> {
    session.reader_config(None, None).ok()
}

/// What the reader thread reported, as a message of the counter.
pub fn reader_msg(event: ReaderEvent) -> Msg {
    match event {
        ReaderEvent::Status(status) => Msg::Reader(status),
        ReaderEvent::Card(card) => Msg::CardRead(CardRead::of(&card)),
        ReaderEvent::Failed(error) => Msg::CardFailed(error),
    }
}

/// Starts the reader thread; everything it reports goes to `tx`.
pub fn spawn_reader(config: ReaderConfig, tx: Sender<Msg>) -> ReaderHandle {
    idcard::spawn(config, move |event| {
        let _ = tx.send(reader_msg(event));
    })
}

/// Reads the printer spec, the paper and the receipt templates, and starts the
/// printer worker. A broken template or spec is refused here, before the
/// counter opens, with the file and line.
pub fn spawn_printer(session: &Session, store: Arc<Store>, tx: Sender<Msg>) -> Result<PrinterHandle, UiError> {
    let mut desk = Desk::from_config(&session.config, None).map_err(|e| UiError::Receipts(e.to_string()))?;
    desk.policies = session.policies.clone();
    let every = session.config.devices.printer_poll_seconds;
    let poll = (every > 0).then(|| std::time::Duration::from_secs(every));
    Ok(printer::spawn(desk, store, tx, poll))
}

/// Connects the counter to the printer, the settler of imported people and
/// (when configured) the ID card reader and the district's forwarder.
pub fn connect(counter: &mut Counter, session: &Session, tx: &Sender<Msg>) -> Result<(), UiError> {
    let store = Arc::clone(counter.app().store());
    let printer = spawn_printer(session, store, tx.clone())?;
    counter.attach_printer(printer);
    if let Some(config) = reader_config(session) {
        tracing::info!(port = %config.port, "ID card reader configured");
        counter.attach_reader(spawn_reader(config, tx.clone()));
    }
    if let Some(settler) = crate::store::settler::spawn(Arc::clone(counter.app().store())) {
        counter.attach_settler(settler);
    }
    let district = tx.clone();
    let report = move |status| {
        let _ = district.send(Msg::District(status));
    };
    let store = Arc::clone(counter.app().store());
    if let Some(forwarder) = crate::sync::forward::spawn(store, &session.config.district, session.lang, report) {
        counter.attach_forwarder(forwarder);
    }
    let district = tx.clone();
    let answer = move |id_number, check| {
        let _ = district.send(Msg::DistrictCheck { id_number, check });
    };
    let town = &session.config.counter.town_code;
    if let Some(searcher) = crate::sync::search::spawn(&session.config.district, town, answer) {
        counter.attach_searcher(searcher);
    }
    Ok(())
}

/// Listens on the control socket: the CLI beside the counter has its
/// commands carried out on the counter's store, and the screen reloads
/// after each one that succeeded. A socket that cannot be made is logged;
/// the counter opens all the same (the CLI then finds the store in use).
pub fn listen(
    counter: &Counter,
    session: &Session,
    handler: crate::control::Handler,
    tx: &Sender<Msg>,
) -> Option<crate::control::Listener> {
    let store = Arc::clone(counter.app().store());
    let tx = tx.clone();
    let changed = move || {
        let _ = tx.send(Msg::StoreChanged);
    };
    match crate::control::listen(crate::control::Base::of(session), store, handler, changed) {
        Ok(listener) => Some(listener),
        Err(e) => {
            tracing::warn!("no control socket in {}: {e}", session.paths.data.display());
            None
        }
    }
}
