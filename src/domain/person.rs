//! The applicant and the household: who is asking, who lives with them and what
//! the household earns. Household members are looked up by ID number so that
//! help already given to any of them is seen (no duplicate help, no omission).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::id_number::{IdNumber, Sex};
use super::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Residence {
    Urban,
    Rural,
}

impl Residence {
    pub fn code(self) -> &'static str {
        match self {
            Residence::Urban => "urban",
            Residence::Rural => "rural",
        }
    }
}

/// The person the case is for, as identified from the ID card or typed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub name: String,
    pub id_number: IdNumber,
    /// Derived from the ID number when not given.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Derived from the ID number when not given.
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub residence: Residence,
}

/// A member of the applicant's household other than the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub name: String,
    pub id_number: IdNumber,
    pub relation: String,
    #[serde(default)]
    pub monthly_income: Money,
}

/// The household the means test looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Household {
    /// Number of people including the applicant.
    pub size: u8,
    /// The whole household's income per month.
    pub monthly_income: Money,
    #[serde(default)]
    pub members: Vec<Member>,
}

impl Default for Household {
    fn default() -> Household {
        Household { size: 1, monthly_income: Money::ZERO, members: Vec::new() }
    }
}

impl Household {
    /// Every ID number in the household, the applicant's first.
    pub fn id_numbers<'a>(&'a self, applicant: &'a Applicant) -> impl Iterator<Item = &'a IdNumber> {
        std::iter::once(&applicant.id_number).chain(self.members.iter().map(|m| &m.id_number))
    }
}
