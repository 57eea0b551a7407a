//! `onedoor policy show|check`: the policy in force, and checking a district's policy file.

use std::io::Write;
use std::path::Path;

use super::pad;
use super::{read_input, CliError, CliResult, Session};
use crate::domain::policy::Policy;
use crate::domain::Kind;
use crate::l10n::names;
use crate::{tr, Lang};

pub fn show(ctx: &Session, day: Option<chrono::NaiveDate>, json: bool, out: &mut dyn Write) -> CliResult {
    let policy = ctx.policies.policy_for(day.unwrap_or_else(|| ctx.today()));
    if json {
        let text = serde_json::to_string_pretty(policy).map_err(|e| CliError::environment(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        write!(out, "{}", describe(policy, ctx.lang))?;
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
    let text = read_input(ctx, file)?;
    let policy = Policy::from_toml(&text).map_err(|e| CliError::refused(format!("{}: {e}", file.display())))?;
    let (version, from) = (&policy.version, policy.effective_from);
    writeln!(
        out,
        "{}",
        tr!(ctx.lang, "policy-valid", file = file.display().to_string(), version = version, from = from)
    )?;
    Ok(())
}

/// The policy in words, for `onedoor policy show`: the figures a supervisor checks.
pub fn describe(p: &Policy, lang: Lang) -> String {
    let mut s = String::new();
    let list = |items: Vec<String>| {
        if items.is_empty() {
            tr!(lang, "policy-none").to_string()
        } else {
            items.join(tr!(lang, "list-separator"))
        }
    };
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    line(tr!(lang, "policy-head", version = &p.version, from = p.effective_from));
    line(tr!(lang, "policy-approval", limit = p.approval.clerk_limit));
    let u = &p.dibao.urban;
    let full: Vec<String> = u
        .full_standard_categories
        .iter()
        .map(|c| tr!(lang, "show-code", name = names::category(Some(*c), lang), code = c.code()))
        .collect();
    line(tr!(lang, "policy-urban-dibao", standard = u.standard, full = list(full)));
    let classes: Vec<String> = p
        .dibao
        .rural
        .classes
        .iter()
        .enumerate()
        .map(|(i, m)| tr!(lang, "policy-rural-class", class = i + 1, amount = *m))
        .collect();
    line(tr!(lang, "policy-rural-dibao", classes = list(classes)));
    let h = &p.special_hardship;
    line(tr!(
        lang,
        "policy-special-hardship",
        centralised = h.centralised,
        dispersed = h.dispersed,
        orphan = h.dispersed_orphan
    ));
    let discounts: Vec<String> = p
        .medical
        .discounts
        .iter()
        .map(|(item, pct)| {
            let item = tr!(lang, "show-code", name = names::bill_item(*item, lang), code = item.code());
            tr!(lang, "policy-discount", item = item, percent = pct.normalize().to_string())
        })
        .collect();
    line(tr!(lang, "policy-medical", discounts = list(discounts)));
    let t = &p.temporary;
    let per_case = match t.per_case_cap {
        Some(c) => tr!(lang, "policy-temporary-per-case", amount = c),
        None => tr!(lang, "policy-temporary-no-cap").to_string(),
    };
    let per_year = t
        .per_household_per_year
        .map_or(String::new(), |y| tr!(lang, "policy-temporary-per-year", urban = y.urban, rural = y.rural));
    line(tr!(lang, "policy-temporary", per_case = per_case, per_year = per_year));
    let e = &p.emergency;
    let reasons: Vec<String> =
        e.reasons.iter().map(|r| tr!(lang, "show-code", name = names::reason(*r, lang), code = r.code())).collect();
    let kinds: Vec<String> =
        e.kinds.iter().map(|k| tr!(lang, "show-code", name = names::kind(*k, lang), code = k.code())).collect();
    line(tr!(
        lang,
        "policy-emergency",
        grant = e.reserve_fund_grant,
        reasons = list(reasons),
        kinds = list(kinds).replace(", ", tr!(lang, "policy-and"))
    ));
    let caps: Vec<String> = p
        .kind_caps
        .iter()
        .map(|(k, m)| format!("{} {m}", tr!(lang, "show-code", name = names::kind(*k, lang), code = k.code())))
        .collect();
    line(tr!(lang, "policy-department-kinds", caps = list(caps)));
    let d = &p.duplicates;
    let blocking: Vec<String> = d
        .blocking_kinds
        .iter()
        .map(|k| tr!(lang, "show-code", name = names::kind(*k, lang), code = k.code()))
        .collect();
    line(tr!(lang, "policy-duplicates", months = d.window_months, kinds = list(blocking)));
    line(tr!(lang, "policy-time-limits").to_string());
    for kind in Kind::ALL {
        let st = p.steps_for(*kind);
        let department = p.department_for(*kind);
        line(format!(
            "  {} {} {} + {} + {} = {}",
            pad(&tr!(lang, "show-code", name = names::kind(*kind, lang), code = kind.code()), 17),
            pad(&tr!(lang, "show-code", name = names::department(department, lang), code = department.code()), 21),
            st.accept,
            st.review,
            st.approve,
            st.total()
        ));
    }
    line(tr!(lang, "policy-green-channel", help = p.green_channel.help, review = p.green_channel.review));
    let limits: Vec<String> = p
        .referral_limits
        .iter()
        .map(|(d, n)| format!("{} {n}", tr!(lang, "show-code", name = names::department(*d, lang), code = d.code())))
        .collect();
    line(tr!(lang, "policy-referral-limits", limits = list(limits)));
    let c = &p.calendar;
    let span = match (c.holidays.first(), c.holidays.last()) {
        (Some(a), Some(b)) => tr!(lang, "policy-calendar-span", from = *a, to = *b),
        _ => String::new(),
    };
    line(tr!(lang, "policy-calendar", holidays = c.holidays.len(), span = span, makeup = c.makeup_workdays.len()));
    line(match c.complete_until() {
        Some(end) => tr!(lang, "policy-calendar-complete", until = end),
        None => tr!(lang, "policy-calendar-no-year").to_string(),
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::ALTERNATIVE_POLICY_TOML;

    #[test]
    fn describe_shows_the_figures_a_supervisor_checks() {
        let text = describe(&Policy::builtin(), Lang::En);
        for words in [
            "Policy builtin-2026.1 in force from 2026-01-01",
            "a clerk approves up to 3000.00",
            "standard 240.00 per person per month",
            "three_no, orphan, aids_or_tb_family",
            "class 1 80.00, class 2 50.00, class 3 30.00",
            "centralised 1800.00, dispersed 1300.00, dispersed orphan 1500.00",
            "bed 50% off",
            "registration 100% off",
            "at most 3000.00 per case",
            "10000.00 from the reserve fund per patient on the green channel for serious_illness, in medical and temporary cases",
            "within 12 months",
            "temporary         civil_affairs         1 + 9 + 5 = 15",
            "help within 1 working day(s), review completed within 5 after",
            "33 public holiday days (2026-01-01 to 2026-10-07), 6 make-up working days",
        ] {
            assert!(
                text.contains(words),
                "describe() should say {words:?}:\n{text}"
            );
        }
        let alt = describe(&Policy::from_toml(ALTERNATIVE_POLICY_TOML).unwrap(), Lang::En);
        assert!(alt.contains("per household per year at most 800.00 urban, 400.00 rural"), "{alt}");
        assert!(alt.contains("disaster          civil_affairs"), "{alt}");
    }

    #[test]
    fn the_policy_reads_in_chinese_too() {
        let text = describe(&Policy::builtin(), Lang::ZhCn);
        for words in
            ["政策 builtin-2026.1 自 2026-01-01 起施行", "窗口审批限额 3000.00元", "临时救助", "民政", "1 + 9 + 5 = 15"]
        {
            assert!(text.contains(words), "{words:?}:\n{text}");
        }
        assert!(!text.contains("per person") && !text.contains("civil_affairs"), "{text}");
    }
}
