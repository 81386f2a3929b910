//! `[report]` of a case file: who the report is for and what it says beyond the numbers.
//!
//! ```toml
//! [report]
//! client = "深圳某微电子有限公司"
//! other_users = "质权人某银行深圳分行"
//! firm = "某资产评估有限公司"
//! lender = "某银行深圳分行"
//! report_no = "某评报字〔2025〕第 0123 号"
//! report_date = 2025-07-15
//! appraisers = ["张三", "李四"]
//! value_type = "market_value"
//! conclude = "income"
//! special_matters = ["专利年费已缴至 2026-03-14。"]
//! ```
//!
//! Every field is optional; the report fills in the usual defaults (the owner as client, market
//! value, blank lines for signatures and the report date).

use crate::error::{Error, Result};
use crate::subject::Subject;
use crate::valuation::Approach;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 价值类型 (CAS 《资产评估价值类型指导意见》).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// 市场价值.
    #[default]
    MarketValue,
    /// 投资价值.
    InvestmentValue,
    /// 在用价值.
    InUseValue,
    /// 清算价值.
    LiquidationValue,
}

impl ValueType {
    /// Name and definition, Chinese.
    pub fn zh(self) -> (&'static str, &'static str) {
        match self {
            ValueType::MarketValue => ("市场价值", "市场价值是指自愿买方和自愿卖方在各自理性行事且未受任何强迫的情况下，评估对象在评估基准日进行正常公平交易的价值估计数额。"),
            ValueType::InvestmentValue => ("投资价值", "投资价值是指评估对象对于具有明确投资目标的特定投资者或者某一类投资者所具有的价值估计数额，亦称特定投资者价值。"),
            ValueType::InUseValue => ("在用价值", "在用价值是指将评估对象作为企业、资产组组成部分或者要素资产按其正在使用方式和程度及其对所属企业、资产组的贡献的价值估计数额。"),
            ValueType::LiquidationValue => ("清算价值", "清算价值是指评估对象处于被迫出售、快速变现等非正常市场条件下的价值估计数额。"),
        }
    }
    /// Name and definition, English.
    pub fn en(self) -> (&'static str, &'static str) {
        match self {
            ValueType::MarketValue => ("Market value", "The estimated amount for which the subject would be exchanged on the valuation date between a willing buyer and a willing seller in an arm's-length transaction, each acting knowledgeably, prudently and without compulsion."),
            ValueType::InvestmentValue => ("Investment value", "The value of the subject to a particular investor, or class of investors, with identified investment objectives."),
            ValueType::InUseValue => ("Value in use", "The value of the subject in its current use and to its current extent, as a part of an enterprise or asset group, from its contribution to that whole."),
            ValueType::LiquidationValue => ("Liquidation value", "The estimated amount realised when the subject is sold under compulsion or in a quick sale, outside normal market conditions."),
        }
    }
}

/// `[report]` of a case file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInfo {
    /// 委托人 (default: the subject's owner).
    #[serde(default)]
    pub client: Option<String>,
    /// 其他报告使用人.
    #[serde(default)]
    pub other_users: Option<String>,
    /// 资产评估机构.
    #[serde(default)]
    pub firm: Option<String>,
    /// 报告编号.
    #[serde(default)]
    pub report_no: Option<String>,
    /// The lending bank named in the credit memo (default: "贷款银行").
    #[serde(default)]
    pub lender: Option<String>,
    /// 评估报告日 (default: left blank for signing).
    #[serde(default, deserialize_with = "crate::dates::de_opt_date")]
    pub report_date: Option<NaiveDate>,
    /// 资产评估师 (signing appraisers).
    #[serde(default)]
    pub appraisers: Vec<String>,
    /// 价值类型 (default market value).
    #[serde(default)]
    pub value_type: Option<ValueType>,
    /// The approach whose value is the conclusion (default: the reconciled value when more
    /// than one approach ran, else the one approach's value — the value the pipeline lends on).
    #[serde(default)]
    pub conclude: Option<Approach>,
    /// Why that approach was chosen (replaces the default sentence).
    #[serde(default)]
    pub conclusion_reason: Option<String>,
    /// Case-specific assumptions (评估假设), added to the general ones.
    #[serde(default)]
    pub assumptions: Vec<String>,
    /// 特别事项说明 of the engagement.
    #[serde(default)]
    pub special_matters: Vec<String>,
}

fn text(path: &str, s: &str, max: usize) -> Result<()> {
    if s.trim().is_empty() {
        return Err(Error::field(path, "\"\"", "must not be empty when given"));
    }
    if s.chars().count() > max {
        return Err(Error::field(
            path,
            format!("\"{}…\"", s.chars().take(20).collect::<String>()),
            format!("is too long: at most {max} characters"),
        ));
    }
    Ok(())
}

/// Checks `[report]`: non-empty texts of sane length, a report date not before the valuation
/// date, and a `conclude` approach the case has assumptions for.
pub fn validate(r: &ReportInfo, s: &Subject, available: &[Approach]) -> Result<()> {
    for (p, v) in [
        ("report.client", &r.client),
        ("report.other_users", &r.other_users),
        ("report.firm", &r.firm),
        ("report.report_no", &r.report_no),
        ("report.lender", &r.lender),
        ("report.conclusion_reason", &r.conclusion_reason),
    ] {
        if let Some(v) = v {
            text(p, v, 500)?;
        }
    }
    for (i, a) in r.appraisers.iter().enumerate() {
        text(&format!("report.appraisers[{i}]"), a, 50)?;
    }
    for (i, a) in r.assumptions.iter().enumerate() {
        text(&format!("report.assumptions[{i}]"), a, 2000)?;
    }
    for (i, a) in r.special_matters.iter().enumerate() {
        text(&format!("report.special_matters[{i}]"), a, 2000)?;
    }
    if let Some(d) = r.report_date {
        if d < s.valuation_date {
            return Err(Error::field(
                "report.report_date",
                d,
                format!(
                    "must not be before subject.valuation_date = {}",
                    s.valuation_date
                ),
            ));
        }
    }
    if let Some(a) = r.conclude {
        if a != Approach::Market && !available.contains(&a) {
            return Err(Error::field(
                "report.conclude",
                a.as_str(),
                format!("the case has no [{}] section to conclude from", a.as_str()),
            ));
        }
    }
    Ok(())
}
