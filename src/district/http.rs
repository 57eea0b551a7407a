//! The district's HTTP side: every endpoint of protocol v1 and the onedoor
//! extension, in the order a request is judged: the token (401), the load
//! (429 / 503), a case still being written (409), the body (413, 408), the
//! JSON (400), the town (403), and only then the store (201 / 200 / 422).
//! Logs name towns and case ids, never ID numbers.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, FixedOffset, Utc};
use http_body_util::BodyExt;
use onedoor::domain::time::Moment;
use onedoor::domain::Case;
use onedoor::sync::wire::{
    self, CounterReport, Health, HeartbeatReply, Problem, ProblemKind, SearchRequest, SearchResponse, TownStatus,
    TownsView, MAX_BODY_BYTES, MAX_SEARCH_RECORDS, PROBLEM_JSON,
};
use serde::Serialize;

use super::contacts::Contacts;
use super::storage::{Accepted, Incoming, Storage, StorageError};
use super::tokens::{Principal, Tokens};

/// A body over the limit is still read (and dropped) up to this much, so the
/// client sees the 413 instead of a connection reset.
const DRAIN_LIMIT: usize = 8 * MAX_BODY_BYTES;
/// How long a refused request's body may take to be read and dropped.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// How much the server takes on at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests (cases and searches) in progress at once; more get 503.
    pub max_in_flight: usize,
    /// Requests of one town in progress at once; more get 429.
    pub town_max_in_flight: usize,
    /// How long a request body may take to arrive (408 after).
    pub body_timeout: Duration,
}

/// Everything a request needs.
pub struct App<S> {
    pub storage: S,
    pub tokens: RwLock<Arc<Tokens>>,
    pub contacts: Contacts,
    /// The offset the district gives times in.
    pub offset: FixedOffset,
    limits: Limits,
    /// Case ids some request is writing now.
    writing: Mutex<HashSet<String>>,
    /// Requests in progress: all, and by town.
    in_flight: Mutex<(usize, HashMap<String, usize>)>,
}

impl<S: Storage> App<S> {
    pub fn new(storage: S, tokens: Tokens, offset: FixedOffset, limits: Limits) -> App<S> {
        App {
            storage,
            tokens: RwLock::new(Arc::new(tokens)),
            contacts: Contacts::default(),
            offset,
            limits,
            writing: Mutex::new(HashSet::new()),
            in_flight: Mutex::new((0, HashMap::new())),
        }
    }

    /// Now, to the second, in the district's offset.
    pub fn now(&self) -> Moment {
        let now = Utc::now();
        DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now).with_timezone(&self.offset)
    }

    pub fn tokens(&self) -> Arc<Tokens> {
        self.tokens.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Who sent the request (401 without a known bearer token); notes a
    /// town's contact and report.
    fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Refusal> {
        let value = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(Refusal::new(ProblemKind::Unauthorized, "send Authorization: Bearer TOKEN")),
        };
        let principal = self.tokens().principal(token).cloned().ok_or_else(|| {
            Refusal::new(ProblemKind::Unauthorized, "this token is not in the district's tokens file")
        })?;
        if let Principal::Town(town) = &principal {
            let (report, problems) =
                CounterReport::from_headers(|name| headers.get(name).and_then(|v| v.to_str().ok()));
            for problem in problems {
                tracing::warn!(town = %town, "ignored a report header: {problem}");
            }
            self.contacts.touch(town, self.now(), &report);
        }
        Ok(principal)
    }

    /// A place among the requests in progress, or 503 (all) / 429 (this town).
    fn take_slot(&self, principal: &Principal) -> Result<Slot<'_, S>, Refusal> {
        let town = match principal {
            Principal::Town(t) => Some(t.clone()),
            Principal::Admin => None,
        };
        let mut counts = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if counts.0 >= self.limits.max_in_flight {
            let detail = format!("the district is answering {} requests at once; try again shortly", counts.0);
            return Err(Refusal::new(ProblemKind::Unavailable, detail).retry_after(1));
        }
        if let Some(town) = &town {
            let n = counts.1.get(town).copied().unwrap_or(0);
            if n >= self.limits.town_max_in_flight {
                let detail = format!("town {town} has {n} requests in progress; send them one after another");
                return Err(Refusal::new(ProblemKind::TooManyRequests, detail).retry_after(1));
            }
            counts.1.insert(town.clone(), n + 1);
        }
        counts.0 += 1;
        Ok(Slot { app: self, town })
    }

    /// Marks a case id as being written, or 409 if another request is writing it.
    fn start_writing(&self, case_id: &str) -> Result<Writing<'_, S>, Refusal> {
        let mut writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        if !writing.insert(case_id.to_string()) {
            let detail = "another request is writing this case now; try again in a moment";
            return Err(Refusal::new(ProblemKind::InFlight, detail).retry_after(1).about(case_id));
        }
        Ok(Writing { app: self, case_id: case_id.to_string() })
    }
}

struct Slot<'a, S> {
    app: &'a App<S>,
    town: Option<String>,
}

impl<S> Drop for Slot<'_, S> {
    fn drop(&mut self) {
        let mut counts = self.app.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        counts.0 = counts.0.saturating_sub(1);
        if let Some(town) = &self.town {
            if let Some(n) = counts.1.get_mut(town) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.1.remove(town);
                }
            }
        }
    }
}

struct Writing<'a, S> {
    app: &'a App<S>,
    case_id: String,
}

impl<S> Drop for Writing<'_, S> {
    fn drop(&mut self) {
        self.app.writing.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.case_id);
    }
}

/// A refused request: its problem body and the headers that go with it.
#[derive(Debug)]
pub struct Refusal {
    problem: Box<Problem>,
    kind: ProblemKind,
    retry_after: Option<u64>,
    /// The body was not read to its end: the connection cannot be reused.
    close: bool,
}

impl Refusal {
    fn new(kind: ProblemKind, detail: impl Into<String>) -> Refusal {
        Refusal { problem: Box::new(Problem::new(kind, detail)), kind, retry_after: None, close: false }
    }

    fn retry_after(mut self, seconds: u64) -> Refusal {
        self.retry_after = Some(seconds);
        self
    }

    fn about(mut self, case_id: &str) -> Refusal {
        self.problem.case_id = Some(case_id.to_string());
        self
    }

    fn closing(mut self) -> Refusal {
        self.close = true;
        self
    }

    fn status(&self) -> u16 {
        self.problem.status
    }
}

impl From<StorageError> for Refusal {
    fn from(e: StorageError) -> Refusal {
        tracing::error!("{e}");
        match e {
            StorageError::Unavailable(_) => Refusal::new(ProblemKind::Unavailable, e.to_string()).retry_after(5),
            StorageError::Failed(_) => Refusal::new(ProblemKind::Internal, e.to_string()),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.problem).unwrap_or_default();
        let mut response = (status, [(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))], body).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.kind == ProblemKind::Unauthorized {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"onedoor-district\""));
        }
        if self.close {
            headers.insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
        Err(e) => Refusal::new(ProblemKind::Internal, e.to_string()).into_response(),
    }
}

enum BodyError {
    TooLarge,
    Timeout,
    Broken,
}

/// Reads a body of at most `max` bytes within `timeout`. A longer one is read
/// on (and dropped) up to [`DRAIN_LIMIT`], so its sender can read the answer.
async fn read_body(headers: &HeaderMap, mut body: Body, max: usize, timeout: Duration) -> Result<Vec<u8>, BodyError> {
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(BodyError::TooLarge);
    }
    let read = async {
        let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(max));
        let mut total = 0usize;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame.map_err(|_| BodyError::Broken)?.into_data() else { continue };
            total += data.len();
            if total > DRAIN_LIMIT {
                break;
            }
            if total <= max {
                bytes.extend_from_slice(&data);
            }
        }
        if total > max {
            Err(BodyError::TooLarge)
        } else {
            Ok(bytes)
        }
    };
    tokio::time::timeout(timeout, read).await.unwrap_or(Err(BodyError::Timeout))
}

/// Reads and drops the body of a request refused before it was read.
async fn drain(headers: &HeaderMap, body: Body, refusal: Refusal) -> Refusal {
    match read_body(headers, body, DRAIN_LIMIT, DRAIN_TIME).await {
        Ok(_) => refusal,
        Err(_) => refusal.closing(),
    }
}

fn body_refusal(e: BodyError) -> Refusal {
    match e {
        BodyError::TooLarge => {
            Refusal::new(ProblemKind::TooLarge, format!("a request body may have at most {MAX_BODY_BYTES} bytes"))
        }
        BodyError::Timeout => Refusal::new(ProblemKind::Timeout, "the request body did not arrive in time"),
        BodyError::Broken => Refusal::new(ProblemKind::Invalid, "the request body could not be read"),
    }
    .closing()
}

/// The answer and a log line: town, case id, status, time taken; never a person's number.
fn finish(
    what: &str,
    who: &str,
    case_id: Option<&str>,
    started: Instant,
    outcome: Result<Response, Refusal>,
) -> Response {
    let ms = started.elapsed().as_millis() as u64;
    let (status, response) = match outcome {
        Ok(response) => (response.status().as_u16(), response),
        Err(refusal) => (refusal.status(), refusal.into_response()),
    };
    let case_id = case_id.unwrap_or("-");
    if status >= 500 {
        tracing::warn!(who, case = case_id, status, ms, "{what}");
    } else {
        tracing::info!(who, case = case_id, status, ms, "{what}");
    }
    response
}

fn who(principal: Option<&Principal>) -> String {
    match principal {
        Some(Principal::Town(t)) => t.clone(),
        Some(Principal::Admin) => "admin".to_string(),
        None => "unknown".to_string(),
    }
}

/// The routes of protocol v1 and the onedoor extension.
pub fn router<S: Storage>(app: Arc<App<S>>) -> Router {
    Router::new()
        .route(wire::CASES_PATH, post(post_case::<S>))
        .route(wire::SEARCH_PATH, post(search::<S>))
        .route(wire::HEALTH_PATH, get(health::<S>))
        .route(wire::TOWNS_PATH, get(towns::<S>))
        .route(wire::HEARTBEAT_PATH, post(heartbeat::<S>))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

async fn not_found() -> Refusal {
    Refusal::new(ProblemKind::NotFound, "see docs/district-protocol.md for the endpoints")
}

async fn method_not_allowed() -> Refusal {
    Refusal::new(ProblemKind::MethodNotAllowed, "see docs/district-protocol.md for the methods")
}

/// `POST /v1/cases`.
async fn post_case<S: Storage>(State(app): State<Arc<App<S>>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let key = headers.get(wire::IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok()).map(|k| k.trim().to_string());
    let principal = match app.authenticate(&headers) {
        Ok(p) => p,
        Err(refusal) => {
            let refusal = drain(&headers, body, refusal).await;
            return finish("case refused", "unknown", key.as_deref(), started, Err(refusal));
        }
    };
    let who = who(Some(&principal));
    let outcome = receive_case(&app, &principal, key.as_deref(), &headers, body).await;
    finish("case", &who, key.as_deref(), started, outcome)
}

async fn receive_case<S: Storage>(
    app: &App<S>,
    principal: &Principal,
    key: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let town = match principal {
        Principal::Town(town) => town,
        Principal::Admin => {
            let refusal = Refusal::new(ProblemKind::WrongTown, "the admin token sends no cases; use the town's token");
            return Err(drain(headers, body, refusal).await);
        }
    };
    let _slot = match app.take_slot(principal) {
        Ok(slot) => slot,
        Err(refusal) => return Err(drain(headers, body, refusal).await),
    };
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        let refusal = Refusal::new(ProblemKind::Invalid, "send Idempotency-Key: the case id");
        return Err(drain(headers, body, refusal).await);
    };
    let _writing = match app.start_writing(key) {
        Ok(w) => w,
        Err(refusal) => return Err(drain(headers, body, refusal).await),
    };
    let bytes = read_body(headers, body, MAX_BODY_BYTES, app.limits.body_timeout).await.map_err(body_refusal)?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let case: Case = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| Refusal::new(ProblemKind::Invalid, format!("the case JSON: {e}")))?;
    de.end().map_err(|e| Refusal::new(ProblemKind::Invalid, format!("the case JSON: {e}")))?;
    let id = case.id.as_str();
    if id != key {
        let detail = format!("the Idempotency-Key '{key}' is not the case id '{id}'");
        return Err(Refusal::new(ProblemKind::Invalid, detail).about(id));
    }
    if case.id.town_code() != town {
        let detail = format!("case {id} belongs to town {}, not to this token's town {town}", case.id.town_code());
        return Err(Refusal::new(ProblemKind::WrongTown, detail).about(id));
    }
    wire::check_forwarded_case(&case).map_err(|e| Refusal::new(ProblemKind::Invalid, e.to_string()).about(id))?;
    let incoming = Incoming::new(&case, app.now()).map_err(|e| Refusal::new(ProblemKind::Internal, e.to_string()))?;
    match app.storage.accept(incoming).await? {
        Accepted::Created(receipt) => Ok(json(StatusCode::CREATED, &receipt)),
        Accepted::Same(receipt) => Ok(json(StatusCode::OK, &receipt)),
        Accepted::Conflict(held) => {
            let detail = format!(
                "the district received case {id} on {} (receipt {}) with other content; the case id was reused or the case changed after it was forwarded",
                held.received_at.to_rfc3339(),
                held.receipt_id
            );
            Err(Refusal::new(ProblemKind::Conflict, detail).about(id))
        }
    }
}

/// `POST /v1/assistance/search`.
async fn search<S: Storage>(State(app): State<Arc<App<S>>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let principal = match app.authenticate(&headers) {
        Ok(p) => p,
        Err(refusal) => {
            return finish("search refused", "unknown", None, started, Err(drain(&headers, body, refusal).await))
        }
    };
    let who = who(Some(&principal));
    let outcome = async {
        let _slot = match app.take_slot(&principal) {
            Ok(slot) => slot,
            Err(refusal) => return Err(drain(&headers, body, refusal).await),
        };
        let bytes = read_body(&headers, body, MAX_BODY_BYTES, app.limits.body_timeout).await.map_err(body_refusal)?;
        let request: SearchRequest = serde_json::from_slice(&bytes)
            .map_err(|e| Refusal::new(ProblemKind::Invalid, format!("the search request: {e}")))?;
        let people = request.id_numbers().map_err(|e| Refusal::new(ProblemKind::Invalid, e.to_string()))?;
        let records = app.storage.search(people, request.since, MAX_SEARCH_RECORDS).await?;
        tracing::debug!(who = %who, people = request.values.len(), records = records.len(), "search");
        Ok(json(StatusCode::OK, &SearchResponse::new(records)))
    }
    .await;
    finish("search", &who, None, started, outcome)
}

/// `GET /v1/health`: no token needed, so a load balancer can ask.
async fn health<S: Storage>(State(app): State<Arc<App<S>>>) -> Response {
    match app.storage.ping().await {
        Ok(()) => json(
            StatusCode::OK,
            &Health {
                status: "ok".into(),
                store: app.storage.name().into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            },
        ),
        Err(e) => Refusal::from(e).into_response(),
    }
}

/// `GET /v1/towns`: the admin token only.
async fn towns<S: Storage>(State(app): State<Arc<App<S>>>, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let outcome = async {
        match app.authenticate(&headers)? {
            Principal::Admin => {}
            Principal::Town(_) => {
                return Err(Refusal::new(ProblemKind::WrongTown, "the towns view needs the admin token"))
            }
        }
        app.contacts.flush(&app.storage).await?;
        let mut towns = app.storage.towns().await?;
        for town in app.tokens().towns() {
            if !towns.iter().any(|t| &t.town_code == town) {
                towns.push(TownStatus {
                    town_code: town.clone(),
                    last_contact: None,
                    cases_held: 0,
                    last_case_received_at: None,
                    dead_letters: None,
                    outbox_waiting: None,
                    audit_head: None,
                    reported_at: None,
                });
            }
        }
        towns.sort_by(|a, b| a.town_code.cmp(&b.town_code));
        Ok(json(StatusCode::OK, &TownsView { at: app.now(), towns }))
    };
    finish("towns", "admin", None, started, outcome.await)
}

/// `POST /v1/onedoor/heartbeat` (extension): a counter with nothing to send says it is alive.
async fn heartbeat<S: Storage>(State(app): State<Arc<App<S>>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let principal = app.authenticate(&headers);
    let who = who(principal.as_ref().ok());
    let outcome = match principal {
        Ok(Principal::Town(town)) => {
            let _ = read_body(&headers, body, MAX_BODY_BYTES, app.limits.body_timeout).await;
            Ok(json(StatusCode::OK, &HeartbeatReply { town_code: town, at: app.now() }))
        }
        Ok(Principal::Admin) => {
            Err(drain(&headers, body, Refusal::new(ProblemKind::WrongTown, "a heartbeat comes from a town's token"))
                .await)
        }
        Err(refusal) => Err(drain(&headers, body, refusal).await),
    };
    finish("heartbeat", &who, None, started, outcome)
}
