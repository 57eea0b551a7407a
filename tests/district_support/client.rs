//! A small test client of the district protocol (ureq, as the counter uses),
//! and a raw TCP request that stops half-way through its body.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use chrono::NaiveDate;
use onedoor::domain::{Case, IdNumber};
use onedoor::sync::wire::{self, CaseReceipt, Problem, SearchRequest, SearchResponse, TownsView};

/// A district's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn receipt(&self) -> CaseReceipt {
        assert!(matches!(self.status, 200 | 201), "not a receipt: {self:?}");
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn problem(&self) -> Problem {
        assert_eq!(self.content_type, wire::PROBLEM_JSON, "{self:?}");
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn search(&self) -> SearchResponse {
        assert_eq!(self.status, 200, "{self:?}");
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn towns(&self) -> TownsView {
        assert_eq!(self.status, 200, "{self:?}");
        serde_json::from_str(&self.body).unwrap()
    }
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
    /// Extra headers on every request (the onedoor extension).
    pub headers: Vec<(&'static str, String)>,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Client {
        Client::trusting(base, token, None)
    }

    /// A client that trusts the CA in this PEM file (a district served over HTTPS).
    pub fn trusting(base: &str, token: &str, ca: Option<&std::path::Path>) -> Client {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(ca) = ca {
            let pem = std::fs::read(ca).unwrap();
            let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item.unwrap() {
                    ureq::tls::PemItem::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect();
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .tls_config(tls.build())
            .build()
            .into();
        Client { agent, base: base.to_string(), token: token.to_string(), headers: Vec::new() }
    }

    fn answer(mut response: ureq::http::Response<ureq::Body>) -> Answer {
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Answer { status, content_type, retry_after, body }
    }

    /// POSTs a body; `Err` when the connection failed (server down, reset).
    pub fn try_post(&self, path: &str, key: Option<&str>, body: &[u8]) -> Result<Answer, ureq::Error> {
        let mut request = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/json");
        if let Some(key) = key {
            request = request.header(wire::IDEMPOTENCY_KEY, key);
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        request.send(body).map(Client::answer)
    }

    pub fn post(&self, path: &str, key: Option<&str>, body: &[u8]) -> Answer {
        self.try_post(path, key, body).unwrap()
    }

    pub fn try_post_case(&self, case: &Case) -> Result<Answer, ureq::Error> {
        let body = serde_json::to_vec(case).unwrap();
        self.try_post(wire::CASES_PATH, Some(case.id.as_str()), &body)
    }

    pub fn post_case(&self, case: &Case) -> Answer {
        self.try_post_case(case).unwrap()
    }

    /// Posts until the district answers (retrying while it is down or
    /// restarting, and on 409/429/503), as a counter's forwarder would.
    pub fn deliver(&self, case: &Case) -> Answer {
        for _ in 0..600 {
            match self.try_post_case(case) {
                Ok(a) if !matches!(a.status, 409 | 429 | 503) => return a,
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        panic!("case {} was never delivered", case.id);
    }

    pub fn search(&self, people: &[&IdNumber], since: Option<NaiveDate>) -> Answer {
        let request = SearchRequest::for_people(people.iter().copied(), since);
        self.post(wire::SEARCH_PATH, None, &serde_json::to_vec(&request).unwrap())
    }

    pub fn get(&self, path: &str) -> Answer {
        let response = self
            .agent
            .get(&format!("{}{path}", self.base))
            .header("Authorization", &format!("Bearer {}", self.token))
            .call()
            .unwrap();
        Client::answer(response)
    }
}

/// A request sent up to half its body and held there, as a slow or stuck
/// counter would; [`Stalled::finish`] sends the rest and reads the answer.
pub struct Stalled {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl Stalled {
    pub fn start(port: u16, token: &str, case: &Case) -> Stalled {
        let body = serde_json::to_vec(case).unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            wire::CASES_PATH,
            case.id,
            body.len()
        );
        let half = body.len() / 2;
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body[..half]).unwrap();
        stream.flush().unwrap();
        Stalled { stream, rest: body[half..].to_vec() }
    }

    /// Sends the rest of the body; the status and body of the answer.
    pub fn finish(mut self) -> (u16, String) {
        self.stream.write_all(&self.rest).unwrap();
        let mut text = String::new();
        self.stream.read_to_string(&mut text).unwrap();
        let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }
}
