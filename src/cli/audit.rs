//! `onedoor audit verify` walks the audit chain and names the first entry
//! altered, removed or reordered (exit 2), checking the heads printed on
//! signed daily summaries given with `--anchor`; `onedoor audit log` lists
//! the entries of a case, an operator or a day.

use std::io::Write;

use chrono::NaiveDate;

use super::case::parse_id;
use super::{pad, CliError, CliResult, Session};
use crate::domain::audit::{AuditAction, ChainBreak, Digest};
use crate::store::audit::AuditFilter;
use crate::{tr, Lang};

/// An anchor from paper: `SEQ:HASH` (the entry number and the 64 hex digits
/// of the head printed on a daily summary).
pub fn parse_anchor(s: &str) -> Result<(u64, Digest), String> {
    let (seq, hex) =
        s.trim().split_once(':').ok_or_else(|| format!("'{s}' is not an anchor like 42:<64 hex digits>"))?;
    let seq = seq.trim().parse().map_err(|_| format!("'{seq}' is not an audit entry number"))?;
    let digest = Digest::parse(hex).ok_or_else(|| format!("'{hex}' is not a SHA-256 in 64 hex digits"))?;
    Ok((seq, digest))
}

fn said(b: &ChainBreak, lang: Lang) -> String {
    match b {
        ChainBreak::Altered { seq } => tr!(lang, "audit-altered", seq = *seq),
        ChainBreak::Removed { from, to } => tr!(lang, "audit-removed", from = *from, to = *to),
        ChainBreak::Reordered { seq } => tr!(lang, "audit-reordered", seq = *seq),
        ChainBreak::AnchorMismatch { seq } => tr!(lang, "audit-anchor-mismatch", seq = *seq),
    }
}

pub fn verify(ctx: &Session, anchors: &[(u64, Digest)], out: &mut dyn Write) -> CliResult {
    let lang = ctx.lang;
    let store = ctx.open_existing_store()?;
    match store.audit_verify(anchors)? {
        Ok(chain) => {
            writeln!(out, "{}", tr!(lang, "audit-whole", entries = chain.entries, head = chain.head.hex()))?;
            Ok(())
        }
        Err(b) => Err(CliError::refused(tr!(lang, "audit-broken", why = said(&b, lang)))),
    }
}

fn action_code(a: AuditAction) -> String {
    serde_json::to_value(a).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

pub fn log(
    ctx: &Session,
    case: Option<&str>,
    operator: Option<&str>,
    day: Option<NaiveDate>,
    json: bool,
    out: &mut dyn Write,
) -> CliResult {
    let case = case.map(|c| parse_id(c, ctx.lang)).transpose()?;
    let filter = AuditFilter { case, operator: operator.map(str::to_string), day };
    let store = ctx.open_existing_store()?;
    for e in store.audit_log(&filter)? {
        if json {
            let line = serde_json::to_string(&e).map_err(|e| CliError::environment(e.to_string()))?;
            writeln!(out, "{line}")?;
            continue;
        }
        let by = match &e.second {
            Some(s) => format!("{}+{s}", e.by),
            None => e.by.clone(),
        };
        let line = format!(
            "{:>6}  {}  {} {} {} {:>10}  {}",
            e.seq,
            e.at.format("%Y-%m-%d %H:%M"),
            pad(&by, 12),
            pad(&action_code(e.action), 16),
            pad(e.case.as_ref().map_or("-", |c| c.as_str()), 26),
            e.amount.map_or_else(|| "-".to_string(), |m| m.to_string()),
            e.detail.as_deref().unwrap_or("")
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
