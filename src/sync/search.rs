//! The cross-town duplicate check at intake: the applicant and every
//! household member looked up in the district's assistance records, within
//! a budget of one second, so a person helped in another town is named at
//! this window too. When the district cannot be asked in time the intake
//! goes on, checked locally only, and says so.

use std::time::Duration;

use super::client::DistrictClient;
use super::wire::AssistanceRecord;
use crate::config::DistrictConfig;
use crate::domain::IdNumber;

/// How long an intake waits for the district's answer.
pub const BUDGET: Duration = Duration::from_secs(1);

/// What the district said about the people of an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistrictCheck {
    /// Asked: the records of other towns for these people (none: nobody is known there).
    Checked(Vec<AssistanceRecord>),
    /// Not asked in time (down, slow, refused, not set up): why, for the log.
    LocalOnly(String),
}

/// Asks the district about `people` for town `town` (its own records are the
/// local check's). `None` when no district is configured.
pub fn check(config: &DistrictConfig, town: &str, people: &[&IdNumber]) -> Option<DistrictCheck> {
    config.url.as_ref()?;
    let client = match DistrictClient::from_config(config) {
        Ok(c) => c,
        Err(e) => return Some(DistrictCheck::LocalOnly(e.to_string())),
    };
    Some(match client.search(people, BUDGET) {
        Ok(found) => DistrictCheck::Checked(found.records.into_iter().filter(|r| r.town_code != town).collect()),
        Err(e) => {
            tracing::warn!("the district's duplicate search: {e}");
            DistrictCheck::LocalOnly(e)
        }
    })
}
