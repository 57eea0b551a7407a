//! The Chinese names printed on receipts for the domain's codes: kinds of
//! assistance, documents, case states and departments.

use crate::domain::{Channel, Department, Document, Kind, MoneySource, State};

/// The kind of assistance as a person reads it on the receipt.
pub fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Dibao => "最低生活保障",
        Kind::SpecialHardship => "特困人员救助供养",
        Kind::Disaster => "受灾人员救助",
        Kind::Medical => "医疗救助",
        Kind::Education => "教育救助",
        Kind::Housing => "住房救助",
        Kind::Employment => "就业救助",
        Kind::Temporary => "临时救助",
    }
}

/// A document of the checklist, as the person is asked to bring it.
pub fn document(d: Document) -> &'static str {
    match d {
        Document::IdCard => "居民身份证",
        Document::HouseholdRegister => "户口簿",
        Document::IncomeProof => "家庭收入证明",
        Document::ApplicationForm => "救助申请书",
        Document::MedicalBills => "医疗费用票据",
        Document::DiagnosisCertificate => "疾病诊断证明",
        Document::DisasterCertificate => "受灾情况证明",
        Document::EnrolmentProof => "在校就读证明",
        Document::HousingProof => "住房状况证明",
        Document::UnemploymentRegistration => "失业登记证明",
        Document::DisabilityCertificate => "残疾人证",
        Document::AccidentReport => "事故认定证明",
    }
}

/// Where the case stands.
pub fn state(s: State) -> &'static str {
    match s {
        State::Received => "已受理",
        State::Referred => "已转办",
        State::UnderReview => "审核中",
        State::Approved => "已批准",
        State::Rejected => "不予批准",
        State::Disbursed => "已发放",
        State::Completed => "已办结",
        State::Withdrawn => "已撤回",
    }
}

/// Where the money paid came from.
pub fn money_source(m: MoneySource) -> &'static str {
    match m {
        MoneySource::ReliefFund => "应急救助备用金",
        MoneySource::Budget => "常规资金（一卡通）",
    }
}

/// The department that handles a referral.
pub fn department(d: Department) -> &'static str {
    match d {
        Department::CivilAffairs => "民政部门",
        Department::Education => "教育体育部门",
        Department::HumanResources => "人力资源和社会保障部门",
        Department::Housing => "住房和城乡建设部门",
        Department::Health => "卫生健康部门",
        Department::EmergencyManagement => "应急管理部门",
        Department::Justice => "司法行政部门",
        Department::Charity => "慈善总会等社会组织",
    }
}

/// The channel; empty for the normal one, so a template can test it with `[if channel]`.
pub fn channel(c: Channel) -> &'static str {
    match c {
        Channel::Normal => "",
        Channel::Green => "绿色通道（先行救助）",
    }
}
