//! `onedoor policy show|check`: the policy in force, and checking a district's policy file.

use std::io::Write;
use std::path::Path;

use super::{read_input, CliError, CliResult, Session};
use crate::domain::policy::Policy;
use crate::tr;

pub fn show(ctx: &Session, day: Option<chrono::NaiveDate>, json: bool, out: &mut dyn Write) -> CliResult {
    let policy = ctx.policies.policy_for(day.unwrap_or_else(|| ctx.today()));
    if json {
        let text = serde_json::to_string_pretty(policy).map_err(|e| CliError::environment(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        write!(out, "{}", policy.describe())?;
        let lang = ctx.lang;
        let dated: Vec<String> = ctx
            .policies
            .policies()
            .iter()
            .map(|p| tr!(lang, "policy-dated", version = &p.version, from = p.effective_from))
            .collect();
        writeln!(out, "{}", tr!(lang, "policy-book", policies = dated.join(", ")))?;
        for p in ctx.policies.superseded() {
            writeln!(out, "{}", tr!(lang, "policy-superseded", version = &p.version))?;
        }
    }
    Ok(())
}

pub fn check(ctx: &Session, file: &Path, out: &mut dyn Write) -> CliResult {
    let text = read_input(file, ctx.lang)?;
    let policy = Policy::from_toml(&text).map_err(|e| CliError::refused(format!("{}: {e}", file.display())))?;
    let (version, from) = (&policy.version, policy.effective_from);
    writeln!(
        out,
        "{}",
        tr!(ctx.lang, "policy-valid", file = file.display().to_string(), version = version, from = from)
    )?;
    Ok(())
}
