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
    /// The counter's language, overriding `[counter] locale`: zh-CN or en
    #[arg(long, global = true, env = "ONEDOOR_LANG", value_name = "LANG", value_parser = |s: &str| s.parse::<onedoor::Lang>())]
    lang: Option<onedoor::Lang>,
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
    /// The counter on a store seeded with realistic sample cases (DATA/demo unless --data)
    Demo {},
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
    let mut ctx = Context::new(
        args.config.as_deref(),
        args.data.as_deref(),
        args.operator.as_deref(),
    )?;
    let Some(command) = args.command else {
        return counter(&ctx, args.lang, false);
    };
    match command {
        Command::Demo {} => {
            // Never the real store unless --data (or ONEDOOR_DATA) says so.
            if args.data.is_none() {
                ctx.paths.data = ctx.paths.data.join("demo");
            }
            demo(&ctx, args.lang)
        }
        Command::Id(IdCommand::Check { number }) => cli::id::check(&ctx, &number, out),
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

/// The counter screen on the store.
fn counter(ctx: &Context, lang: Option<onedoor::Lang>, demo: bool) -> CliResult {
    let options = onedoor::ui::RunOptions {
        lang,
        demo,
        ..Default::default()
    };
    onedoor::ui::run(ctx, options).map_err(|e| match e {
        onedoor::ui::UiError::Keymap(_) => CliError::refused(e.to_string()),
        onedoor::ui::UiError::Store(s) => CliError::from(s),
        other => CliError::environment(other.to_string()),
    })
}

/// Seeds the demo store (once per day) and opens the counter on it.
fn demo(ctx: &Context, lang: Option<onedoor::Lang>) -> CliResult {
    {
        let store = ctx.open_store()?;
        onedoor::ui::demo::seed_demo(&store, &ctx.config.counter, ctx.now, 46)?;
    }
    counter(ctx, lang, true)
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
