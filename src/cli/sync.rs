//! `onedoor sync [--once]` (forward the outbox to the district from the
//! command line) and `onedoor outbox list|retry` (what waits, what the
//! district refused, and sending a refused case again after the fix).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};

use super::case::parse_id;
use super::{pad, CliError, CliResult, Session};
use crate::store::{RetryError, WriteError};
use crate::sync::client::DistrictClient;
use crate::sync::forward::{Forwarder, PassEnd};
use crate::tr;

/// Forwards what waits in the outbox. `once`: one pass over every entry,
/// due or not; otherwise until nothing but dead letters is left, waiting
/// out the backoff and the district's `Retry-After`. Exit 1 when cases
/// are still waiting (or the district stopped us), with the reason.
pub fn sync(session: &Session, once: bool, out: &mut dyn Write) -> CliResult {
    let lang = session.lang;
    let client = DistrictClient::from_config(&session.config.district).map_err(|e| CliError::typed(2, e))?;
    let store = session.open_store()?.shared();
    let mut forwarder = Forwarder::new(Arc::clone(&store), client, lang, session.config.district.connections);
    let (mut taken, mut refused) = (0, 0);
    let end = loop {
        let report = forwarder.pass(once)?;
        taken += report.taken;
        refused += report.refused;
        if once || report.end == PassEnd::Stopped || forwarder.status.waiting == 0 {
            break report.end;
        }
        let next = forwarder.next_due_ms()?.unwrap_or(0);
        let wait = u64::try_from(next - Utc::now().timestamp_millis()).unwrap_or(0);
        std::thread::sleep(Duration::from_millis(wait.clamp(20, 5 * 60 * 1000)));
    };
    let status = &forwarder.status;
    writeln!(
        out,
        "{}",
        tr!(lang, "sync-summary", taken = taken, refused = refused, waiting = status.waiting, dead = status.dead)
    )?;
    if end == PassEnd::Stopped {
        let reason = status.stopped.clone().unwrap_or_default();
        return Err(CliError::environment(tr!(lang, "sync-stopped", reason = reason)));
    }
    if status.waiting > 0 {
        let error = status.last_error.as_ref().map(|(_, e)| e.clone()).unwrap_or_default();
        return Err(CliError::environment(tr!(lang, "sync-still-waiting", n = status.waiting, error = error)));
    }
    Ok(())
}

fn local(ms: i64, offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.with_timezone(&offset))
}

/// `onedoor outbox list [--dead] [--json]`.
pub fn list(session: &Session, dead: bool, json: bool, out: &mut dyn Write) -> CliResult {
    let lang = session.lang;
    let offset = session.config.counter.utc_offset;
    let store = session.open_existing_store()?;
    let now = Utc::now().timestamp_millis();
    let at = |ms: i64| local(ms, offset).map(|t| t.to_rfc3339());
    let shown = |ms: i64| local(ms, offset).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default();
    if dead {
        let letters = store.dead_letters()?;
        if json {
            let rows: Vec<serde_json::Value> = letters
                .iter()
                .map(|(id, d)| {
                    serde_json::json!({"case_id": id, "status": d.status, "reason": d.reason,
                        "refused_at": at(d.at_ms), "attempts": d.attempts})
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows).map_err(|e| CliError::environment(e.to_string()))?
            )?;
            return Ok(());
        }
        if letters.is_empty() {
            writeln!(out, "{}", tr!(lang, "outbox-no-dead-letters"))?;
            return Ok(());
        }
        let head = [tr!(lang, "outbox-col-case"), tr!(lang, "outbox-col-status"), tr!(lang, "outbox-col-refused-at")];
        writeln!(
            out,
            "{} {} {} {}",
            pad(head[0], 28),
            pad(head[1], 8),
            pad(head[2], 20),
            tr!(lang, "outbox-col-reason")
        )?;
        for (id, d) in &letters {
            writeln!(
                out,
                "{} {} {} {}",
                pad(id.as_str(), 28),
                pad(&d.status.to_string(), 8),
                pad(&shown(d.at_ms), 20),
                d.reason
            )?;
        }
        return Ok(());
    }
    let entries = store.outbox()?;
    if json {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|(id, e)| {
                serde_json::json!({"case_id": id, "attempts": e.attempts,
                    "next_attempt_at": (e.next_attempt_ms > 0).then(|| at(e.next_attempt_ms)).flatten(),
                    "last_error": e.last_error, "queued_at": (e.queued_ms > 0).then(|| at(e.queued_ms)).flatten()})
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows).map_err(|e| CliError::environment(e.to_string()))?)?;
        return Ok(());
    }
    if entries.is_empty() {
        writeln!(out, "{}", tr!(lang, "outbox-empty"))?;
        return Ok(());
    }
    let head = [tr!(lang, "outbox-col-case"), tr!(lang, "outbox-col-attempts"), tr!(lang, "outbox-col-next")];
    writeln!(out, "{} {} {} {}", pad(head[0], 28), pad(head[1], 6), pad(head[2], 20), tr!(lang, "outbox-col-error"))?;
    for (id, e) in &entries {
        let next =
            if e.next_attempt_ms <= now { tr!(lang, "outbox-now").to_string() } else { shown(e.next_attempt_ms) };
        let error = e.last_error.as_deref().unwrap_or("");
        writeln!(out, "{} {} {} {error}", pad(id.as_str(), 28), pad(&e.attempts.to_string(), 6), pad(&next, 20))?;
    }
    Ok(())
}

/// `onedoor outbox retry ID`: a dead letter back into the outbox.
pub fn retry(session: &Session, id: &str, out: &mut dyn Write) -> CliResult {
    let lang = session.lang;
    let id = parse_id(id, lang)?;
    let store = session.open_existing_store()?;
    match store.retry_dead_letter(&id) {
        Ok(()) => {
            writeln!(out, "{}", tr!(lang, "outbox-retried", id = id.as_str()))?;
            Ok(())
        }
        Err(WriteError::Refused(RetryError::NotDead(id))) => {
            Err(CliError::refused(tr!(lang, "outbox-not-dead", id = id.as_str())))
        }
        Err(WriteError::Store(e)) => Err(e.into()),
    }
}
