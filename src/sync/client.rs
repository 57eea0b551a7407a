//! The counter's HTTP client of the district (ureq over rustls, no OpenSSL):
//! the `[district]` settings read and checked (the token file must be private,
//! a district's own CA may be given), one agent whose kept-alive connections
//! every request reuses, and what one `POST /v1/cases` came to.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;

use super::wire::{self, CaseReceipt, CounterReport, Problem, SearchRequest, SearchResponse};
use crate::config::DistrictConfig;
use crate::domain::{Case, IdNumber};
use crate::{tr, Lang};

/// Why the counter cannot talk to the district as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error("no district is configured: set [district] url in the config")]
    NoUrl,
    #[error("[district] url '{0}' is not an http:// or https:// address")]
    BadUrl(String),
    #[error("no token file is configured: set [district] token_file in the config")]
    NoTokenFile,
    #[error("cannot read the token file {}: {error}", path.display())]
    TokenUnreadable { path: PathBuf, error: String },
    #[error("the token file {} is empty", .0.display())]
    TokenEmpty(PathBuf),
    #[error("the token file {} can be read by others; run `chmod 600 {}`", .0.display(), .0.display())]
    TokenNotPrivate(PathBuf),
    #[error("cannot use the CA file {}: {error}", path.display())]
    BadCaFile { path: PathBuf, error: String },
}

impl crate::l10n::Say for SetupError {
    fn say(&self, lang: Lang) -> String {
        let shown = |p: &Path| p.display().to_string();
        match self {
            SetupError::NoUrl => tr!(lang, "district-no-url").to_string(),
            SetupError::BadUrl(url) => tr!(lang, "district-bad-url", url = url.as_str()),
            SetupError::NoTokenFile => tr!(lang, "district-no-token-file").to_string(),
            SetupError::TokenUnreadable { path, error } => {
                tr!(lang, "district-token-unreadable", path = shown(path), error = error.as_str())
            }
            SetupError::TokenEmpty(path) => tr!(lang, "district-token-empty", path = shown(path)),
            SetupError::TokenNotPrivate(path) => tr!(lang, "district-token-not-private", path = shown(path)),
            SetupError::BadCaFile { path, error } => {
                tr!(lang, "district-bad-ca", path = shown(path), error = error.as_str())
            }
        }
    }
}

/// Reads the district's token from `path`: refused unless only its owner can read it.
pub fn read_token(path: &Path) -> Result<String, SetupError> {
    use std::os::unix::fs::PermissionsExt;
    let unreadable = |e: std::io::Error| SetupError::TokenUnreadable { path: path.to_path_buf(), error: e.to_string() };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(SetupError::TokenNotPrivate(path.to_path_buf()));
    }
    let token = std::fs::read_to_string(path).map_err(unreadable)?.trim().to_string();
    if token.is_empty() {
        return Err(SetupError::TokenEmpty(path.to_path_buf()));
    }
    Ok(token)
}

/// What one forwarded case came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// 201 / 200.
    Taken(CaseReceipt),
    /// 400 / 413 / 422: the district's status and reason.
    Refused { status: u16, reason: String },
    /// 408 / 409 / 429 / 5xx, an unreadable answer, or no answer at all:
    /// what went wrong and how long the district asked us to wait.
    Later { problem: WaitReason, retry_after: Option<Duration> },
    /// 401 / 403 and anything unexpected: the token or the address is wrong.
    Stop { status: u16, reason: String },
    /// The district's certificate is not trusted (another CA than `ca_file`
    /// or the public roots, expired, made for another name): what TLS said.
    Untrusted(String),
}

/// Why a case has to wait (kept with its outbox entry, said on the status line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitReason {
    /// No answer: the district is down, unreachable, or the connection dropped.
    Network(String),
    /// An answer that asks to try later.
    Status { status: u16, reason: String },
    /// A 2xx answer whose body is not a receipt.
    Unreadable(String),
}

impl WaitReason {
    pub fn say(&self, lang: Lang) -> String {
        match self {
            WaitReason::Network(e) => tr!(lang, "district-unreachable", error = e.as_str()),
            WaitReason::Status { status, reason } => {
                tr!(lang, "district-answered", status = u32::from(*status), reason = reason.as_str())
            }
            WaitReason::Unreadable(e) => tr!(lang, "district-unreadable-answer", error = e.as_str()),
        }
    }
}

/// The district as the counter reaches it.
#[derive(Clone)]
pub struct DistrictClient {
    agent: ureq::Agent,
    base: String,
    token: String,
    token_file: PathBuf,
}

/// The most a `Retry-After` is waited for (a district asking for a day is asked again sooner).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

impl DistrictClient {
    /// The client `[district]` describes; `connections` kept-alive connections at most.
    pub fn from_config(config: &DistrictConfig) -> Result<DistrictClient, SetupError> {
        let url = config.url.as_deref().map(str::trim).filter(|u| !u.is_empty()).ok_or(SetupError::NoUrl)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.parse::<ureq::http::Uri>().is_err() {
            return Err(SetupError::BadUrl(url.to_string()));
        }
        let token_file = config.token_file.clone().ok_or(SetupError::NoTokenFile)?;
        let token = read_token(&token_file)?;
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(ca) = &config.ca_file {
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&read_ca(ca)?));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(30)))
            .max_idle_connections_per_host(usize::from(config.connections.max(1)))
            .user_agent(concat!("onedoor/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .into();
        Ok(DistrictClient { agent, base: url.trim_end_matches('/').to_string(), token, token_file })
    }

    /// Has the token file changed since this client read it (so a stopped forwarder may try again)?
    pub fn token_changed(&self) -> bool {
        read_token(&self.token_file).is_ok_and(|t| t != self.token)
    }

    /// The same client with the token read again.
    pub fn reload_token(&mut self) -> Result<(), SetupError> {
        self.token = read_token(&self.token_file)?;
        Ok(())
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /v1/onedoor/heartbeat`: the counter is alive, with its report
    /// headers (so the district hears of a new dead letter at once). The
    /// district's status, or what went wrong.
    pub fn heartbeat(&self, report: &CounterReport) -> Result<u16, String> {
        let mut request = self
            .agent
            .post(&format!("{}{}", self.base, wire::HEARTBEAT_PATH))
            .header("Authorization", &format!("Bearer {}", self.token));
        for (name, value) in report.headers() {
            request = request.header(name, &value);
        }
        let mut response = request.send_empty().map_err(|e| e.to_string())?;
        let _ = response.body_mut().read_to_string();
        Ok(response.status().as_u16())
    }

    /// `POST /v1/assistance/search` for these people, answered within `budget`
    /// or not at all (`Err`: what went wrong, for the log).
    pub fn search(&self, people: &[&IdNumber], budget: Duration) -> Result<SearchResponse, String> {
        let request = SearchRequest::for_people(people.iter().copied(), None);
        let mut response = self
            .agent
            .post(&format!("{}{}", self.base, wire::SEARCH_PATH))
            .config()
            .timeout_global(Some(budget))
            .build()
            .header("Authorization", &format!("Bearer {}", self.token))
            .send_json(&request)
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response.body_mut().with_config().limit(wire::MAX_BODY_BYTES as u64).read_to_string();
        let text = text.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("{status}: {}", reason_of(&text)));
        }
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    /// `POST /v1/cases`: what the district made of `case`.
    pub fn send_case(&self, case: &Case, report: &CounterReport) -> Sent {
        let body = match serde_json::to_vec(case) {
            Ok(b) => b,
            Err(e) => return Sent::Refused { status: 0, reason: e.to_string() },
        };
        let mut request = self
            .agent
            .post(&format!("{}{}", self.base, wire::CASES_PATH))
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .header(wire::IDEMPOTENCY_KEY, case.id.as_str());
        for (name, value) in report.headers() {
            request = request.header(name, &value);
        }
        let mut response = match request.send(&body[..]) {
            Ok(r) => r,
            Err(e) => {
                return match certificate_refused(&e) {
                    Some(why) => Sent::Untrusted(why),
                    None => Sent::Later { problem: WaitReason::Network(e.to_string()), retry_after: None },
                }
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| wire::retry_after(v, Utc::now()))
            .map(|d| d.min(MAX_RETRY_AFTER));
        let text = match response.body_mut().with_config().limit(wire::MAX_BODY_BYTES as u64).read_to_string() {
            Ok(t) => t,
            Err(e) => return Sent::Later { problem: WaitReason::Network(e.to_string()), retry_after },
        };
        let reason = || reason_of(&text);
        match wire::Disposition::of_status(status) {
            wire::Disposition::Accepted => match serde_json::from_str::<CaseReceipt>(&text) {
                Ok(receipt) if receipt.case_id == case.id => Sent::Taken(receipt),
                Ok(receipt) => Sent::Later {
                    problem: WaitReason::Unreadable(format!("a receipt for case {}", receipt.case_id)),
                    retry_after,
                },
                Err(e) => Sent::Later { problem: WaitReason::Unreadable(e.to_string()), retry_after },
            },
            wire::Disposition::DeadLetter => Sent::Refused { status, reason: reason() },
            wire::Disposition::Retry => {
                Sent::Later { problem: WaitReason::Status { status, reason: reason() }, retry_after }
            }
            wire::Disposition::Stop => Sent::Stop { status, reason: reason() },
        }
    }
}

/// The district's reason in an error body: the problem's detail, else its
/// title, else the start of whatever it sent.
fn reason_of(text: &str) -> String {
    match serde_json::from_str::<Problem>(text) {
        Ok(p) => p.detail.filter(|d| !d.is_empty()).unwrap_or(p.title),
        Err(_) => text.chars().take(200).collect::<String>().trim().to_string(),
    }
}

/// The district's certificate refused by TLS, and why (`None`: another failure).
pub fn certificate_refused(e: &ureq::Error) -> Option<String> {
    let tls = match e {
        ureq::Error::Rustls(tls) => tls,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    matches!(tls, rustls::Error::InvalidCertificate(_)).then(|| tls.to_string())
}

/// The certificates of a PEM file (a district's own CA).
fn read_ca(path: &Path) -> Result<Vec<ureq::tls::Certificate<'static>>, SetupError> {
    let bad = |error: String| SetupError::BadCaFile { path: path.to_path_buf(), error };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let ureq::tls::PemItem::Certificate(c) = item.map_err(|e| bad(e.to_string()))? {
            certs.push(c);
        }
    }
    if certs.is_empty() {
        return Err(bad("it holds no certificate (PEM, -----BEGIN CERTIFICATE-----)".into()));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l10n::Say;
    use std::os::unix::fs::PermissionsExt;

    fn config(dir: &Path, mode: u32, token: &str) -> DistrictConfig {
        let path = dir.join("district.token");
        std::fs::write(&path, token).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        DistrictConfig {
            url: Some("https://district.example:8470/".into()),
            token_file: Some(path),
            ..DistrictConfig::default()
        }
    }

    fn refused(config: &DistrictConfig) -> SetupError {
        DistrictClient::from_config(config).err().expect("refused")
    }

    #[test]
    fn the_district_settings_are_checked_before_anything_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let ok = config(dir.path(), 0o600, "town-token\n");
        let client = DistrictClient::from_config(&ok).unwrap();
        assert_eq!(client.base(), "https://district.example:8470");
        assert_eq!(client.token, "town-token");
        for mode in [0o640, 0o604, 0o644] {
            let e = refused(&config(dir.path(), mode, "town-token"));
            assert_eq!(e, SetupError::TokenNotPrivate(dir.path().join("district.token")));
            assert!(e.say(Lang::En).contains(&format!("chmod 600 {}", dir.path().join("district.token").display())));
            assert!(e.say(Lang::ZhCn).contains("chmod 600"));
        }
        assert!(matches!(refused(&config(dir.path(), 0o600, " \n")), SetupError::TokenEmpty(_)));
        assert_eq!(refused(&DistrictConfig { url: None, ..ok.clone() }), SetupError::NoUrl);
        assert!(matches!(
            refused(&DistrictConfig { url: Some("ftp://x".into()), ..ok.clone() }),
            SetupError::BadUrl(_)
        ));
        assert_eq!(refused(&DistrictConfig { token_file: None, ..ok.clone() }), SetupError::NoTokenFile);
        let ok = config(dir.path(), 0o600, "town-token");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "not a certificate").unwrap();
        assert!(matches!(refused(&DistrictConfig { ca_file: Some(ca), ..ok.clone() }), SetupError::BadCaFile { .. }));
        let missing = DistrictConfig { ca_file: Some(dir.path().join("none.pem")), ..ok };
        assert!(matches!(refused(&missing), SetupError::BadCaFile { .. }));
    }
}
