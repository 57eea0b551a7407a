//! `onedoor id check NUMBER`: is this a valid resident identity number, and what does it say?

use std::io::Write;

use super::{CliError, CliResult, Session};
use crate::domain::{IdNumber, Sex};

pub fn check(ctx: &Session, number: &str, out: &mut dyn Write) -> CliResult {
    let id = IdNumber::parse(number, ctx.today()).map_err(|e| CliError::refused(e.to_string()))?;
    let sex = match id.sex() {
        Sex::Male => "male",
        Sex::Female => "female",
    };
    writeln!(out, "valid: {}", id.as_str())?;
    if id.as_str() != number.trim().to_ascii_uppercase() {
        writeln!(out, "converted from: {}", number.trim())?;
    }
    writeln!(out, "birth date: {}", id.birth_date().format("%Y-%m-%d"))?;
    writeln!(out, "sex: {sex}")?;
    writeln!(out, "region code: {}", id.region_code())?;
    writeln!(out, "masked: {}", id.masked())?;
    Ok(())
}
