//! Sample cases for `onedoor demo`, training and the benchmarks: Chinese
//! names with valid ID numbers, the eight kinds, cases moved along through the
//! window, a few on the green channel and a few overdue from earlier weeks.

use chrono::{Duration, NaiveDate, NaiveTime};

use crate::config::CounterConfig;
use crate::domain::case::{Acceptance, CaseInput};
use crate::domain::id_number::check_character;
use crate::domain::time::Moment;
use crate::domain::{Applicant, Case, CaseId, Channel, Household, IdNumber, Kind, Money, Reason, Residence, Source};
use crate::store::{Store, StoreError, WriteError};
use crate::window::{CaseAction, Window, WindowError};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: &[&str] = &[
    "芳", "伟", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
    "霞", "平", "刚", "桂英", "建国", "淑珍",
];
const REGIONS: &[&str] = &["320106", "320104", "320115", "320117", "320118", "320113"];
const VILLAGES: &[&str] = &["东湖村", "西岗村", "南塘社区", "北圩村", "青石社区"];
const REPORTERS: &[&str] = &["李明", "周红梅", "陈志刚", "王丽"];

/// A small deterministic generator, so a demo is the same every time.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }

    pub fn roll(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0 | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545F4914F6CDD1D) >> 11
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.roll() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A valid 18-character ID number for someone born between 1940 and 2008.
pub fn id_number(dice: &mut Dice) -> IdNumber {
    loop {
        let region = dice.pick(REGIONS);
        let born =
            NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or(NaiveDate::MIN) + Duration::days(dice.below(68 * 365) as i64);
        let seq = dice.below(1000);
        let first17 = format!("{region}{}{seq:03}", born.format("%Y%m%d"));
        let text = format!("{first17}{}", check_character(first17.as_bytes()));
        // Always valid by construction; drawn again otherwise.
        if let Ok(id) = IdNumber::parse_any_date(&text) {
            return id;
        }
    }
}

pub fn name(dice: &mut Dice) -> String {
    format!("{}{}", dice.pick(SURNAMES), dice.pick(GIVEN))
}

fn reason_for(kind: Kind, dice: &mut Dice) -> Reason {
    match kind {
        Kind::Dibao => *dice.pick(&[Reason::Unemployment, Reason::OldAge, Reason::Disability]),
        Kind::SpecialHardship => *dice.pick(&[Reason::OldAge, Reason::Disability]),
        Kind::Disaster => Reason::Disaster,
        Kind::Medical => Reason::SeriousIllness,
        Kind::Education => Reason::EducationCost,
        Kind::Housing => Reason::HousingLoss,
        Kind::Employment => Reason::Unemployment,
        Kind::Temporary => *dice.pick(&[Reason::SeriousIllness, Reason::Accident, Reason::Other]),
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

/// One realistic intake for a person.
pub fn sample_input(dice: &mut Dice, ticket: Option<u32>) -> CaseInput {
    let kind = *dice.pick(Kind::ALL);
    let reason = reason_for(kind, dice);
    let residence = if dice.below(3) == 0 { Residence::Rural } else { Residence::Urban };
    let source = match dice.below(10) {
        0 | 1 => Source::OfficerReport {
            reporter: dice.pick(REPORTERS).to_string(),
            village: dice.pick(VILLAGES).to_string(),
        },
        2 => Source::DepartmentReferral { department: kind.usual_department() },
        _ => Source::WalkIn,
    };
    let green = matches!(reason, Reason::SeriousIllness | Reason::Accident | Reason::Disaster) && dice.below(4) == 0;
    let amount = [500u32, 800, 1000, 2000, 3000, 5000, 10000][dice.below(7)];
    let id = id_number(dice);
    let size = 1 + dice.below(5) as u8;
    CaseInput {
        schema: None,
        kind,
        channel: if green { Channel::Green } else { Channel::Normal },
        source,
        applicant: Applicant {
            name: name(dice),
            id_number: id,
            sex: None,
            birth_date: None,
            ethnicity: Some("汉".into()),
            address: None,
            phone: Some(format!("139{:08}", dice.below(100_000_000))),
            residence,
        },
        household: Some(Household {
            size,
            monthly_income: Money::yuan(200 * dice.below(8) as u32),
            members: Vec::new(),
        }),
        reason,
        description: description(reason).into(),
        requested_amount: Money::yuan(amount),
        documents: kind
            .documents()
            .iter()
            .filter(|_| dice.below(3) != 0)
            .map(|d| crate::domain::case::DocumentInput::Name(*d))
            .collect(),
        ticket,
        assessment: Default::default(),
    }
}

/// Moves a case along so that the queue shows every state.
fn advance(window: &Window, case: &Case, dice: &mut Dice, op: &str, at: Moment) -> Result<(), WindowError> {
    let approve = CaseAction::ApproveAsSupervisor(None);
    let steps: Vec<CaseAction> = match case.channel {
        Channel::Green => match dice.below(4) {
            0 => vec![],
            1 => vec![approve.clone()],
            2 => vec![approve.clone(), CaseAction::Disburse],
            _ => vec![
                approve.clone(),
                CaseAction::Disburse,
                CaseAction::Review(Some("事后审核：情况属实".into())),
                CaseAction::Complete,
            ],
        },
        Channel::Normal => {
            let refer = CaseAction::Refer(None);
            let review = CaseAction::Review(Some("入户核查属实".into()));
            match dice.below(20) {
                0..=7 => vec![],
                8..=11 => vec![refer],
                12..=14 => vec![refer, review],
                15 | 16 => vec![refer, review, approve.clone()],
                17 => vec![refer, review, CaseAction::Reject("家庭收入高于标准".into())],
                18 => vec![refer, review, approve.clone(), CaseAction::Disburse],
                _ => vec![refer, review, approve.clone(), CaseAction::Disburse, CaseAction::Complete],
            }
        }
    };
    for step in steps {
        if step == CaseAction::Disburse {
            window.pay(&case.id, None, None, op, at)?;
        } else {
            window.act(&case.id, &step, op, at)?;
        }
    }
    Ok(())
}

/// Seeds about `today_cases` cases received today (with tickets, through the
/// window, one durable commit each) and a few open cases from weeks ago that
/// are now overdue. Does nothing when today already has cases.
pub fn seed_demo(
    store: &Store,
    counter: &CounterConfig,
    now: Moment,
    today_cases: usize,
) -> Result<usize, WindowError> {
    let today = now.date_naive();
    if !store.cases_on_day(today)?.is_empty() {
        return Ok(0);
    }
    let window = Window::new(store, counter);
    let mut dice = Dice::new(20261130);
    let start = today
        .and_time(NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default())
        .and_local_timezone(*now.offset())
        .single()
        .unwrap_or(now);
    let ops = ["clerk01", "clerk02"];
    let mut added = 0;
    // The year's appropriation to the emergency relief reserve fund.
    let budget =
        crate::domain::fund::FundEntry::appropriation(start - Duration::days(40), "supervisor", Money::yuan(500_000));
    window.fund_deposit(budget)?;
    // Overdue: open cases received five weeks ago.
    for i in 0..4 {
        let at = start - Duration::days(35 + i);
        let input = sample_input(&mut dice, None);
        let case = window.accept(input, ops[0], at)?;
        if i % 2 == 0 {
            window.act(&case.id, &CaseAction::Refer(None), ops[0], at)?;
        }
        added += 1;
    }
    for i in 0..today_cases {
        let at = start + Duration::minutes(6 * i as i64);
        let ticket = store.next_ticket(today)?;
        let mut input = sample_input(&mut dice, Some(ticket));
        if i % 11 == 3 {
            input.channel = Channel::Green;
        }
        let op = ops[i % 2];
        let case = window.accept(input, op, at)?;
        advance(&window, &case, &mut dice, op, at + Duration::minutes(3))?;
        added += 1;
    }
    Ok(added)
}

/// Seeds `n` cases fast for benchmarks: built in memory and written with
/// [`Store::import`] in chunks (one durable commit per chunk), spread over
/// days before `today` with `per_day` cases each, plus `per_day` on `today`.
pub fn seed_bulk(
    store: &Store,
    counter: &CounterConfig,
    today: NaiveDate,
    n: usize,
    per_day: usize,
) -> Result<(), WriteError<std::convert::Infallible>> {
    let mut dice = Dice::new(n as u64);
    let per_day = per_day.max(1);
    let offset = crate::config::china_offset();
    let mut chunk: Vec<Case> = Vec::with_capacity(1000);
    for i in 0..n {
        let day_index = i / per_day;
        let day = today - Duration::days(day_index as i64);
        let seq = (i % per_day) as u32 + 1;
        let id = CaseId::new(&counter.town_code, counter.window, day, seq);
        let at = day
            .and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default())
            .and_local_timezone(offset)
            .single()
            .map(|m| m + Duration::seconds(20 * i64::from(seq)))
            .ok_or_else(|| WriteError::Store(StoreError::Damaged("bad time".into())))?;
        let input = sample_input(&mut dice, Some(seq));
        chunk.push(Case::receive(
            input,
            Acceptance {
                id,
                operator: "bench".into(),
                at,
                due_by: Some(day + Duration::days(21)),
                entitlement: None,
                policy: None,
                related_cases: Vec::new(),
            },
        ));
        if chunk.len() == 1000 || i + 1 == n {
            store.bulk_load(&std::mem::take(&mut chunk))?;
        }
    }
    Ok(())
}
