//! `onedoor-district serve`: opens the store, listens, and on SIGTERM (or
//! SIGINT) stops taking connections, finishes the requests in flight, writes
//! the towns' contacts and closes the store. SIGHUP reads the tokens file again.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use chrono::FixedOffset;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

use super::http::{router, App, Limits};
use super::storage::embedded::Embedded;
use super::storage::postgres::Postgres;
use super::storage::Storage;
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
                run(store, listener, tokens, &options).await
            }
            StoreChoice::Database(url) => {
                let store = Postgres::connect(url, options.pool_size, options.offset)
                    .await
                    .map_err(|e| ServeError::Environment(format!("the database: {e}")))?;
                run(store, listener, tokens, &options).await
            }
        }
    })
}

async fn run<S: Storage>(
    storage: S,
    listener: TcpListener,
    tokens: Tokens,
    options: &ServeOptions,
) -> Result<(), ServeError> {
    let env = |what: &str, e: std::io::Error| ServeError::Environment(format!("{what}: {e}"));
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| env("SIGTERM", e))?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| env("SIGINT", e))?;
    let mut hangup = signal(SignalKind::hangup()).map_err(|e| env("SIGHUP", e))?;
    let app = Arc::new(App::new(storage, tokens, options.offset, options.limits.clone()));
    let address = listener.local_addr().map_err(|e| env("the listening address", e))?;
    tracing::info!(%address, store = app.storage.name(), "listening");
    // Tests and scripts wait for this line (the port, when asked for port 0).
    println!("listening on {address} ({})", app.storage.name());

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
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let server = axum::serve(listener, router(app.clone())).with_graceful_shutdown(stop_signal);
    let grace = options.grace;
    tokio::select! {
        served = server => served.map_err(|e| env("serving", e))?,
        _ = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
            tracing::warn!("requests still in flight {} s after the stop signal: stopping anyway", grace.as_secs());
        }
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
