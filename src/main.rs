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
    /// The emergency relief reserve fund
    #[command(subcommand)]
    Fund(FundCommand),
    /// The policy in force, and checking a district's policy file
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The ID card reader
    #[command(subcommand)]
    Card(CardCommand),
    /// The serial ports present and what answers on them
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Print a case's receipt, or list receipts waiting to be printed
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// The supervisor's end-of-day account of the window
    #[command(subcommand)]
    Report(ReportCommand),
    /// Back up the store into a new directory under DIR (or with --verify, check the backup DIR)
    Backup {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Check the backup in DIR in full instead of making one
        #[arg(long)]
        verify: bool,
        /// After backing up, keep only the N newest backups in DIR
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
    },
    /// Restore the store from a backup (the store that was there is kept aside)
    Restore {
        #[arg(value_name = "BACKUP")]
        dir: PathBuf,
        /// Replace a store that opens (it is kept in DATA/replaced-…)
        #[arg(long)]
        replace: bool,
    },
    /// Build a scratch store of N realistic cases and measure commit, lookup, open, memory and disk
    Bench {
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Where to build the scratch store (default: a new directory under the system temp dir, removed after)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Only measure an already seeded store in --dir (what `bench` runs in a fresh process)
        #[arg(long, hide = true)]
        measure_only: bool,
    },
}

#[derive(Subcommand)]
enum IdCommand {
    /// Valid: birth date, sex, region code. Invalid: why
    Check { number: String },
}

#[derive(Subcommand)]
enum FundCommand {
    /// Put money into the fund: the year's budget, or a named donation
    Deposit {
        #[arg(value_parser = money)]
        amount: Money,
        #[arg(long, value_enum)]
        source: Source,
        #[arg(long)]
        donor: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Pay an approved case from the fund (the case becomes disbursed in the same transaction)
    Disburse {
        id: String,
        #[arg(long, value_parser = money)]
        amount: Option<Money>,
    },
    /// A supervisor's correction, with the reason
    Correct {
        #[arg(value_parser = money)]
        amount: Money,
        #[arg(long, value_enum)]
        direction: Direction,
        #[arg(long)]
        reason: String,
    },
    /// The balance
    Balance {
        #[arg(long)]
        json: bool,
    },
    /// The year's entries and statement: opening + inflows - outflows = closing
    Ledger {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Source {
    Budget,
    Donation,
}

#[derive(Clone, Copy, ValueEnum)]
enum Direction {
    Increase,
    Decrease,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the policy in force (today, or on --day)
    Show {
        #[arg(long, value_parser = cli::parse_day)]
        day: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Validate a policy file; names the line of any error
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum CardCommand {
    /// One read from the ID card reader
    Read {
        #[arg(long)]
        port: Option<String>,
        #[arg(long)]
        baud: Option<u32>,
        /// Seconds to wait for a card to be placed
        #[arg(long, default_value_t = 10)]
        wait: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DevicesCommand {
    /// List serial ports and say which answers as an ID card reader; the printer's state
    Probe,
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Print (or reprint) a case's acceptance receipt, or with --disbursement its payment receipt
    Print {
        id: String,
        #[arg(long, value_name = "SPEC")]
        printer: Option<String>,
        #[arg(long)]
        disbursement: bool,
    },
    /// Receipts that could not be printed
    Pending,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// A day's cases received, steps taken and relief fund, and the open cases now (today unless --day)
    Daily {
        /// The day to account for (default: today, in the centre's time)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = cli::parse_day)]
        day: Option<chrono::NaiveDate>,
        /// text for a person, csv (day,section,item,value: one figure a row) or json
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Also print the daily summary receipt (a printer that cannot take it: kept pending, exit 1).
        /// Beside csv or json, what the printer did is said on stderr
        #[arg(long)]
        print: bool,
        /// The printer for --print instead of the configured one, e.g. usb:/dev/usb/lp0 or file:/tmp/out.bin
        #[arg(long, value_name = "SPEC")]
        printer: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Csv,
    Json,
}

fn money(s: &str) -> Result<Money, String> {
    s.parse::<Money>().map_err(|e| e.to_string())
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
        /// A supervisor lets a possible duplicate through, for this reason (the operator is the supervisor)
        #[arg(long, value_name = "TEXT")]
        override_duplicate: Option<String>,
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
        /// Only open cases past their due date or with an overdue referral
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        json: bool,
    },
    /// Refer a case to the department responsible (the policy's department for the kind unless --to)
    Refer {
        id: String,
        #[arg(long = "to", value_parser = |s: &str| s.parse::<Department>().map_err(|e| e.to_string()))]
        to: Option<Department>,
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
        #[arg(long, value_parser = money)]
        amount: Option<Money>,
        /// The operator is a supervisor: amounts above the clerk's limit may be approved
        #[arg(long)]
        supervisor: bool,
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
    let mut ctx = Context::new(args.config.as_deref(), args.data.as_deref(), args.operator.as_deref())?;
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
        Command::Backup { dir, verify: true, .. } => cli::backup::verify(&dir, out),
        Command::Backup { dir, keep, .. } => cli::backup::backup(&ctx, &dir, keep, out),
        Command::Restore { dir, replace } => cli::backup::restore(&ctx, &dir, replace, out),
        Command::Bench { cases, dir, json, measure_only } => bench(&ctx, cases, dir, json, measure_only, out),
        Command::Fund(f) => match f {
            FundCommand::Deposit { amount, source, donor, note } => {
                let source = match source {
                    Source::Budget => cli::fund::DepositSource::Budget,
                    Source::Donation => cli::fund::DepositSource::Donation,
                };
                cli::fund::deposit(&ctx, amount, source, donor.as_deref(), note.as_deref(), out)
            }
            FundCommand::Disburse { id, amount } => cli::fund::disburse(&ctx, &id, amount, out),
            FundCommand::Correct { amount, direction, reason } => {
                let sign = match direction {
                    Direction::Increase => onedoor::domain::fund::CorrectionSign::Increase,
                    Direction::Decrease => onedoor::domain::fund::CorrectionSign::Decrease,
                };
                cli::fund::correct(&ctx, sign, amount, &reason, out)
            }
            FundCommand::Balance { json } => cli::fund::balance(&ctx, json, out),
            FundCommand::Ledger { year, json } => cli::fund::ledger(&ctx, year, json, out),
        },
        Command::Policy(PolicyCommand::Show { day, json }) => cli::policy::show(&ctx, day, json, out),
        Command::Policy(PolicyCommand::Check { file }) => cli::policy::check(&file, out),
        Command::Card(CardCommand::Read { port, baud, wait, json }) => {
            cli::devices::card_read(&ctx, port.as_deref(), baud, wait, json, out)
        }
        Command::Devices(DevicesCommand::Probe) => cli::devices::probe(&ctx, out),
        Command::Receipt(ReceiptCommand::Print { id, printer, disbursement }) => {
            cli::devices::receipt_print(&ctx, &id, printer.as_deref(), disbursement, out)
        }
        Command::Receipt(ReceiptCommand::Pending) => cli::devices::receipt_pending(&ctx, out),
        Command::Report(ReportCommand::Daily { day, format, print, printer }) => {
            let format = match format {
                ReportFormat::Text => cli::report::ReportFormat::Text,
                ReportFormat::Csv => cli::report::ReportFormat::Csv,
                ReportFormat::Json => cli::report::ReportFormat::Json,
            };
            cli::report::daily(&ctx, day, format, print, printer.as_deref(), out)
        }
        Command::Case(c) => match c {
            CaseCommand::Add { json, override_duplicate } => {
                cli::case::add(&ctx, &json, override_duplicate.as_deref(), out)
            }
            CaseCommand::Show { id, json } => cli::case::show(&ctx, &id, json, out),
            CaseCommand::List { day, state, kind, id_number, overdue, json } => {
                cli::case::list(&ctx, &ListFilter { day, state, kind, id_number, overdue }, json, out)
            }
            CaseCommand::Refer { id, to } => cli::case::act(&ctx, &id, CaseAction::Refer(to), out),
            CaseCommand::Review { id, note } => cli::case::act(&ctx, &id, CaseAction::Review(note), out),
            CaseCommand::Approve { id, amount, supervisor } => {
                let action =
                    if supervisor { CaseAction::ApproveAsSupervisor(amount) } else { CaseAction::Approve(amount) };
                cli::case::act(&ctx, &id, action, out)
            }
            CaseCommand::Reject { id, reason } => cli::case::act(&ctx, &id, CaseAction::Reject(reason), out),
            CaseCommand::Disburse { id } => cli::case::act(&ctx, &id, CaseAction::Disburse, out),
            CaseCommand::Complete { id } => cli::case::act(&ctx, &id, CaseAction::Complete, out),
            CaseCommand::Withdraw { id, note } => cli::case::act(&ctx, &id, CaseAction::Withdraw(note), out),
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
    let options = onedoor::ui::RunOptions { lang, demo, ..Default::default() };
    onedoor::ui::run(ctx, options).map_err(|e| match e {
        onedoor::ui::UiError::Keymap(_) | onedoor::ui::UiError::Receipts(_) => CliError::refused(e.to_string()),
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

fn bench(
    ctx: &Context,
    cases: u64,
    dir: Option<PathBuf>,
    json: bool,
    measure_only: bool,
    out: &mut dyn Write,
) -> CliResult {
    let options = onedoor::store::StoreOptions { cache_mb: ctx.config.store.cache_mb };
    if measure_only {
        let dir = dir.ok_or_else(|| CliError::refused("--measure-only needs --dir"))?;
        let f = onedoor::bench::measure(&dir, cases, &ctx.config.counter, &options, ctx.now)?;
        writeln!(out, "{}", serde_json::to_string(&f).map_err(|e| CliError::environment(e.to_string()))?)?;
        return Ok(());
    }
    let scratch = dir.is_none();
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join(format!("onedoor-bench-{}", std::process::id())));
    if dir.join("db").exists() {
        return Err(CliError::refused(format!("{} already holds a store; give an empty directory", dir.display())));
    }
    let result = seed_then_measure(ctx, cases, &dir, &options);
    if scratch {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let f = result?;
    if json {
        writeln!(out, "{}", serde_json::to_string(&f).map_err(|e| CliError::environment(e.to_string()))?)?;
    } else {
        writeln!(out, "cases                  {}", f.cases)?;
        writeln!(out, "seeded in              {:.1} s", f.seed_seconds)?;
        writeln!(out, "first open + query     {:.1} ms", f.open_ms)?;
        writeln!(
            out,
            "person lookup p50/p99  {:.0} / {:.0} us ({} lookups, {:.1} cases each)",
            f.lookup_p50_us, f.lookup_p99_us, f.lookups, f.cases_per_lookup
        )?;
        writeln!(
            out,
            "durable commit p50/p99 {:.0} / {:.0} us ({} commits)",
            f.commit_p50_us, f.commit_p99_us, f.commits
        )?;
        writeln!(
            out,
            "import                 {:.0} cases/s (10,000 exported cases, one transaction)",
            f.import_cases_per_s
        )?;
        writeln!(out, "keystroke + frame p99  {:.0} us at 80x24", f.frame_p99_us_80x24)?;
        writeln!(out, "daily report           {:.1} ms (a day of 10,000 cases)", f.report_daily_ms)?;
        writeln!(
            out,
            "memory (measuring process) peak {:.0} MB; {:.0} MB after the open, {:.0} MB at the end",
            f.rss_peak_mb, f.rss_after_open_mb, f.rss_end_mb
        )?;
        writeln!(out, "disk                   {:.0} MB ({:.0} MB of keys and values)", f.disk_mb, f.raw_mb)?;
    }
    Ok(())
}

/// Seeds the store here, then measures it in a fresh process of this binary.
fn seed_then_measure(
    ctx: &Context,
    cases: u64,
    dir: &std::path::Path,
    options: &onedoor::store::StoreOptions,
) -> Result<onedoor::bench::Figures, CliError> {
    let started = std::time::Instant::now();
    {
        let store = onedoor::store::Store::open(dir, options)?;
        onedoor::bench::seed(&store, cases, ctx.today(), *ctx.now.offset())?;
        // As `case import` does: the first open after a bulk load is paid by the load.
        store.reopen(options)?;
    }
    let seed_seconds = started.elapsed().as_secs_f64();
    let me = std::env::current_exe().map_err(|e| CliError::environment(e.to_string()))?;
    let output = std::process::Command::new(me)
        .args(["bench", "--measure-only", "--cases", &cases.to_string(), "--dir"])
        .arg(dir)
        .env("ONEDOOR_NOW", ctx.now.to_rfc3339())
        .output()
        .map_err(|e| CliError::environment(format!("cannot run the measuring process: {e}")))?;
    if !output.status.success() {
        return Err(CliError::environment(String::from_utf8_lossy(&output.stderr).trim().to_string()));
    }
    let mut f: onedoor::bench::Figures = serde_json::from_slice(&output.stdout)
        .map_err(|e| CliError::environment(format!("the measuring process answered badly: {e}")))?;
    f.seed_seconds = seed_seconds;
    Ok(f)
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
