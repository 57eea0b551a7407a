use super::*;
use crate::domain::policy::ALTERNATIVE_POLICY_TOML;
use std::str::FromStr;

fn m(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

/// A walk-in urban temporary request of 0.00 from a household of one with no income.
fn base() -> EntitlementRequest {
    EntitlementRequest {
        kind: Kind::Temporary,
        reason: Reason::Other,
        channel: Channel::Normal,
        residence: Residence::Urban,
        household_size: 1,
        household_monthly_income: Money::ZERO,
        requested: Money::ZERO,
        assessment: Assessment::default(),
        receives_dibao: false,
        granted_this_year_to_household: Money::ZERO,
    }
}

fn bill(lines: &[(BillItem, &str)]) -> Vec<BillLine> {
    lines.iter().map(|(item, amount)| BillLine { item: *item, amount: m(amount) }).collect()
}

/// (what, how the request differs from `base`, amount due, flags, words the basis must hold)
type Row = (&'static str, fn(&mut EntitlementRequest), &'static str, &'static [Flag], &'static [&'static str]);

fn check(policy: &Policy, rows: &[Row]) {
    for (what, change, amount, flags, words) in rows {
        let mut req = base();
        change(&mut req);
        let e = policy.entitlement(&req);
        assert_eq!(e.amount.to_string(), *amount, "{what}: {}", e.basis);
        assert_eq!(e.flags, *flags, "{what}: {}", e.basis);
        for w in *words {
            assert!(e.basis.contains(w), "{what}: basis {:?} should mention {w:?}", e.basis);
        }
    }
}

#[test]
fn urban_dibao_makes_up_the_gap_to_the_standard() {
    use FullStandardCategory::*;
    let rows: &[Row] = &[
        (
            "DOMAIN example: 3 people, 300 a month",
            |r| {
                r.kind = Kind::Dibao;
                r.household_size = 3;
                r.household_monthly_income = m("300");
            },
            "420.00",
            &[],
            &["(standard 240.00 - per-capita income 100.00) x 3 persons = 420.00 a month"],
        ),
        ("no income, living alone", |r| r.kind = Kind::Dibao, "240.00", &[], &["x 1 person = 240.00"]),
        (
            "per-capita income exactly at the standard",
            |r| {
                r.kind = Kind::Dibao;
                r.household_size = 3;
                r.household_monthly_income = m("720");
            },
            "0.00",
            &[Flag::Ineligible],
            &["per-capita income 240.00", "at or above the standard 240.00", "nothing is due"],
        ),
        (
            "one fen below the standard in all",
            |r| {
                r.kind = Kind::Dibao;
                r.household_size = 3;
                r.household_monthly_income = m("719.99");
            },
            "0.01",
            &[],
            &[],
        ),
        (
            "income above the standard",
            |r| {
                r.kind = Kind::Dibao;
                r.household_size = 2;
                r.household_monthly_income = m("1000");
            },
            "0.00",
            &[Flag::Ineligible],
            &["per-capita income 500.00"],
        ),
        (
            "per-capita income that is not a whole fen is exact in the total",
            |r| {
                r.kind = Kind::Dibao;
                r.household_size = 3;
                r.household_monthly_income = m("100");
            },
            "620.00",
            &[],
            &["per-capita income 33.33", "household income 100.00"],
        ),
        (
            "an orphan gets the full standard whatever the income",
            |r| {
                r.kind = Kind::Dibao;
                r.household_monthly_income = m("5000");
                r.assessment.categories = vec![Orphan];
            },
            "240.00",
            &[Flag::FullStandard],
            &["full standard for the orphan category"],
        ),
        (
            "an AIDS/TB family of 4",
            |r| {
                r.kind = Kind::Dibao;
                r.household_size = 4;
                r.household_monthly_income = m("300");
                r.assessment.categories = vec![AidsOrTbFamily];
            },
            "960.00",
            &[Flag::FullStandard],
            &["240.00 x 4 persons = 960.00"],
        ),
        (
            "a household size of 0 counts as the applicant alone",
            |r| {
                r.kind = Kind::Dibao;
                r.household_size = 0;
            },
            "240.00",
            &[],
            &["1 person"],
        ),
        (
            "dibao on the green channel is still the monthly allowance",
            |r| {
                r.kind = Kind::Dibao;
                r.channel = Channel::Green;
                r.reason = Reason::SeriousIllness;
                r.household_size = 2;
            },
            "480.00",
            &[],
            &["urban dibao"],
        ),
    ];
    check(&Policy::builtin(), rows);
}

#[test]
fn rural_dibao_is_by_class_per_person() {
    let rows: &[Row] = &[
        (
            "class 1, 3 people",
            |r| {
                r.kind = Kind::Dibao;
                r.residence = Residence::Rural;
                r.household_size = 3;
                r.assessment.rural_class = Some(1);
            },
            "240.00",
            &[],
            &["class 1: 80.00 x 3 persons = 240.00 a month"],
        ),
        (
            "class 2, alone",
            |r| {
                r.kind = Kind::Dibao;
                r.residence = Residence::Rural;
                r.assessment.rural_class = Some(2);
            },
            "50.00",
            &[],
            &["class 2"],
        ),
        (
            "class 3, 4 people; income does not enter",
            |r| {
                r.kind = Kind::Dibao;
                r.residence = Residence::Rural;
                r.household_size = 4;
                r.household_monthly_income = m("2000");
                r.assessment.rural_class = Some(3);
            },
            "120.00",
            &[],
            &["30.00 x 4 persons"],
        ),
        (
            "no class assessed yet",
            |r| {
                r.kind = Kind::Dibao;
                r.residence = Residence::Rural;
            },
            "0.00",
            &[Flag::Ineligible],
            &["no class assessed", "classes 1 to 3"],
        ),
        (
            "class 4 does not exist",
            |r| {
                r.kind = Kind::Dibao;
                r.residence = Residence::Rural;
                r.assessment.rural_class = Some(4);
            },
            "0.00",
            &[Flag::Ineligible],
            &["no class 4"],
        ),
        (
            "class 0 does not exist",
            |r| {
                r.kind = Kind::Dibao;
                r.residence = Residence::Rural;
                r.assessment.rural_class = Some(0);
            },
            "0.00",
            &[Flag::Ineligible],
            &["no class 0"],
        ),
    ];
    check(&Policy::builtin(), rows);
}

#[test]
fn special_hardship_is_a_yearly_amount_by_support_mode() {
    let rows: &[Row] = &[
        (
            "centralised",
            |r| {
                r.kind = Kind::SpecialHardship;
                r.assessment.support = Some(SupportMode::Centralised);
            },
            "1800.00",
            &[],
            &["centralised: 1800.00 a year"],
        ),
        (
            "dispersed",
            |r| {
                r.kind = Kind::SpecialHardship;
                r.assessment.support = Some(SupportMode::Dispersed);
            },
            "1300.00",
            &[],
            &["dispersed: 1300.00 a year"],
        ),
        (
            "dispersed orphan",
            |r| {
                r.kind = Kind::SpecialHardship;
                r.assessment.support = Some(SupportMode::DispersedOrphan);
            },
            "1500.00",
            &[],
            &["dispersed orphan: 1500.00 a year"],
        ),
        (
            "not assessed",
            |r| r.kind = Kind::SpecialHardship,
            "0.00",
            &[Flag::Ineligible],
            &["no support mode assessed"],
        ),
    ];
    check(&Policy::builtin(), rows);
}

#[test]
fn medical_relief_discounts_each_bill_line_for_recipients() {
    use BillItem::*;
    let rows: &[Row] = &[
        (
            "every kind of line, household on dibao",
            |r| {
                r.kind = Kind::Medical;
                r.receives_dibao = true;
                r.assessment.hospital_bill = bill(&[
                    (Registration, "10"),
                    (Diagnosis, "20"),
                    (Injection, "30"),
                    (Observation, "40"),
                    (Bed, "400"),
                    (Surgery, "1000"),
                    (Examination, "300"),
                    (Drugs, "250.55"),
                    (Other, "100"),
                ]);
            },
            "715.06",
            &[Flag::ReceivesDibao],
            &[
                "the household receives dibao",
                "registration 10.00 x 100% = 10.00",
                "bed 400.00 x 50% = 200.00",
                "surgery 1000.00 x 30% = 300.00",
                "examination 300.00 x 30% = 90.00",
                "drugs 250.55 x 10% = 25.06",
                "other 100.00 x 0% = 0.00",
                "total relief 715.06 of a bill of 2150.55",
            ],
        ),
        (
            "a three-no person counts as a recipient",
            |r| {
                r.kind = Kind::Medical;
                r.assessment.categories = vec![FullStandardCategory::ThreeNo];
                r.assessment.hospital_bill = bill(&[(Bed, "0.05")]);
            },
            "0.03",
            &[],
            &["three_no category", "bed 0.05 x 50% = 0.03"],
        ),
        (
            "a person in special hardship counts as a recipient",
            |r| {
                r.kind = Kind::Medical;
                r.assessment.support = Some(SupportMode::Centralised);
                r.assessment.hospital_bill = bill(&[(Drugs, "99.99")]);
            },
            "10.00",
            &[],
            &["special hardship", "drugs 99.99 x 10% = 10.00"],
        ),
        (
            "no dibao: nothing from the calculator",
            |r| {
                r.kind = Kind::Medical;
                r.assessment.hospital_bill = bill(&[(Bed, "400")]);
            },
            "0.00",
            &[Flag::Ineligible],
            &["minimum-living recipients", "health department"],
        ),
        (
            "a recipient with no bill yet",
            |r| {
                r.kind = Kind::Medical;
                r.receives_dibao = true;
            },
            "0.00",
            &[Flag::ReceivesDibao],
            &["no hospital bill lines"],
        ),
        (
            "serious illness on the normal channel is the bill relief",
            |r| {
                r.kind = Kind::Medical;
                r.reason = Reason::SeriousIllness;
                r.receives_dibao = true;
                r.assessment.hospital_bill = bill(&[(Surgery, "20000")]);
            },
            "6000.00",
            &[Flag::ReceivesDibao],
            &[],
        ),
        (
            "serious illness on the green channel is the reserve-fund grant",
            |r| {
                r.kind = Kind::Medical;
                r.reason = Reason::SeriousIllness;
                r.channel = Channel::Green;
            },
            "10000.00",
            &[Flag::ReserveFund],
            &["reserve-fund grant of 10000.00 per patient"],
        ),
        (
            "an accident on the green channel is the bill relief",
            |r| {
                r.kind = Kind::Medical;
                r.reason = Reason::Accident;
                r.channel = Channel::Green;
                r.receives_dibao = true;
                r.assessment.hospital_bill = bill(&[(Bed, "100")]);
            },
            "50.00",
            &[Flag::ReceivesDibao],
            &[],
        ),
    ];
    check(&Policy::builtin(), rows);
}

#[test]
fn temporary_assistance_is_capped_per_case_by_default() {
    let rows: &[Row] = &[
        ("below the cap", |r| r.requested = m("2000"), "2000.00", &[], &["within the cap of 3000.00 per case"]),
        ("exactly at the cap", |r| r.requested = m("3000"), "3000.00", &[], &["within the cap"]),
        (
            "one fen above the cap",
            |r| r.requested = m("3000.01"),
            "3000.00",
            &[Flag::Capped],
            &["requested 3000.01, cut to 3000.00 by the cap of 3000.00 per case"],
        ),
        ("the field-report case: 5000 asked", |r| r.requested = m("5000"), "3000.00", &[Flag::Capped], &[]),
        (
            "nothing earlier this year does not matter per case",
            |r| {
                r.requested = m("3000");
                r.granted_this_year_to_household = m("9000");
            },
            "3000.00",
            &[],
            &[],
        ),
        (
            "green channel, serious illness: the grant when more is asked",
            |r| {
                r.channel = Channel::Green;
                r.reason = Reason::SeriousIllness;
                r.requested = m("20000");
            },
            "10000.00",
            &[Flag::ReserveFund, Flag::Capped],
            &["cut to the reserve-fund grant of 10000.00"],
        ),
        (
            "green channel, serious illness: what was asked when less",
            |r| {
                r.channel = Channel::Green;
                r.reason = Reason::SeriousIllness;
                r.requested = m("5000");
            },
            "5000.00",
            &[Flag::ReserveFund],
            &["from the reserve fund"],
        ),
        (
            "green channel, accident: the ordinary cap",
            |r| {
                r.channel = Channel::Green;
                r.reason = Reason::Accident;
                r.requested = m("5000");
            },
            "3000.00",
            &[Flag::Capped],
            &[],
        ),
        (
            "other kinds: the department decides, the request is recorded",
            |r| {
                r.kind = Kind::Disaster;
                r.requested = m("8000");
            },
            "8000.00",
            &[],
            &["decided by the emergency_management department", "requested 8000.00"],
        ),
        (
            "education is not paid from the reserve fund",
            |r| {
                r.kind = Kind::Education;
                r.channel = Channel::Green;
                r.reason = Reason::SeriousIllness;
                r.requested = m("1200");
            },
            "1200.00",
            &[],
            &["education department"],
        ),
    ];
    check(&Policy::builtin(), rows);
}

#[test]
fn temporary_assistance_under_a_yearly_household_cap() {
    let rows: &[Row] = &[
        (
            "urban, first help this year",
            |r| r.requested = m("500"),
            "500.00",
            &[],
            &["800.00 left of the 800.00 a year for an urban household (0.00 granted this year)"],
        ),
        (
            "urban, more than the year allows",
            |r| r.requested = m("1000"),
            "800.00",
            &[Flag::Capped],
            &["cut to 800.00"],
        ),
        (
            "urban, part of the year used",
            |r| {
                r.requested = m("500");
                r.granted_this_year_to_household = m("600");
            },
            "200.00",
            &[Flag::Capped],
            &["200.00 left of the 800.00 a year", "600.00 granted this year"],
        ),
        (
            "urban, the year used up",
            |r| {
                r.requested = m("500");
                r.granted_this_year_to_household = m("800");
            },
            "0.00",
            &[Flag::YearlyCapReached],
            &["800.00 a year for an urban household is used up"],
        ),
        (
            "urban, more granted than the cap (an earlier policy)",
            |r| {
                r.requested = m("1");
                r.granted_this_year_to_household = m("900");
            },
            "0.00",
            &[Flag::YearlyCapReached],
            &[],
        ),
        (
            "rural, exactly the cap",
            |r| {
                r.residence = Residence::Rural;
                r.requested = m("400");
            },
            "400.00",
            &[],
            &["a rural household"],
        ),
        (
            "rural, one fen above the cap",
            |r| {
                r.residence = Residence::Rural;
                r.requested = m("400.01");
            },
            "400.00",
            &[Flag::Capped],
            &[],
        ),
        (
            "rural, one fen left",
            |r| {
                r.residence = Residence::Rural;
                r.requested = m("100");
                r.granted_this_year_to_household = m("399.99");
            },
            "0.01",
            &[Flag::Capped],
            &["0.01 left"],
        ),
        (
            "no cap per case in this policy",
            |r| {
                r.residence = Residence::Urban;
                r.requested = m("0.50");
            },
            "0.50",
            &[],
            &[],
        ),
        (
            "disaster requests are capped in this district",
            |r| {
                r.kind = Kind::Disaster;
                r.requested = m("8000");
            },
            "5000.00",
            &[Flag::Capped],
            &["civil_affairs department", "cut to the cap of 5000.00 for disaster"],
        ),
        (
            "a disaster request exactly at its cap",
            |r| {
                r.kind = Kind::Disaster;
                r.requested = m("5000");
            },
            "5000.00",
            &[],
            &[],
        ),
    ];
    let policy = Policy::from_toml(ALTERNATIVE_POLICY_TOML).unwrap();
    check(&policy, rows);
}

#[test]
fn amounts_finer_than_a_fen_are_refused_before_any_calculation() {
    assert!(Money::from_str("3000.005").is_err());
    let err = serde_json::from_str::<Assessment>(r#"{"hospital_bill": [{"item": "bed", "amount": "10.005"}]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 2 decimal places"), "{err}");
}

#[test]
fn the_assessment_reads_from_json_and_keeps_in_the_store() {
    let a: Assessment = serde_json::from_str(
        r#"{"categories": ["orphan"], "rural_class": 2, "support": "dispersed_orphan",
            "hospital_bill": [{"item": "bed", "amount": "400"}, {"item": "drugs", "amount": 12.5}]}"#,
    )
    .unwrap();
    assert_eq!(a.categories, vec![FullStandardCategory::Orphan]);
    assert_eq!(a.hospital_bill[1], BillLine { item: BillItem::Drugs, amount: m("12.50") });
    assert_eq!(serde_json::from_str::<Assessment>("{}").unwrap(), Assessment::default());
    assert!(serde_json::from_str::<Assessment>(r#"{"class": 1}"#).is_err());
    assert!(serde_json::from_str::<Assessment>(r#"{"support": "at_home"}"#).is_err());
    let cfg = bincode::config::standard();
    let bin = bincode::serde::encode_to_vec(&a, cfg).unwrap();
    let (back, _): (Assessment, usize) = bincode::serde::decode_from_slice(&bin, cfg).unwrap();
    assert_eq!(back, a);
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains(r#""amount":"400.00""#), "{json}");
}

#[test]
fn a_request_is_built_from_the_case_input() {
    let input: CaseInput = serde_json::from_value(serde_json::json!({
        "kind": "dibao",
        "applicant": {"name": "王芳", "id_number": "11010519491231002X", "residence": "urban"},
        "household": {"size": 3, "monthly_income": "300.00"},
        "reason": "old_age",
        "requested_amount": "0"
    }))
    .unwrap();
    let req = EntitlementRequest::for_input(&input, Assessment::default());
    assert_eq!((req.household_size, req.household_monthly_income), (3, m("300")));
    assert_eq!(Policy::builtin().entitlement(&req).amount, m("420"));
}

#[test]
fn nobody_approves_above_the_ceiling_of_the_kind() {
    let default = Policy::builtin();
    let alternative = Policy::from_toml(ALTERNATIVE_POLICY_TOML).unwrap();
    let computed = |amount: &str, flags: Vec<Flag>| Entitlement { amount: m(amount), basis: "b".into(), flags };
    let ceiling = |p: &Policy, kind, residence, e: Option<&Entitlement>| {
        p.approval_ceiling(kind, residence, e).map(|c| (c.amount().to_string(), c.to_string()))
    };
    let grant = computed("8000", vec![Flag::ReserveFund]);
    assert_eq!(
        ceiling(&default, Kind::Medical, Residence::Urban, Some(&grant)),
        Some(("10000.00".into(), "the reserve-fund grant of 10000.00 per patient".into()))
    );
    let temporary = computed("500", vec![]);
    assert_eq!(ceiling(&default, Kind::Temporary, Residence::Rural, Some(&temporary)).unwrap().0, "3000.00");
    // The alternative policy's yearly household cap is lower than its cap per case.
    let (amount, why) = ceiling(&alternative, Kind::Temporary, Residence::Rural, Some(&temporary)).unwrap();
    assert_eq!((amount.as_str(), why.as_str()), ("400.00", "the 400.00 a year for a rural household"));
    // Computed entitlements are their own ceiling; an unfinished assessment sets none.
    assert_eq!(ceiling(&default, Kind::Dibao, Residence::Urban, Some(&computed("420", vec![]))).unwrap().0, "420.00");
    let unassessed = computed("0", vec![Flag::Ineligible]);
    assert_eq!(ceiling(&default, Kind::Dibao, Residence::Rural, Some(&unassessed)), None);
    assert_eq!(ceiling(&default, Kind::Medical, Residence::Urban, None), None);
    // The department decides disaster relief, unless the district caps it.
    assert_eq!(ceiling(&default, Kind::Disaster, Residence::Urban, Some(&temporary)), None);
    let mut capped = default.clone();
    capped.kind_caps.insert(Kind::Disaster, m("5000"));
    assert_eq!(ceiling(&capped, Kind::Disaster, Residence::Urban, None).unwrap().0, "5000.00");
}
