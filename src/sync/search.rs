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

impl DistrictCheck {
    /// What is kept with the case: asked or not, and each other town's case
    /// named (`town 320106002 case … (completed)`), each once.
    pub fn record(&self, lang: crate::Lang) -> crate::store::DistrictCheckRecord {
        let DistrictCheck::Checked(records) = self else {
            return crate::store::DistrictCheckRecord { with_district: false, found: Vec::new() };
        };
        let mut found: Vec<String> = Vec::new();
        for r in records {
            let town = r.town_code.as_str();
            let named =
                crate::tr!(lang, "cli-district-case", town = town, id = r.case_id.as_str(), state = r.state.code());
            if !found.contains(&named) {
                found.push(named);
            }
        }
        crate::store::DistrictCheckRecord { with_district: true, found }
    }
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

/// The counter's searcher thread: asked with the intake's people, it
/// answers on `report` with the key it was asked with. Only the latest
/// question waiting is asked; it ends when this is dropped.
pub struct SearchHandle {
    ask: std::sync::mpsc::Sender<(String, Vec<IdNumber>)>,
}

impl SearchHandle {
    pub fn ask(&self, key: String, people: Vec<IdNumber>) {
        let _ = self.ask.send((key, people));
    }
}

/// Starts the searcher thread (nothing when no district is configured).
pub fn spawn(
    config: &DistrictConfig,
    town: &str,
    report: impl Fn(String, DistrictCheck) + Send + 'static,
) -> Option<SearchHandle> {
    config.url.as_ref()?;
    let (config, town) = (config.clone(), town.to_string());
    let (ask, asked) = std::sync::mpsc::channel::<(String, Vec<IdNumber>)>();
    let spawned = std::thread::Builder::new().name("district-search".into()).spawn(move || {
        while let Ok(mut question) = asked.recv() {
            while let Ok(newer) = asked.try_recv() {
                question = newer;
            }
            let (key, people) = question;
            let refs: Vec<&IdNumber> = people.iter().collect();
            if let Some(answer) = check(&config, &town, &refs) {
                report(key, answer);
            }
        }
    });
    match spawned {
        Ok(_) => Some(SearchHandle { ask }),
        Err(e) => {
            tracing::error!("cannot start the district search thread: {e}");
            None
        }
    }
}
