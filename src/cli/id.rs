//! `onedoor id check NUMBER`: is this a valid resident identity number, and what does it say?

use std::io::Write;

use super::{CliError, CliResult, Session};
use crate::domain::IdNumber;
use crate::l10n::{names, Say};
use crate::tr;

pub fn check(ctx: &Session, number: &str, out: &mut dyn Write) -> CliResult {
    let lang = ctx.lang;
    let id = IdNumber::parse(number, ctx.today()).map_err(|e| CliError::refused(e.say(lang)))?;
    writeln!(out, "{}", tr!(lang, "id-check-valid", number = id.as_str()))?;
    if id.as_str() != number.trim().to_ascii_uppercase() {
        writeln!(out, "{}", tr!(lang, "id-check-converted", number = number.trim()))?;
    }
    writeln!(out, "{}", tr!(lang, "id-check-birth-date", date = id.birth_date()))?;
    let sex = id.sex();
    let code = match sex {
        crate::domain::Sex::Male => "male",
        crate::domain::Sex::Female => "female",
    };
    writeln!(out, "{}", tr!(lang, "id-check-sex", sex = names::sex(sex, lang), code = code))?;
    writeln!(out, "{}", tr!(lang, "id-check-region", code = id.region_code()))?;
    writeln!(out, "{}", tr!(lang, "id-check-masked", number = id.masked()))?;
    Ok(())
}
