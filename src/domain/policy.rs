//! The district's policy as data: the standards, caps, time limits and calendar
//! a case is judged by, read from TOML (a default is built in). Entitlements and
//! working-day deadlines are computed here and nowhere else.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::kind::{Department, Kind, Reason};
use super::money::Money;

mod deadline;
mod entitlement;
mod file;

pub use deadline::{deadline_status, DeadlineStatus};
pub use entitlement::{Assessment, BillItem, BillLine, Ceiling, EntitlementRequest, FullStandardCategory, SupportMode};
pub use file::PolicyError;

/// The built-in policy: the figures of the district's field reports (DOMAIN.md).
pub const DEFAULT_POLICY_TOML: &str = include_str!("policy/default.toml");

/// An example district policy with the per-household-per-year temporary cap.
pub const ALTERNATIVE_POLICY_TOML: &str = include_str!("policy/alternative.toml");

/// One complete policy: every figure the window judges a case by, as in force
/// from `effective_from`. Built by [`Policy::from_toml`]; printed as JSON by serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Recorded on every case judged by this policy.
    pub version: String,
    pub effective_from: NaiveDate,
    pub approval: Approval,
    pub dibao: Dibao,
    pub special_hardship: SpecialHardship,
    pub medical: Medical,
    pub temporary: Temporary,
    pub emergency: Emergency,
    /// Caps on the requested amount for kinds the department decides
    /// (disaster, education, housing, employment); none by default.
    pub kind_caps: BTreeMap<Kind, Money>,
    pub duplicates: Duplicates,
    /// Time limits of the normal channel, per kind, in working days.
    pub steps: BTreeMap<Kind, StepLimits>,
    pub green_channel: GreenChannel,
    /// Working days a department has to answer a referral; a department not
    /// listed has the review step of the case's kind.
    pub referral_limits: BTreeMap<Department, u32>,
    /// Where a kind is referred when not to its usual department.
    pub departments: BTreeMap<Kind, Department>,
    pub calendar: Calendar,
}

/// Who may approve what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// A clerk approves amounts up to and including this; above it a supervisor must.
    pub clerk_limit: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dibao {
    pub urban: UrbanDibao,
    pub rural: RuralDibao,
}

/// Urban minimum living allowance: the standard less per-capita income.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrbanDibao {
    /// Yuan per person per month.
    pub standard: Money,
    /// Categories that receive the full standard whatever the household earns.
    #[serde(default)]
    pub full_standard_categories: Vec<FullStandardCategory>,
}

/// Rural minimum living allowance: a monthly subsidy per person by class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuralDibao {
    /// Yuan per person per month; class 1 first.
    pub classes: Vec<Money>,
}

/// Support for persons in special hardship, yuan per person per year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialHardship {
    pub centralised: Money,
    pub dispersed: Money,
    pub dispersed_orphan: Money,
}

/// Medical assistance for minimum-living recipients in hospital.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Medical {
    /// Percent off each kind of bill item (0 to 100); an item not listed gets none.
    pub discounts: BTreeMap<BillItem, Decimal>,
}

/// Temporary assistance caps: per case, and optionally per household per year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Temporary {
    #[serde(default)]
    pub per_case_cap: Option<Money>,
    #[serde(default)]
    pub per_household_per_year: Option<ByResidence>,
}

/// An amount that differs for urban and rural residents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByResidence {
    pub urban: Money,
    pub rural: Money,
}

/// Emergency relief: the green channel plus the reserve fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    /// The grant per patient from the emergency relief reserve fund.
    pub reserve_fund_grant: Money,
    /// Reasons that, on the green channel, are paid from the reserve fund.
    pub reasons: Vec<Reason>,
    /// Kinds for which they are.
    pub kinds: Vec<Kind>,
}

/// The duplicate-assistance rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duplicates {
    /// Same kind and same reason within this many months is a possible duplicate.
    pub window_months: u32,
    /// Kinds for which a possible duplicate stops the case until a supervisor overrides it.
    pub blocking_kinds: Vec<Kind>,
}

/// The steps of the normal channel, each in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepLimits {
    pub accept: u32,
    pub review: u32,
    pub approve: u32,
}

impl StepLimits {
    /// The whole case: acceptance, review and approval.
    pub fn total(self) -> u32 {
        self.accept + self.review + self.approve
    }
}

/// The green channel: help first, within `help` working days; the review is
/// completed within `review` working days after that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GreenChannel {
    pub help: u32,
    pub review: u32,
}

impl Policy {
    /// The built-in policy. It is checked by the tests, so it always parses.
    pub fn builtin() -> Policy {
        match Policy::from_toml(DEFAULT_POLICY_TOML) {
            Ok(p) => p,
            // The text is compiled in and a test parses it: cannot happen in a tested build.
            Err(e) => panic!("the built-in policy does not parse: {e}"),
        }
    }

    /// Reads a policy file. Errors name the line and column and what was expected.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        file::parse(text)
    }

    /// The department a case of this kind is referred to.
    pub fn department_for(&self, kind: Kind) -> Department {
        self.departments.get(&kind).copied().unwrap_or_else(|| kind.usual_department())
    }

    /// Does approving this amount need a supervisor?
    pub fn needs_supervisor(&self, amount: Money) -> bool {
        amount > self.approval.clerk_limit
    }

    /// Does a possible duplicate of this kind stop the case until a supervisor overrides it?
    pub fn duplicate_blocks(&self, kind: Kind) -> bool {
        self.duplicates.blocking_kinds.contains(&kind)
    }

    /// The steps for a kind; a checked policy lists every kind.
    pub fn steps_for(&self, kind: Kind) -> StepLimits {
        self.steps.get(&kind).copied().unwrap_or(StepLimits { accept: 1, review: 9, approve: 5 })
    }
}

/// Several policies, each in force from its own date: a case is judged by the
/// one in force on the day it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyBook {
    /// Sorted by `effective_from`, no two on the same day, never empty.
    policies: Vec<Policy>,
    /// Policies that judge no new case but are kept so the cases that
    /// recorded them are judged again exactly as they were (the built-in
    /// policy once a district's own overrides it).
    superseded: Vec<Policy>,
}

impl PolicyBook {
    /// A book holding only the built-in policy.
    pub fn builtin() -> PolicyBook {
        PolicyBook { policies: vec![Policy::builtin()], superseded: Vec::new() }
    }

    /// The district's policies over the built-in one: from the earliest
    /// district policy's date on, only the district's judge cases, whatever
    /// date the built-in policy carries; before it, the built-in one does if
    /// it is older. Either way the built-in policy stays in the book for the
    /// cases that recorded it.
    pub fn district(district: Vec<Policy>) -> Result<PolicyBook, PolicyError> {
        let mut book = PolicyBook::new(district)?;
        let builtin = Policy::builtin();
        if book.by_version(&builtin.version).is_some() {
            return Ok(book);
        }
        if builtin.effective_from < book.policies[0].effective_from {
            book.add(builtin)?;
        } else {
            book.superseded.push(builtin);
        }
        Ok(book)
    }

    /// A book of these policies; refuses none at all, two versions with the same
    /// name, and two policies taking effect on the same day.
    pub fn new(policies: Vec<Policy>) -> Result<PolicyBook, PolicyError> {
        let mut book = PolicyBook { policies: Vec::new(), superseded: Vec::new() };
        for p in policies {
            book.add(p)?;
        }
        if book.policies.is_empty() {
            return Err(PolicyError::whole("a policy book needs at least one policy"));
        }
        Ok(book)
    }

    /// Adds a policy (e.g. the district's file over the built-in one).
    pub fn add(&mut self, policy: Policy) -> Result<(), PolicyError> {
        if let Some(same) = self.policies.iter().find(|p| p.version == policy.version) {
            return Err(PolicyError::whole(format!(
                "policy version '{}' is already in force from {}",
                same.version, same.effective_from
            )));
        }
        if let Some(same) = self.policies.iter().find(|p| p.effective_from == policy.effective_from) {
            return Err(PolicyError::whole(format!(
                "policies '{}' and '{}' both take effect on {}",
                same.version, policy.version, policy.effective_from
            )));
        }
        let at = self.policies.partition_point(|p| p.effective_from < policy.effective_from);
        self.policies.insert(at, policy);
        Ok(())
    }

    /// The policy in force on `day`: the latest to take effect on or before it.
    /// A day before every policy's date is judged by the earliest policy.
    pub fn policy_for(&self, day: NaiveDate) -> &Policy {
        let n = self.policies.partition_point(|p| p.effective_from <= day);
        &self.policies[n.saturating_sub(1)]
    }

    /// The policy a case recorded, to judge it again exactly as it was.
    pub fn by_version(&self, version: &str) -> Option<&Policy> {
        self.policies.iter().chain(&self.superseded).find(|p| p.version == version)
    }

    /// All policies that judge new cases, oldest first.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Policies kept only for the cases that recorded them.
    pub fn superseded(&self) -> &[Policy] {
        &self.superseded
    }
}

#[cfg(test)]
mod tests;
