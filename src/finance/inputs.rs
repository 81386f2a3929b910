//! The `[finance]` section of a case file: borrower figures, the loan request, the investment
//! round and the trade terms. Every part is optional; a stage whose inputs are missing says so
//! in its result instead of inventing numbers.
//!
//! ```toml
//! [finance.borrower]
//! revenue_last_year = "30000000"      # 上年度销售收入
//! profit_margin_last_year = "0.10"    # 上年度销售利润率
//! revenue_growth = "0.15"             # 预计销售收入年增长率
//! working_capital_turnover = "3"      # 营运资金周转次数 (or [finance.borrower.turnover_days])
//! own_funds = "4000000"               # 借款人自有资金
//! existing_wc_loans = "2000000"       # 现有流动资金贷款
//! other_funding = "0"                 # 其他渠道提供的营运资金
//! cfads = "4200000"                   # cash flow available for debt service, per year
//! pd = "0.03"                         # probability of default over the loan
//! [finance.loan]
//! amount = "3000000"
//! tenor_months = 12
//! method = "bullet"                   # annuity | equal_principal | bullet
//! ```

use crate::error::{Error, Result};
use crate::money::{de_decimal, Money};
use crate::subject::IpKind;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

fn de_opt_decimal<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Decimal>, D::Error> {
    de_decimal(d).map(Some)
}

/// `[finance]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceInputs {
    /// Other IP pledged together with the subject.
    #[serde(default)]
    pub pledges: Vec<ExtraPledge>,
    /// The borrower's figures (DSCR and working-capital caps, PD).
    #[serde(default)]
    pub borrower: Option<Borrower>,
    /// The loan request.
    #[serde(default)]
    pub loan: LoanRequest,
    /// The investment round.
    #[serde(default)]
    pub invest: Option<InvestInputs>,
    /// The trade (transfer / licence) terms.
    #[serde(default)]
    pub trade: Option<TradeInputs>,
}

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

/// The terminal (exit) value for the VC method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminalValue {
    /// Terminal-year net income (元); with `pe` gives TV = NI × P/E.
    #[serde(default)]
    pub net_income: Option<Money>,
    /// Price/earnings multiple at exit.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub pe: Option<Decimal>,
    /// Or the terminal (exit) value directly (元).
    #[serde(default)]
    pub value: Option<Money>,
}

/// A First Chicago scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name (`success`, `sideways`, `failure`).
    pub name: String,
    /// Probability (all scenarios sum to 1).
    #[serde(deserialize_with = "de_decimal")]
    pub probability: Decimal,
    /// Exit value in this scenario (元).
    pub terminal_value: Money,
    /// Years to exit in this scenario (default: `finance.invest.years`).
    #[serde(default)]
    pub years: Option<u32>,
}

/// A weighted factor of the scorecard or checklist method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Name (`management`, `opportunity`, `technology`, …).
    pub name: String,
    /// Weight (weights sum to 1).
    #[serde(deserialize_with = "de_decimal")]
    pub weight: Decimal,
    /// Scorecard: rating relative to the average deal (1 = average, 0–3).
    /// Checklist: achievement of the factor's maximum (0–1).
    #[serde(deserialize_with = "de_decimal")]
    pub score: Decimal,
}

/// `[finance.invest.scorecard]` (Payne): pre-money = average pre-money × Σ weight × rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    /// Average (median) pre-money of comparable deals in the region and stage (元).
    pub average_pre_money: Money,
    /// Factors.
    pub factors: Vec<Factor>,
}

/// `[finance.invest.checklist]` (Payne): pre-money = Σ weight × maximum × achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// The highest pre-money a deal of this stage fetches in the region (元).
    pub max_pre_money: Money,
    /// Factors.
    pub factors: Vec<Factor>,
}

/// `[finance.invest.convert]`: 先投后股 — project funding that converts to equity at the next
/// round: stake = F / (post_next × (1 − discount)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversion {
    /// Funding F given now (元).
    pub funding: Money,
    /// Post-money of the next round (元).
    pub next_post_money: Money,
    /// Discount on the next round's price (fraction, default 0).
    #[serde(default, deserialize_with = "de_decimal")]
    pub discount: Decimal,
}

/// `[[finance.invest.rounds]]`: a later round that dilutes existing holders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Round {
    /// Name (`A`, `B`).
    pub name: String,
    /// New money (元).
    pub investment: Money,
    /// Pre-money of the round (元).
    pub pre_money: Money,
    /// Option pool created in the round, as a fraction of post-money (default 0).
    #[serde(default, deserialize_with = "de_decimal")]
    pub option_pool: Decimal,
}

/// `[finance.invest]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestInputs {
    /// Amount the fund invests now (元). Default: `funding_need` less the loan offered.
    #[serde(default)]
    pub investment: Option<Money>,
    /// The venture's total funding need (元); with no `investment`, equity = need − loan.
    #[serde(default)]
    pub funding_need: Option<Money>,
    /// Years to exit.
    pub years: u32,
    /// Required annual return given directly.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub target_return: Option<Decimal>,
    /// Or a target multiple of the investment at exit: ROI = multiple^(1/n) − 1.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub target_multiple: Option<Decimal>,
    /// Or a stage id of `models/vc_stage_returns.toml` (midpoint of its range).
    #[serde(default)]
    pub stage: Option<String>,
    /// Probability the venture reaches the exit (default 1): expected TV = p × TV.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub success_probability: Option<Decimal>,
    /// Share of today's stake kept at exit after later rounds (retention, default 1).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub retention: Option<Decimal>,
    /// Terminal value for the VC method.
    #[serde(default)]
    pub terminal: Option<TerminalValue>,
    /// First Chicago scenarios.
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
    /// Scorecard method.
    #[serde(default)]
    pub scorecard: Option<Scorecard>,
    /// Checklist method.
    #[serde(default)]
    pub checklist: Option<Checklist>,
    /// 先投后股 conversion.
    #[serde(default)]
    pub convert: Option<Conversion>,
    /// Later rounds (dilution).
    #[serde(default)]
    pub rounds: Vec<Round>,
}

/// How the technology changes hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeMode {
    /// 转让: the right is assigned.
    Assignment,
    /// 独占许可: exclusive licence (even the owner may not use it).
    ExclusiveLicence,
    /// 普通许可: non-exclusive licence.
    NonExclusiveLicence,
    /// 作价入股: contributed to a company for equity.
    EquityContribution,
}

impl TradeMode {
    /// All modes.
    pub const ALL: [TradeMode; 4] = [
        TradeMode::Assignment,
        TradeMode::ExclusiveLicence,
        TradeMode::NonExclusiveLicence,
        TradeMode::EquityContribution,
    ];
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            TradeMode::Assignment => "assignment",
            TradeMode::ExclusiveLicence => "exclusive_licence",
            TradeMode::NonExclusiveLicence => "non_exclusive_licence",
            TradeMode::EquityContribution => "equity_contribution",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            TradeMode::Assignment => "转让",
            TradeMode::ExclusiveLicence => "独占许可",
            TradeMode::NonExclusiveLicence => "普通许可",
            TradeMode::EquityContribution => "作价入股",
        }
    }
}

/// `[finance.trade.mode_factors]`: price of each mode relative to the appraised value.
/// The defaults are stylised placeholders (no published table); state your own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeFactors {
    /// Assignment (default 1).
    #[serde(default = "one", deserialize_with = "de_decimal")]
    pub assignment: Decimal,
    /// Exclusive licence (default 0.9, stylised).
    #[serde(default = "d_exclusive", deserialize_with = "de_decimal")]
    pub exclusive_licence: Decimal,
    /// Non-exclusive licence (default 0.4, stylised).
    #[serde(default = "d_non_exclusive", deserialize_with = "de_decimal")]
    pub non_exclusive_licence: Decimal,
    /// Equity contribution (default 1: contributed at the appraised value).
    #[serde(default = "one", deserialize_with = "de_decimal")]
    pub equity_contribution: Decimal,
}

fn one() -> Decimal {
    Decimal::ONE
}
fn d_exclusive() -> Decimal {
    Decimal::new(9, 1)
}
fn d_non_exclusive() -> Decimal {
    Decimal::new(4, 1)
}

impl Default for ModeFactors {
    fn default() -> Self {
        ModeFactors {
            assignment: one(),
            exclusive_licence: d_exclusive(),
            non_exclusive_licence: d_non_exclusive(),
            equity_contribution: one(),
        }
    }
}

impl ModeFactors {
    /// The factor of a mode.
    pub fn of(&self, m: TradeMode) -> Decimal {
        match m {
            TradeMode::Assignment => self.assignment,
            TradeMode::ExclusiveLicence => self.exclusive_licence,
            TradeMode::NonExclusiveLicence => self.non_exclusive_licence,
            TradeMode::EquityContribution => self.equity_contribution,
        }
    }
}

/// A milestone payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Name (`clinical approval`, `first sale`).
    pub name: String,
    /// Years from signing.
    #[serde(deserialize_with = "de_decimal")]
    pub year: Decimal,
    /// Payment (元).
    pub amount: Money,
    /// Probability the milestone is reached.
    #[serde(deserialize_with = "de_decimal")]
    pub probability: Decimal,
}

/// A payment form offered by a buyer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case", deny_unknown_fields)]
pub enum Offer {
    /// 一次性付款.
    LumpSum {
        /// Amount (元).
        amount: Money,
        /// Years from signing (default 0).
        #[serde(default, deserialize_with = "de_decimal")]
        year: Decimal,
    },
    /// 分期付款: `count` payments of `amount`, the first at `first_year`, then every
    /// `every_years`.
    Instalments {
        /// Each payment (元).
        amount: Money,
        /// Number of payments.
        count: u32,
        /// Year of the first payment (default 0).
        #[serde(default, deserialize_with = "de_decimal")]
        first_year: Decimal,
        /// Years between payments (default 1).
        #[serde(default = "one", deserialize_with = "de_decimal")]
        every_years: Decimal,
    },
    /// 提成: a running royalty on the licensee's sales, paid at each year end.
    RunningRoyalty {
        /// Royalty rate on sales.
        #[serde(deserialize_with = "de_decimal")]
        rate: Decimal,
        /// Sales in years 1, 2, … (元).
        sales: Vec<Money>,
    },
    /// 入门费 + 提成.
    EntryFeeRoyalty {
        /// Entry fee at signing (元).
        entry_fee: Money,
        /// Royalty rate on sales.
        #[serde(deserialize_with = "de_decimal")]
        rate: Decimal,
        /// Sales in years 1, 2, … (元).
        sales: Vec<Money>,
    },
    /// 里程碑付款 with probabilities.
    Milestones {
        /// Upfront payment (元, default 0).
        #[serde(default)]
        upfront: Option<Money>,
        /// The milestones.
        milestones: Vec<Milestone>,
    },
    /// 先使用后付费: free use for `free_years`, then the licensee decides to pay a fee and/or a
    /// royalty — or returns the licence (probability `1 − take_up_probability`).
    UseFirstPayLater {
        /// Years of free use.
        #[serde(deserialize_with = "de_decimal")]
        free_years: Decimal,
        /// Probability the licensee keeps and pays.
        #[serde(deserialize_with = "de_decimal")]
        take_up_probability: Decimal,
        /// Fee due at the end of the free period (元, default 0).
        #[serde(default)]
        fee: Option<Money>,
        /// Royalty rate on sales after the free period (default 0).
        #[serde(default, deserialize_with = "de_decimal")]
        rate: Decimal,
        /// Sales in years 1, 2, … (元); only years after `free_years` bear the royalty.
        #[serde(default)]
        sales: Vec<Money>,
    },
}

impl Offer {
    /// Schema name of the form.
    pub fn form(&self) -> &'static str {
        match self {
            Offer::LumpSum { .. } => "lump_sum",
            Offer::Instalments { .. } => "instalments",
            Offer::RunningRoyalty { .. } => "running_royalty",
            Offer::EntryFeeRoyalty { .. } => "entry_fee_royalty",
            Offer::Milestones { .. } => "milestones",
            Offer::UseFirstPayLater { .. } => "use_first_pay_later",
        }
    }
    /// Chinese name of the form.
    pub fn form_zh(&self) -> &'static str {
        match self {
            Offer::LumpSum { .. } => "一次性付款",
            Offer::Instalments { .. } => "分期付款",
            Offer::RunningRoyalty { .. } => "提成支付",
            Offer::EntryFeeRoyalty { .. } => "入门费+提成",
            Offer::Milestones { .. } => "里程碑付款",
            Offer::UseFirstPayLater { .. } => "先使用后付费",
        }
    }
}

/// `[finance.trade]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeInputs {
    /// The seller is state-owned (国有) or a public institute: reserve-price rules apply.
    #[serde(default)]
    pub state_owned: bool,
    /// Listing / auction reserve price proposed (default: the appraised value).
    #[serde(default)]
    pub reserve_price: Option<Money>,
    /// The mode intended.
    pub mode: TradeMode,
    /// Price factors by mode.
    #[serde(default)]
    pub mode_factors: ModeFactors,
    /// The buyer's discount rate (PV of the payment forms).
    #[serde(deserialize_with = "de_decimal")]
    pub buyer_rate: Decimal,
    /// The offers to compare (payment forms).
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// The research team's share of net proceeds (≥ 0.5 by law; default 0.5).
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub team_share: Option<Decimal>,
    /// Broker (技术经纪) commission on gross proceeds (default 0).
    #[serde(default, deserialize_with = "de_decimal")]
    pub broker_commission: Decimal,
    /// Other transaction costs deducted before the team's share (元, default 0).
    #[serde(default)]
    pub costs: Option<Money>,
}

fn check_frac(path: &str, d: Decimal, lo: Decimal, hi: Decimal, allowed: &str) -> Result<()> {
    if d < lo || d > hi {
        return Err(Error::field(path, d.normalize(), allowed.to_string()));
    }
    Ok(())
}

fn check_money(path: &str, m: Money, positive: bool) -> Result<()> {
    if m.is_negative() || (positive && m.is_zero()) {
        let allowed = if positive {
            "must be an amount in 元 above 0"
        } else {
            "must be an amount in 元, not negative"
        };
        return Err(Error::field(path, m, allowed));
    }
    Ok(())
}

fn check_weights(path: &str, f: &[Factor], score_max: Decimal, score_what: &str) -> Result<()> {
    if f.is_empty() {
        return Err(Error::field(path, "[]", "list at least one factor"));
    }
    let mut sum = Decimal::ZERO;
    for (i, x) in f.iter().enumerate() {
        check_frac(
            &format!("{path}[{i}].weight"),
            x.weight,
            Decimal::ZERO,
            Decimal::ONE,
            "must be a weight from 0 to 1",
        )?;
        check_frac(
            &format!("{path}[{i}].score"),
            x.score,
            Decimal::ZERO,
            score_max,
            score_what,
        )?;
        sum += x.weight;
    }
    if (sum - Decimal::ONE).abs() > Decimal::new(1, 9) {
        return Err(Error::field(
            format!("{path}[*].weight"),
            sum.normalize(),
            "weights must sum to 1",
        ));
    }
    Ok(())
}

fn check_sales(path: &str, s: &[Money]) -> Result<()> {
    for (i, m) in s.iter().enumerate() {
        check_money(&format!("{path}[{i}]"), *m, false)?;
    }
    if s.len() > 50 {
        return Err(Error::field(path, s.len(), "at most 50 years of sales"));
    }
    Ok(())
}

fn check_year(path: &str, y: Decimal) -> Result<()> {
    check_frac(
        path,
        y,
        Decimal::ZERO,
        Decimal::from(50),
        "must be a time in years from 0 to 50",
    )
}

impl FinanceInputs {
    /// Checks values and their relations; errors name `finance.*` field paths.
    pub fn validate(&self) -> Result<()> {
        let (z, one) = (Decimal::ZERO, Decimal::ONE);
        for (i, p) in self.pledges.iter().enumerate() {
            check_money(&format!("finance.pledges[{i}].value"), p.value, false)?;
        }
        if let Some(b) = &self.borrower {
            let p = "finance.borrower";
            for (f, m) in [
                ("revenue_last_year", b.revenue_last_year),
                ("own_funds", b.own_funds),
                ("existing_wc_loans", b.existing_wc_loans),
                ("other_funding", b.other_funding),
                ("cfads", b.cfads),
            ] {
                if let Some(m) = m {
                    check_money(&format!("{p}.{f}"), m, false)?;
                }
            }
            if let Some(x) = b.profit_margin_last_year {
                check_frac(
                    &format!("{p}.profit_margin_last_year"),
                    x,
                    -one,
                    one,
                    "must be a margin from -1 to 1",
                )?;
            }
            if let Some(x) = b.revenue_growth {
                check_frac(
                    &format!("{p}.revenue_growth"),
                    x,
                    -one,
                    Decimal::TEN,
                    "must be a growth rate from -1 to 10",
                )?;
            }
            if let Some(x) = b.working_capital_turnover {
                if x <= z || x > Decimal::from(360) {
                    return Err(Error::field(
                        format!("{p}.working_capital_turnover"),
                        x.normalize(),
                        "must be a number of turns per year above 0 and at most 360",
                    ));
                }
                if b.turnover_days.is_some() {
                    return Err(Error::field(
                        format!("{p}.turnover_days"),
                        "",
                        "give either working_capital_turnover or turnover_days, not both",
                    ));
                }
            }
            if let Some(d) = &b.turnover_days {
                for (f, v) in [
                    ("inventory", d.inventory),
                    ("receivables", d.receivables),
                    ("payables", d.payables),
                    ("prepayments", d.prepayments),
                    ("advances", d.advances),
                ] {
                    check_frac(
                        &format!("{p}.turnover_days.{f}"),
                        v,
                        z,
                        Decimal::from(3650),
                        "must be a number of days from 0 to 3650",
                    )?;
                }
                let net = d.inventory + d.receivables - d.payables + d.prepayments - d.advances;
                if net <= z {
                    return Err(Error::field(
                        format!("{p}.turnover_days"),
                        net.normalize(),
                        "inventory + receivables − payables + prepayments − advances must be above 0 days",
                    ));
                }
            }
            if let Some(x) = b.pd {
                check_frac(
                    &format!("{p}.pd"),
                    x,
                    z,
                    one,
                    "must be a probability from 0 to 1",
                )?;
            }
        }
        let l = &self.loan;
        if let Some(a) = l.amount {
            check_money("finance.loan.amount", a, true)?;
        }
        if let Some(t) = l.tenor_months {
            if !(1..=360).contains(&t) {
                return Err(Error::field(
                    "finance.loan.tenor_months",
                    t,
                    "must be from 1 to 360 months",
                ));
            }
        }
        if let Some(m) = l.periods_per_year {
            if ![1, 2, 4, 12].contains(&m) {
                return Err(Error::field(
                    "finance.loan.periods_per_year",
                    m,
                    "must be 12 (monthly), 4 (quarterly), 2 or 1",
                ));
            }
        }
        if let Some(s) = l.spread {
            check_frac(
                "finance.loan.spread",
                s,
                Decimal::new(-2, 1),
                Decimal::new(2, 1),
                "must be a spread from -0.2 to 0.2 (0.01 = 100 bp)",
            )?;
        }
        if let Some(d) = l.first_period_days {
            if !(1..=366).contains(&d) {
                return Err(Error::field(
                    "finance.loan.first_period_days",
                    d,
                    "must be from 1 to 366 days",
                ));
            }
        }
        if let Some(iv) = &self.invest {
            iv.validate()?;
        }
        if let Some(t) = &self.trade {
            t.validate()?;
        }
        Ok(())
    }
}

impl InvestInputs {
    fn validate(&self) -> Result<()> {
        let p = "finance.invest";
        let (z, one) = (Decimal::ZERO, Decimal::ONE);
        if let Some(m) = self.investment {
            check_money(&format!("{p}.investment"), m, true)?;
        }
        if let Some(m) = self.funding_need {
            check_money(&format!("{p}.funding_need"), m, true)?;
        }
        if !(1..=30).contains(&self.years) {
            return Err(Error::field(
                format!("{p}.years"),
                self.years,
                "must be from 1 to 30 years",
            ));
        }
        let given = [
            self.target_return.is_some(),
            self.target_multiple.is_some(),
            self.stage.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given > 1 {
            return Err(Error::field(
                format!("{p}.target_return"),
                "",
                "give only one of target_return, target_multiple or stage",
            ));
        }
        if let Some(r) = self.target_return {
            check_frac(
                &format!("{p}.target_return"),
                r,
                z,
                Decimal::from(5),
                "must be a yearly return from 0 to 5 (500%)",
            )?;
        }
        if let Some(m) = self.target_multiple {
            check_frac(
                &format!("{p}.target_multiple"),
                m,
                one,
                Decimal::from(1000),
                "must be a multiple from 1 to 1000",
            )?;
        }
        if let Some(x) = self.success_probability {
            if x <= z || x > one {
                return Err(Error::field(
                    format!("{p}.success_probability"),
                    x.normalize(),
                    "must be a probability above 0 and at most 1",
                ));
            }
        }
        if let Some(x) = self.retention {
            if x <= z || x > one {
                return Err(Error::field(
                    format!("{p}.retention"),
                    x.normalize(),
                    "must be a retention ratio above 0 and at most 1",
                ));
            }
        }
        if let Some(t) = &self.terminal {
            match (t.net_income, t.pe, t.value) {
                (Some(ni), Some(pe), None) => {
                    check_money(&format!("{p}.terminal.net_income"), ni, false)?;
                    check_frac(
                        &format!("{p}.terminal.pe"),
                        pe,
                        z,
                        Decimal::from(1000),
                        "must be a P/E multiple from 0 to 1000",
                    )?;
                }
                (None, None, Some(v)) => check_money(&format!("{p}.terminal.value"), v, false)?,
                _ => {
                    return Err(Error::field(
                        format!("{p}.terminal"),
                        "",
                        "give net_income and pe, or value (not both)",
                    ))
                }
            }
        }
        if !self.scenarios.is_empty() {
            let mut sum = z;
            for (i, s) in self.scenarios.iter().enumerate() {
                check_frac(
                    &format!("{p}.scenarios[{i}].probability"),
                    s.probability,
                    z,
                    one,
                    "must be a probability from 0 to 1",
                )?;
                check_money(
                    &format!("{p}.scenarios[{i}].terminal_value"),
                    s.terminal_value,
                    false,
                )?;
                if let Some(y) = s.years {
                    if !(1..=30).contains(&y) {
                        return Err(Error::field(
                            format!("{p}.scenarios[{i}].years"),
                            y,
                            "must be from 1 to 30 years",
                        ));
                    }
                }
                sum += s.probability;
            }
            if (sum - one).abs() > Decimal::new(1, 9) {
                return Err(Error::field(
                    format!("{p}.scenarios[*].probability"),
                    sum.normalize(),
                    "scenario probabilities must sum to 1",
                ));
            }
        }
        if let Some(s) = &self.scorecard {
            check_money(
                &format!("{p}.scorecard.average_pre_money"),
                s.average_pre_money,
                true,
            )?;
            check_weights(
                &format!("{p}.scorecard.factors"),
                &s.factors,
                Decimal::from(3),
                "must be a rating from 0 to 3 (1 = the average deal)",
            )?;
        }
        if let Some(c) = &self.checklist {
            check_money(
                &format!("{p}.checklist.max_pre_money"),
                c.max_pre_money,
                true,
            )?;
            check_weights(
                &format!("{p}.checklist.factors"),
                &c.factors,
                one,
                "must be an achievement from 0 to 1 of the factor's maximum",
            )?;
        }
        if let Some(c) = &self.convert {
            check_money(&format!("{p}.convert.funding"), c.funding, true)?;
            check_money(
                &format!("{p}.convert.next_post_money"),
                c.next_post_money,
                true,
            )?;
            check_frac(
                &format!("{p}.convert.discount"),
                c.discount,
                z,
                Decimal::new(9, 1),
                "must be a discount from 0 to 0.9",
            )?;
        }
        for (i, r) in self.rounds.iter().enumerate() {
            check_money(&format!("{p}.rounds[{i}].investment"), r.investment, true)?;
            check_money(&format!("{p}.rounds[{i}].pre_money"), r.pre_money, true)?;
            check_frac(
                &format!("{p}.rounds[{i}].option_pool"),
                r.option_pool,
                z,
                Decimal::new(5, 1),
                "must be a fraction of post-money from 0 to 0.5",
            )?;
        }
        Ok(())
    }
}

impl TradeInputs {
    fn validate(&self) -> Result<()> {
        let p = "finance.trade";
        let (z, one) = (Decimal::ZERO, Decimal::ONE);
        if let Some(r) = self.reserve_price {
            check_money(&format!("{p}.reserve_price"), r, true)?;
        }
        for m in TradeMode::ALL {
            check_frac(
                &format!("{p}.mode_factors.{}", m.as_str()),
                self.mode_factors.of(m),
                z,
                Decimal::from(5),
                "must be a factor from 0 to 5",
            )?;
        }
        check_frac(
            &format!("{p}.buyer_rate"),
            self.buyer_rate,
            z,
            Decimal::from(2),
            "must be a yearly discount rate from 0 to 2",
        )?;
        if let Some(t) = self.team_share {
            check_frac(
                &format!("{p}.team_share"),
                t,
                Decimal::new(5, 1),
                one,
                "must be from 0.5 to 1: 促进科技成果转化法 (2015) art. 45 gives the research team at least 50% of net proceeds",
            )?;
        }
        check_frac(
            &format!("{p}.broker_commission"),
            self.broker_commission,
            z,
            Decimal::new(5, 1),
            "must be a commission from 0 to 0.5",
        )?;
        if let Some(c) = self.costs {
            check_money(&format!("{p}.costs"), c, false)?;
        }
        for (i, o) in self.offers.iter().enumerate() {
            let q = format!("{p}.offers[{i}]");
            match o {
                Offer::LumpSum { amount, year } => {
                    check_money(&format!("{q}.amount"), *amount, false)?;
                    check_year(&format!("{q}.year"), *year)?;
                }
                Offer::Instalments {
                    amount,
                    count,
                    first_year,
                    every_years,
                } => {
                    check_money(&format!("{q}.amount"), *amount, false)?;
                    if !(1..=120).contains(count) {
                        return Err(Error::field(
                            format!("{q}.count"),
                            count,
                            "must be from 1 to 120 payments",
                        ));
                    }
                    check_year(&format!("{q}.first_year"), *first_year)?;
                    if *every_years <= z {
                        return Err(Error::field(
                            format!("{q}.every_years"),
                            every_years.normalize(),
                            "must be above 0 years",
                        ));
                    }
                    check_year(
                        &format!("{q}.every_years"),
                        *first_year + *every_years * Decimal::from(*count - 1),
                    )
                    .map_err(|_| {
                        Error::field(
                            format!("{q}.every_years"),
                            every_years.normalize(),
                            "the last instalment must fall within 50 years",
                        )
                    })?;
                }
                Offer::RunningRoyalty { rate, sales } => {
                    check_frac(
                        &format!("{q}.rate"),
                        *rate,
                        z,
                        one,
                        "must be a royalty rate from 0 to 1",
                    )?;
                    check_sales(&format!("{q}.sales"), sales)?;
                }
                Offer::EntryFeeRoyalty {
                    entry_fee,
                    rate,
                    sales,
                } => {
                    check_money(&format!("{q}.entry_fee"), *entry_fee, false)?;
                    check_frac(
                        &format!("{q}.rate"),
                        *rate,
                        z,
                        one,
                        "must be a royalty rate from 0 to 1",
                    )?;
                    check_sales(&format!("{q}.sales"), sales)?;
                }
                Offer::Milestones {
                    upfront,
                    milestones,
                } => {
                    if let Some(u) = upfront {
                        check_money(&format!("{q}.upfront"), *u, false)?;
                    }
                    if milestones.is_empty() {
                        return Err(Error::field(
                            format!("{q}.milestones"),
                            "[]",
                            "list at least one milestone",
                        ));
                    }
                    for (j, m) in milestones.iter().enumerate() {
                        check_money(&format!("{q}.milestones[{j}].amount"), m.amount, false)?;
                        check_year(&format!("{q}.milestones[{j}].year"), m.year)?;
                        check_frac(
                            &format!("{q}.milestones[{j}].probability"),
                            m.probability,
                            z,
                            one,
                            "must be a probability from 0 to 1",
                        )?;
                    }
                }
                Offer::UseFirstPayLater {
                    free_years,
                    take_up_probability,
                    fee,
                    rate,
                    sales,
                } => {
                    check_year(&format!("{q}.free_years"), *free_years)?;
                    check_frac(
                        &format!("{q}.take_up_probability"),
                        *take_up_probability,
                        z,
                        one,
                        "must be a probability from 0 to 1",
                    )?;
                    if let Some(f) = fee {
                        check_money(&format!("{q}.fee"), *f, false)?;
                    }
                    check_frac(
                        &format!("{q}.rate"),
                        *rate,
                        z,
                        one,
                        "must be a royalty rate from 0 to 1",
                    )?;
                    check_sales(&format!("{q}.sales"), sales)?;
                    if fee.is_none() && rate.is_zero() {
                        return Err(Error::field(
                            format!("{q}.fee"),
                            "",
                            "先使用后付费 needs a fee after the free period, a royalty rate, or both",
                        ));
                    }
                    if !rate.is_zero() && sales.is_empty() {
                        return Err(Error::field(
                            format!("{q}.sales"),
                            "[]",
                            "a royalty after the free period needs the licensee's sales",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
