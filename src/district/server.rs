//! `onedoor-district serve`: opens the store, listens, and on SIGTERM (or
//! SIGINT) stops taking connections, finishes the requests in flight, writes
//! the towns' contacts and closes the store. SIGHUP reads the tokens file again.
//! Plain HTTP by default (behind a proxy that holds the certificate), HTTPS
//! when given a certificate and its key.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::{Listener, ListenerExt};
use chrono::FixedOffset;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

use super::http::{router, App, Limits};
use super::storage::embedded::Embedded;
use super::storage::postgres::Postgres;
use super::storage::Storage;
use super::tls::TlsListener;
use super::tokens::Tokens;

/// Where the cases are kept.
#[derive(Debug, Clone)]
pub enum StoreChoice {
    /// Embedded sled in this directory.
    Data(PathBuf),
    /// A PostgreSQL database (`postgres://…` or `host=… dbname=…`).
    Database(String),
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub tokens: PathBuf,
    pub store: StoreChoice,
    pub cache_mb: u64,
    pub pool_size: usize,
    pub limits: Limits,
    pub offset: FixedOffset,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub grace: Duration,
    /// HTTPS with this certificate chain and key (PEM); plain HTTP without.
    pub tls: Option<TlsFiles>,
}

/// The server's certificate chain and its private key, PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Why the server could not run: bad input (exit 2) or the environment (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Environment(String),
}

/// How often the towns' contacts are written to the store.
const CONTACTS_EVERY: Duration = Duration::from_secs(2);

pub fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let tokens = Tokens::load(&options.tokens).map_err(|e| match e {
        super::tokens::TokensError::Read { .. } => ServeError::Environment(e.to_string()),
        _ => ServeError::Input(e.to_string()),
    })?;
    let tls = match &options.tls {
        Some(files) => Some(super::tls::server_config(&files.cert, &files.key).map_err(ServeError::Input)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Environment(format!("cannot start the server's runtime: {e}")))?;
    runtime.block_on(async {
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|e| ServeError::Environment(format!("cannot listen on {}: {e}", options.listen)))?;
        match &options.store {
            StoreChoice::Data(dir) => {
                let dir = dir.clone();
                let cache_mb = options.cache_mb;
                let store = tokio::task::spawn_blocking(move || Embedded::open(&dir, cache_mb))
                    .await
                    .map_err(|e| ServeError::Environment(e.to_string()))?
                    .map_err(|e| ServeError::Environment(e.to_string()))?;
                run(store, listener, tls, tokens, &options).await
            }
            StoreChoice::Database(url) => {
                let store = Postgres::connect(url, options.pool_size, options.offset)
                    .await
                    .map_err(|e| ServeError::Environment(format!("the database: {e}")))?;
                run(store, listener, tls, tokens, &options).await
            }
        }
    })
}

async fn run<S: Storage>(
    storage: S,
    listener: TcpListener,
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    tokens: Tokens,
    options: &ServeOptions,
) -> Result<(), ServeError> {
    let env = |what: &str, e: std::io::Error| ServeError::Environment(format!("{what}: {e}"));
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| env("SIGTERM", e))?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| env("SIGINT", e))?;
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| env("SIGHUP", e))?;
    let app = Arc::new(App::new(storage, tokens, options.offset, options.limits.clone()));
    let address = listener.local_addr().map_err(|e| env("the listening address", e))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%address, store = app.storage.name(), scheme, "listening");
    // Tests and scripts wait for this line (the port, when asked for port 0).
    println!("listening on {address} ({}, {scheme})", app.storage.name());

    let flusher = {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CONTACTS_EVERY).await;
                if let Err(e) = app.contacts.flush(&app.storage).await {
                    tracing::warn!("writing the towns' contacts: {e}");
                }
            }
        })
    };
    let reloader = {
        let app = app.clone();
        let path = options.tokens.clone();
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                match Tokens::load(&path) {
                    Ok(tokens) => {
                        *app.tokens.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(tokens);
                        tracing::info!("read the tokens file again");
                    }
                    Err(e) => tracing::error!("kept the tokens in use: {e}"),
                }
            }
        })
    };
    let stopping = Arc::new(tokio::sync::Notify::new());
    let stop_signal = {
        let stopping = stopping.clone();
        async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            tracing::info!("stopping: finishing the requests in flight");
            stopping.notify_one();
        }
    };
    let grace = async {
        stopping.notified().await;
        tokio::time::sleep(options.grace).await
    };
    let served = match tls {
        Some(config) => {
            let listener = TlsListener::new(listener, config).map_err(|e| env("the listening address", e))?;
            serve_until(listener, app.clone(), stop_signal, grace).await
        }
        None => {
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            serve_until(listener, app.clone(), stop_signal, grace).await
        }
    };
    match served {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            "requests still in flight {} s after the stop signal: stopping anyway",
            options.grace.as_secs()
        ),
        Err(e) => return Err(env("serving", e)),
    }
    flusher.abort();
    reloader.abort();
    if let Err(e) = app.contacts.flush(&app.storage).await {
        tracing::warn!("writing the towns' contacts: {e}");
    }
    app.storage.close().await.map_err(|e| ServeError::Environment(format!("closing the store: {e}")))?;
    tracing::info!("stopped");
    Ok(())
}

/// Serves until the stop signal and the requests in flight are done (true),
/// or the grace period after the signal has run out (false).
async fn serve_until<L, S>(
    listener: L,
    app: Arc<App<S>>,
    stop_signal: impl std::future::Future<Output = ()> + Send + 'static,
    grace: impl std::future::Future<Output = ()>,
) -> std::io::Result<bool>
where
    L: Listener,
    L::Addr: std::fmt::Debug,
    S: Storage,
{
    let server = axum::serve(listener, router(app)).with_graceful_shutdown(stop_signal);
    tokio::select! {
        served = server => served.map(|()| true),
        _ = grace => Ok(false),
    }
}
