//! What a person is entitled to under a policy, and why in words: the minimum
//! living allowance, special-hardship support, hospital-bill relief, temporary
//! assistance within its caps, and the emergency relief reserve grant.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Policy;
use crate::domain::case::{Case, CaseInput, Entitlement, Flag};
use crate::domain::kind::{Channel, Kind, Reason};
use crate::domain::money::Money;
use crate::domain::person::Residence;

/// Urban categories that receive the full minimum living standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FullStandardCategory {
    /// No ability to work, no income, no legal supporter ("three-no" person).
    ThreeNo,
    Orphan,
    /// A poor family with an AIDS or tuberculosis patient.
    AidsOrTbFamily,
}

impl FullStandardCategory {
    pub fn code(self) -> &'static str {
        match self {
            FullStandardCategory::ThreeNo => "three_no",
            FullStandardCategory::Orphan => "orphan",
            FullStandardCategory::AidsOrTbFamily => "aids_or_tb_family",
        }
    }
}

/// How a person in special hardship is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportMode {
    /// In a welfare home.
    Centralised,
    /// At home.
    Dispersed,
    /// An orphan supported at home.
    DispersedOrphan,
}

impl SupportMode {
    pub fn code(self) -> &'static str {
        match self {
            SupportMode::Centralised => "centralised",
            SupportMode::Dispersed => "dispersed",
            SupportMode::DispersedOrphan => "dispersed_orphan",
        }
    }
}

/// The kinds of fee on a hospital bill, as the discounts are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillItem {
    Registration,
    Diagnosis,
    Injection,
    Observation,
    Bed,
    Surgery,
    /// Auxiliary examinations.
    Examination,
    /// Conventional drugs.
    Drugs,
    Other,
}

impl BillItem {
    pub fn code(self) -> &'static str {
        match self {
            BillItem::Registration => "registration",
            BillItem::Diagnosis => "diagnosis",
            BillItem::Injection => "injection",
            BillItem::Observation => "observation",
            BillItem::Bed => "bed",
            BillItem::Surgery => "surgery",
            BillItem::Examination => "examination",
            BillItem::Drugs => "drugs",
            BillItem::Other => "other",
        }
    }
}

/// One line of a hospital bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillLine {
    pub item: BillItem,
    pub amount: Money,
}

/// What the clerk or the department assessed about the applicant, beyond the
/// household's size and income. Kept on the case so the entitlement can be
/// computed again exactly. Every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    #[serde(default)]
    pub categories: Vec<FullStandardCategory>,
    /// Rural dibao class, 1 first.
    #[serde(default)]
    pub rural_class: Option<u8>,
    #[serde(default)]
    pub support: Option<SupportMode>,
    #[serde(default)]
    pub hospital_bill: Vec<BillLine>,
}

/// The most that may be approved on a case, and where that limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Ceiling {
    #[error("the reserve-fund grant of {0} per patient")]
    ReserveFundGrant(Money),
    #[error("the cap of {0} per case")]
    PerCase(Money),
    #[error("the {0} a year for an urban household")]
    YearlyUrban(Money),
    #[error("the {0} a year for a rural household")]
    YearlyRural(Money),
    #[error("the entitlement of {0}")]
    Entitlement(Money),
    #[error("the cap of {1} for {0}")]
    KindCap(Kind, Money),
}

impl Ceiling {
    /// The amount nobody may approve more than.
    pub fn amount(self) -> Money {
        match self {
            Ceiling::ReserveFundGrant(m)
            | Ceiling::PerCase(m)
            | Ceiling::YearlyUrban(m)
            | Ceiling::YearlyRural(m)
            | Ceiling::Entitlement(m)
            | Ceiling::KindCap(_, m) => m,
        }
    }
}

/// Everything the policy needs to work out an entitlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementRequest {
    pub kind: Kind,
    pub reason: Reason,
    pub channel: Channel,
    pub residence: Residence,
    /// People in the household, the applicant included (0 is taken as 1).
    pub household_size: u8,
    /// The whole household's income per month.
    pub household_monthly_income: Money,
    pub requested: Money,
    pub assessment: Assessment,
    /// The household already receives the minimum living allowance (from the duplicate check).
    pub receives_dibao: bool,
    /// Temporary assistance granted to the household this calendar year (from the duplicate check).
    pub granted_this_year_to_household: Money,
}

impl EntitlementRequest {
    /// The request for a case about to be received; the household's history
    /// (`receives_dibao`, `granted_this_year_to_household`) is to be filled from
    /// the duplicate check.
    pub fn for_input(input: &CaseInput, assessment: Assessment) -> EntitlementRequest {
        let household = input.household.clone().unwrap_or_default();
        EntitlementRequest {
            kind: input.kind,
            reason: input.reason,
            channel: input.channel,
            residence: input.applicant.residence,
            household_size: household.size,
            household_monthly_income: household.monthly_income,
            requested: input.requested_amount,
            assessment,
            receives_dibao: false,
            granted_this_year_to_household: Money::ZERO,
        }
    }

    /// The request for a case already received, to judge it again.
    pub fn for_case(case: &Case, assessment: Assessment) -> EntitlementRequest {
        EntitlementRequest {
            kind: case.kind,
            reason: case.reason,
            channel: case.channel,
            residence: case.applicant.residence,
            household_size: case.household.size,
            household_monthly_income: case.household.monthly_income,
            requested: case.requested_amount,
            assessment,
            receives_dibao: false,
            granted_this_year_to_household: Money::ZERO,
        }
    }
}

fn persons(n: u8) -> String {
    if n == 1 {
        "1 person".to_string()
    } else {
        format!("{n} persons")
    }
}

fn percent(p: Decimal) -> String {
    format!("{}%", p.normalize())
}

fn entitled(amount: Money, basis: String, flags: Vec<Flag>) -> Entitlement {
    Entitlement { amount, basis, flags }
}

fn nothing_due(basis: String) -> Entitlement {
    entitled(Money::ZERO, basis, vec![Flag::Ineligible])
}

impl Policy {
    /// What the person is entitled to, with the basis in words and the flags the
    /// clerk and the supervisor must see.
    pub fn entitlement(&self, req: &EntitlementRequest) -> Entitlement {
        let e = &self.emergency;
        if req.channel == Channel::Green && e.reasons.contains(&req.reason) && e.kinds.contains(&req.kind) {
            return self.reserve_fund_grant(req);
        }
        match req.kind {
            Kind::Dibao => match req.residence {
                Residence::Urban => self.urban_dibao(req),
                Residence::Rural => self.rural_dibao(req),
            },
            Kind::SpecialHardship => self.special_hardship_support(req),
            Kind::Medical => self.medical_relief(req),
            Kind::Temporary => self.temporary_assistance(req),
            Kind::Disaster | Kind::Education | Kind::Housing | Kind::Employment => self.decided_by_department(req),
        }
    }

    /// (standard - per-capita income) x household size a month, computed
    /// exactly as standard x size - household income; the full standard for
    /// the listed categories.
    fn urban_dibao(&self, req: &EntitlementRequest) -> Entitlement {
        let size = req.household_size.max(1);
        let n = Decimal::from(size);
        let standard = self.dibao.urban.standard;
        let full = req.assessment.categories.iter().find(|c| self.dibao.urban.full_standard_categories.contains(c));
        if let Some(category) = full {
            let amount = Money::rounded(standard.decimal() * n);
            return entitled(
                amount,
                format!(
                    "urban dibao, full standard for the {} category: {standard} x {} = {amount} a month",
                    category.code(),
                    persons(size)
                ),
                vec![Flag::FullStandard],
            );
        }
        let income = req.household_monthly_income;
        let per_capita = Money::rounded(income.decimal() / n);
        if income.decimal() >= standard.decimal() * n {
            return nothing_due(format!(
                "urban dibao: per-capita income {per_capita} (household income {income} / {}) is at or above \
                 the standard {standard} a person a month; nothing is due",
                persons(size)
            ));
        }
        let amount = Money::rounded(standard.decimal() * n - income.decimal());
        entitled(
            amount,
            format!(
                "urban dibao: (standard {standard} - per-capita income {per_capita}) x {} = {amount} a month \
                 (standard x {size} - household income {income})",
                persons(size)
            ),
            Vec::new(),
        )
    }

    /// The class's monthly subsidy per person x household size. No class (or
    /// one the policy does not have) means nothing is due until the review sets it.
    fn rural_dibao(&self, req: &EntitlementRequest) -> Entitlement {
        let size = req.household_size.max(1);
        let classes = &self.dibao.rural.classes;
        let known = format!("the policy has classes 1 to {}", classes.len());
        let class = match req.assessment.rural_class {
            None => {
                return nothing_due(format!(
                    "rural dibao: no class assessed ({known}); nothing is due until the review sets the class"
                ))
            }
            Some(c) => c,
        };
        match classes.get(usize::from(class).wrapping_sub(1)) {
            Some(per_person) => {
                let amount = Money::rounded(per_person.decimal() * Decimal::from(size));
                entitled(
                    amount,
                    format!("rural dibao, class {class}: {per_person} x {} = {amount} a month", persons(size)),
                    Vec::new(),
                )
            }
            None => nothing_due(format!("rural dibao: there is no class {class} ({known}); nothing is due")),
        }
    }

    /// The yearly amount for the person's support mode.
    fn special_hardship_support(&self, req: &EntitlementRequest) -> Entitlement {
        let h = &self.special_hardship;
        let (mode, amount) = match req.assessment.support {
            Some(SupportMode::Centralised) => ("centralised", h.centralised),
            Some(SupportMode::Dispersed) => ("dispersed", h.dispersed),
            Some(SupportMode::DispersedOrphan) => ("dispersed orphan", h.dispersed_orphan),
            None => {
                return nothing_due(
                    "special hardship support: no support mode assessed (centralised, dispersed or \
                     dispersed_orphan); nothing is due until it is"
                        .to_string(),
                )
            }
        };
        entitled(amount, format!("special hardship support, {mode}: {amount} a year"), Vec::new())
    }

    /// Hospital-bill discounts for minimum-living recipients (the household
    /// receives dibao, or the applicant is in a full-standard category or in
    /// special hardship); others get nothing from the window's calculator.
    fn medical_relief(&self, req: &EntitlementRequest) -> Entitlement {
        let a = &req.assessment;
        let why = if req.receives_dibao {
            "the household receives dibao".to_string()
        } else if let Some(c) = a.categories.first() {
            format!("the applicant is in the {} category", c.code())
        } else if let Some(m) = a.support {
            format!("the applicant is in special hardship ({})", m.code())
        } else {
            return nothing_due(
                "medical bill discounts are for minimum-living recipients and the household receives no dibao; \
                 any other medical assistance is for the health department to decide"
                    .to_string(),
            );
        };
        let mut flags = Vec::new();
        if req.receives_dibao {
            flags.push(Flag::ReceivesDibao);
        }
        if a.hospital_bill.is_empty() {
            return entitled(Money::ZERO, format!("medical relief ({why}): no hospital bill lines entered yet"), flags);
        }
        let mut total = Decimal::ZERO;
        let mut billed = Decimal::ZERO;
        let mut lines = Vec::new();
        for line in &a.hospital_bill {
            let (pct, relief) = self.bill_relief(line);
            total += relief.decimal();
            billed += line.amount.decimal();
            lines.push(format!("{} {} x {} = {relief}", line.item.code(), line.amount, percent(pct)));
        }
        let amount = Money::rounded(total);
        let basis = format!(
            "medical relief ({why}): {}; total relief {amount} of a bill of {}",
            lines.join("; "),
            Money::rounded(billed)
        );
        entitled(amount, basis, flags)
    }

    /// One line of a hospital bill: the item's percent off and the relief it
    /// gives (the counter shows it beside each amount as it is typed).
    pub fn bill_relief(&self, line: &BillLine) -> (Decimal, Money) {
        let pct = self.medical.discounts.get(&line.item).copied().unwrap_or(Decimal::ZERO);
        (pct, Money::rounded(line.amount.decimal() * pct / Decimal::ONE_HUNDRED))
    }

    /// The requested amount within the cap per case and, where the policy has
    /// one, what is left of the household's yearly cap.
    fn temporary_assistance(&self, req: &EntitlementRequest) -> Entitlement {
        let t = &self.temporary;
        let requested = req.requested;
        let mut amount = requested;
        let mut within = Vec::new();
        let mut cut = Vec::new();
        if let Some(cap) = t.per_case_cap {
            if amount > cap {
                amount = cap;
                cut.push(format!("the cap of {cap} per case"));
            } else {
                within.push(format!("the cap of {cap} per case"));
            }
        }
        if let Some(yearly) = t.per_household_per_year {
            let (cap, who) = match req.residence {
                Residence::Urban => (yearly.urban, "an urban"),
                Residence::Rural => (yearly.rural, "a rural"),
            };
            let granted = req.granted_this_year_to_household;
            let left = cap.checked_sub(granted).unwrap_or(Money::ZERO);
            let yearly_text =
                format!("{left} left of the {cap} a year for {who} household ({granted} granted this year)");
            if left.is_zero() {
                return entitled(
                    Money::ZERO,
                    format!(
                        "temporary assistance: requested {requested}, but the {cap} a year for {who} household \
                         is used up ({granted} granted this year); nothing more is due this year"
                    ),
                    vec![Flag::YearlyCapReached],
                );
            }
            if amount > left {
                amount = left;
                cut.push(yearly_text);
            } else {
                within.push(yearly_text);
            }
        }
        if cut.is_empty() {
            let limits = if within.is_empty() { "no cap in this policy".to_string() } else { within.join(" and ") };
            entitled(amount, format!("temporary assistance: requested {requested}, within {limits}"), Vec::new())
        } else {
            entitled(
                amount,
                format!("temporary assistance: requested {requested}, cut to {amount} by {}", cut.join(" and ")),
                vec![Flag::Capped],
            )
        }
    }

    /// The most that may be approved on a case, whoever approves it, and why:
    /// the reserve-fund grant, the temporary-assistance caps, a kind's cap, or
    /// the entitlement computed from the assessment. `None` where the policy
    /// sets no ceiling: the department decides, or the assessment is not
    /// complete yet (a supervisor's approval limit still applies).
    pub fn approval_ceiling(
        &self,
        kind: Kind,
        residence: Residence,
        entitlement: Option<&Entitlement>,
    ) -> Option<Ceiling> {
        if entitlement.is_some_and(|e| e.flags.contains(&Flag::ReserveFund)) {
            return Some(Ceiling::ReserveFundGrant(self.emergency.reserve_fund_grant));
        }
        match kind {
            Kind::Temporary => {
                let t = &self.temporary;
                let per_case = t.per_case_cap.map(Ceiling::PerCase);
                let yearly = t.per_household_per_year.map(|y| match residence {
                    Residence::Urban => Ceiling::YearlyUrban(y.urban),
                    Residence::Rural => Ceiling::YearlyRural(y.rural),
                });
                match (per_case, yearly) {
                    (Some(a), Some(b)) => Some(if b.amount() < a.amount() { b } else { a }),
                    (a, b) => a.or(b),
                }
            }
            Kind::Dibao | Kind::SpecialHardship | Kind::Medical => entitlement
                .filter(|e| e.amount > Money::ZERO && !e.flags.contains(&Flag::Ineligible))
                .map(|e| Ceiling::Entitlement(e.amount)),
            Kind::Disaster | Kind::Education | Kind::Housing | Kind::Employment => {
                self.kind_caps.get(&kind).map(|cap| Ceiling::KindCap(kind, *cap))
            }
        }
    }

    /// Green channel, serious illness: the reserve-fund grant per patient, or
    /// the requested amount when less was asked for.
    fn reserve_fund_grant(&self, req: &EntitlementRequest) -> Entitlement {
        let grant = self.emergency.reserve_fund_grant;
        let requested = req.requested;
        let head = format!("emergency relief on the green channel ({}, {})", req.kind, req.reason);
        if requested.is_zero() {
            entitled(grant, format!("{head}: the reserve-fund grant of {grant} per patient"), vec![Flag::ReserveFund])
        } else if requested > grant {
            entitled(
                grant,
                format!("{head}: requested {requested}, cut to the reserve-fund grant of {grant} per patient"),
                vec![Flag::ReserveFund, Flag::Capped],
            )
        } else {
            entitled(
                requested,
                format!("{head}: requested {requested} from the reserve fund, within its grant of {grant} per patient"),
                vec![Flag::ReserveFund],
            )
        }
    }

    /// Disaster, education, housing, employment: the department decides; the
    /// window records the request, cut to the policy's cap for the kind if any.
    fn decided_by_department(&self, req: &EntitlementRequest) -> Entitlement {
        let department = self.department_for(req.kind);
        let requested = req.requested;
        let head = format!("{} assistance is decided by the {department} department", req.kind);
        match self.kind_caps.get(&req.kind) {
            Some(cap) if requested > *cap => entitled(
                *cap,
                format!("{head}; requested {requested}, cut to the cap of {cap} for {}", req.kind),
                vec![Flag::Capped],
            ),
            _ => entitled(requested, format!("{head}; the window records the requested {requested}"), Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests;
