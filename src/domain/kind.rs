//! The vocabulary of a case: the eight kinds of social assistance, the reasons
//! people come, the departments a case is referred to, the channel (normal or
//! green), how the case reached the window, and the documents each kind needs.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Generates `ALL`, `code()` (the JSON name) and `FromStr` for a plain enum.
macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in JSON, on the command line and in policy files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err(UnknownCode {
                        what: stringify!($name),
                        found: other.to_string(),
                        expected: &[$($code),+],
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

/// A name that is not one of an enum's codes; says which ones are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{found}' is not a known {what}; expected one of: {}", expected.join(", "))]
pub struct UnknownCode {
    pub what: &'static str,
    pub found: String,
    pub expected: &'static [&'static str],
}

coded_enum! {
    /// The eight kinds of social assistance accepted at the one door.
    Kind {
        Dibao => "dibao",
        SpecialHardship => "special_hardship",
        Disaster => "disaster",
        Medical => "medical",
        Education => "education",
        Housing => "housing",
        Employment => "employment",
        Temporary => "temporary",
    }
}

coded_enum! {
    /// Why the person needs help.
    Reason {
        SeriousIllness => "serious_illness",
        Accident => "accident",
        Disaster => "disaster",
        Unemployment => "unemployment",
        Disability => "disability",
        OldAge => "old_age",
        EducationCost => "education_cost",
        HousingLoss => "housing_loss",
        Other => "other",
    }
}

coded_enum! {
    /// The departments that take referrals from the window.
    Department {
        CivilAffairs => "civil_affairs",
        Education => "education",
        HumanResources => "human_resources",
        Housing => "housing",
        Health => "health",
        EmergencyManagement => "emergency_management",
        Justice => "justice",
        Charity => "charity",
    }
}

coded_enum! {
    /// Normal processing, or the green channel: help first, review after.
    Channel {
        Normal => "normal",
        Green => "green",
    }
}

coded_enum! {
    /// The documents a window asks for; which ones depends on the kind.
    Document {
        IdCard => "id_card",
        HouseholdRegister => "household_register",
        IncomeProof => "income_proof",
        ApplicationForm => "application_form",
        MedicalBills => "medical_bills",
        DiagnosisCertificate => "diagnosis_certificate",
        DisasterCertificate => "disaster_certificate",
        EnrolmentProof => "enrolment_proof",
        HousingProof => "housing_proof",
        UnemploymentRegistration => "unemployment_registration",
        DisabilityCertificate => "disability_certificate",
        AccidentReport => "accident_report",
    }
}

#[allow(clippy::derivable_impls)] // the enum comes from a macro that cannot mark a default variant
impl Default for Channel {
    fn default() -> Channel {
        Channel::Normal
    }
}

impl Kind {
    /// The department a case of this kind usually goes to (DOMAIN.md's table);
    /// the policy may route otherwise.
    pub fn usual_department(self) -> Department {
        match self {
            Kind::Dibao | Kind::SpecialHardship | Kind::Temporary => Department::CivilAffairs,
            Kind::Disaster => Department::EmergencyManagement,
            Kind::Medical => Department::Health,
            Kind::Education => Department::Education,
            Kind::Housing => Department::Housing,
            Kind::Employment => Department::HumanResources,
        }
    }

    /// The documents checklist for this kind: what the clerk asks the person to bring.
    pub fn documents(self) -> &'static [Document] {
        use Document::*;
        match self {
            Kind::Dibao => &[IdCard, HouseholdRegister, IncomeProof, ApplicationForm],
            Kind::SpecialHardship => &[IdCard, HouseholdRegister, ApplicationForm, DisabilityCertificate],
            Kind::Disaster => &[IdCard, HouseholdRegister, DisasterCertificate, ApplicationForm],
            Kind::Medical => &[IdCard, HouseholdRegister, MedicalBills, DiagnosisCertificate, ApplicationForm],
            Kind::Education => &[IdCard, HouseholdRegister, EnrolmentProof, IncomeProof, ApplicationForm],
            Kind::Housing => &[IdCard, HouseholdRegister, HousingProof, IncomeProof, ApplicationForm],
            Kind::Employment => &[IdCard, HouseholdRegister, UnemploymentRegistration, ApplicationForm],
            Kind::Temporary => &[IdCard, HouseholdRegister, IncomeProof, ApplicationForm],
        }
    }
}

/// How the case reached the window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Source {
    /// The person came to the window.
    #[default]
    WalkIn,
    /// A village or community information officer reported the person
    /// (early detection, early reporting, early relief).
    OfficerReport { reporter: String, village: String },
    /// Another department sent the person to the window.
    DepartmentReferral { department: Department },
}

impl Source {
    pub fn code(&self) -> &'static str {
        match self {
            Source::WalkIn => "walk_in",
            Source::OfficerReport { .. } => "officer_report",
            Source::DepartmentReferral { .. } => "department_referral",
        }
    }
}

// In JSON a source is `{"type": "officer_report", "reporter": …, "village": …}`;
// in the binary store it is a plain enum (bincode cannot carry serde's `tag`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct SourceJson {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reporter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    village: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    department: Option<Department>,
}

#[derive(Serialize, Deserialize)]
enum SourceBin {
    WalkIn,
    OfficerReport(String, String),
    DepartmentReferral(Department),
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let (reporter, village, department) = match self {
                Source::WalkIn => (None, None, None),
                Source::OfficerReport { reporter, village } => (Some(reporter.clone()), Some(village.clone()), None),
                Source::DepartmentReferral { department } => (None, None, Some(*department)),
            };
            SourceJson { kind: self.code().to_string(), reporter, village, department }.serialize(s)
        } else {
            match self {
                Source::WalkIn => SourceBin::WalkIn,
                Source::OfficerReport { reporter, village } => {
                    SourceBin::OfficerReport(reporter.clone(), village.clone())
                }
                Source::DepartmentReferral { department } => SourceBin::DepartmentReferral(*department),
            }
            .serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Source, D::Error> {
        use serde::de::Error;
        if !d.is_human_readable() {
            return Ok(match SourceBin::deserialize(d)? {
                SourceBin::WalkIn => Source::WalkIn,
                SourceBin::OfficerReport(reporter, village) => Source::OfficerReport { reporter, village },
                SourceBin::DepartmentReferral(department) => Source::DepartmentReferral { department },
            });
        }
        let j = SourceJson::deserialize(d)?;
        let nonempty = |v: Option<String>, field: &str| match v {
            Some(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
            _ => Err(D::Error::custom(format!("an officer_report source needs '{field}'"))),
        };
        match j.kind.as_str() {
            "walk_in" => Ok(Source::WalkIn),
            "officer_report" => Ok(Source::OfficerReport {
                reporter: nonempty(j.reporter, "reporter")?,
                village: nonempty(j.village, "village")?,
            }),
            "department_referral" => match j.department {
                Some(department) => Ok(Source::DepartmentReferral { department }),
                None => Err(D::Error::custom("a department_referral source needs 'department'")),
            },
            other => Err(D::Error::custom(format!(
                "'{other}' is not a known source type; expected walk_in, officer_report or department_referral"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_names_list_the_choices() {
        for k in Kind::ALL {
            assert_eq!(k.code().parse::<Kind>().unwrap(), *k);
        }
        let err = "poverty".parse::<Kind>().unwrap_err().to_string();
        assert!(err.contains("'poverty' is not a known Kind"), "{err}");
        assert!(err.contains("temporary"), "{err}");
    }

    #[test]
    fn every_kind_asks_for_the_id_card_and_has_a_department() {
        for k in Kind::ALL {
            assert!(k.documents().contains(&Document::IdCard));
            let _ = k.usual_department();
        }
        assert_eq!(Kind::Medical.usual_department(), Department::Health);
    }

    #[test]
    fn source_json_is_tagged_and_binary_round_trips() {
        let s = Source::OfficerReport { reporter: "李明".into(), village: "东湖村".into() };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"type":"officer_report","reporter":"李明","village":"东湖村"}"#);
        assert_eq!(serde_json::from_str::<Source>(&json).unwrap(), s);
        assert_eq!(serde_json::to_string(&Source::WalkIn).unwrap(), r#"{"type":"walk_in"}"#);
        let bin = bincode::serde::encode_to_vec(&s, bincode::config::standard()).unwrap();
        let (back, _): (Source, usize) = bincode::serde::decode_from_slice(&bin, bincode::config::standard()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn source_json_refuses_missing_reporter_and_unknown_fields() {
        assert!(serde_json::from_str::<Source>(r#"{"type":"officer_report","village":"x"}"#).is_err());
        assert!(serde_json::from_str::<Source>(r#"{"type":"walk_in","extra":1}"#).is_err());
        assert!(serde_json::from_str::<Source>(r#"{"type":"department_referral"}"#).is_err());
    }
}
