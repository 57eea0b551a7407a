//! The `onedoor` command: parses the arguments and hands each command to the
//! library. With no command it opens the counter.
#![forbid(unsafe_code)]

mod beside;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};

use onedoor::cli::{self, case::ListFilter, CliError, CliResult, Session};
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
    /// A file holding the operator's PIN, for scripts (else ONEDOOR_PIN, else asked at the terminal)
    #[arg(long, global = true, value_name = "FILE")]
    pin_file: Option<PathBuf>,
    /// The language of the screens and messages, overriding `[counter] locale`
    #[arg(long, global = true, env = "ONEDOOR_LANG", value_name = "LANG",
          value_parser = PossibleValuesParser::new(["zh-CN", "en"]).try_map(|s: String| s.parse::<onedoor::Lang>()))]
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
    /// The audit chain: every change, each entry chained to the one before by its SHA-256
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Who may act at the window: clerks and supervisors with PINs
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Forward the finished cases waiting in the outbox to the district ([district] in the config)
    Sync {
        /// One pass over every waiting case, due or not, then exit (1 if some still wait)
        #[arg(long)]
        once: bool,
    },
    /// The finished cases waiting to be forwarded, and the dead letters the district refused
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Back up the store into a new directory under DIR (or with --verify, check the backup DIR)
    Backup {
        /// The directory that holds the backups (each backup is a new directory in it)
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
        /// One backup: a directory `onedoor backup` made
        #[arg(value_name = "BACKUP")]
        dir: PathBuf,
        /// Replace a store that opens (it is kept in DATA/replaced-…)
        #[arg(long)]
        replace: bool,
    },
    /// Build a scratch store of N realistic cases and measure commit, lookup, open, memory and disk
    Bench {
        /// How many cases to seed
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Where to build the scratch store (default: a new directory under the system temp dir, removed after)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Print the figures as one JSON object
        #[arg(long)]
        json: bool,
        /// Only measure an already seeded store in --dir (what `bench` runs in a fresh process)
        #[arg(long, hide = true)]
        measure_only: bool,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// List the cases waiting to be forwarded (tries, next try, last error)
    List {
        /// The dead letters instead: cases the district refused for good, with its reason
        #[arg(long)]
        dead: bool,
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },
    /// Put a dead letter back in the outbox, to be sent again (after the district or the case was fixed)
    Retry {
        /// The case id
        id: String,
    },
}

#[derive(Subcommand)]
enum IdCommand {
    /// Valid: birth date, sex, region code. Invalid: why
    Check {
        /// The 18-character number (a 15-digit legacy number is converted)
        number: String,
    },
}

#[derive(Subcommand)]
enum FundCommand {
    /// Put money into the fund: the year's budget, or a named donation
    Deposit {
        /// The amount in yuan, e.g. 50000 or 50000.00
        #[arg(value_parser = money)]
        amount: Money,
        /// Where the money comes from
        #[arg(long, value_enum)]
        source: Source,
        /// The donor's name (with --source donation)
        #[arg(long)]
        donor: Option<String>,
        /// A note kept with the entry
        #[arg(long)]
        note: Option<String>,
    },
    /// Pay an approved case from the fund (the case becomes disbursed in the same transaction)
    Disburse {
        /// The case id, e.g. 320106001-03-20261129-0007
        id: String,
        /// Pay less than was approved (never more)
        #[arg(long, value_parser = money)]
        amount: Option<Money>,
        /// The supervisor countersigning the payment when the operator is a clerk (PIN from ONEDOOR_COUNTERSIGN_PIN or the terminal)
        #[arg(long, value_name = "NAME")]
        countersign: Option<String>,
    },
    /// A supervisor's correction, with the reason
    Correct {
        /// The amount in yuan
        #[arg(value_parser = money)]
        amount: Money,
        /// Whether the balance goes up or down
        #[arg(long, value_enum)]
        direction: Direction,
        /// Why the fund is corrected (kept in the ledger)
        #[arg(long)]
        reason: String,
    },
    /// The balance
    Balance {
        /// Print {"balance": "…"}
        #[arg(long)]
        json: bool,
    },
    /// The year's entries and statement: opening + inflows - outflows = closing
    Ledger {
        /// The year (default: this year)
        #[arg(long)]
        year: Option<i32>,
        /// Print the statement and the entries as one JSON object
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Source {
    /// The year's budget appropriation
    Budget,
    /// A named donation (with --donor)
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
        /// The day whose policy to show
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = cli::parse_day)]
        day: Option<chrono::NaiveDate>,
        /// Print the policy as JSON
        #[arg(long)]
        json: bool,
    },
    /// Validate a policy file; names the line of any error
    Check {
        /// The policy file (TOML)
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum CardCommand {
    /// One read from the ID card reader
    Read {
        /// The reader's serial port instead of `[devices] id_reader`, e.g. /dev/ttyUSB0
        #[arg(long, value_name = "PATH")]
        port: Option<String>,
        /// The reader's baud rate instead of `[devices] id_reader_baud`
        #[arg(long)]
        baud: Option<u32>,
        /// Seconds to wait for a card to be placed
        #[arg(long, default_value_t = 10)]
        wait: u64,
        /// Print the card as one JSON object
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
        /// The case id
        id: String,
        /// The printer instead of `[devices] printer`: serial:/dev/ttyS0?baud=9600, usb:/dev/usb/lp0,
        /// tcp:192.168.1.50:9100, file:/path/out.bin or none
        #[arg(long, value_name = "SPEC")]
        printer: Option<String>,
        /// The disbursement receipt instead of the acceptance receipt
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
        /// The printer for --print instead of the configured one: serial:/dev/ttyS0?baud=9600,
        /// usb:/dev/usb/lp0, tcp:192.168.1.50:9100, file:/path/out.bin or none
        #[arg(long, value_name = "SPEC")]
        printer: Option<String>,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Add an operator (a supervisor does; the first supervisor while there is none). New PIN: ONEDOOR_NEW_PIN or the terminal
    Add {
        /// 1-32 letters, digits, _ - .
        name: String,
        /// clerk or supervisor
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// List the operators, their roles and who is disabled or locked out
    List,
    /// Disable an operator (a supervisor does)
    Disable {
        /// The operator's name
        name: String,
    },
    /// Change one's own PIN, or a supervisor resets a clerk's (ONEDOOR_NEW_PIN or the terminal)
    Pin {
        /// The operator whose PIN is set
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Clerk,
    Supervisor,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the whole chain; name the first entry altered, removed or reordered (exit 2)
    Verify {
        /// A head printed on a signed daily summary: SEQ:HASH (the entry number and its 64 hex digits); repeatable
        #[arg(long, value_name = "SEQ:HASH", value_parser = cli::audit::parse_anchor)]
        anchor: Vec<(u64, onedoor::domain::audit::Digest)>,
    },
    /// List the entries, oldest first: of one case, one operator, one day
    Log {
        /// Only the entries of this case
        #[arg(long, value_name = "ID")]
        case: Option<String>,
        /// Only what this operator did (or approved as the second person); --operator is who is asking
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Only the entries of this day
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = cli::parse_day)]
        day: Option<chrono::NaiveDate>,
        /// One JSON object a line, as the entry is hashed
        #[arg(long)]
        json: bool,
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

/// A value one of `codes` (listed in `--help` and in the error), parsed as `T`.
fn one_of<T>(codes: Vec<&'static str>) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    PossibleValuesParser::new(codes).try_map(|s: String| s.parse::<T>())
}

fn states() -> impl TypedValueParser<Value = State> {
    one_of(State::ALL.iter().map(|s| s.code()).collect())
}

fn kinds() -> impl TypedValueParser<Value = Kind> {
    one_of(Kind::ALL.iter().map(|k| k.code()).collect())
}

fn departments() -> impl TypedValueParser<Value = Department> {
    one_of(Department::ALL.iter().map(|d| d.code()).collect())
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
        /// The case JSON (onedoor.case/1 intake fields), or - for standard input
        #[arg(long, value_name = "FILE|-")]
        json: PathBuf,
        /// A supervisor lets a possible duplicate through, for this reason (the supervisor of --countersign; without operators, the operator)
        #[arg(long, value_name = "TEXT")]
        override_duplicate: Option<String>,
        /// The supervisor countersigning the override (PIN from ONEDOOR_COUNTERSIGN_PIN or the terminal)
        #[arg(long, value_name = "NAME", requires = "override_duplicate")]
        countersign: Option<String>,
        /// Do not ask the district about earlier help in other towns (the case records: checked locally only)
        #[arg(long)]
        offline: bool,
    },
    /// Show one case
    Show {
        /// The case id
        id: String,
        /// Print the case as JSON (onedoor.case/1)
        #[arg(long)]
        json: bool,
    },
    /// List cases (today's when no filter is given)
    List {
        /// Cases received that day
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = cli::parse_day)]
        day: Option<chrono::NaiveDate>,
        /// Cases in this state
        #[arg(long, value_parser = states())]
        state: Option<State>,
        /// Cases of this kind
        #[arg(long, value_parser = kinds())]
        kind: Option<Kind>,
        /// The cases of one person (applicant or household member)
        #[arg(long = "id-number", value_name = "NUMBER", value_parser = |s: &str| onedoor::domain::IdNumber::parse_any_date(s).map_err(|e| e.to_string()))]
        id_number: Option<onedoor::domain::IdNumber>,
        /// Only open cases past their due date or with an overdue referral
        #[arg(long)]
        overdue: bool,
        /// Print a JSON array of cases (onedoor.case/1)
        #[arg(long)]
        json: bool,
    },
    /// Refer a case to the department responsible (the policy's department for the kind unless --to)
    Refer {
        /// The case id
        id: String,
        /// The department to refer to
        #[arg(long = "to", value_name = "DEPARTMENT", value_parser = departments())]
        to: Option<Department>,
    },
    /// Record the department's review (referred -> under_review; after the fact for green cases)
    Review {
        /// The case id
        id: String,
        /// The department's review note
        #[arg(long)]
        note: Option<String>,
    },
    /// Approve a case (the entitlement, or the requested amount, unless --amount)
    Approve {
        /// The case id
        id: String,
        /// The amount granted in yuan
        #[arg(long, value_parser = money)]
        amount: Option<Money>,
        /// The operator is a supervisor: amounts above the clerk's limit may be approved
        #[arg(long)]
        supervisor: bool,
        /// A supervisor countersigns this approval at the clerk's command, above the clerk's limit too (PIN from ONEDOOR_COUNTERSIGN_PIN or the terminal)
        #[arg(long, value_name = "NAME", conflicts_with = "supervisor")]
        countersign: Option<String>,
    },
    /// Reject a reviewed case
    Reject {
        /// The case id
        id: String,
        /// Why, told to the applicant
        #[arg(long)]
        reason: String,
    },
    /// Record that the granted amount was paid through the regular budget (district finance, bank card)
    Disburse {
        /// The case id
        id: String,
        /// The district finance's transfer reference, when known (letters, digits, - _ / .)
        #[arg(long, value_name = "REF")]
        transfer_ref: Option<String>,
    },
    /// Close a paid case
    Complete {
        /// The case id
        id: String,
    },
    /// Withdraw an open case
    Withdraw {
        /// The case id
        id: String,
        /// Why it is withdrawn
        #[arg(long)]
        note: Option<String>,
    },
    /// Import JSON Lines: intake records get new ids, exported cases keep theirs; all or nothing
    Import {
        /// The JSON Lines file, or - for standard input
        file: PathBuf,
    },
    /// Export cases as JSON Lines or CSV
    Export {
        /// From this day of receipt (inclusive)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = cli::parse_day)]
        from: Option<chrono::NaiveDate>,
        /// To this day of receipt (inclusive)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = cli::parse_day)]
        to: Option<chrono::NaiveDate>,
        /// jsonl: one case JSON a line (onedoor.case/1); csv: one row a case
        #[arg(long, value_enum, default_value = "jsonl")]
        format: Format,
        /// The full ID numbers instead of masked ones (a supervisor only; audited). `case import` needs them
        #[arg(long)]
        full_id: bool,
    },
}

fn run(session: &mut Session, args: Args, out: &mut dyn Write) -> CliResult {
    let Some(command) = args.command else {
        return cli::counter(session, false, Some(control_handler()));
    };
    // These read no case, but a card's holder, the devices, the policy and a
    // backup are for staff only: once there are operators, one signs in.
    if matches!(
        command,
        Command::Policy(_) | Command::Card(_) | Command::Devices(_) | Command::Backup { verify: true, .. }
    ) {
        session.sign_in_if_staffed()?;
    }
    match command {
        Command::Demo {} => {
            // Never the real store unless --data (or ONEDOOR_DATA) says so.
            if args.data.is_none() {
                session.paths.data = session.paths.data.join("demo");
            }
            cli::demo(session, Some(control_handler()))
        }
        Command::Id(IdCommand::Check { number }) => cli::id::check(session, &number, out),
        Command::Bench { cases, dir, json, measure_only } => {
            onedoor::bench::run(session, &onedoor::bench::Run { cases, dir, json, measure_only }, out)
        }
        Command::Sync { once } => cli::sync::sync(session, once, out),
        Command::Outbox(OutboxCommand::List { dead, json }) => cli::sync::list(session, dead, json, out),
        Command::Outbox(OutboxCommand::Retry { id }) => cli::sync::retry(session, &id, out),
        Command::Backup { dir, verify: true, .. } => cli::backup::verify(session, &dir, out),
        Command::Backup { dir, keep, .. } => cli::backup::backup(session, &dir, keep, out),
        Command::Restore { dir, replace } => cli::backup::restore(session, &dir, replace, out),
        Command::Fund(f) => match f {
            FundCommand::Deposit { amount, source, donor, note } => {
                let source = match source {
                    Source::Budget => cli::fund::DepositSource::Budget,
                    Source::Donation => cli::fund::DepositSource::Donation,
                };
                cli::fund::deposit(session, amount, source, donor.as_deref(), note.as_deref(), out)
            }
            FundCommand::Disburse { id, amount, countersign } => {
                cli::fund::disburse(session, &id, amount, countersign.as_deref(), out)
            }
            FundCommand::Correct { amount, direction, reason } => {
                let sign = match direction {
                    Direction::Increase => onedoor::domain::fund::CorrectionSign::Increase,
                    Direction::Decrease => onedoor::domain::fund::CorrectionSign::Decrease,
                };
                cli::fund::correct(session, sign, amount, &reason, out)
            }
            FundCommand::Balance { json } => cli::fund::balance(session, json, out),
            FundCommand::Ledger { year, json } => cli::fund::ledger(session, year, json, out),
        },
        Command::Policy(PolicyCommand::Show { day, json }) => cli::policy::show(session, day, json, out),
        Command::Policy(PolicyCommand::Check { file }) => cli::policy::check(session, &file, out),
        Command::Card(CardCommand::Read { port, baud, wait, json }) => {
            cli::devices::card_read(session, port.as_deref(), baud, wait, json, out)
        }
        Command::Devices(DevicesCommand::Probe) => cli::devices::probe(session, out),
        Command::Receipt(ReceiptCommand::Print { id, printer, disbursement }) => {
            cli::devices::receipt_print(session, &id, printer.as_deref(), disbursement, out)
        }
        Command::Receipt(ReceiptCommand::Pending) => cli::devices::receipt_pending(session, out),
        Command::Operator(OperatorCommand::Add { name, role }) => {
            let role = match role {
                RoleArg::Clerk => onedoor::domain::operator::Role::Clerk,
                RoleArg::Supervisor => onedoor::domain::operator::Role::Supervisor,
            };
            cli::operator::add(session, &name, role, out)
        }
        Command::Operator(OperatorCommand::List) => cli::operator::list(session, out),
        Command::Operator(OperatorCommand::Disable { name }) => cli::operator::disable(session, &name, out),
        Command::Operator(OperatorCommand::Pin { name }) => cli::operator::pin(session, &name, out),
        Command::Audit(AuditCommand::Verify { anchor }) => cli::audit::verify(session, &anchor, out),
        Command::Audit(AuditCommand::Log { case, by, day, json }) => {
            cli::audit::log(session, case.as_deref(), by.as_deref(), day, json, out)
        }
        Command::Report(ReportCommand::Daily { day, format, print, printer }) => {
            let format = match format {
                ReportFormat::Text => cli::report::ReportFormat::Text,
                ReportFormat::Csv => cli::report::ReportFormat::Csv,
                ReportFormat::Json => cli::report::ReportFormat::Json,
            };
            cli::report::daily(session, day, format, print, printer.as_deref(), out)
        }
        Command::Case(c) => case(session, c, out),
    }
}

fn case(session: &Session, command: CaseCommand, out: &mut dyn Write) -> CliResult {
    match command {
        CaseCommand::Add { json, override_duplicate, countersign, offline } => {
            cli::case::add(session, &json, override_duplicate.as_deref(), countersign.as_deref(), offline, out)
        }
        CaseCommand::Show { id, json } => cli::case::show(session, &id, json, out),
        CaseCommand::List { day, state, kind, id_number, overdue, json } => {
            cli::case::list(session, &ListFilter { day, state, kind, id_number, overdue }, json, out)
        }
        CaseCommand::Refer { id, to } => cli::case::act(session, &id, CaseAction::Refer(to), None, out),
        CaseCommand::Review { id, note } => cli::case::act(session, &id, CaseAction::Review(note), None, out),
        CaseCommand::Approve { id, amount, supervisor, countersign } => {
            let action = if supervisor { CaseAction::ApproveAsSupervisor(amount) } else { CaseAction::Approve(amount) };
            cli::case::act(session, &id, action, countersign.as_deref(), out)
        }
        CaseCommand::Reject { id, reason } => cli::case::act(session, &id, CaseAction::Reject(reason), None, out),
        CaseCommand::Disburse { id, transfer_ref } => cli::case::disburse(session, &id, transfer_ref.as_deref(), out),
        CaseCommand::Complete { id } => cli::case::act(session, &id, CaseAction::Complete, None, out),
        CaseCommand::Withdraw { id, note } => cli::case::act(session, &id, CaseAction::Withdraw(note), None, out),
        CaseCommand::Import { file } => cli::case::import(session, &file, out),
        CaseCommand::Export { from, to, format, full_id } => {
            let format = match format {
                Format::Jsonl => cli::case::ExportFormat::Jsonl,
                Format::Csv => cli::case::ExportFormat::Csv,
            };
            cli::case::export(session, from, to, format, full_id, out)
        }
    }
}

/// What the running counter does with a command sent through its socket:
/// the same parsing and the same commands as here, on its store.
fn control_handler() -> onedoor::control::Handler {
    std::sync::Arc::new(beside::carry_out)
}

/// The error line on standard error; a standard error that is gone (the
/// counter's terminal closed) is no reason to panic.
fn say_error(message: &str) {
    let _ = writeln!(std::io::stderr(), "error: {message}");
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        // --help and --version print and exit 0; a bad argument prints clap's
        // whole message (what is wrong, the allowed values, the usage) and exits 2.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    // The language of the error line: the session's, or (when the config
    // itself cannot be read) --lang, else Chinese.
    let mut session =
        match Session::new(args.config.as_deref(), args.data.as_deref(), args.operator.as_deref(), args.lang) {
            Ok(session) => session,
            Err(e) => {
                let e = CliError::from(e);
                say_error(&e.message(args.lang.unwrap_or_default()));
                return ExitCode::from(e.code);
            }
        };
    session.pin_file = args.pin_file.clone();
    if args.command.as_ref().is_some_and(beside::goes_to_the_counter) {
        match onedoor::control::connect(&session.paths.data) {
            Ok(None) => {}
            Ok(Some(stream)) => return beside::through_the_counter(&session, &args, stream),
            Err(e) => {
                say_error(&onedoor::l10n::Say::say(&e, session.lang));
                return ExitCode::from(1);
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(&mut session, args, &mut out).and_then(|()| out.flush().map_err(CliError::from)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say_error(&e.message(session.lang));
            ExitCode::from(e.code)
        }
    }
}
