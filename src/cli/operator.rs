//! `onedoor operator add|list|disable|pin`: who may act at the window. The
//! new PIN comes from `ONEDOOR_NEW_PIN` (scripts) or the terminal; the
//! operator acting signs in with their own PIN as for every change.

use std::io::Write;

use super::{pad, CliError, CliResult, Session};
use crate::domain::operator::{Operator, Role};
use crate::tr;
use crate::window::WindowError;

fn new_pin(ctx: &Session, name: &str) -> Result<String, CliError> {
    match ctx.new_pin(&tr!(ctx.lang, "new-pin-prompt", name = name))? {
        Some(pin) => Ok(pin),
        None => Err(CliError::refused(tr!(ctx.lang, "new-pin-needed"))),
    }
}

/// The operator acting, signed in (a store without operators has none).
fn acting(ctx: &Session) -> Result<&Operator, CliError> {
    ctx.signed_in().ok_or_else(|| CliError::from(WindowError::NeedsSupervisorOperator))
}

pub fn add(ctx: &Session, name: &str, role: Role, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_store()?;
    let window = ctx.window(&store);
    let pin = new_pin(ctx, name)?;
    let op = window.add_operator(ctx.signed_in(), name, role, &pin, ctx.now)?;
    writeln!(out, "{}", tr!(ctx.lang, "operator-added", name = op.name.as_str(), role = role.code()))?;
    Ok(())
}

pub fn disable(ctx: &Session, name: &str, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_store()?;
    ctx.window(&store).disable_operator(acting(ctx)?, name, ctx.now)?;
    writeln!(out, "{}", tr!(ctx.lang, "operator-disabled-now", name = name))?;
    Ok(())
}

pub fn pin(ctx: &Session, name: &str, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_store()?;
    let by = acting(ctx)?;
    let pin = new_pin(ctx, name)?;
    ctx.window(&store).set_pin(by, name, &pin, ctx.now)?;
    writeln!(out, "{}", tr!(ctx.lang, "operator-pin-set", name = name))?;
    Ok(())
}

pub fn list(ctx: &Session, out: &mut dyn Write) -> CliResult {
    let store = ctx.open_existing_store()?;
    for op in store.operators()? {
        let state = if op.disabled {
            tr!(ctx.lang, "operator-list-disabled").to_string()
        } else if let Some(until) = op.locked_until.filter(|u| *u > ctx.now) {
            tr!(ctx.lang, "operator-list-locked", until = until.format("%Y-%m-%d %H:%M").to_string())
        } else {
            String::new()
        };
        let line = format!("{} {} {state}", pad(op.name.as_str(), 33), pad(op.role.code(), 11));
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
