//! The `[income]` section of a case file: methods, split rate, royalty, MPEEM and
//! with-and-without inputs, and the discount-rate specification (serde types only).

use crate::param::Param;
use serde::{Deserialize, Serialize};

/// Which income method to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeMethod {
    /// 利润分成: K_profit × profit stream.
    ProfitSplit,
    /// 收入分成: K_sales × revenue stream.
    RevenueSplit,
    /// Relief from royalty (IVS 210): revenue × royalty × (1 − tax), optional TAB.
    ReliefFromRoyalty,
    /// Multi-period excess earnings.
    Mpeem,
    /// PV(cash flows with the asset) − PV(without).
    WithWithout,
    /// 超额收益法, price premium: Δprice × volume × (1 − T) a year (`[income.excess]`).
    PricePremium,
    /// 超额收益法, cost saving: Δunit cost × volume × (1 − T) a year (`[income.excess]`).
    CostSaving,
}

pub use crate::valuation::discount::{Convention, DiscountMethod, DiscountSpec};

/// How the split rate K is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitMethod {
    /// `rate` as given, on `basis`.
    Given,
    /// 三分法: K_profit = 1/3.
    ThreePart,
    /// 四分法: K_profit = 1/4.
    FourPart,
    /// 约当投资分成法: K = C_ip(1+R_ip) / [C_ip(1+R_ip) + C_b(1+R_b)] (a profit split).
    EquivalentInvestment,
    /// 综合评价法: K_sales = K_min + (K_max − K_min) × weighted score (industry range).
    Scoring,
}

/// What a split rate is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitBasis {
    /// A share of profit (K_profit).
    Profit,
    /// A share of sales (K_sales = K_profit × margin).
    Sales,
}

/// `[income.split]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    /// How K is set.
    pub method: SplitMethod,
    /// K (method = given).
    #[serde(default)]
    pub rate: Option<Param>,
    /// What the given rate is a share of (method = given; default profit).
    #[serde(default)]
    pub basis: Option<SplitBasis>,
    /// Profit margin, to convert K_profit ↔ K_sales when the stream differs from the basis.
    #[serde(default)]
    pub margin: Option<Param>,
    /// Yearly decay of K: K_t = K_1 × (1 − decay)^(t−1).
    #[serde(default)]
    pub decay: Option<Param>,
    /// Round K to this many decimal places (as a fraction) before use, as published cases do.
    #[serde(default)]
    pub round_dp: Option<u32>,
    /// Replacement cost of the IP, C_ip (equivalent_investment), 元.
    #[serde(default)]
    pub ip_cost: Option<Param>,
    /// Cost-profit rate of the IP, R_ip (equivalent_investment).
    #[serde(default)]
    pub ip_cost_profit_rate: Option<Param>,
    /// Replacement cost of the licensee's other assets, C_b (equivalent_investment), 元.
    #[serde(default)]
    pub other_assets_cost: Option<Param>,
    /// Cost-profit rate of the other assets, R_b (equivalent_investment).
    #[serde(default)]
    pub other_assets_profit_rate: Option<Param>,
    /// Factor scores in [0, 1] by factor id of `models/split_scoring.toml` (scoring).
    #[serde(default)]
    pub scores: Option<std::collections::BTreeMap<String, Param>>,
    /// Take the factor scores from the case's `[scoring]` ratings on this tree (`gbt42748`,
    /// `cnipa`): each factor's score is the tree's dimension score / 100 (scoring). Resolved
    /// into `scores` when the case is prepared (`Case::prepare`); give one or the other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring_model: Option<String>,
    /// Industry sector id to use instead of the subject's industry code (scoring).
    #[serde(default)]
    pub sector: Option<String>,
    /// Lower end of the range instead of the industry's (scoring).
    #[serde(default)]
    pub k_min: Option<Param>,
    /// Upper end of the range instead of the industry's (scoring).
    #[serde(default)]
    pub k_max: Option<Param>,
}

/// `[income.royalty]` (relief from royalty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoyaltySpec {
    /// Royalty on sales; when absent, `[income.split]` sets it on a sales basis.
    #[serde(default)]
    pub rate: Option<Param>,
    /// Income tax rate T.
    pub tax_rate: Param,
    /// Apply the tax amortisation benefit TAB = 1/(1 − T·AF(r,N)/N).
    #[serde(default)]
    pub tab: bool,
    /// Tax amortisation life N in years, when a law or the contract fixes the use period
    /// (default: the jurisdiction's minimum, `models/tax.toml`: 10 years in China).
    #[serde(default)]
    pub tab_life: Option<u32>,
}

/// Kind of contributory asset in MPEEM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributoryKind {
    /// Net working capital.
    WorkingCapital,
    /// Fixed assets.
    FixedAssets,
    /// Assembled workforce.
    Workforce,
    /// Other intangibles (trademarks, customer relationships, …).
    OtherIntangibles,
}

/// One contributory asset charge: charge_t = revenue_t × balance_ratio × (return_on + return_of).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributoryCharge {
    /// Kind of asset.
    pub kind: ContributoryKind,
    /// Label for the report.
    #[serde(default)]
    pub name: Option<String>,
    /// Asset balance as a fraction of revenue.
    pub balance_ratio: Param,
    /// Required return on the asset.
    pub return_on: Param,
    /// Return of the asset (depreciation / replacement), as a fraction of the balance.
    #[serde(default)]
    pub return_of: Option<Param>,
}

/// `[income.mpeem]`. The earnings are an EBIT margin (after depreciation: the charges are a
/// return **on** each contributory asset only) or an EBITDA margin (before depreciation: the
/// charges may add a return **of** the fixed assets, which replaces the depreciation). A return
/// of against an EBIT margin would deduct depreciation twice and is rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MpeemSpec {
    /// EBIT margin on revenue (give this or `ebitda_margin`).
    #[serde(default)]
    pub ebit_margin: Option<Param>,
    /// EBITDA margin on revenue (with `return_of` charges for the fixed assets).
    #[serde(default)]
    pub ebitda_margin: Option<Param>,
    /// Income tax rate.
    pub tax_rate: Param,
    /// Contributory asset charges.
    #[serde(default)]
    pub charges: Vec<ContributoryCharge>,
}

/// `[income.excess]`: 超额收益法 for a process patent or know-how — the after-tax excess
/// earnings a year are `per_unit × volume_t × (1 − T)`, `per_unit` the price premium the
/// technology earns (`price_premium`) or the unit cost it saves (`cost_saving`), 元 a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcessSpec {
    /// 元 a unit: Δprice (price premium) or Δunit cost (cost saving).
    pub per_unit: Param,
    /// Units a year, years 1, 2, … (past the list the last year grows by `income.growth`).
    pub volume: Vec<Param>,
    /// Income tax rate on the excess earnings.
    pub tax_rate: Param,
}

/// `[income.with_without]`: yearly net cash flows with and without the asset, 元.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithWithoutSpec {
    /// Cash flows with the asset.
    pub with: Vec<Param>,
    /// Cash flows without it.
    pub without: Vec<Param>,
}

/// `[income]` of a case file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomeAssumptions {
    /// The method.
    pub method: IncomeMethod,
    /// Remaining economic life in years (the horizon is the smaller of this and the legal term).
    pub economic_life: Param,
    /// End-year (default) or mid-year discounting.
    #[serde(default)]
    pub convention: Convention,
    /// The discount rate.
    pub discount: DiscountSpec,
    /// Yearly revenue from products using the technology, 元 (year 1 = first year after the
    /// valuation date). Needed by revenue_split, relief_from_royalty and mpeem.
    #[serde(default)]
    pub revenue: Vec<Param>,
    /// Yearly profit attributable to those products, 元 (profit_split).
    #[serde(default)]
    pub profit: Vec<Param>,
    /// Growth applied after the last given year when the horizon is longer than the list.
    #[serde(default)]
    pub growth: Option<Param>,
    /// A factor on the whole stream (default 1): the handle for uncertainty on its level.
    #[serde(default)]
    pub stream_scale: Option<Param>,
    /// Split rate (profit_split, revenue_split; relief_from_royalty without `royalty.rate`).
    #[serde(default)]
    pub split: Option<SplitSpec>,
    /// Relief-from-royalty settings.
    #[serde(default)]
    pub royalty: Option<RoyaltySpec>,
    /// MPEEM settings.
    #[serde(default)]
    pub mpeem: Option<MpeemSpec>,
    /// 超额收益法 inputs (price premium or cost saving).
    #[serde(default)]
    pub excess: Option<ExcessSpec>,
    /// With-and-without cash flows.
    #[serde(default)]
    pub with_without: Option<WithWithoutSpec>,
}
impl IncomeMethod {
    /// Schema name (`profit_split`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IncomeMethod::ProfitSplit => "profit_split",
            IncomeMethod::RevenueSplit => "revenue_split",
            IncomeMethod::ReliefFromRoyalty => "relief_from_royalty",
            IncomeMethod::Mpeem => "mpeem",
            IncomeMethod::WithWithout => "with_without",
            IncomeMethod::PricePremium => "price_premium",
            IncomeMethod::CostSaving => "cost_saving",
        }
    }
}

impl SplitMethod {
    /// Schema name (`given`, `three_part`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SplitMethod::Given => "given",
            SplitMethod::ThreePart => "three_part",
            SplitMethod::FourPart => "four_part",
            SplitMethod::EquivalentInvestment => "equivalent_investment",
            SplitMethod::Scoring => "scoring",
        }
    }
}

impl SplitBasis {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SplitBasis::Profit => "profit",
            SplitBasis::Sales => "sales",
        }
    }
}
