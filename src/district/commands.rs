//! The district's other commands: `towns` (the towns view, asked of a running
//! server), `token` (a new random token for the tokens file) and `import`
//! (cases from a JSON Lines file straight into a store, e.g. a move from sled
//! to PostgreSQL or a town's backlog carried on a stick).

use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use chrono::FixedOffset;
use onedoor::domain::time::Moment;
use onedoor::domain::Case;
use onedoor::sync::wire::{self, TownsView};

use super::server::{ServeError, StoreChoice};
use super::storage::embedded::Embedded;
use super::storage::postgres::Postgres;
use super::storage::{Accepted, Incoming, Storage, StorageError};

/// Reads a token from a file that only its owner may read.
pub fn read_token_file(path: &Path) -> Result<String, ServeError> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| ServeError::Environment(format!("cannot read {shown}: {e}")))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ServeError::Input(format!(
            "the token file {shown} can be read by other users (mode {mode:03o}); run: chmod 600 {shown}"
        )));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| ServeError::Environment(format!("cannot read {shown}: {e}")))?;
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(ServeError::Input(format!("the token file {shown} is empty")));
    }
    Ok(token)
}

/// Asks a running server for the towns view.
pub fn fetch_towns(url: &str, token: &str) -> Result<TownsView, ServeError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(15)))
        .build()
        .into();
    let address = format!("{}{}", url.trim_end_matches('/'), wire::TOWNS_PATH);
    let mut response = agent
        .get(&address)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .map_err(|e| ServeError::Environment(format!("cannot reach the district server at {url}: {e}")))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| ServeError::Environment(format!("the district server's answer: {e}")))?;
    match status {
        200 => serde_json::from_str(&body)
            .map_err(|e| ServeError::Environment(format!("the district server's answer is not a towns view: {e}"))),
        401 | 403 => {
            Err(ServeError::Input(format!("the district server refused the token ({status}): use the admin token")))
        }
        _ => {
            let detail = serde_json::from_str::<wire::Problem>(&body).ok().and_then(|p| p.detail).unwrap_or(body);
            Err(ServeError::Environment(format!("the district server answered {status}: {detail}")))
        }
    }
}

fn age(at: Moment, now: Moment) -> String {
    let minutes = (now - at).num_minutes().max(0);
    match minutes {
        0 => "now".to_string(),
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} days", m / (24 * 60)),
    }
}

fn when(at: Option<Moment>, now: Moment) -> String {
    match at {
        Some(at) => format!("{} ({})", at.format("%Y-%m-%d %H:%M"), age(at, now)),
        None => "never".to_string(),
    }
}

/// The towns view as a table; a town not heard from within `silent_after` is marked SILENT.
pub fn towns_table(view: &TownsView, silent_after: Duration) -> String {
    let mut out = format!(
        "{:<12} {:<26} {:>7} {:<26} {:>5} {:>7}  {}\n",
        "TOWN", "LAST CONTACT", "CASES", "LAST CASE", "DEAD", "OUTBOX", "AUDIT HEAD"
    );
    let limit = chrono::Duration::from_std(silent_after).unwrap_or(chrono::Duration::MAX);
    let count = |n: Option<u32>| n.map_or("-".to_string(), |n| n.to_string());
    for t in &view.towns {
        let silent = t.last_contact.is_none_or(|at| view.at - at > limit);
        let head = t
            .audit_head
            .as_ref()
            .map_or("-".to_string(), |h| format!("{}:{}", h.entries, h.sha256.get(..12).unwrap_or(&h.sha256)));
        out.push_str(&format!(
            "{:<12} {:<26} {:>7} {:<26} {:>5} {:>7}  {}{}\n",
            t.town_code,
            when(t.last_contact, view.at),
            t.cases_held,
            when(t.last_case_received_at, view.at),
            count(t.dead_letters),
            count(t.outbox_waiting),
            head,
            if silent { "  SILENT" } else { "" }
        ));
    }
    out
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub created: u64,
    pub same: u64,
    /// Line numbers and why.
    pub refused: Vec<(usize, String)>,
}

/// Reads cases (one JSON object a line) into the store; every case is checked
/// as a forwarded one is. Cases already held with the same content are counted,
/// other content is refused (the held case is kept).
pub fn import(
    store: &StoreChoice,
    input: Box<dyn BufRead>,
    cache_mb: u64,
    offset: FixedOffset,
) -> Result<ImportSummary, ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Environment(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        match store {
            StoreChoice::Data(dir) => {
                let store = Embedded::open(dir, cache_mb).map_err(|e| ServeError::Environment(e.to_string()))?;
                let summary = import_into(&store, input, offset).await;
                store.close().await.map_err(|e| ServeError::Environment(e.to_string()))?;
                summary
            }
            StoreChoice::Database(url) => {
                let store = Postgres::connect(url, 16, offset)
                    .await
                    .map_err(|e| ServeError::Environment(format!("the database: {e}")))?;
                let summary = import_into(&store, input, offset).await;
                store.close().await.map_err(|e| ServeError::Environment(e.to_string()))?;
                summary
            }
        }
    })
}

/// How many cases an import keeps on their way into the store at once.
const IMPORT_IN_FLIGHT: usize = 256;

async fn import_into<S: Storage>(
    store: &S,
    input: Box<dyn BufRead>,
    offset: FixedOffset,
) -> Result<ImportSummary, ServeError> {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    let mut summary = ImportSummary::default();
    let mut pending = FuturesUnordered::new();
    let now = || chrono::Utc::now().with_timezone(&offset);
    let tally = |summary: &mut ImportSummary, line: usize, outcome: Result<Accepted, StorageError>| match outcome {
        Ok(Accepted::Created(_)) => summary.created += 1,
        Ok(Accepted::Same(_)) => summary.same += 1,
        Ok(Accepted::Conflict(held)) => summary
            .refused
            .push((line, format!("the store holds {} with other content (receipt {})", held.case_id, held.receipt_id))),
        Err(e) => summary.refused.push((line, e.to_string())),
    };
    for (index, line) in input.lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|e| ServeError::Environment(format!("reading line {number}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let mut de = serde_json::Deserializer::from_str(&line);
        let case: Case = match serde_path_to_error::deserialize(&mut de) {
            Ok(case) => case,
            Err(e) => {
                summary.refused.push((number, e.to_string()));
                continue;
            }
        };
        if let Err(e) = wire::check_forwarded_case(&case) {
            summary.refused.push((number, e.to_string()));
            continue;
        }
        let incoming = match Incoming::new(&case, now()) {
            Ok(incoming) => incoming,
            Err(e) => {
                summary.refused.push((number, e.to_string()));
                continue;
            }
        };
        pending.push(async move { (number, store.accept(incoming).await) });
        if pending.len() >= IMPORT_IN_FLIGHT {
            if let Some((line, outcome)) = pending.next().await {
                tally(&mut summary, line, outcome);
            }
        }
    }
    while let Some((line, outcome)) = pending.next().await {
        tally(&mut summary, line, outcome);
    }
    summary.refused.sort_by_key(|(line, _)| *line);
    Ok(summary)
}
