//! The `onedoor` command: parses the arguments and hands each command to the
//! library. With no command it opens the counter.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use onedoor::cli::{self, case::ListFilter, CliError, CliResult, Context};
use onedoor::domain::{Department, Kind, Money, State};
use onedoor::window::CaseAction;

#[derive(Parser)]
#[command(
    name = "onedoor",
    version,
    about = "The counter of a town social-assistance window: one door acceptance, collaborative processing"
)]
struct Args {
    /// The store directory (default: $XDG_DATA_HOME/onedoor)
    #[arg(long, global = true, env = "ONEDOOR_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// The config file (default: $XDG_CONFIG_HOME/onedoor/onedoor.toml, then /etc/onedoor/onedoor.toml)
    #[arg(long, global = true, env = "ONEDOOR_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Who is acting, recorded in every case's history
    #[arg(long, global = true, env = "ONEDOOR_OPERATOR", value_name = "NAME")]
    operator: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Add, show, list, move, import and export cases
    #[command(subcommand)]
    Case(CaseCommand),
    /// Check a resident identity number
    #[command(subcommand)]
    Id(IdCommand),
    /// Build a scratch store of N realistic cases and measure commit, lookup, open, memory and disk
    Bench {
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Where to build the scratch store (default: a new directory under the system temp dir, removed after)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum IdCommand {
    /// Valid: birth date, sex, region code. Invalid: why
    Check { number: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Jsonl,
    Csv,
}

#[derive(Subcommand)]
enum CaseCommand {
    /// Accept a case from JSON (a file, or - for standard input); prints its id
    Add {
        #[arg(long, value_name = "FILE|-")]
        json: PathBuf,
    },
    /// Show one case
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// List cases (today's when no filter is given)
    List {
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = cli::parse_day)]
        day: Option<chrono::NaiveDate>,
        #[arg(long, value_parser = |s: &str| s.parse::<State>().map_err(|e| e.to_string()))]
        state: Option<State>,
        #[arg(long, value_parser = |s: &str| s.parse::<Kind>().map_err(|e| e.to_string()))]
        kind: Option<Kind>,
        #[arg(long = "id-number", value_parser = |s: &str| onedoor::domain::IdNumber::parse_any_date(s).map_err(|e| e.to_string()))]
        id_number: Option<onedoor::domain::IdNumber>,
        #[arg(long)]
        json: bool,
    },
    /// Refer a case to the department responsible
    Refer {
        id: String,
        #[arg(long = "to", value_parser = |s: &str| s.parse::<Department>().map_err(|e| e.to_string()))]
        to: Department,
    },
    /// Record the department's review (referred -> under_review; after the fact for green cases)
    Review {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Approve a case (the entitlement, or the requested amount, unless --amount)
    Approve {
        id: String,
        #[arg(long, value_parser = |s: &str| s.parse::<Money>().map_err(|e| e.to_string()))]
        amount: Option<Money>,
    },
    /// Reject a reviewed case
    Reject {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Record that the granted amount was paid
    Disburse { id: String },
    /// Close a paid case
    Complete { id: String },
    /// Withdraw an open case
    Withdraw {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Import JSON Lines: intake records get new ids, exported cases keep theirs; all or nothing
    Import { file: PathBuf },
    /// Export cases as JSON Lines or CSV
    Export {
        #[arg(long, value_parser = cli::parse_day)]
        from: Option<chrono::NaiveDate>,
        #[arg(long, value_parser = cli::parse_day)]
        to: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value = "jsonl")]
        format: Format,
    },
}

fn run(args: Args, out: &mut dyn Write) -> CliResult {
    let ctx = Context::new(
        args.config.as_deref(),
        args.data.as_deref(),
        args.operator.as_deref(),
    )?;
    let Some(command) = args.command else {
        return status(&ctx, out);
    };
    match command {
        Command::Id(IdCommand::Check { number }) => cli::id::check(&ctx, &number, out),
        Command::Bench { cases, dir, json } => bench(&ctx, cases, dir, json, out),
        Command::Case(c) => match c {
            CaseCommand::Add { json } => cli::case::add(&ctx, &json, out),
            CaseCommand::Show { id, json } => cli::case::show(&ctx, &id, json, out),
            CaseCommand::List {
                day,
                state,
                kind,
                id_number,
                json,
            } => cli::case::list(
                &ctx,
                &ListFilter {
                    day,
                    state,
                    kind,
                    id_number,
                },
                json,
                out,
            ),
            CaseCommand::Refer { id, to } => cli::case::act(&ctx, &id, CaseAction::Refer(to), out),
            CaseCommand::Review { id, note } => {
                cli::case::act(&ctx, &id, CaseAction::Review(note), out)
            }
            CaseCommand::Approve { id, amount } => {
                cli::case::act(&ctx, &id, CaseAction::Approve(amount), out)
            }
            CaseCommand::Reject { id, reason } => {
                cli::case::act(&ctx, &id, CaseAction::Reject(reason), out)
            }
            CaseCommand::Disburse { id } => cli::case::act(&ctx, &id, CaseAction::Disburse, out),
            CaseCommand::Complete { id } => cli::case::act(&ctx, &id, CaseAction::Complete, out),
            CaseCommand::Withdraw { id, note } => {
                cli::case::act(&ctx, &id, CaseAction::Withdraw(note), out)
            }
            CaseCommand::Import { file } => cli::case::import(&ctx, &file, out),
            CaseCommand::Export { from, to, format } => {
                let format = match format {
                    Format::Jsonl => cli::case::ExportFormat::Jsonl,
                    Format::Csv => cli::case::ExportFormat::Csv,
                };
                cli::case::export(&ctx, from, to, format, out)
            }
        },
    }
}

fn bench(ctx: &Context, cases: u64, dir: Option<PathBuf>, json: bool, out: &mut dyn Write) -> CliResult {
    let scratch = dir.is_none();
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join(format!("onedoor-bench-{}", std::process::id())));
    if dir.join("db").exists() {
        return Err(CliError::refused(format!("{} already holds a store; give an empty directory", dir.display())));
    }
    let options = onedoor::store::StoreOptions { cache_mb: ctx.config.store.cache_mb };
    let result = onedoor::bench::run(&dir, cases, &ctx.config.counter, &options, ctx.now);
    if scratch {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let f = result?;
    if json {
        writeln!(out, "{}", serde_json::to_string(&f).map_err(|e| CliError::environment(e.to_string()))?)?;
    } else {
        writeln!(out, "cases                  {}", f.cases)?;
        writeln!(out, "seeded in              {:.1} s", f.seed_seconds)?;
        writeln!(out, "first open + query     {:.1} ms", f.first_open_ms)?;
        writeln!(out, "person lookup p50/p99  {:.0} / {:.0} us ({} lookups, {:.1} cases each)", f.lookup_p50_us, f.lookup_p99_us, f.lookups, f.cases_per_lookup)?;
        writeln!(out, "durable commit p50/p99 {:.0} / {:.0} us ({} commits)", f.commit_p50_us, f.commit_p99_us, f.commits)?;
        writeln!(out, "peak memory            {:.0} MB", f.peak_rss_mb)?;
        writeln!(out, "disk                   {:.0} MB", f.disk_mb)?;
    }
    Ok(())
}

/// Until the counter screen opens here: the store's status and how to use the CLI.
fn status(ctx: &Context, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_store()?;
    let today = ctx.today();
    writeln!(
        out,
        "onedoor: {} window {}",
        ctx.config.counter.town_name, ctx.config.counter.window
    )?;
    writeln!(
        out,
        "store {}: {} cases, {} today",
        ctx.paths.data.display(),
        store.case_count(),
        store.cases_on_day(today)?.len()
    )?;
    writeln!(out, "run `onedoor --help` for the commands")?;
    Ok(())
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            // One line, as every other error: clap's first line already starts with "error: ".
            let text = e.to_string();
            eprintln!("{}", text.lines().next().unwrap_or("error: bad arguments"));
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(args, &mut out).and_then(|()| out.flush().map_err(CliError::from)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
