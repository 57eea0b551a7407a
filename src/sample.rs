//! Made-up people and their applications, for `onedoor demo`, training and
//! the benchmarks alike: Chinese names with valid ID numbers, the eight kinds
//! with the reasons that go with them, households with members, a few on the
//! green channel. One seeded generator (`fastrand`), so a run is the same
//! every time; the n-th person is always the same person.

use chrono::{Duration, NaiveDate};

use crate::domain::case::{CaseInput, DocumentInput};
use crate::domain::id_number::check_character;
use crate::domain::{Applicant, Channel, Household, IdNumber, Kind, Member, Money, Reason, Residence, Source};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: &[&str] = &[
    "芳", "伟", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
    "霞", "平", "刚", "桂英", "建国", "淑珍",
];
/// Districts of Nanjing, where the sample town is.
const REGIONS: &[u32] = &[320106, 320104, 320115, 320117, 320118, 320113];
const VILLAGES: &[&str] = &["东湖村", "西岗村", "南塘社区", "北圩村", "青石社区"];
const REPORTERS: &[&str] = &["李明", "周红梅", "陈志刚", "王丽"];
const RELATIONS: &[&str] = &["配偶", "子女", "父母"];

/// How many applications a made-up person makes, on average, in the
/// benchmark's store of three years: about one a year. DOMAIN.md's people come
/// back, but a few times, not dozens: minimum living allowances are reviewed
/// periodically ("dynamic management") and temporary assistance is capped per
/// household per year. The same at every scale, so a lookup finds about three
/// cases whether the store holds 100,000 cases or 1,000,000.
pub const CASES_PER_PERSON: u64 = 3;

/// Made-up people have distinct ID numbers below this: six regions, 27,000
/// birth days and 1,000 sequence numbers (beyond it, numbers come round again).
pub const DISTINCT_PEOPLE: u64 = (REGIONS.len() as u64) * BIRTH_DAYS * 1000;

/// Birth days 1930-01-01 onwards (to 2003).
const BIRTH_DAYS: u64 = 27_000;

/// Household members are people of their own, numbered from here: two for
/// each applicant (below [`MEMBERS_FROM`]), never an applicant's number.
pub const MEMBERS_FROM: u64 = DISTINCT_PEOPLE / 2;

/// The made-up person who is member `m` (0 or 1) of applicant `person`'s household.
pub fn member_of(person: u64, m: u64) -> u64 {
    MEMBERS_FROM + (person % MEMBERS_FROM.div_ceil(2)) * 2 + m % 2
}

/// The `n`-th made-up person's valid ID number (born 1930-2003): a different
/// number for every `n` below [`DISTINCT_PEOPLE`]. (It used to come
/// round every 54,000 people: at 1,000,000 cases a looked-up number held 37
/// cases, people's and household members' together, against 4 at 100,000.)
pub fn person_number(n: u64) -> IdNumber {
    let regions = REGIONS.len() as u64;
    let region = REGIONS[(n % regions) as usize];
    let rest = (n / regions) % (BIRTH_DAYS * 1000);
    let base = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap_or(NaiveDate::MIN);
    // 7919 is prime to 27,000: the birth days are a shuffle of the 27,000, one for each of
    // the first 27,000 people of a region; the next 27,000 take the next sequence number.
    let birth = base + Duration::days(((rest % BIRTH_DAYS) * 7919 % BIRTH_DAYS) as i64);
    let seq = rest / BIRTH_DAYS;
    let first17 = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
    let number = format!("{first17}{}", check_character(first17.as_bytes()));
    // Valid by construction: 17 digits, a real past date, its own check character.
    IdNumber::parse_any_date(&number)
        .unwrap_or_else(|_| IdNumber::parse_any_date("11010519491231002X").unwrap_or_else(|e| panic!("{e}")))
}

/// The `n`-th made-up person's name.
pub fn person_name(n: u64) -> String {
    let s = SURNAMES.len() as u64;
    format!("{}{}", SURNAMES[(n % s) as usize], GIVEN[((n / s) % GIVEN.len() as u64) as usize])
}

fn reason_for(kind: Kind, rng: &mut fastrand::Rng) -> Reason {
    let pick = |rng: &mut fastrand::Rng, from: &[Reason]| from[rng.usize(..from.len())];
    match kind {
        Kind::Dibao => pick(rng, &[Reason::Unemployment, Reason::OldAge, Reason::Disability]),
        Kind::SpecialHardship => pick(rng, &[Reason::OldAge, Reason::Disability]),
        Kind::Disaster => Reason::Disaster,
        Kind::Medical => Reason::SeriousIllness,
        Kind::Education => Reason::EducationCost,
        Kind::Housing => Reason::HousingLoss,
        Kind::Employment => Reason::Unemployment,
        Kind::Temporary => pick(rng, &[Reason::SeriousIllness, Reason::Accident, Reason::Other]),
    }
}

fn description(reason: Reason) -> &'static str {
    match reason {
        Reason::SeriousIllness => "本人患重病住院，医疗费用负担重，家庭收入难以维持",
        Reason::Accident => "家中主要劳动力意外受伤，暂时失去收入",
        Reason::Disaster => "暴雨致房屋受损，生活用品损失",
        Reason::Unemployment => "企业停产后失业，家庭无稳定收入",
        Reason::Disability => "本人重度残疾，无劳动能力",
        Reason::OldAge => "年老体弱，无子女赡养",
        Reason::EducationCost => "子女就读高中，学费生活费困难",
        Reason::HousingLoss => "住房为危房，需修缮",
        Reason::Other => "家庭临时遇到困难",
    }
}

/// Makes sample applications from one seeded generator.
pub struct Sampler {
    rng: fastrand::Rng,
}

impl Sampler {
    pub fn new(seed: u64) -> Sampler {
        Sampler { rng: fastrand::Rng::with_seed(seed) }
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.rng.u64(..n)
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(..items.len())]
    }

    /// One realistic application by made-up person `person`, with up to two
    /// household members (the people [`member_of`] the applicant: the same
    /// ones each time, never another applicant).
    pub fn input(&mut self, person: u64, ticket: Option<u32>) -> CaseInput {
        let rng = &mut self.rng;
        let kind = Kind::ALL[rng.usize(..Kind::ALL.len())];
        let reason = reason_for(kind, rng);
        let residence = if rng.u8(..3) == 0 { Residence::Rural } else { Residence::Urban };
        let source = match rng.u8(..10) {
            0 | 1 => Source::OfficerReport {
                reporter: REPORTERS[rng.usize(..REPORTERS.len())].to_string(),
                village: VILLAGES[rng.usize(..VILLAGES.len())].to_string(),
            },
            2 => Source::DepartmentReferral { department: kind.usual_department() },
            _ => Source::WalkIn,
        };
        let urgent = matches!(reason, Reason::SeriousIllness | Reason::Accident | Reason::Disaster);
        let green = urgent && rng.u8(..4) == 0;
        let amount = [500u32, 800, 1000, 2000, 3000, 5000, 10000][rng.usize(..7)];
        let members: Vec<Member> = (0..rng.u64(..3))
            .map(|m| {
                let p = member_of(person, m);
                Member {
                    name: person_name(p),
                    id_number: person_number(p),
                    relation: RELATIONS[rng.usize(..RELATIONS.len())].to_string(),
                    monthly_income: Money::yuan(200),
                }
            })
            .collect();
        let size = (members.len() + 1 + rng.usize(..3)) as u8;
        CaseInput {
            schema: None,
            kind,
            channel: if green { Channel::Green } else { Channel::Normal },
            source,
            applicant: Applicant {
                name: person_name(person),
                id_number: person_number(person),
                sex: None,
                birth_date: None,
                ethnicity: Some("汉".into()),
                address: Some("江苏省南京市鼓楼区示例街道幸福路18号".into()),
                phone: Some(format!("139{:08}", rng.u32(..100_000_000))),
                residence,
            },
            household: Some(Household { size, monthly_income: Money::yuan(200 * rng.u32(..8)), members }),
            reason,
            description: description(reason).into(),
            requested_amount: Money::yuan(amount),
            documents: kind.documents().iter().filter(|_| rng.u8(..3) != 0).map(|d| DocumentInput::Name(*d)).collect(),
            ticket,
            assessment: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_always_the_same_and_every_application_is_valid() {
        assert_eq!(person_number(7), person_number(7));
        assert_ne!(person_number(7), person_number(8));
        assert_eq!(person_name(21), person_name(21));
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let (mut a, mut b) = (Sampler::new(5), Sampler::new(5));
        for n in 0..500 {
            let input = a.input(n, Some(1));
            assert_eq!(input, b.input(n, Some(1)), "the same seed makes the same applications");
            input.validate(today).unwrap_or_else(|e| panic!("{n}: {e}"));
        }
    }

    #[test]
    fn every_person_has_a_number_of_their_own_and_members_are_not_applicants() {
        use std::collections::HashSet;
        // People 54,000 apart once shared a number.
        for n in [0, 1, 5, 777, 53_999] {
            assert_ne!(person_number(n), person_number(n + 54_000), "{n}");
            assert_ne!(person_number(n), person_number(n + 27_000 * 6), "{n}");
        }
        let applicants: HashSet<IdNumber> = (0..120_000).map(person_number).collect();
        assert_eq!(applicants.len(), 120_000);
        let members: HashSet<IdNumber> =
            (0..60_000).flat_map(|p| [0, 1].map(|m| person_number(member_of(p, m)))).collect();
        assert_eq!(members.len(), 120_000, "each applicant's household is its own");
        assert!(members.is_disjoint(&applicants));
        // Ones far apart, as at 1,000,000 cases and more.
        let far: HashSet<IdNumber> = (0..2_000u64).map(|i| person_number(i * 80_021 % DISTINCT_PEOPLE)).collect();
        assert_eq!(far.len(), 2_000);
    }
}
