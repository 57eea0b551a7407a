//! `onedoor policy show|check`: the policy in force, and checking a district's policy file.

use std::io::Write;
use std::path::Path;

use super::{read_input, CliError, CliResult, Session};
use crate::domain::policy::Policy;

pub fn show(ctx: &Session, day: Option<chrono::NaiveDate>, json: bool, out: &mut dyn Write) -> CliResult {
    let policy = ctx.policies.policy_for(day.unwrap_or_else(|| ctx.today()));
    if json {
        let text = serde_json::to_string_pretty(policy).map_err(|e| CliError::environment(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        write!(out, "{}", policy.describe())?;
        let dated: Vec<String> =
            ctx.policies.policies().iter().map(|p| format!("{} from {}", p.version, p.effective_from)).collect();
        writeln!(out, "Policies in the book: {}", dated.join(", "))?;
        for p in ctx.policies.superseded() {
            writeln!(out, "Kept for the cases that recorded it: {} (overridden by the district's policy)", p.version)?;
        }
    }
    Ok(())
}

pub fn check(_session: &Session, file: &Path, out: &mut dyn Write) -> CliResult {
    let text = read_input(file)?;
    let policy = Policy::from_toml(&text).map_err(|e| CliError::refused(format!("{}: {e}", file.display())))?;
    writeln!(out, "{}: policy '{}' in force from {} is valid", file.display(), policy.version, policy.effective_from)?;
    Ok(())
}
