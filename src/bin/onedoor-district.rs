//! `onedoor-district`: the district server that the towns' counters forward
//! finished cases to, and that answers their cross-town duplicate searches
//! (protocol: docs/district-protocol.md). Its code lives in `src/district/`
//! and is compiled into this binary only: the kiosk binary `onedoor` and the
//! library link none of it (no axum, tokio or PostgreSQL client).
#![forbid(unsafe_code)]

#[path = "../district"]
mod district {
    pub mod commands;
    pub mod contacts;
    pub mod http;
    pub mod server;
    pub mod storage;
    pub mod tls;
    pub mod tokens;
}

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chrono::FixedOffset;
use clap::{Parser, Subcommand};

use district::http::Limits;
use district::server::{ServeError, ServeOptions, StoreChoice, TlsFiles};

#[derive(Parser)]
#[command(
    name = "onedoor-district",
    version,
    about = "The district server of onedoor: receives the towns' finished cases and answers duplicate-assistance searches"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct StoreArgs {
    /// The embedded store's directory (the default store; default $XDG_DATA_HOME/onedoor-district).
    #[arg(long, value_name = "DIR", env = "ONEDOOR_DISTRICT_DATA", conflicts_with = "database")]
    data: Option<PathBuf>,
    /// A PostgreSQL database instead: postgres://USER@HOST:PORT/DB (several servers may share it).
    #[arg(long, value_name = "URL", env = "ONEDOOR_DISTRICT_DATABASE")]
    database: Option<String>,
    /// sled's page cache for the embedded store, in MiB.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    cache_mb: u64,
    /// The offset the district gives times in.
    #[arg(long, default_value = "+08:00", value_name = "OFFSET", value_parser = parse_offset)]
    utc_offset: FixedOffset,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the server.
    Serve {
        /// Address and port to listen on (port 0: any free port, printed at start).
        #[arg(long, default_value = "127.0.0.1:8470", value_name = "ADDR")]
        listen: SocketAddr,
        /// The tokens file (mode 0600): the admin token and each town's tokens.
        #[arg(long, value_name = "FILE", env = "ONEDOOR_DISTRICT_TOKENS")]
        tokens: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
        /// Connections to PostgreSQL per server.
        #[arg(long, default_value_t = 16, value_name = "N")]
        pool_size: usize,
        /// Requests in progress at once before 503 (cases and searches).
        #[arg(long, default_value_t = 512, value_name = "N")]
        max_in_flight: usize,
        /// Requests of one town in progress at once before 429.
        #[arg(long, default_value_t = 32, value_name = "N")]
        town_max_in_flight: usize,
        /// Seconds a request body may take to arrive.
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        body_timeout: u64,
        /// Seconds the requests in flight may take to finish after SIGTERM.
        #[arg(long, default_value_t = 20, value_name = "SECONDS")]
        grace: u64,
        /// Serve HTTPS with this certificate chain (PEM, the server's certificate first); plain HTTP without.
        #[arg(long, value_name = "FILE", env = "ONEDOOR_DISTRICT_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1; mode 0600).
        #[arg(long, value_name = "FILE", env = "ONEDOOR_DISTRICT_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Shows each town's last contact, cases held, last case and reported dead letters.
    Towns {
        /// The running server.
        #[arg(long, default_value = "http://127.0.0.1:8470", value_name = "URL")]
        url: String,
        /// A file (mode 0600) holding the admin token.
        #[arg(long, value_name = "FILE", env = "ONEDOOR_DISTRICT_ADMIN_TOKEN_FILE")]
        token_file: PathBuf,
        /// A town not heard from for this many hours is marked SILENT.
        #[arg(long, default_value_t = 24, value_name = "HOURS")]
        silent_after: u64,
        /// The view as JSON (as GET /v1/towns answers it).
        #[arg(long)]
        json: bool,
    },
    /// Prints a new random token for the tokens file.
    Token,
    /// Reads cases (JSON Lines, `-` for standard input) into a store the server is not running on.
    Import {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    s.parse::<FixedOffset>().map_err(|_| format!("'{s}' is not a UTC offset like +08:00"))
}

fn store_choice(args: &StoreArgs) -> Result<StoreChoice, ServeError> {
    if let Some(url) = &args.database {
        return Ok(StoreChoice::Database(url.clone()));
    }
    if let Some(dir) = &args.data {
        return Ok(StoreChoice::Data(dir.clone()));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| ServeError::Input("give --data DIR (neither XDG_DATA_HOME nor HOME is set)".into()))?;
    Ok(StoreChoice::Data(base.join("onedoor-district")))
}

fn run(cli: Cli) -> Result<(), ServeError> {
    match cli.command {
        Command::Serve {
            listen,
            tokens,
            store,
            pool_size,
            max_in_flight,
            town_max_in_flight,
            body_timeout,
            grace,
            tls_cert,
            tls_key,
        } => district::server::serve(ServeOptions {
            listen,
            tokens,
            store: store_choice(&store)?,
            cache_mb: store.cache_mb,
            pool_size,
            limits: Limits { max_in_flight, town_max_in_flight, body_timeout: Duration::from_secs(body_timeout) },
            offset: store.utc_offset,
            grace: Duration::from_secs(grace),
            tls: tls_cert.zip(tls_key).map(|(cert, key)| TlsFiles { cert, key }),
        }),
        Command::Towns { url, token_file, silent_after, json } => {
            let token = district::commands::read_token_file(&token_file)?;
            let view = district::commands::fetch_towns(&url, &token)?;
            if json {
                let text = serde_json::to_string_pretty(&view).map_err(|e| ServeError::Environment(e.to_string()))?;
                println!("{text}");
            } else {
                print!("{}", district::commands::towns_table(&view, Duration::from_secs(silent_after * 3600)));
            }
            Ok(())
        }
        Command::Token => {
            let token = district::tokens::new_token()
                .map_err(|e| ServeError::Environment(format!("cannot read the system's random source: {e}")))?;
            println!("{token}");
            Ok(())
        }
        Command::Import { store, file } => {
            let input: Box<dyn BufRead> = if file.as_os_str() == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                let f = std::fs::File::open(&file)
                    .map_err(|e| ServeError::Environment(format!("cannot read {}: {e}", file.display())))?;
                Box::new(std::io::BufReader::new(f))
            };
            let summary = district::commands::import(&store_choice(&store)?, input, store.cache_mb, store.utc_offset)?;
            for (line, why) in summary.refused.iter().take(20) {
                eprintln!("line {line}: {why}");
            }
            println!(
                "imported {} new cases; {} were held already; {} refused",
                summary.created,
                summary.same,
                summary.refused.len()
            );
            if summary.refused.is_empty() {
                Ok(())
            } else {
                Err(ServeError::Input(format!(
                    "{} lines were refused (the first are listed above)",
                    summary.refused.len()
                )))
            }
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                ServeError::Input(_) => ExitCode::from(2),
                ServeError::Environment(_) => ExitCode::from(1),
            }
        }
    }
}
