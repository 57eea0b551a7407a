//! (Part of the `onedoor` binary, not the library.) The CLI beside a running
//! counter: which commands the counter carries out for it, the CLI's side of
//! the control socket (its PIN, its standard input, asking at its terminal
//! for a secret the command needs), and the counter's side: the same
//! argument parser and commands as `main`, on the counter's store.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use onedoor::cli::{CliError, Session};
use onedoor::control::{self, Request};
use onedoor::session::{read_secret, Asked, SessionError};

use super::{Args, CaseCommand, Command};

/// Commands that work on the store, or sign in on it: when the counter has
/// it open, it carries them out. Not the counter itself, nor `sync` (the
/// counter forwards its own cases), nor `restore` (never into a store in
/// use), nor what needs no store and no operator (`id check`, `demo`, `bench`).
pub fn goes_to_the_counter(command: &Command) -> bool {
    match command {
        Command::Case(_)
        | Command::Fund(_)
        | Command::Receipt(_)
        | Command::Report(_)
        | Command::Audit(_)
        | Command::Operator(_)
        | Command::Outbox(_)
        | Command::Backup { .. } => true,
        // They read no case, but sign in on the store the counter holds.
        Command::Policy(_) | Command::Card(_) | Command::Devices(_) => true,
        Command::Demo {} | Command::Id(_) | Command::Sync { .. } | Command::Restore { .. } | Command::Bench { .. } => {
            false
        }
    }
}

/// Whether the command reads its standard input (`-`).
fn reads_stdin(command: &Command) -> bool {
    let dash = |p: &Path| p == Path::new("-");
    match command {
        Command::Case(CaseCommand::Add { json, .. }) => dash(json),
        Command::Case(CaseCommand::Import { file }) => dash(file),
        _ => false,
    }
}

/// Relative paths in the command are the CLI's: read from its working directory.
fn from_cwd(command: &mut Command, cwd: &Path) {
    let join = |p: &mut PathBuf| {
        if p.is_relative() && p != Path::new("-") {
            *p = cwd.join(&*p);
        }
    };
    // A printer that is a file (`file:out.bin`) is one too.
    let printer = |spec: &mut Option<String>| {
        if let Some(path) = spec.as_deref().and_then(|s| s.strip_prefix("file:")).filter(|p| Path::new(p).is_relative())
        {
            *spec = Some(format!("file:{}", cwd.join(path).display()));
        }
    };
    match command {
        Command::Case(CaseCommand::Add { json, .. }) => join(json),
        Command::Case(CaseCommand::Import { file }) => join(file),
        Command::Backup { dir, .. } => join(dir),
        Command::Policy(super::PolicyCommand::Check { file }) => join(file),
        Command::Receipt(super::ReceiptCommand::Print { printer: spec, .. }) => printer(spec),
        Command::Report(super::ReportCommand::Daily { printer: spec, .. }) => printer(spec),
        _ => {}
    }
}

fn fail(session: &Session, e: CliError) -> ExitCode {
    super::say_error(&e.message(session.lang));
    ExitCode::from(e.code)
}

/// Has the counter carry out the command, then prints what it printed and
/// exits as it did. A secret the command needs and was not given (no
/// `ONEDOOR_PIN`, no `--pin-file`) is asked here at the terminal, and the
/// command sent again with it.
pub fn through_the_counter(session: &Session, args: &Args, first: UnixStream) -> ExitCode {
    let lang = session.lang;
    let mut argv = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(a) => argv.push(a),
            Err(a) => {
                return fail(
                    session,
                    CliError::refused(onedoor::tr!(lang, "control-not-utf8", arg = a.to_string_lossy().into_owned())),
                )
            }
        }
    }
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return fail(session, CliError::from(e)),
    };
    let given_stdin = args.command.as_ref().is_some_and(reads_stdin);
    // Standard input may take its time (a person typing, a slow pipe) and
    // the counter waits 10 s for a request: it is read first, then connected again.
    let first = if given_stdin {
        drop(first);
        None
    } else {
        Some(first)
    };
    let mut stdin = Vec::new();
    if given_stdin {
        let read = std::io::stdin().take(control::MAX_STDIN as u64).read_to_end(&mut stdin);
        if let Err(e) = read {
            return fail(
                session,
                CliError::refused(onedoor::tr!(lang, "cli-cannot-read-stdin", error = e.to_string())),
            );
        }
    }
    let mut pin_unreadable = None;
    let mut pin = std::env::var("ONEDOOR_PIN").ok().map(|p| p.trim().to_string());
    if pin.is_none() {
        if let Some(file) = &session.pin_file {
            match std::fs::read_to_string(file) {
                Ok(text) => pin = Some(text.trim().to_string()),
                Err(e) => pin_unreadable = Some(SessionError::PinUnreadable(format!("{}: {e}", file.display()))),
            }
        }
    }
    let mut new_pin = std::env::var("ONEDOOR_NEW_PIN").ok().map(|p| p.trim().to_string());
    let mut countersign_pin = std::env::var("ONEDOOR_COUNTERSIGN_PIN").ok().map(|p| p.trim().to_string());
    let mut stream = first;
    // At most: the command, again with the PIN, again with the new PIN.
    loop {
        let connected = match stream.take() {
            Some(s) => Ok(Some(s)),
            None => control::connect(&session.paths.data),
        };
        let s = match connected {
            Ok(Some(s)) => s,
            // The counter closed between two rounds.
            Ok(None) => return fail(session, CliError::environment(onedoor::tr!(lang, "control-gone"))),
            Err(e) => return fail(session, CliError::environment(onedoor::l10n::Say::say(&e, lang))),
        };
        let request = Request {
            version: control::VERSION,
            args: argv.clone(),
            cwd: cwd.clone(),
            operator: session.operator.clone(),
            lang,
            now: session.now.to_rfc3339(),
            pin: pin.clone(),
            new_pin: new_pin.clone(),
            countersign_pin: countersign_pin.clone(),
            stdin: given_stdin,
        };
        let done = match control::call(s, &session.paths.data, &request, &stdin) {
            Ok(done) => done,
            Err(e) => return fail(session, CliError::environment(onedoor::l10n::Say::say(&e, lang))),
        };
        match &done.reply.asked {
            Some(Asked::Pin(prompt)) if pin.is_none() => {
                if let Some(e) = pin_unreadable.take() {
                    return fail(session, CliError::from(e));
                }
                match read_secret(prompt) {
                    Ok(Some(typed)) => {
                        pin = Some(typed);
                        continue;
                    }
                    Ok(None) => {}
                    Err(e) => return fail(session, CliError::from(e)),
                }
            }
            Some(Asked::NewPin(prompt)) if new_pin.is_none() => match read_secret(prompt) {
                Ok(Some(typed)) => {
                    new_pin = Some(typed);
                    continue;
                }
                Ok(None) => {}
                Err(e) => return fail(session, CliError::from(e)),
            },
            Some(Asked::CountersignPin(prompt)) if countersign_pin.is_none() => match read_secret(prompt) {
                Ok(Some(typed)) => {
                    countersign_pin = Some(typed);
                    continue;
                }
                Ok(None) => {}
                Err(e) => return fail(session, CliError::from(e)),
            },
            _ => {}
        }
        let _ = std::io::stdout().write_all(&done.stdout).and_then(|()| std::io::stdout().flush());
        let _ = std::io::stderr().write_all(&done.stderr);
        return ExitCode::from(done.reply.code);
    }
}

/// The counter's side: one command of the CLI beside it, parsed and carried
/// out exactly as `main` does, its error line on the session's standard error.
pub fn carry_out(session: &mut Session, argv: &[String], cwd: &Path, out: &mut dyn Write) -> u8 {
    let args = Args::try_parse_from(std::iter::once("onedoor").chain(argv.iter().map(String::as_str)));
    let mut args = match args {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => {
            let _ = write!(out, "{}", e.render());
            return 0;
        }
        Err(e) => {
            let _ = write!(session.stderr(), "{}", e.render());
            return 2;
        }
    };
    match args.command.as_mut() {
        Some(command) if goes_to_the_counter(command) => from_cwd(command, cwd),
        _ => {
            let line = onedoor::tr!(session.lang, "control-not-beside");
            let _ = writeln!(session.stderr(), "error: {line}");
            return 2;
        }
    }
    match super::run(session, args, out) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(session.stderr(), "error: {}", e.message(session.lang));
            e.code
        }
    }
}
