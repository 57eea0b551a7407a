//! Every string the counter shows, simplified Chinese and English side by
//! side, so a clerk's screen reads in one language and a test can assert on it.
//! Only full-width or ASCII punctuation: ambiguous-width characters are avoided.

use crate::domain::case::{HistoryAction, InputError, TransitionError};
use crate::domain::{
    Channel, Department, Document, IdNumberError, Kind, Money, MoneyError, Reason, Residence, Sex, State,
};
use crate::Lang;

macro_rules! strings {
    ($($key:ident => $zh:literal, $en:literal;)+) => {
        /// A fixed text of the counter.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum S { $($key),+ }

        impl S {
            pub fn get(self, lang: Lang) -> &'static str {
                match self { $(S::$key => lang.pick($zh, $en)),+ }
            }
        }
    };
}

strings! {
    AppName => "一门受理", "onedoor";
    Window => "号窗口", "window";
    Operator => "操作员", "operator";
    IdReader => "读卡器", "reader";
    Printer => "打印机", "printer";
    Fund => "备用金", "fund";
    DeviceNotConfigured => "未配置", "not configured";
    DeviceNone => "无", "none";
    DeviceReady => "就绪", "ready";
    DeviceBusy => "忙", "busy";
    DeviceSimulated => "模拟", "simulated";
    DeviceConnecting => "连接中", "connecting";
    PrinterUnreachable => "无法连接", "unreachable";
    PrinterStopped => "打印线程已停止，回执未打印；请重启柜台后补打。", "The printer worker has stopped; the receipt was not printed. Restart the counter and reprint.";
    NoPrinter => "本柜台没有连接打印机。", "No printer is connected to this counter.";
    ChooseReceipt => "补打哪张回执？", "Reprint which receipt?";
    ReceiptKeys => "Enter/Esc 关闭  Up/Down 滚动", "Enter/Esc: close  Up/Down: scroll";
    OverrideTitle => "主管放行", "Supervisor override";
    OverridePrompt => "主管放行理由（记入办理记录）：", "The supervisor's reason (recorded in the history):";
    EnterSupervisorAmount => "主管审批金额（元）", "Amount the supervisor approves (yuan)";
    OverdueTitle => "超期案件", "Overdue cases";
    OverdueNone => "没有超期的案件。", "No case is overdue.";
    ColCaseId => "案件编号", "Case id";
    QueueTitle => "今日受理", "Today's cases";
    Waiting => "等待", "waiting";
    InProgress => "办理中", "in progress";
    Done => "已办结", "done";
    ColTicket => "号", "No.";
    ColTime => "时间", "Time";
    ColApplicant => "申请人", "Applicant";
    ColIdNumber => "身份证号", "ID number";
    ColKind => "类别", "Kind";
    ColState => "状态", "State";
    ColDue => "期限", "Due";
    GreenMark => "绿", "G";
    OverdueMark => "!", "!";
    AtRiskMark => "*", "*";
    DeadlineAtRisk => "将到期", "due soon";
    DeadlineBreached => "已超期", "late";
    DeadlineLegend => "*将到期 !已超期", "*due soon !late";
    HeldState => "挂起", "on hold";
    HeldNoName => "(未填)", "(blank)";
    QueueEmpty => "今天还没有案件。按 F5 叫号，或 F2 直接登记。", "No cases today yet. F5 calls the next ticket, F2 opens a form.";
    IntakeTitle => "受理登记", "Intake";
    TicketLabel => "号票", "ticket";
    NoTicket => "无号票", "no ticket";
    FromCard => "(读卡)", "(card)";
    FieldIdNumber => "身份证号", "ID number";
    FieldName => "姓名", "Name";
    FieldPhone => "电话", "Phone";
    FieldResidence => "户籍", "Residence";
    FieldHouseholdSize => "家庭人口", "Household";
    FieldIncome => "家庭月收入", "Income/mo";
    FieldKind => "救助类别", "Kind";
    FieldReason => "事由", "Reason";
    FieldAmount => "申请金额", "Requested";
    FieldGreen => "绿色通道", "Green ch.";
    FieldSource => "来源", "Source";
    FieldReporter => "报告人", "Reporter";
    FieldVillage => "所在村", "Village";
    FieldSourceDept => "转来部门", "From dept";
    FieldDescription => "情况说明", "Description";
    FieldDocuments => "材料清单", "Documents";
    FieldAddress => "住址", "Address";
    FieldMember => "成员", "Member";
    FieldRuralClass => "低保类别", "Class";
    FieldCategory => "全额对象", "Category";
    FieldSupport => "供养方式", "Support";
    NotAssessed => "未评定", "not assessed";
    NoCategory => "无", "none";
    MembersHint => "成员：身份证号 姓名 关系，空格分开", "Members: ID number, name, relation";
    MemberNeedsName => "还须写姓名和关系", "the name and relation are needed";
    Yes => "是", "yes";
    No => "否", "no";
    Entitlement => "测算待遇", "Entitlement";
    EntitlementPending => "填写身份证号、类别和金额后测算", "fill in ID number, kind and amount to compute";
    IdTyping => "已输入", "typed";
    IdOk => "有效", "valid";
    SourceWalkIn => "窗口来访", "walk-in";
    SourceOfficer => "信息员报告", "officer report";
    SourceDept => "部门转来", "department referral";
    DetailTitle => "案件详情", "Case";
    CaseId => "案件编号", "Case id";
    Applicant => "申请人", "Applicant";
    Household => "家庭", "Household";
    Persons => "人", "persons";
    MonthlyIncome => "月收入", "monthly income";
    Requested => "申请", "requested";
    Granted => "批准", "granted";
    Received => "受理", "received";
    DueBy => "办结期限", "due by";
    HelpBy => "救助时限", "help by";
    Referrals => "转介", "Referrals";
    NoReferrals => "(无)", "(none)";
    Pending => "未答复", "pending";
    History => "办理记录", "History";
    Documents => "材料", "Documents";
    SearchTitle => "查询", "Search";
    SearchPrompt => "身份证号 / 姓名 / 案件编号", "ID number / name / case id";
    SearchHint => "输入即查，跨所有日期。", "Results appear as you type, across all days.";
    SearchNone => "没有找到。", "Nothing found.";
    HelpTitle => "按键说明", "Keys";
    HelpGlobal => "所有界面", "Everywhere";
    HelpTyping => "文本框内直接输入文字；Backspace 删除。", "In a text field, type; Backspace deletes.";
    ConfirmTitle => "请确认", "Please confirm";
    ConfirmKeys => "Enter 确认    Esc 取消", "Enter: yes    Esc: cancel";
    ConfirmQuit => "表单还有未保存的内容（已存为草稿，下次启动可恢复）。现在退出吗？", "The form has unsaved input (kept as a draft for the next start). Quit now?";
    ConfirmDiscard => "放弃这张表单中未保存的内容吗？", "Discard the unsaved input of this form?";
    ConfirmRestore => "上次有一张未保存的登记表。恢复它吗？（Esc 丢弃）", "An unsaved intake form was left last time. Restore it? (Esc discards it)";
    ChooseDepartment => "转介到哪个部门？", "Refer to which department?";
    EnterAmount => "批准金额（元）", "Amount to grant (yuan)";
    EnterReason => "不予批准的理由", "Reason for rejecting";
    EnterReviewNote => "部门审核意见（可空）", "The department's review note (optional)";
    ReasonRequired => "请填写理由。", "A reason is needed.";
    TooSmallTitle => "窗口太小", "Terminal too small";
    NothingSelected => "没有选中的案件。", "No case selected.";
    NoHeld => "没有挂起的号票。", "No ticket is on hold.";
    QuitHint => "按 Ctrl+Q 退出。", "Ctrl+Q quits.";
    ReadCardNotInForm => "已读卡：已打开新的登记表。", "Card read: a new intake form is open.";
    CardFilled => "已从身份证读入姓名、号码和住址。", "Name, number and address read from the ID card.";
    StoreFailed => "存储出错，未保存", "The store failed; nothing was saved";
    DraftRestored => "已恢复草稿。", "Draft restored.";
    DraftDiscarded => "草稿已丢弃。", "Draft discarded.";
    Duplicate => "注意：此人已有案件", "Note: this person already has cases";
    Yuan => "元", "yuan";
    None_ => "-", "-";
}

/// Descriptions of key bindings, by the key a keymap file's `desc` names.
const KEY_DESCS: &[(&str, &str, &str)] = &[
    ("help", "帮助", "help"),
    ("quit", "退出", "quit"),
    ("call_next", "叫号", "call next"),
    ("new_case", "登记", "new case"),
    ("search", "查询", "search"),
    ("recall", "取回挂起", "recall held"),
    ("open", "打开", "open"),
    ("up", "上移", "up"),
    ("down", "下移", "down"),
    ("page_up", "上一页", "page up"),
    ("page_down", "下一页", "page down"),
    ("first", "第一行", "first line"),
    ("last", "最后一行", "last line"),
    ("quit_hint", "提示如何退出", "how to quit"),
    ("save", "保存", "save"),
    ("hold", "挂起", "hold"),
    ("cancel", "取消", "cancel"),
    ("back", "返回", "back"),
    ("next_field", "下一项", "next field"),
    ("prev_field", "上一项", "previous field"),
    ("left", "左移/上一选项", "left / previous choice"),
    ("right", "右移/下一选项", "right / next choice"),
    ("toggle", "勾选/切换", "tick / switch"),
    ("delete_back", "删除前一字", "delete back"),
    ("delete_forward", "删除后一字", "delete forward"),
    ("line_start", "到行首", "start of field"),
    ("line_end", "到行尾", "end of field"),
    ("refer", "转介", "refer"),
    ("review", "审核意见", "review"),
    ("approve", "批准", "approve"),
    ("reject", "不予批准", "reject"),
    ("disburse", "发放", "disburse"),
    ("complete", "办结", "complete"),
    ("withdraw", "撤回", "withdraw"),
    ("scroll_up", "向上滚动", "scroll up"),
    ("scroll_down", "向下滚动", "scroll down"),
    ("close_help", "关闭帮助", "close help"),
    ("confirm", "确认", "confirm"),
    ("approve_as_supervisor", "主管审批", "approve as supervisor"),
    ("reprint", "补打回执", "reprint receipt"),
    ("overdue", "超期案件", "overdue"),
];

/// The description of a key binding named in a keymap file.
pub fn key_desc(key: &str, lang: Lang) -> Option<&'static str> {
    KEY_DESCS.iter().find(|(k, _, _)| *k == key).map(|(_, zh, en)| lang.pick(zh, en))
}

/// The static name of a known binding description.
pub fn desc_key(key: &str) -> Option<&'static str> {
    KEY_DESCS.iter().find(|(k, _, _)| *k == key).map(|(k, _, _)| *k)
}

pub fn kind(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Dibao => lang.pick("低保", "Dibao"),
        Kind::SpecialHardship => lang.pick("特困供养", "Hardship"),
        Kind::Disaster => lang.pick("受灾救助", "Disaster"),
        Kind::Medical => lang.pick("医疗救助", "Medical"),
        Kind::Education => lang.pick("教育救助", "Education"),
        Kind::Housing => lang.pick("住房救助", "Housing"),
        Kind::Employment => lang.pick("就业救助", "Employment"),
        Kind::Temporary => lang.pick("临时救助", "Temporary"),
    }
}

pub fn reason(reason: Reason, lang: Lang) -> &'static str {
    match reason {
        Reason::SeriousIllness => lang.pick("重大疾病", "serious illness"),
        Reason::Accident => lang.pick("意外事故", "accident"),
        Reason::Disaster => lang.pick("自然灾害", "disaster"),
        Reason::Unemployment => lang.pick("失业", "unemployment"),
        Reason::Disability => lang.pick("残疾", "disability"),
        Reason::OldAge => lang.pick("年老", "old age"),
        Reason::EducationCost => lang.pick("就学费用", "education cost"),
        Reason::HousingLoss => lang.pick("住房损毁", "housing loss"),
        Reason::Other => lang.pick("其他", "other"),
    }
}

pub fn department(d: Department, lang: Lang) -> &'static str {
    match d {
        Department::CivilAffairs => lang.pick("民政", "civil affairs"),
        Department::Education => lang.pick("教育体育", "education"),
        Department::HumanResources => lang.pick("人力资源社会保障", "human resources"),
        Department::Housing => lang.pick("住房城乡建设", "housing"),
        Department::Health => lang.pick("卫生健康", "health"),
        Department::EmergencyManagement => lang.pick("应急管理", "emergency management"),
        Department::Justice => lang.pick("司法", "justice"),
        Department::Charity => lang.pick("慈善总会", "charity federation"),
    }
}

pub fn state(s: State, lang: Lang) -> &'static str {
    match s {
        State::Received => lang.pick("已受理", "received"),
        State::Referred => lang.pick("已转介", "referred"),
        State::UnderReview => lang.pick("审核中", "reviewing"),
        State::Approved => lang.pick("已批准", "approved"),
        State::Rejected => lang.pick("不予批准", "rejected"),
        State::Disbursed => lang.pick("已发放", "disbursed"),
        State::Completed => lang.pick("已办结", "completed"),
        State::Withdrawn => lang.pick("已撤回", "withdrawn"),
    }
}

pub fn channel(c: Channel, lang: Lang) -> &'static str {
    match c {
        Channel::Normal => lang.pick("普通", "normal"),
        Channel::Green => lang.pick("绿色通道", "green channel"),
    }
}

pub fn residence(r: Residence, lang: Lang) -> &'static str {
    match r {
        Residence::Urban => lang.pick("城镇", "urban"),
        Residence::Rural => lang.pick("农村", "rural"),
    }
}

pub fn sex(s: Sex, lang: Lang) -> &'static str {
    match s {
        Sex::Male => lang.pick("男", "male"),
        Sex::Female => lang.pick("女", "female"),
    }
}

pub fn document(d: Document, lang: Lang) -> &'static str {
    match d {
        Document::IdCard => lang.pick("身份证", "ID card"),
        Document::HouseholdRegister => lang.pick("户口簿", "household register"),
        Document::IncomeProof => lang.pick("收入证明", "income proof"),
        Document::ApplicationForm => lang.pick("申请书", "application form"),
        Document::MedicalBills => lang.pick("医疗票据", "medical bills"),
        Document::DiagnosisCertificate => lang.pick("诊断证明", "diagnosis"),
        Document::DisasterCertificate => lang.pick("受灾证明", "disaster certificate"),
        Document::EnrolmentProof => lang.pick("在学证明", "enrolment proof"),
        Document::HousingProof => lang.pick("住房证明", "housing proof"),
        Document::UnemploymentRegistration => lang.pick("失业登记", "unemployment registration"),
        Document::DisabilityCertificate => lang.pick("残疾证", "disability certificate"),
        Document::AccidentReport => lang.pick("事故证明", "accident report"),
    }
}

pub fn history_action(a: HistoryAction, lang: Lang) -> &'static str {
    match a {
        HistoryAction::Received => lang.pick("受理", "received"),
        HistoryAction::Referred => lang.pick("转介", "referred"),
        HistoryAction::Reviewed => lang.pick("部门审核", "reviewed"),
        HistoryAction::Approved => lang.pick("批准", "approved"),
        HistoryAction::Rejected => lang.pick("不予批准", "rejected"),
        HistoryAction::Disbursed => lang.pick("发放", "disbursed"),
        HistoryAction::Completed => lang.pick("办结", "completed"),
        HistoryAction::Withdrawn => lang.pick("撤回", "withdrawn"),
        HistoryAction::PostReviewed => lang.pick("事后审核", "reviewed afterwards"),
        HistoryAction::Override => lang.pick("主管放行", "override"),
        HistoryAction::Imported => lang.pick("导入", "imported"),
    }
}

/// What is wrong with a typed ID number, short enough for the line beside the field.
pub fn id_error(e: &IdNumberError, lang: Lang) -> String {
    match (e, lang) {
        (IdNumberError::Empty, Lang::ZhCn) => "请输入身份证号".into(),
        (IdNumberError::Empty, Lang::En) => "type the ID number".into(),
        (IdNumberError::WrongLength(n), Lang::ZhCn) => format!("已输入 {n} 位，应为 18 位"),
        (IdNumberError::WrongLength(n), Lang::En) => format!("{n} characters; 18 are needed"),
        (IdNumberError::NotADigit { position, found }, Lang::ZhCn) => {
            format!("第 {position} 位「{found}」不是数字")
        }
        (IdNumberError::NotADigit { position, found }, Lang::En) => {
            format!("character {position} '{found}' is not a digit")
        }
        (IdNumberError::BadCheckCharacter(c), Lang::ZhCn) => format!("末位「{c}」应为数字或 X"),
        (IdNumberError::BadCheckCharacter(c), Lang::En) => {
            format!("last character '{c}' must be a digit or X")
        }
        (IdNumberError::NoSuchDate(d), Lang::ZhCn) => format!("出生日期 {d} 不存在"),
        (IdNumberError::NoSuchDate(d), Lang::En) => format!("birth date {d} does not exist"),
        (IdNumberError::FutureDate(d), Lang::ZhCn) => format!("出生日期 {d} 晚于今天"),
        (IdNumberError::FutureDate(d), Lang::En) => format!("birth date {d} is in the future"),
        (IdNumberError::CheckMismatch { expected, found }, Lang::ZhCn) => {
            format!("校验位应为 {expected} 而非 {found}，有数字输错")
        }
        (IdNumberError::CheckMismatch { expected, found }, Lang::En) => {
            format!("check character should be {expected}, not {found}: a digit is mistyped")
        }
    }
}

pub fn money_error(e: &MoneyError, lang: Lang) -> String {
    match (e, lang) {
        (MoneyError::NotANumber(s), Lang::ZhCn) => format!("「{s}」不是金额，如 3000 或 3000.50"),
        (MoneyError::NotANumber(s), Lang::En) => format!("'{s}' is not an amount like 3000.50"),
        (MoneyError::Negative(_), Lang::ZhCn) => "金额不能为负".into(),
        (MoneyError::Negative(_), Lang::En) => "an amount cannot be negative".into(),
        (MoneyError::TooPrecise(_), Lang::ZhCn) => "最多两位小数".into(),
        (MoneyError::TooPrecise(_), Lang::En) => "at most 2 decimal places".into(),
        (MoneyError::TooLarge(_), Lang::ZhCn) => "金额过大".into(),
        (MoneyError::TooLarge(_), Lang::En) => "the amount is too large".into(),
    }
}

pub fn required(field: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{field}：必须填写"),
        Lang::En => format!("{field}: required"),
    }
}

pub fn field_problem(field: &str, problem: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{field}：{problem}"),
        Lang::En => format!("{field}: {problem}"),
    }
}

/// A household member by the line it is typed on (1 first).
pub fn member(n: usize, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("成员{n}"),
        Lang::En => format!("Member {n}"),
    }
}

/// A household member's ID number, for an error that names it.
pub fn member_id(n: usize, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("成员{n}身份证号"),
        Lang::En => format!("Member {n}'s ID number"),
    }
}

pub fn member_incomplete(n: usize, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("成员{n}：身份证号后须写姓名和关系，如「110101199003070011 张秀英 女儿」"),
        Lang::En => format!("Member {n}: the name and relation must follow the ID number"),
    }
}

/// A member listed twice: as the applicant (`None`) or as an earlier member.
pub fn member_repeats(n: usize, earlier: Option<usize>, lang: Lang) -> String {
    match (earlier, lang) {
        (None, Lang::ZhCn) => format!("成员{n}与申请人是同一人"),
        (None, Lang::En) => format!("Member {n} is the applicant again"),
        (Some(m), Lang::ZhCn) => format!("成员{n}与成员{m}是同一人"),
        (Some(m), Lang::En) => format!("Member {n} is member {m} again"),
    }
}

pub fn household_too_small(size: u8, members: usize, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("家庭人口：{size} 人，但除申请人外还填了 {members} 名成员"),
        Lang::En => format!("Household: {size} persons, but {members} members besides the applicant are listed"),
    }
}

pub fn bill_item(item: crate::domain::policy::BillItem, lang: Lang) -> &'static str {
    use crate::domain::policy::BillItem;
    match item {
        BillItem::Registration => lang.pick("挂号费", "Reg. fee"),
        BillItem::Diagnosis => lang.pick("诊查费", "Diagnosis"),
        BillItem::Injection => lang.pick("注射费", "Injection"),
        BillItem::Observation => lang.pick("观察费", "Observation"),
        BillItem::Bed => lang.pick("床位费", "Bed"),
        BillItem::Surgery => lang.pick("手术费", "Surgery"),
        BillItem::Examination => lang.pick("辅助检查费", "Exams"),
        BillItem::Drugs => lang.pick("常规药品费", "Drugs"),
        BillItem::Other => lang.pick("其他费用", "Other"),
    }
}

/// Beside a bill item's amount: its percent off and, once the discounts
/// apply to the household, the relief on the amount.
pub fn discount(percent: rust_decimal::Decimal, relief: Option<Money>, lang: Lang) -> String {
    let p = percent.normalize();
    match (relief, lang) {
        (None, Lang::ZhCn) => format!("减免{p}%"),
        (None, Lang::En) => format!("{p}% off"),
        (Some(r), Lang::ZhCn) => format!("减免{p}%={r}"),
        (Some(r), Lang::En) => format!("{p}% off: {r}"),
    }
}

/// A rural dibao class with its monthly subsidy per person (when the policy has the class).
pub fn rural_class(class: Option<u8>, per_person: Option<Money>, lang: Lang) -> String {
    const ZH: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let Some(c) = class else {
        return S::NotAssessed.get(lang).to_string();
    };
    let zh = ZH.get(usize::from(c).wrapping_sub(1)).map_or(c.to_string(), |z| z.to_string());
    match (per_person, lang) {
        (Some(m), Lang::ZhCn) => format!("{zh}类 每人{m}元"),
        (Some(m), Lang::En) => format!("class {c} ({m}/person)"),
        (None, Lang::ZhCn) => format!("{zh}类"),
        (None, Lang::En) => format!("class {c}"),
    }
}

pub fn category(c: Option<crate::domain::policy::FullStandardCategory>, lang: Lang) -> &'static str {
    use crate::domain::policy::FullStandardCategory;
    match c {
        None => S::NoCategory.get(lang),
        Some(FullStandardCategory::ThreeNo) => lang.pick("三无人员", "three-no person"),
        Some(FullStandardCategory::Orphan) => lang.pick("孤儿", "orphan"),
        Some(FullStandardCategory::AidsOrTbFamily) => lang.pick("艾滋病/结核病家庭", "AIDS/TB family"),
    }
}

pub fn support_mode(m: Option<crate::domain::policy::SupportMode>, lang: Lang) -> &'static str {
    use crate::domain::policy::SupportMode;
    match m {
        None => S::NotAssessed.get(lang),
        Some(SupportMode::Centralised) => lang.pick("集中供养", "centralised"),
        Some(SupportMode::Dispersed) => lang.pick("分散供养", "dispersed"),
        Some(SupportMode::DispersedOrphan) => lang.pick("分散供养孤儿", "dispersed orphan"),
    }
}

/// The line at the edge of a form column that has more lines than fit.
pub fn more_lines(above: bool, n: usize, lang: Lang) -> String {
    match (above, lang) {
        (true, Lang::ZhCn) => format!("-- 上面还有 {n} 行 --"),
        (false, Lang::ZhCn) => format!("-- 下面还有 {n} 行 --"),
        (true, Lang::En) => format!("-- {n} more above --"),
        (false, Lang::En) => format!("-- {n} more below --"),
    }
}

pub fn household_size_error(lang: Lang) -> &'static str {
    lang.pick("应为 1 到 99 的人数", "must be a number of persons, 1 to 99")
}

/// A refused input from the window, in the clerk's language.
pub fn input_error(e: &InputError, lang: Lang) -> String {
    use crate::domain::case::{InputField as F, InputProblem as P};
    if lang == Lang::En {
        return e.to_string();
    }
    let field = match e.field {
        F::Schema => "格式".to_string(),
        F::ApplicantName => "姓名".into(),
        F::ApplicantIdNumber => "身份证号".into(),
        F::ApplicantPhone => "电话".into(),
        F::ApplicantAddress => "住址".into(),
        F::ApplicantEthnicity => "民族".into(),
        F::ApplicantSex => "性别".into(),
        F::ApplicantBirthDate => "出生日期".into(),
        F::HouseholdSize => "家庭人口".into(),
        F::HouseholdMembers => "家庭成员".into(),
        F::MemberName(i) => format!("成员{}姓名", i + 1),
        F::MemberRelation(i) => format!("成员{}关系", i + 1),
        F::MemberIdNumber(i) => format!("成员{}身份证号", i + 1),
        F::Description => "情况说明".into(),
        F::SourceReporter => "报告人".into(),
        F::SourceVillage => "所在村".into(),
    };
    let problem = match &e.problem {
        P::Empty => "不能为空".to_string(),
        P::TooLong(n) => format!("超过 {n} 个字"),
        P::ControlCharacters => "含有控制字符".into(),
        P::BadPhone => "只能包含数字、空格、+ 和 -".into(),
        P::DoesNotMatchIdNumber => "与身份证号不符".into(),
        P::BirthDateInFuture => "出生日期晚于今天".into(),
        P::SizeZero => "至少为 1（申请人本人）".into(),
        P::TooManyMembers(n) => format!("最多 {n} 人"),
        P::SizeTooSmall { size, members } => format!("为 {size} 人，但除申请人外还列了 {members} 名成员"),
        P::PersonTwice => "同一人列了两次".into(),
        P::UnsupportedSchema(s) => format!("不支持「{s}」"),
        P::IdNumber(e) => id_error(e, lang),
    };
    format!("{field}：{problem}")
}

/// A refused step on a case, in the clerk's language.
pub fn transition_error(e: &TransitionError, lang: Lang) -> String {
    use crate::domain::case::{NotNow, Step};
    if lang == Lang::En {
        return e.to_string();
    }
    let action = match e.step {
        Step::Refer => "转介",
        Step::Review => "记录审核",
        Step::Approve => "批准",
        Step::Reject => "不予批准",
        Step::Disburse => "发放",
        Step::Complete => "办结",
        Step::Withdraw => "撤回",
    };
    let why = match e.why {
        NotNow::AlreadyReviewedAfterwards => "事后审核已经记录",
        NotNow::GreenNeedsReviewFirst => "绿色通道案件须先记录事后审核才能办结",
        NotNow::Closed => "案件已结束",
        NotNow::ReferOnlyReceived => "只有已受理的案件可以转介",
        NotNow::GreenReviewedAfterApproval => "绿色通道案件批准后再审核",
        NotNow::ReviewOnlyReferred => "只有已转介的案件可以记录审核",
        NotNow::GreenApprovedAtOnce => "绿色通道案件受理后直接批准",
        NotNow::ApproveAfterReview => "部门审核后才能批准",
        NotNow::GreenNotRejected => "绿色通道案件不能驳回，请撤回",
        NotNow::RejectAfterReview => "部门审核后才能不予批准",
        NotNow::PayOnlyApproved => "只有已批准的案件可以发放",
        NotNow::CompleteOnlyPaid => "只有已发放的案件可以办结",
        NotNow::WithdrawOnlyOpen => "只有办理中的案件可以撤回",
    };
    format!("不能{action}（{}）：{why}", state(e.state, lang))
}

pub fn too_small(width: u16, height: u16, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("请把终端放大到至少 80x24（现在 {width}x{height}）。"),
        Lang::En => {
            format!("Please enlarge the terminal to at least 80x24 (now {width}x{height}).")
        }
    }
}

pub fn window_label(window: u8, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{window}号窗口"),
        Lang::En => format!("window {window}"),
    }
}

pub fn money(amount: crate::domain::Money, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{amount}元"),
        Lang::En => format!("{amount} yuan"),
    }
}

pub fn called(ticket: u32, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("请 {ticket} 号到{}", "窗口办理"),
        Lang::En => format!("Ticket {ticket}, please come to the window"),
    }
}

pub fn held(ticket: Option<u32>, lang: Lang) -> String {
    match (ticket, lang) {
        (Some(t), Lang::ZhCn) => format!("{t} 号已挂起，按 F6 取回。"),
        (Some(t), Lang::En) => format!("Ticket {t} is on hold; F6 recalls it."),
        (None, Lang::ZhCn) => "登记表已挂起，按 F6 取回。".into(),
        (None, Lang::En) => "The form is on hold; F6 recalls it.".into(),
    }
}

pub fn accepted(id: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("已受理，案件编号 {id}"),
        Lang::En => format!("Accepted: case {id}"),
    }
}

pub fn acted(action: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("已{action}。"),
        Lang::En => format!("Done: {action}."),
    }
}

pub fn confirm_act(verb: &str, id: &str, extra: Option<&str>, lang: Lang) -> String {
    match (lang, extra) {
        (Lang::ZhCn, Some(x)) => format!("确认{verb}案件 {id}？\n{x}\n此操作不能撤销。"),
        (Lang::ZhCn, None) => format!("确认{verb}案件 {id}？\n此操作不能撤销。"),
        (Lang::En, Some(x)) => format!("{verb} case {id}?\n{x}\nThis cannot be undone."),
        (Lang::En, None) => format!("{verb} case {id}?\nThis cannot be undone."),
    }
}

/// Case ids for a banner line: as many as fit in `room` cells, then how many
/// more there are (at least the first id, whatever the room).
pub fn case_ids(ids: &[&str], room: usize, lang: Lang) -> String {
    let width = crate::ui::widgets::width;
    let mut text = String::new();
    for shown in (1..=ids.len()).rev() {
        text = ids[..shown].join(lang.pick("、", ", "));
        let rest = ids.len() - shown;
        if rest > 0 {
            text.push_str(&match lang {
                Lang::ZhCn => format!(" 等 {} 件", ids.len()),
                Lang::En => format!(" +{rest} more"),
            });
        }
        if width(&text) <= room {
            break;
        }
    }
    text
}

/// Earlier cases of the applicant (or, `through_members`, of the household),
/// newest first, in `room` cells; `latest` says what the newest one is.
pub fn earlier_cases_banner(ids: &[&str], latest: &str, through_members: bool, room: usize, lang: Lang) -> String {
    let n = ids.len();
    let head = match (through_members, lang) {
        (false, Lang::ZhCn) => format!("注意：此人已有 {n} 件案件："),
        (true, Lang::ZhCn) => format!("注意：本户已有 {n} 件案件："),
        (false, Lang::En) => format!("Note: this person already has {n} case(s): "),
        (true, Lang::En) => format!("Note: {n} case(s) in the household: "),
    };
    let room = room.saturating_sub(crate::ui::widgets::width(&head));
    let one = ids.first().map(|id| format!("{id} {latest}"));
    let list = match one {
        Some(one) if n == 1 && crate::ui::widgets::width(&one) <= room => one,
        _ => case_ids(ids, room, lang),
    };
    format!("{head}{list}")
}

/// The policy's possible duplicates (same kind and reason within its window), in `room` cells.
pub fn possible_duplicates_banner(ids: &[&str], blocks: bool, room: usize, lang: Lang) -> String {
    let head = match (blocks, lang) {
        (true, Lang::ZhCn) => "疑似重复救助，须主管放行：",
        (false, Lang::ZhCn) => "注意：疑似重复救助，请核实：",
        (true, Lang::En) => "Possible duplicate, supervisor needed: ",
        (false, Lang::En) => "Note: possible duplicate, please check: ",
    };
    let room = room.saturating_sub(crate::ui::widgets::width(head));
    format!("{head}{}", case_ids(ids, room, lang))
}

pub fn failed(e: &dyn std::fmt::Display, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{}：{e}", S::StoreFailed.get(lang)),
        Lang::En => format!("{}: {e}", S::StoreFailed.get(lang)),
    }
}

pub fn results(n: usize, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("找到 {n} 件"),
        Lang::En => format!("{n} found"),
    }
}

/// A possible duplicate that stops the case until a supervisor lets it through.
pub fn duplicate_refusal(e: &crate::domain::dedup::DuplicateRefusal, lang: Lang) -> String {
    use crate::domain::dedup::DuplicateRefusal;
    match (e, lang) {
        (DuplicateRefusal::NeedsOverride(cases), Lang::ZhCn) => {
            let each: Vec<String> = cases
                .iter()
                .map(|c| {
                    let granted = c.granted.map(|g| format!("，批准{}", money(g, lang))).unwrap_or_default();
                    format!(
                        "案件 {}（{} {}，{} 受理，{}，{}{granted}）",
                        c.id,
                        kind(c.kind, lang),
                        reason(c.reason, lang),
                        c.received,
                        c.id_number.masked(),
                        state(c.state, lang)
                    )
                })
                .collect();
            format!("疑似重复救助，须主管说明理由后放行：{}", each.join("；"))
        }
        (DuplicateRefusal::OverrideIncomplete, Lang::ZhCn) => "主管放行须写明主管姓名和理由".into(),
        (e, Lang::En) => e.to_string(),
    }
}

/// An approval above the clerk's limit.
pub fn above_clerk_limit(amount: Money, limit: Money, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{amount}元超过窗口审批限额 {limit}元，须由主管批准"),
        Lang::En => format!("{amount} is above the clerk's limit of {limit}; a supervisor must approve it"),
    }
}

/// An approval above what the policy allows on the case.
pub fn above_ceiling(amount: Money, ceiling: crate::domain::policy::Ceiling, lang: Lang) -> String {
    let most = ceiling.amount();
    match lang {
        Lang::ZhCn => format!("{amount}元超过本案政策上限 {most}元，主管也不能超额审批"),
        Lang::En => format!("{amount} is above {ceiling}; nobody can approve more than {most} on this case"),
    }
}

/// A supervisor's act by someone who is not listed as one.
pub fn not_supervisor(who: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{who} 不在本窗口的主管名单中，不能行使主管权限"),
        Lang::En => format!("{who} is not a supervisor at this window"),
    }
}

pub fn flag(f: crate::domain::case::Flag, lang: Lang) -> &'static str {
    use crate::domain::case::Flag;
    match f {
        Flag::Capped => lang.pick("已按上限核减", "capped"),
        Flag::Ineligible => lang.pick("不符合条件", "not eligible"),
        Flag::FullStandard => lang.pick("全额标准", "full standard"),
        Flag::PossibleDuplicate => lang.pick("疑似重复", "possible duplicate"),
        Flag::ReceivesDibao => lang.pick("已享低保", "receives dibao"),
        Flag::ReserveFund => lang.pick("备用金支付", "from the reserve fund"),
        Flag::YearlyCapReached => lang.pick("本年额度已用完", "yearly cap reached"),
    }
}

/// The entitlement line of the form: the amount and its marks (and, in
/// English, the policy's own words for the basis).
pub fn entitlement(e: &crate::domain::case::Entitlement, lang: Lang) -> String {
    let flags: Vec<&str> = e.flags.iter().map(|f| flag(*f, lang)).collect();
    let mut s = money(e.amount, lang);
    if !flags.is_empty() {
        s.push_str(&format!("  [{}]", flags.join(" ")));
    }
    if lang == Lang::En && !e.basis.is_empty() {
        s.push_str(&format!("  {}", e.basis));
    }
    s
}

pub fn fund_error(e: &crate::domain::fund::FundError, lang: Lang) -> String {
    use crate::domain::fund::FundError;
    match (e, lang) {
        (FundError::OverBalance { balance, amount }, Lang::ZhCn) => {
            format!("备用金余额 {balance}元，不足支付 {amount}元")
        }
        (e, _) => e.to_string(),
    }
}

/// Why a card on the reader could not be read.
pub fn card_failed(reason: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("读卡失败：{reason}。请拿起身份证重新放好。"),
        Lang::En => format!("The card could not be read: {reason}. Lift it and place it again."),
    }
}

pub fn card_expired(until: chrono::NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("此身份证已过有效期（至 {until}），请核对"),
        Lang::En => format!("this ID card expired on {until}; please check it"),
    }
}

pub fn card_number_problem(e: &IdNumberError, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("卡上号码未通过校验：{}", id_error(e, lang)),
        Lang::En => format!("the number on the card does not check: {}", id_error(e, lang)),
    }
}

/// The reader's trouble, short enough for the status line.
pub fn reader_problem(e: &crate::devices::idcard::ReaderError, lang: Lang) -> String {
    use crate::devices::idcard::ReaderError;
    let why = match e {
        ReaderError::NotFound { .. } => lang.pick("找不到设备", "not found"),
        ReaderError::Disconnected { .. } => lang.pick("已拔出", "unplugged"),
        ReaderError::Busy { .. } => lang.pick("被占用", "in use"),
        ReaderError::CannotOpen { .. } => lang.pick("无法打开", "cannot open"),
        ReaderError::NoAnswer { .. } => lang.pick("无应答", "no answer"),
        ReaderError::Refused { .. } => lang.pick("安全模块异常", "security module fault"),
        ReaderError::NoCard { .. } | ReaderError::Garbled(_) | ReaderError::Card(_) | ReaderError::Output(_) => {
            lang.pick("故障", "fault")
        }
    };
    match lang {
        Lang::ZhCn => format!("已断开({why})"),
        Lang::En => format!("disconnected ({why})"),
    }
}

/// The printer's state on the status line.
pub fn printer_state(status: crate::devices::printer::PrinterStatus, lang: Lang) -> crate::ui::DeviceState {
    use crate::devices::printer::PrinterStatus;
    use crate::ui::DeviceState;
    let problem = match status {
        PrinterStatus::Ready => return DeviceState::Ready,
        PrinterStatus::PaperNearEnd => lang.pick("纸将用完", "paper low"),
        PrinterStatus::PaperOut => lang.pick("缺纸", "out of paper"),
        PrinterStatus::CoverOpen => lang.pick("上盖未合", "cover open"),
        PrinterStatus::Offline => lang.pick("脱机", "offline"),
        PrinterStatus::Error => lang.pick("故障", "fault"),
        PrinterStatus::NotAnswering => lang.pick("无应答", "not answering"),
        PrinterStatus::BadReply => lang.pick("应答异常", "bad reply"),
    };
    DeviceState::Problem(problem.to_string())
}

pub fn receipt_kind(kind: crate::receipt::ReceiptKind, lang: Lang) -> &'static str {
    use crate::receipt::ReceiptKind;
    match kind {
        ReceiptKind::Acceptance => lang.pick("受理回执", "acceptance receipt"),
        ReceiptKind::Disbursement => lang.pick("发放回执", "disbursement receipt"),
        ReceiptKind::DailySummary => lang.pick("日报", "daily summary"),
    }
}

pub fn printed(kind: crate::receipt::ReceiptKind, id: &str, reprint: bool, lang: Lang) -> String {
    let what = receipt_kind(kind, lang);
    match (lang, reprint) {
        (Lang::ZhCn, false) => format!("案件 {id} 的{what}已打印"),
        (Lang::ZhCn, true) => format!("案件 {id} 的{what}已补打"),
        (Lang::En, false) => format!("The {what} of {id} is printed"),
        (Lang::En, true) => format!("The {what} of {id} is reprinted"),
    }
}

/// A receipt the printer did not take: why, and that it is kept to reprint.
pub fn receipt_pending(kind: crate::receipt::ReceiptKind, id: &str, reason: &str, key: &str, lang: Lang) -> String {
    let what = receipt_kind(kind, lang);
    match lang {
        Lang::ZhCn => format!("{reason}。案件 {id} 的{what}未打印，已转入待补打，可在案件详情按 {key} 补打。"),
        Lang::En => format!(
            "{reason}. The {what} of {id} was not printed; it is kept as pending and can be reprinted from the case ({key})."
        ),
    }
}

pub fn receipt_failed(kind: crate::receipt::ReceiptKind, id: &str, error: &str, lang: Lang) -> String {
    let what = receipt_kind(kind, lang);
    match lang {
        Lang::ZhCn => format!("案件 {id} 的{what}未打印，也未能记入待补打：{error}"),
        Lang::En => format!("The {what} of {id} was not printed and could not be kept as pending: {error}"),
    }
}

pub fn reprinting(kind: crate::receipt::ReceiptKind, id: &str, lang: Lang) -> String {
    let what = receipt_kind(kind, lang);
    match lang {
        Lang::ZhCn => format!("正在补打案件 {id} 的{what}…"),
        Lang::En => format!("Reprinting the {what} of {id}…"),
    }
}

/// The title of a receipt shown on screen.
pub fn receipt_on_screen(kind: crate::receipt::ReceiptKind, lang: Lang) -> String {
    let what = receipt_kind(kind, lang);
    match lang {
        Lang::ZhCn => format!("{what}（未配置打印机）"),
        Lang::En => format!("The {what} (no printer)"),
    }
}

/// After a receipt with characters the printer could not carry.
pub fn write_in_by_hand(chars: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("；打印机无法打印 {chars}，回执上印为 [U+编码]，请手写补上"),
        Lang::En => {
            format!("; the printer cannot print {chars} (printed as [U+XXXX]): write them on the receipt by hand")
        }
    }
}

/// After a refusal above the clerk's limit: the key a supervisor presses.
pub fn supervisor_hint(key: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("（主管按 {key} 审批）"),
        Lang::En => format!(" (a supervisor approves with {key})"),
    }
}

/// The line of a supervisor's approval that says who is approving.
pub fn supervisor_line(operator: &str, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("主管审批，记为 {operator} 批准"),
        Lang::En => format!("supervisor approval, recorded as {operator}'s"),
    }
}

/// A deadline missed, for the overdue list.
pub fn late(l: &crate::window::Late, lang: Lang) -> String {
    use crate::window::Late;
    match (l, lang) {
        (Late::Due(due), Lang::ZhCn) => format!("办结期限 {} 已过", due.format("%m-%d")),
        (Late::Due(due), Lang::En) => format!("due {} passed", due.format("%m-%d")),
        (Late::HelpBy(day), Lang::ZhCn) => format!("救助时限 {} 已过", day.format("%m-%d")),
        (Late::HelpBy(day), Lang::En) => format!("help by {} passed", day.format("%m-%d")),
        (Late::Referral(d, due), Lang::ZhCn) => {
            format!("转介{}逾期未复(应于 {})", department(*d, lang), due.format("%m-%d"))
        }
        (Late::Referral(d, due), Lang::En) => {
            format!("{} has not answered (due {})", department(*d, lang), due.format("%m-%d"))
        }
    }
}

pub fn overdue_count(n: usize, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("共 {n} 件"),
        Lang::En => format!("{n} in all"),
    }
}
