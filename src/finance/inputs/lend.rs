//! `[finance.borrower]`, `[finance.loan]` and `[[finance.pledges]]`: the borrower's figures,
//! the loan request and other IP pledged with the subject (保 and 贷 inputs).

use super::*;
use crate::money::{de_decimal, Money};
use crate::subject::IpKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `[[finance.pledges]]`: another piece of IP pledged with the subject, at its appraised value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraPledge {
    /// Label.
    pub name: String,
    /// Kind of IP.
    pub kind: IpKind,
    /// Appraised value in 元.
    pub value: Money,
}

/// `[finance.borrower.turnover_days]`: days that give 营运资金周转次数 =
/// 360 / (inventory + receivables − payables + prepayments − advances).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnoverDays {
    /// 存货周转天数.
    #[serde(deserialize_with = "de_decimal")]
    pub inventory: Decimal,
    /// 应收账款周转天数.
    #[serde(deserialize_with = "de_decimal")]
    pub receivables: Decimal,
    /// 应付账款周转天数.
    #[serde(deserialize_with = "de_decimal")]
    pub payables: Decimal,
    /// 预付账款周转天数.
    #[serde(default, deserialize_with = "de_decimal")]
    pub prepayments: Decimal,
    /// 预收账款周转天数.
    #[serde(default, deserialize_with = "de_decimal")]
    pub advances: Decimal,
}

/// `[finance.borrower]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Borrower {
    /// 上年度销售收入 (元).
    #[serde(default)]
    pub revenue_last_year: Option<Money>,
    /// 上年度销售利润率 (fraction).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub profit_margin_last_year: Option<Decimal>,
    /// 预计销售收入年增长率 (fraction).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub revenue_growth: Option<Decimal>,
    /// 营运资金周转次数 per year (give this or `turnover_days`).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub working_capital_turnover: Option<Decimal>,
    /// Turnover days (alternative to `working_capital_turnover`).
    #[serde(default)]
    pub turnover_days: Option<TurnoverDays>,
    /// 借款人自有资金 (元).
    #[serde(default)]
    pub own_funds: Option<Money>,
    /// 现有流动资金贷款 (元).
    #[serde(default)]
    pub existing_wc_loans: Option<Money>,
    /// 其他渠道提供的营运资金 (元).
    #[serde(default)]
    pub other_funding: Option<Money>,
    /// Cash flow available for debt service per year (元).
    #[serde(default)]
    pub cfads: Option<Money>,
    /// Probability of default over the loan's life (fraction).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub pd: Option<Decimal>,
}

/// Repayment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepayMethod {
    /// 等额本息: level payments.
    #[default]
    Annuity,
    /// 等额本金: level principal.
    EqualPrincipal,
    /// 先息后本: interest only, principal at the end.
    Bullet,
}

impl RepayMethod {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            RepayMethod::Annuity => "annuity",
            RepayMethod::EqualPrincipal => "equal_principal",
            RepayMethod::Bullet => "bullet",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            RepayMethod::Annuity => "等额本息",
            RepayMethod::EqualPrincipal => "等额本金",
            RepayMethod::Bullet => "先息后本",
        }
    }
}

/// `[finance.loan]`: what the borrower asks for. Everything has a default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanRequest {
    /// Amount asked for (none: as much as the constraints allow).
    #[serde(default)]
    pub amount: Option<Money>,
    /// Tenor in months (default: the rulebook's maximum).
    #[serde(default)]
    pub tenor_months: Option<u32>,
    /// Repayment method (default annuity).
    #[serde(default)]
    pub method: RepayMethod,
    /// Payments per year: 12, 4, 2 or 1 (default 12).
    #[serde(default)]
    pub periods_per_year: Option<u32>,
    /// Spread over the LPR asked for (default: the rulebook's spread; capped by it).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub spread: Option<Decimal>,
    /// Drawdown date, which picks the LPR (default: the valuation date).
    #[serde(default, deserialize_with = "crate::dates::de_opt_date")]
    pub start_date: Option<NaiveDate>,
    /// Days in a broken first period (interest on actual days at rate/360); default none.
    #[serde(default)]
    pub first_period_days: Option<u32>,
}
