//! A small HTTP/1.1 proxy on 127.0.0.1 in front of the real district server,
//! so a test can make the district misbehave without touching either side's
//! code: answer 503 with a `Retry-After` for the next N requests; pass the
//! next N requests on and lose the district's answer (the server has
//! committed, the counter hears nothing); drop the connection half-way
//! through a request's body (the server never gets it whole); hold each
//! answer back a while (a slow district); or drop every request (a district
//! that is down). Requests are read whole (headers
//! and a Content-Length body), one at a time per kept-alive connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the proxy does with the next requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Pass,
    /// 503 with this `Retry-After` value, for this many requests.
    Unavailable {
        retry_after: String,
        requests: usize,
    },
    /// Passed on, and the answer dropped with the connection, for this many requests.
    LoseAnswers {
        requests: usize,
    },
    /// Half the body passed on, then both connections dropped, for this many requests.
    CutRequests {
        requests: usize,
    },
    /// The district down: every request's connection dropped unanswered, until the mode is changed.
    Down,
    /// Each answer held back this long, for this many requests.
    Slow {
        delay_ms: u64,
        requests: usize,
    },
}

pub struct Proxy {
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    /// Requests answered 503 or whose answer was lost, so far.
    pub misbehaved: Arc<AtomicUsize>,
}

impl Proxy {
    pub fn start(upstream_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(Mode::Pass));
        let misbehaved = Arc::new(AtomicUsize::new(0));
        let (m, n) = (Arc::clone(&mode), Arc::clone(&misbehaved));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let (m, n) = (Arc::clone(&m), Arc::clone(&n));
                std::thread::spawn(move || {
                    let _ = serve(client, upstream_port, &m, &n);
                });
            }
        });
        Proxy { port, mode, misbehaved }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn mode(&self) -> Mode {
        self.mode.lock().unwrap().clone()
    }
}

/// One HTTP message read whole: its head (up to the blank line) and its body.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some((head, body)))
}

/// The next request's fate, counting it down.
fn take(mode: &Mutex<Mode>) -> Mode {
    let mut m = mode.lock().unwrap();
    let now = m.clone();
    match &mut *m {
        Mode::Pass | Mode::Down => {}
        Mode::Unavailable { requests, .. }
        | Mode::LoseAnswers { requests }
        | Mode::CutRequests { requests }
        | Mode::Slow { requests, .. } => {
            *requests = requests.saturating_sub(1);
            if *requests == 0 {
                *m = Mode::Pass;
            }
        }
    }
    now
}

fn serve(client: TcpStream, upstream_port: u16, mode: &Mutex<Mode>, misbehaved: &AtomicUsize) -> std::io::Result<()> {
    let mut to_client = client.try_clone()?;
    let mut from_client = BufReader::new(client);
    let mut upstream: Option<(TcpStream, BufReader<TcpStream>)> = None;
    while let Some((head, body)) = read_message(&mut from_client)? {
        match take(mode) {
            Mode::Down => {
                misbehaved.fetch_add(1, Ordering::SeqCst);
                return Ok(());
            }
            Mode::Unavailable { retry_after, .. } => {
                misbehaved.fetch_add(1, Ordering::SeqCst);
                let problem = r#"{"type":"urn:onedoor:problem:unavailable","title":"the district cannot take requests now","status":503,"detail":"maintenance"}"#;
                let answer = format!(
                    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: {retry_after}\r\nContent-Type: application/problem+json\r\nContent-Length: {}\r\n\r\n{problem}",
                    problem.len()
                );
                to_client.write_all(answer.as_bytes())?;
            }
            fate => {
                if upstream.is_none() {
                    let stream = TcpStream::connect(("127.0.0.1", upstream_port))?;
                    let reader = BufReader::new(stream.try_clone()?);
                    upstream = Some((stream, reader));
                }
                let Some((up, up_reader)) = upstream.as_mut() else { return Ok(()) };
                up.write_all(head.as_bytes())?;
                if let Mode::CutRequests { .. } = fate {
                    misbehaved.fetch_add(1, Ordering::SeqCst);
                    up.write_all(&body[..body.len() / 2])?;
                    up.flush()?;
                    let _ = up.shutdown(std::net::Shutdown::Both);
                    return Ok(()); // the counter's connection drops with its request unsent
                }
                up.write_all(&body)?;
                let Some((answer_head, answer_body)) = read_message(up_reader)? else { return Ok(()) };
                match fate {
                    Mode::LoseAnswers { .. } => {
                        misbehaved.fetch_add(1, Ordering::SeqCst);
                        return Ok(()); // the connection drops with the answer unsent
                    }
                    Mode::Slow { delay_ms, .. } => {
                        misbehaved.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                    }
                    _ => {}
                }
                to_client.write_all(answer_head.as_bytes())?;
                to_client.write_all(&answer_body)?;
            }
        }
    }
    Ok(())
}
