//! Income approach (收益法): V = Σ_{t=1..n} K_t·B_t·DF_t.
//!
//! Methods ([`IncomeMethod`]): profit split (利润分成), revenue split (收入分成), relief from
//! royalty with tax and optional tax amortisation benefit, MPEEM (multi-period excess earnings),
//! with-and-without. The split rate K is given, or set by 三分法 / 四分法, 约当投资分成法 or
//! 综合评价法 (scoring inside the industry range of `models/royalty_ranges.toml`), with an
//! optional yearly decay. The discount rate comes from [`crate::valuation::discount`].
//!
//! Conventions (stated once, used by both the audited `Decimal` path [`value`] and the fast
//! `f64` path [`IncomePlan`]):
//! * **Horizon.** n = min(remaining legal term, economic life), capped at 100 years. The legal
//!   term runs from `subject.filing_date` for the statutory years of the kind
//!   (`models/legal_terms.toml`): expiry = filing date + years (the calendar anniversary).
//!   The remaining term at the valuation date is the number of whole years to expiry plus the
//!   rest as days over the days of that last (partial) year. Kinds without a statutory term
//!   (know-how, achievements, trademarks) use the economic life alone.
//! * **Periods.** Period t = 1 … ⌊n⌋ are full years after the valuation date; when n has a
//!   fraction f > 0, one more period of length f follows, and its stream is taken pro rata
//!   (B × f). Discount time: end-year t (full) and k + f (partial, after k full years);
//!   mid-year t − ½ and k + f/2.
//! * **Streams.** `revenue[i]` / `profit[i]` / `with_without` are years 1, 2, …; past the list
//!   the last year grows by `growth` a year (required when the horizon can run past the list).
//!   Every period's stream is multiplied by `stream_scale` (default 1).
//! * **Split rate.** K_1 comes from `[income.split]` on its natural basis (given: `basis`,
//!   default profit; 三分法 / 四分法 / 约当投资: profit; 综合评价法: sales) and is converted to the
//!   basis the stream needs: K_sales = K_profit × margin, K_profit = K_sales / margin (an error
//!   when `margin` is missing). `round_dp` then rounds the converted K_1 (half away from zero),
//!   and K_t = K_1 × (1 − decay)^(t−1).
//! * **Per-period rate** (the `rate` of a [`PeriodRow`], so that attributable = base × rate):
//!   profit / revenue split K_t; relief from royalty K_t × (1 − T); MPEEM the excess-earnings
//!   margin EBIT·(1 − T) − Σ balance·(return on + return of); with-and-without 1 (the base is the
//!   difference of the two cash flows).
//! * **TAB** (relief from royalty, `royalty.tab = true`): TAB = 1/(1 − T·AF(r, N)/N), AF the
//!   annuity factor of the same convention, N = `royalty.tab_life` or ⌈n⌉.
//! * **Rounding.** Everything is computed at full `Decimal` precision; the value is rounded to
//!   the fen, half away from zero, at the end (period rows stay unrounded).

use crate::param::{Dist, Param};
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
}

/// Discounting convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// Cash flows at the end of each year (t = 1, 2, …).
    #[default]
    EndYear,
    /// Cash flows in the middle of each year (t = 0.5, 1.5, …).
    MidYear,
}

/// How the discount rate is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountMethod {
    /// `rate` as given.
    Given,
    /// 风险累加法: r = Rf + technology + market + capital + management.
    BuildUp,
    /// r = Rf + β·ERP + size + specific.
    Capm,
}

/// `[income.discount]`. Components left out take their defaults from `models/discount.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountSpec {
    /// How the rate is set.
    pub method: DiscountMethod,
    /// The rate (method = given).
    #[serde(default)]
    pub rate: Option<Param>,
    /// Risk-free rate (build_up, capm); default by valuation year from the models.
    #[serde(default)]
    pub risk_free: Option<Param>,
    /// Technology risk premium (build_up).
    #[serde(default)]
    pub technology: Option<Param>,
    /// Market risk premium (build_up).
    #[serde(default)]
    pub market: Option<Param>,
    /// Capital / financial risk premium (build_up).
    #[serde(default)]
    pub capital: Option<Param>,
    /// Management risk premium (build_up).
    #[serde(default)]
    pub management: Option<Param>,
    /// Beta (capm).
    #[serde(default)]
    pub beta: Option<Param>,
    /// Equity risk premium (capm).
    #[serde(default)]
    pub erp: Option<Param>,
    /// Size premium (capm).
    #[serde(default)]
    pub size: Option<Param>,
    /// Company-specific premium (capm).
    #[serde(default)]
    pub specific: Option<Param>,
}

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
    /// Tax amortisation life N in years (default: the horizon rounded up).
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

/// `[income.mpeem]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MpeemSpec {
    /// EBIT margin on revenue.
    pub ebit_margin: Param,
    /// Income tax rate.
    pub tax_rate: Param,
    /// Contributory asset charges.
    #[serde(default)]
    pub charges: Vec<ContributoryCharge>,
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
    /// With-and-without cash flows.
    #[serde(default)]
    pub with_without: Option<WithWithoutSpec>,
}

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::models::ModelBook;
use crate::money::{round_half_away, Money};
use crate::subject::Subject;
use crate::valuation::discount::{self, DiscountPlan};
use crate::valuation::{Approach, Model, PeriodRow, PlanInput, Valuation};
use chrono::{Months, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, MathematicalOps};

/// The longest horizon the income approach computes, in years.
pub const MAX_YEARS: u32 = 100;

impl IncomeMethod {
    /// Schema name (`profit_split`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IncomeMethod::ProfitSplit => "profit_split",
            IncomeMethod::RevenueSplit => "revenue_split",
            IncomeMethod::ReliefFromRoyalty => "relief_from_royalty",
            IncomeMethod::Mpeem => "mpeem",
            IncomeMethod::WithWithout => "with_without",
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
    fn as_str(self) -> &'static str {
        match self {
            SplitBasis::Profit => "profit",
            SplitBasis::Sales => "sales",
        }
    }
}

/// The statutory term of a subject and what is left of it at the valuation date.
#[derive(Debug, Clone, PartialEq)]
pub struct LegalTerm {
    /// Statutory years from filing.
    pub years: u32,
    /// Filing date.
    pub filing: NaiveDate,
    /// Expiry: filing date + `years` (calendar anniversary).
    pub expiry: NaiveDate,
    /// Remaining years at the valuation date (0 when expired): whole years plus the rest as
    /// days over the days of the partial year.
    pub remaining: Decimal,
}

fn add_years(d: NaiveDate, y: u32) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(y.checked_mul(12)?))
}

/// The remaining legal term of the subject (`None`: the kind has no statutory term).
pub fn legal_term(s: &Subject, m: &ModelBook) -> Result<Option<LegalTerm>> {
    let Some(years) = m.legal.years(s.kind, s.filing_date) else {
        return Ok(None);
    };
    let filing = s.filing_date.ok_or_else(|| {
        Error::field(
            "subject.filing_date",
            "",
            format!(
                "is required for kind {} (its {years}-year legal term runs from it)",
                s.kind.as_str()
            ),
        )
    })?;
    let bad_date = || {
        Error::field(
            "subject.filing_date",
            filing,
            "the legal term from this date falls outside the calendar",
        )
    };
    let expiry = add_years(filing, years).ok_or_else(bad_date)?;
    let v = s.valuation_date;
    let remaining = if expiry <= v {
        Decimal::ZERO
    } else {
        let mut whole = 0u32;
        while let Some(next) = add_years(v, whole + 1) {
            if next > expiry {
                break;
            }
            whole += 1;
        }
        let from = add_years(v, whole).ok_or_else(bad_date)?;
        let to = add_years(v, whole + 1).ok_or_else(bad_date)?;
        let rest = (expiry - from).num_days();
        let len = (to - from).num_days().max(1);
        Decimal::from(whole) + Decimal::from(rest) / Decimal::from(len)
    };
    Ok(Some(LegalTerm {
        years,
        filing,
        expiry,
        remaining,
    }))
}

/// How K_1 is formed.
#[derive(Debug, Clone)]
enum KPlan {
    /// No split rate (MPEEM, with-and-without).
    None,
    /// 三分法 / 四分法.
    Const { k: Decimal, kf: f64 },
    /// Given.
    Given { ix: usize },
    /// 约当投资分成法.
    Equivalent {
        c_ip: usize,
        r_ip: usize,
        c_b: usize,
        r_b: usize,
    },
    /// 综合评价法.
    Scoring {
        k_min: usize,
        k_max: usize,
        /// (input index, weight, weight as f64, factor id)
        scores: Vec<(usize, Decimal, f64, String)>,
        range_source: String,
    },
    /// `royalty.rate` given directly.
    Royalty { ix: usize },
}

#[derive(Debug, Clone, Copy)]
enum Conversion {
    None,
    ToSales(usize),
    ToProfit(usize),
}

#[derive(Debug, Clone)]
enum PerPeriod {
    Split,
    Royalty {
        tax: usize,
    },
    Mpeem {
        ebit: usize,
        tax: usize,
        charges: Vec<(usize, usize, Option<usize>)>,
    },
    One,
}

#[derive(Debug, Clone)]
struct StreamPlan {
    /// `income.revenue`, `income.profit` or `income.with_without.with`.
    path: &'static str,
    start: usize,
    len: usize,
    without: Option<usize>,
    growth: Option<usize>,
    scale: Option<usize>,
}

/// The income approach compiled for repeated evaluation: [`Model`] in `f64` for Monte Carlo and
/// sensitivity, and the audited `Decimal` computation behind [`value`]. Both walk the same
/// inputs in the same order.
#[derive(Debug, Clone)]
pub struct IncomePlan {
    inputs: Vec<PlanInput>,
    method: IncomeMethod,
    convention: Convention,
    discount: DiscountPlan,
    disc_start: usize,
    life_ix: usize,
    legal: Option<LegalTerm>,
    legal_f: f64,
    stream: StreamPlan,
    k: KPlan,
    k_basis: SplitBasis,
    k_label: String,
    conversion: Conversion,
    round_dp: Option<u32>,
    round_scale: f64,
    decay: Option<usize>,
    per: PerPeriod,
    tab: bool,
    tab_life: Option<u32>,
    warnings: Vec<String>,
}

fn shown(d: Decimal) -> String {
    d.normalize().to_string()
}

fn req<'a, T>(o: &'a Option<T>, path: &str, why: &str) -> Result<&'a T> {
    o.as_ref()
        .ok_or_else(|| Error::field(path, "", why.to_string()))
}

fn dec(i: i64, scale: u32) -> Option<Decimal> {
    Some(Decimal::new(i, scale))
}

/// Range check that also requires every possible value to be above 0.
fn positive(p: &Param, path: &str, hi: Option<Decimal>, allowed: &str) -> Result<()> {
    p.check_range(path, Some(Decimal::ZERO), hi, allowed)?;
    if p.support().0.is_none_or(|m| m <= Decimal::ZERO) {
        return Err(Error::field(path, p.shown(), allowed.to_string()));
    }
    Ok(())
}

struct Builder {
    inputs: Vec<PlanInput>,
}

impl Builder {
    fn push(&mut self, path: impl Into<String>, p: &Param) -> usize {
        self.inputs.push(PlanInput {
            path: path.into(),
            param: p.clone(),
        });
        self.inputs.len() - 1
    }
    fn opt(&mut self, path: &str, p: &Option<Param>) -> Option<usize> {
        p.as_ref().map(|p| self.push(path, p))
    }
}

/// Checks the income assumptions (values and their relations), naming field paths `income.*`,
/// e.g. `income.discount.rate = 0.08: must exceed income.growth = 0.1`.
pub fn validate(a: &IncomeAssumptions, s: &Subject, m: &ModelBook) -> Result<()> {
    IncomePlan::compile(a, s, m).map(|_| ())
}

fn stream_check(list: &[Param], path: &str, negative_ok: bool) -> Result<()> {
    if list.len() > MAX_YEARS as usize {
        return Err(Error::field(
            path,
            format!("{} entries", list.len()),
            format!("at most {MAX_YEARS} years"),
        ));
    }
    for (i, p) in list.iter().enumerate() {
        p.check_money(&format!("{path}[{i}]"), negative_ok)?;
    }
    Ok(())
}

fn need_stream<'a>(
    list: &'a [Param],
    path: &str,
    method: IncomeMethod,
    what: &str,
) -> Result<&'a [Param]> {
    if list.is_empty() {
        return Err(Error::field(
            path,
            "",
            format!(
                "required (at least one year of {what}, 元) when income.method = {}",
                method.as_str()
            ),
        ));
    }
    Ok(list)
}

impl IncomePlan {
    /// Validates the assumptions and compiles them. Lists every scalar numeric input with its
    /// case field path: `income.economic_life`, the discount components (defaults taken from the
    /// models appear as fixed inputs under their case path), `income.growth`,
    /// `income.stream_scale`, the stream (`income.revenue[i]`, …), the split inputs
    /// (`income.split.rate`, `income.split.scores.legal`, `income.split.k_min`, …), the royalty,
    /// MPEEM and with-and-without inputs.
    pub fn compile(a: &IncomeAssumptions, s: &Subject, m: &ModelBook) -> Result<IncomePlan> {
        let mut b = Builder { inputs: Vec::new() };
        let mut warnings = Vec::new();
        let method = a.method;

        // Economic life.
        a.economic_life.check_range(
            "income.economic_life",
            Some(Decimal::ZERO),
            Some(Decimal::from(MAX_YEARS)),
            "must be a number of years from 0 to 100",
        )?;
        let life_ix = b.push("income.economic_life", &a.economic_life);

        // Discount rate.
        let discount = DiscountPlan::resolve(&a.discount, s, m)?;
        let disc_start = b.inputs.len();
        for c in &discount.components {
            b.push(c.path.clone(), &c.param);
        }
        let r = discount.rate(&discount.points());

        // Growth, scale.
        if let Some(g) = &a.growth {
            g.check_range(
                "income.growth",
                dec(-50, 2),
                dec(50, 2),
                "must be a yearly growth rate from -0.5 to 0.5",
            )?;
            if r <= g.point {
                let (path, rv) = match a.discount.method {
                    DiscountMethod::Given => ("income.discount.rate".to_string(), shown(r)),
                    DiscountMethod::BuildUp => {
                        ("income.discount".into(), format!("{} (build_up)", shown(r)))
                    }
                    DiscountMethod::Capm => {
                        ("income.discount".into(), format!("{} (capm)", shown(r)))
                    }
                };
                return Err(Error::field(
                    path,
                    rv,
                    format!("must exceed income.growth = {}", shown(g.point)),
                ));
            }
        }
        if let Some(sc) = &a.stream_scale {
            // A lognormal (or normal) factor has no upper bound: like amounts of money
            // (`Param::check_money`), it is accepted when mean + 10·sd stays within the limit.
            let allowed = "must be a factor from 0 to 100 (an unbounded lognormal or normal: mean + 10·sd at most 100)";
            let hundred = Decimal::from(100);
            let tail = match &sc.dist {
                Some(Dist::Lognormal { mean, sd })
                | Some(Dist::Normal {
                    mean,
                    sd,
                    max: None,
                    ..
                }) => Some(*mean + *sd * Decimal::TEN),
                _ => None,
            };
            let hi = match tail {
                Some(t) if t <= hundred => None,
                _ => Some(hundred),
            };
            sc.check_range("income.stream_scale", Some(Decimal::ZERO), hi, allowed)?;
        }
        let growth_ix = b.opt("income.growth", &a.growth);
        let scale_ix = b.opt("income.stream_scale", &a.stream_scale);

        // Sections that the method does not use: say so, do not fail (a case may keep several).
        let unused = |name: &str, present: bool, warnings: &mut Vec<String>| {
            if present {
                warnings.push(format!(
                    "income.{name} is ignored: income.method = {}",
                    method.as_str()
                ));
            }
        };
        let uses_split = matches!(
            method,
            IncomeMethod::ProfitSplit
                | IncomeMethod::RevenueSplit
                | IncomeMethod::ReliefFromRoyalty
        );
        unused(
            "royalty",
            a.royalty.is_some() && method != IncomeMethod::ReliefFromRoyalty,
            &mut warnings,
        );
        unused(
            "mpeem",
            a.mpeem.is_some() && method != IncomeMethod::Mpeem,
            &mut warnings,
        );
        unused(
            "with_without",
            a.with_without.is_some() && method != IncomeMethod::WithWithout,
            &mut warnings,
        );
        unused("split", a.split.is_some() && !uses_split, &mut warnings);

        // The stream.
        let (stream_path, list, without): (&'static str, &[Param], Option<&[Param]>) = match method
        {
            IncomeMethod::ProfitSplit => (
                "income.profit",
                need_stream(&a.profit, "income.profit", method, "profit")?,
                None,
            ),
            IncomeMethod::RevenueSplit | IncomeMethod::ReliefFromRoyalty | IncomeMethod::Mpeem => (
                "income.revenue",
                need_stream(&a.revenue, "income.revenue", method, "revenue")?,
                None,
            ),
            IncomeMethod::WithWithout => {
                let ww = req(
                    &a.with_without,
                    "income.with_without",
                    "required when income.method = with_without (yearly cash flows `with` and `without` the asset)",
                )?;
                need_stream(
                    &ww.with,
                    "income.with_without.with",
                    method,
                    "cash flow with the asset",
                )?;
                need_stream(
                    &ww.without,
                    "income.with_without.without",
                    method,
                    "cash flow without the asset",
                )?;
                if ww.with.len() != ww.without.len() {
                    return Err(Error::field(
                        "income.with_without.without",
                        format!("{} years", ww.without.len()),
                        format!(
                            "must list as many years as income.with_without.with ({})",
                            ww.with.len()
                        ),
                    ));
                }
                (
                    "income.with_without.with",
                    &ww.with[..],
                    Some(&ww.without[..]),
                )
            }
        };
        let negative_ok = !matches!(
            method,
            IncomeMethod::RevenueSplit | IncomeMethod::ReliefFromRoyalty | IncomeMethod::Mpeem
        );
        stream_check(list, stream_path, negative_ok)?;
        if let Some(w) = without {
            stream_check(w, "income.with_without.without", true)?;
        }
        if method != IncomeMethod::ProfitSplit && !a.profit.is_empty() {
            stream_check(&a.profit, "income.profit", true)?;
        }
        if !matches!(
            method,
            IncomeMethod::RevenueSplit | IncomeMethod::ReliefFromRoyalty | IncomeMethod::Mpeem
        ) && !a.revenue.is_empty()
        {
            stream_check(&a.revenue, "income.revenue", false)?;
        }
        let start = b.inputs.len();
        for (i, p) in list.iter().enumerate() {
            b.push(format!("{stream_path}[{i}]"), p);
        }
        let without_ix = without.map(|w| {
            let st = b.inputs.len();
            for (i, p) in w.iter().enumerate() {
                b.push(format!("income.with_without.without[{i}]"), p);
            }
            st
        });

        // Horizon: the legal term, and whether the stream covers it.
        let legal = legal_term(s, m)?;
        let legal_f = legal
            .as_ref()
            .map_or(f64::INFINITY, |l| l.remaining.to_f64().unwrap_or(0.0));
        let life_max = a.economic_life.support().1;
        let h_max = match (&legal, life_max) {
            (Some(l), Some(x)) => Some(l.remaining.min(x)),
            (Some(l), None) => Some(l.remaining),
            (None, x) => x,
        };
        if a.growth.is_none() && h_max.is_none_or(|h| h > Decimal::from(list.len() as u64)) {
            return Err(Error::field(
                "income.growth",
                "",
                format!(
                    "required: the horizon can reach {} years but {stream_path} lists {}; give income.growth (0 holds the last year flat) or more years",
                    h_max.map_or("an unbounded number of".to_string(), |h| shown(round_half_away(h, 4))),
                    list.len()
                ),
            ));
        }
        if let (Some(g), Some(h)) = (&a.growth, h_max) {
            // The stream grown past the list must stay a sane amount (and Decimal must not
            // overflow): last given year × (1 + g)^(horizon − years listed) ≤ 10^15 元.
            let extra = (h.ceil() - Decimal::from(list.len() as u64)).max(Decimal::ZERO);
            let last = |l: &[Param]| {
                l.last()
                    .map_or(0.0, |p| p.point.abs().to_f64().unwrap_or(0.0))
            };
            let b_last = last(list) + without.map_or(0.0, last);
            let g_hi = g.support().1.unwrap_or(g.point).to_f64().unwrap_or(0.0);
            let grown = b_last * (1.0 + g_hi).powf(extra.to_f64().unwrap_or(0.0));
            if grown > crate::money::MAX_INPUT_YUAN as f64 {
                return Err(Error::field(
                    "income.growth",
                    g.shown(),
                    format!(
                        "grows {stream_path} past 10^15 元 within the horizon of {} years; lower the growth or the horizon",
                        shown(round_half_away(h, 4))
                    ),
                ));
            }
        }
        if let Some(l) = &legal {
            if l.remaining.is_zero() {
                warnings.push(format!(
                    "the {}-year legal term expired on {} (before the valuation date {}): the income value is 0",
                    l.years, l.expiry, s.valuation_date
                ));
            }
        }

        // Split rate / royalty / MPEEM.
        let need_basis = match method {
            IncomeMethod::ProfitSplit => Some(SplitBasis::Profit),
            IncomeMethod::RevenueSplit | IncomeMethod::ReliefFromRoyalty => Some(SplitBasis::Sales),
            _ => None,
        };
        let mut k = KPlan::None;
        let mut k_basis = SplitBasis::Sales;
        let mut k_label = String::new();
        let mut conversion = Conversion::None;
        let mut round_dp = None;
        let mut decay = None;
        let mut per = PerPeriod::One;
        let mut tab = false;
        let mut tab_life = None;

        if method == IncomeMethod::ReliefFromRoyalty {
            let roy = req(
                &a.royalty,
                "income.royalty",
                "required when income.method = relief_from_royalty (royalty rate, tax_rate, tab)",
            )?;
            roy.tax_rate.check_range(
                "income.royalty.tax_rate",
                Some(Decimal::ZERO),
                dec(99, 2),
                "must be a tax rate from 0 to 0.99",
            )?;
            if let Some(n) = roy.tab_life {
                if !(1..=MAX_YEARS).contains(&n) {
                    return Err(Error::field(
                        "income.royalty.tab_life",
                        n,
                        "must be a tax amortisation life from 1 to 100 years",
                    ));
                }
                if !roy.tab {
                    warnings.push(
                        "income.royalty.tab_life is ignored: income.royalty.tab = false".into(),
                    );
                }
            }
            tab = roy.tab;
            tab_life = roy.tab_life;
            match &roy.rate {
                Some(rate) => {
                    rate.check_range(
                        "income.royalty.rate",
                        Some(Decimal::ZERO),
                        Some(Decimal::ONE),
                        "must be a royalty rate on sales from 0 to 1",
                    )?;
                    k = KPlan::Royalty {
                        ix: b.push("income.royalty.rate", rate),
                    };
                    k_basis = SplitBasis::Sales;
                    k_label = "royalty rate on sales (case: income.royalty.rate)".into();
                    if a.split.is_some() {
                        warnings
                            .push("income.split is ignored: income.royalty.rate is given".into());
                    }
                }
                None => {
                    if a.split.is_none() {
                        return Err(Error::field(
                            "income.royalty.rate",
                            "",
                            "required when income.split is absent (give the royalty on sales, or an [income.split] that sets it)",
                        ));
                    }
                }
            }
            let tax = b.push("income.royalty.tax_rate", &roy.tax_rate);
            per = PerPeriod::Royalty { tax };
        }

        let split_needed = matches!(
            method,
            IncomeMethod::ProfitSplit | IncomeMethod::RevenueSplit
        ) || (method == IncomeMethod::ReliefFromRoyalty
            && matches!(k, KPlan::None));
        if split_needed {
            let sp = req(
                &a.split,
                "income.split",
                &format!(
                    "required when income.method = {} (how the split rate K is set)",
                    method.as_str()
                ),
            )?;
            let c = compile_split(sp, s, m, &mut b)?;
            k = c.k;
            k_basis = c.basis;
            k_label = c.label;
            decay = c.decay;
            round_dp = sp.round_dp;
            let need = need_basis.unwrap_or(SplitBasis::Sales);
            conversion = match (k_basis, need) {
                (SplitBasis::Profit, SplitBasis::Sales)
                | (SplitBasis::Sales, SplitBasis::Profit) => {
                    let ix = c.margin.ok_or_else(|| {
                        Error::field(
                            "income.split.margin",
                            "",
                            format!(
                                "required to convert K_{} to K_{} (split method {} sets K on {}, income.method = {} applies it to {}): K_sales = K_profit × margin",
                                k_basis.as_str(),
                                need.as_str(),
                                sp.method.as_str(),
                                k_basis.as_str(),
                                method.as_str(),
                                need.as_str()
                            ),
                        )
                    })?;
                    if need == SplitBasis::Sales {
                        Conversion::ToSales(ix)
                    } else {
                        Conversion::ToProfit(ix)
                    }
                }
                _ => Conversion::None,
            };
            if method != IncomeMethod::ReliefFromRoyalty {
                per = PerPeriod::Split;
            }
        }

        if method == IncomeMethod::Mpeem {
            let mp = req(
                &a.mpeem,
                "income.mpeem",
                "required when income.method = mpeem (ebit_margin, tax_rate, contributory asset charges)",
            )?;
            mp.ebit_margin.check_range(
                "income.mpeem.ebit_margin",
                Some(-Decimal::ONE),
                Some(Decimal::ONE),
                "must be an EBIT margin on revenue from -1 to 1",
            )?;
            mp.tax_rate.check_range(
                "income.mpeem.tax_rate",
                Some(Decimal::ZERO),
                dec(99, 2),
                "must be a tax rate from 0 to 0.99",
            )?;
            let ebit = b.push("income.mpeem.ebit_margin", &mp.ebit_margin);
            let tax = b.push("income.mpeem.tax_rate", &mp.tax_rate);
            let mut charges = Vec::new();
            for (i, c) in mp.charges.iter().enumerate() {
                let p = format!("income.mpeem.charges[{i}]");
                c.balance_ratio.check_range(
                    &format!("{p}.balance_ratio"),
                    Some(Decimal::ZERO),
                    Some(Decimal::TEN),
                    "must be an asset balance as a fraction of revenue from 0 to 10",
                )?;
                c.return_on.check_range(
                    &format!("{p}.return_on"),
                    Some(Decimal::ZERO),
                    Some(Decimal::ONE),
                    "must be a required return from 0 to 1",
                )?;
                if let Some(of) = &c.return_of {
                    of.check_range(
                        &format!("{p}.return_of"),
                        Some(Decimal::ZERO),
                        Some(Decimal::ONE),
                        "must be a return of the asset (fraction of the balance) from 0 to 1",
                    )?;
                }
                let bi = b.push(format!("{p}.balance_ratio"), &c.balance_ratio);
                let on = b.push(format!("{p}.return_on"), &c.return_on);
                let of = b.opt(&format!("{p}.return_of"), &c.return_of);
                charges.push((bi, on, of));
            }
            per = PerPeriod::Mpeem { ebit, tax, charges };
        }

        let round_scale = round_dp.map_or(1.0, |d| 10f64.powi(d as i32));
        let plan = IncomePlan {
            inputs: b.inputs,
            method,
            convention: a.convention,
            discount,
            disc_start,
            life_ix,
            legal,
            legal_f,
            stream: StreamPlan {
                path: stream_path,
                start,
                len: list.len(),
                without: without_ix,
                growth: growth_ix,
                scale: scale_ix,
            },
            k,
            k_basis,
            k_label,
            conversion,
            round_dp,
            round_scale,
            decay,
            per,
            tab,
            tab_life,
            warnings,
        };
        Ok(plan)
    }

    /// Warnings found while compiling (ignored sections, an expired legal term).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The remaining legal term, when the kind has one.
    pub fn legal(&self) -> Option<&LegalTerm> {
        self.legal.as_ref()
    }
}

struct SplitCompiled {
    k: KPlan,
    basis: SplitBasis,
    label: String,
    margin: Option<usize>,
    decay: Option<usize>,
}

fn compile_split(
    sp: &SplitSpec,
    s: &Subject,
    m: &ModelBook,
    b: &mut Builder,
) -> Result<SplitCompiled> {
    let sm = sp.method;
    // Fields that belong to one split method only.
    let owned: [(&str, bool, &[SplitMethod]); 9] = [
        ("rate", sp.rate.is_some(), &[SplitMethod::Given]),
        ("basis", sp.basis.is_some(), &[SplitMethod::Given]),
        (
            "ip_cost",
            sp.ip_cost.is_some(),
            &[SplitMethod::EquivalentInvestment],
        ),
        (
            "ip_cost_profit_rate",
            sp.ip_cost_profit_rate.is_some(),
            &[SplitMethod::EquivalentInvestment],
        ),
        (
            "other_assets_cost",
            sp.other_assets_cost.is_some(),
            &[SplitMethod::EquivalentInvestment],
        ),
        (
            "other_assets_profit_rate",
            sp.other_assets_profit_rate.is_some(),
            &[SplitMethod::EquivalentInvestment],
        ),
        ("scores", sp.scores.is_some(), &[SplitMethod::Scoring]),
        ("sector", sp.sector.is_some(), &[SplitMethod::Scoring]),
        (
            "k_min",
            sp.k_min.is_some() || sp.k_max.is_some(),
            &[SplitMethod::Scoring],
        ),
    ];
    for (name, present, users) in owned {
        if present && !users.contains(&sm) {
            let name = if name == "k_min" && sp.k_min.is_none() {
                "k_max"
            } else {
                name
            };
            return Err(Error::field(
                format!("income.split.{name}"),
                "",
                format!(
                    "is only used when income.split.method = {} (here it is {})",
                    users[0].as_str(),
                    sm.as_str()
                ),
            ));
        }
    }
    if let Some(mg) = &sp.margin {
        positive(
            mg,
            "income.split.margin",
            Some(Decimal::ONE),
            "must be a profit margin above 0 and at most 1",
        )?;
    }
    if let Some(d) = &sp.decay {
        d.check_range(
            "income.split.decay",
            Some(Decimal::ZERO),
            dec(99, 2),
            "must be a yearly decay from 0 to 0.99",
        )?;
    }
    if let Some(dp) = sp.round_dp {
        if dp > 12 {
            return Err(Error::field(
                "income.split.round_dp",
                dp,
                "must be a number of decimal places from 0 to 12",
            ));
        }
    }
    let rate01 = |p: &Param, path: &str, what: &str| {
        p.check_range(path, Some(Decimal::ZERO), Some(Decimal::ONE), what)
    };
    let (k, basis, label) = match sm {
        SplitMethod::Given => {
            let p = req(
                &sp.rate,
                "income.split.rate",
                "required when income.split.method = given",
            )?;
            rate01(p, "income.split.rate", "must be a split rate from 0 to 1")?;
            let basis = sp.basis.unwrap_or(SplitBasis::Profit);
            (
                KPlan::Given {
                    ix: b.push("income.split.rate", p),
                },
                basis,
                format!("K_{} as given (case: income.split.rate)", basis.as_str()),
            )
        }
        SplitMethod::ThreePart => (
            KPlan::Const {
                k: Decimal::ONE / Decimal::from(3),
                kf: 1.0 / 3.0,
            },
            SplitBasis::Profit,
            "三分法: K_profit = 1/3 (a rule of thumb)".into(),
        ),
        SplitMethod::FourPart => (
            KPlan::Const {
                k: Decimal::new(25, 2),
                kf: 0.25,
            },
            SplitBasis::Profit,
            "四分法: K_profit = 1/4 (the 25% rule of thumb)".into(),
        ),
        SplitMethod::EquivalentInvestment => {
            let why = "required when income.split.method = equivalent_investment";
            let c_ip = req(&sp.ip_cost, "income.split.ip_cost", why)?;
            let r_ip = req(
                &sp.ip_cost_profit_rate,
                "income.split.ip_cost_profit_rate",
                why,
            )?;
            let c_b = req(&sp.other_assets_cost, "income.split.other_assets_cost", why)?;
            let r_b = req(
                &sp.other_assets_profit_rate,
                "income.split.other_assets_profit_rate",
                why,
            )?;
            c_ip.check_money("income.split.ip_cost", false)?;
            positive(
                c_ip,
                "income.split.ip_cost",
                Some(Decimal::from(crate::money::MAX_INPUT_YUAN)),
                "must be a replacement cost above 0 元 (at most 10^15)",
            )?;
            c_b.check_money("income.split.other_assets_cost", false)?;
            for (p, path) in [
                (r_ip, "income.split.ip_cost_profit_rate"),
                (r_b, "income.split.other_assets_profit_rate"),
            ] {
                p.check_range(
                    path,
                    Some(Decimal::ZERO),
                    Some(Decimal::from(100)),
                    "must be a cost-profit rate from 0 to 100 (10000%)",
                )?;
            }
            (
                KPlan::Equivalent {
                    c_ip: b.push("income.split.ip_cost", c_ip),
                    r_ip: b.push("income.split.ip_cost_profit_rate", r_ip),
                    c_b: b.push("income.split.other_assets_cost", c_b),
                    r_b: b.push("income.split.other_assets_profit_rate", r_b),
                },
                SplitBasis::Profit,
                "约当投资分成法: K = C_ip(1+R_ip) / [C_ip(1+R_ip) + C_b(1+R_b)]".into(),
            )
        }
        SplitMethod::Scoring => {
            let scores = req(
                &sp.scores,
                "income.split.scores",
                "required when income.split.method = scoring (a score from 0 to 1 per factor of models/split_scoring.toml)",
            )?;
            let ids: Vec<&str> = m.scoring.factor.iter().map(|f| f.id.as_str()).collect();
            for (id, p) in scores {
                if !ids.contains(&id.as_str()) {
                    return Err(Error::field(
                        format!("income.split.scores.{id}"),
                        p.shown(),
                        format!(
                            "unknown factor; models/split_scoring.toml has {}",
                            ids.join(", ")
                        ),
                    ));
                }
                rate01(
                    p,
                    &format!("income.split.scores.{id}"),
                    "must be a score from 0 to 1",
                )?;
            }
            // The range: explicit bounds, else the named sector, else the subject's industry.
            let sector = match &sp.sector {
                Some(id) => Some(m.royalty.by_id(id).ok_or_else(|| {
                    Error::field(
                        "income.split.sector",
                        format!("\"{id}\""),
                        format!(
                            "unknown sector; models/royalty_ranges.toml has {}",
                            m.royalty
                                .sector
                                .iter()
                                .map(|s| s.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?),
                None => m.royalty.for_industry(s.industry.trim()),
            };
            if sector.is_none() && (sp.k_min.is_none() || sp.k_max.is_none()) {
                return Err(Error::field(
                    "subject.industry",
                    format!("\"{}\"", s.industry),
                    format!(
                        "no royalty range in models/royalty_ranges.toml for this code; give income.split.sector (one of {}) or both income.split.k_min and income.split.k_max",
                        m.royalty.sector.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            let mut bound = |name: &str,
                             own: &Option<Param>,
                             model: Option<Decimal>|
             -> Result<(usize, String)> {
                let path = format!("income.split.{name}");
                match (own, model) {
                    (Some(p), _) => {
                        rate01(p, &path, "must be a royalty rate on sales from 0 to 1")?;
                        Ok((b.push(path, p), "case".to_string()))
                    }
                    (None, Some(d)) => Ok((b.push(path, &Param::fixed(d)), "models".to_string())),
                    (None, None) => Err(Error::Internal(format!("no {name}"))),
                }
            };
            let (kmin_ix, kmin_src) = bound("k_min", &sp.k_min, sector.map(|s| s.min))?;
            let (kmax_ix, kmax_src) = bound("k_max", &sp.k_max, sector.map(|s| s.max))?;
            let lo = b.inputs[kmin_ix].param.point;
            let hi = b.inputs[kmax_ix].param.point;
            if lo > hi {
                return Err(Error::field(
                    "income.split.k_min",
                    shown(lo),
                    format!("must not exceed income.split.k_max = {}", shown(hi)),
                ));
            }
            let mut sc = Vec::new();
            for f in &m.scoring.factor {
                let p = scores.get(&f.id).ok_or_else(|| {
                    Error::field(
                        format!("income.split.scores.{}", f.id),
                        "",
                        format!(
                            "required: a score from 0 to 1 for each factor of models/split_scoring.toml ({})",
                            ids.join(", ")
                        ),
                    )
                })?;
                let ix = b.push(format!("income.split.scores.{}", f.id), p);
                sc.push((ix, f.weight, f.weight.to_f64().unwrap_or(0.0), f.id.clone()));
            }
            let range_source = match sector {
                Some(sec) if kmin_src == "models" || kmax_src == "models" => format!(
                    "models/royalty_ranges.toml sector {} ({}, {}–{} of sales; {}){}",
                    sec.id,
                    sec.name_zh,
                    shown(sec.min),
                    shown(sec.max),
                    if sp.sector.is_some() {
                        "named by income.split.sector".to_string()
                    } else {
                        format!("found by subject.industry = {}", s.industry)
                    },
                    if kmin_src == "case" || kmax_src == "case" {
                        "; one bound from the case"
                    } else {
                        ""
                    }
                ),
                _ => "case: income.split.k_min, income.split.k_max".to_string(),
            };
            (
                KPlan::Scoring {
                    k_min: kmin_ix,
                    k_max: kmax_ix,
                    scores: sc,
                    range_source,
                },
                SplitBasis::Sales,
                "综合评价法: K_sales = K_min + (K_max − K_min) × Σ weight_i × score_i".into(),
            )
        }
    };
    let margin = b.opt("income.split.margin", &sp.margin);
    let decay = b.opt("income.split.decay", &sp.decay);
    Ok(SplitCompiled {
        k,
        basis,
        label,
        margin,
        decay,
    })
}

// ---------------------------------------------------------------------------------------------
// The fast f64 path.

impl IncomePlan {
    fn k1_f64(&self, x: &[f64]) -> f64 {
        let k = match &self.k {
            KPlan::None => return 1.0,
            KPlan::Const { kf, .. } => *kf,
            KPlan::Given { ix } | KPlan::Royalty { ix } => x[*ix],
            KPlan::Equivalent {
                c_ip,
                r_ip,
                c_b,
                r_b,
            } => {
                let a = x[*c_ip] * (1.0 + x[*r_ip]);
                let d = a + x[*c_b] * (1.0 + x[*r_b]);
                if d == 0.0 {
                    0.0
                } else {
                    a / d
                }
            }
            KPlan::Scoring {
                k_min,
                k_max,
                scores,
                ..
            } => {
                let mut sc = 0.0;
                for (ix, _, w, _) in scores {
                    sc += w * x[*ix];
                }
                x[*k_min] + (x[*k_max] - x[*k_min]) * sc
            }
        };
        let k = match self.conversion {
            Conversion::None => k,
            Conversion::ToSales(mg) => k * x[mg],
            Conversion::ToProfit(mg) => {
                if x[mg] == 0.0 {
                    0.0
                } else {
                    k / x[mg]
                }
            }
        };
        match self.round_dp {
            Some(_) => (k * self.round_scale).round() / self.round_scale,
            None => k,
        }
    }

    fn per_rate_f64(&self, x: &[f64]) -> f64 {
        match &self.per {
            PerPeriod::Split | PerPeriod::One => 1.0,
            PerPeriod::Royalty { tax } => 1.0 - x[*tax],
            PerPeriod::Mpeem { ebit, tax, charges } => {
                let mut m = x[*ebit] * (1.0 - x[*tax]);
                for (bal, on, of) in charges {
                    m -= x[*bal] * (x[*on] + of.map_or(0.0, |i| x[i]));
                }
                m
            }
        }
    }
}

impl Model for IncomePlan {
    fn inputs(&self) -> &[PlanInput] {
        &self.inputs
    }

    /// Outside the domain: a discount rate r ≤ 0, or r ≤ `income.growth` (the rule the case
    /// is validated by at its point values). The finite-horizon sum stays a number there, but it
    /// is not a value the case's own assumptions allow.
    fn domain_error(&self, x: &[f64]) -> Option<String> {
        let r = discount::rate_f64(self.discount.method, &x[self.disc_start..]);
        let num = |v: f64| {
            let s = format!("{v:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        if r.is_nan() || r <= 0.0 {
            return Some(format!("the discount rate r = {} is not above 0", num(r)));
        }
        if let Some(gi) = self.stream.growth {
            let g = x[gi];
            if r <= g {
                return Some(format!(
                    "the discount rate r = {} does not exceed income.growth = {} (the case requires r > g)",
                    num(r),
                    num(g)
                ));
            }
        }
        None
    }

    fn eval(&self, x: &[f64]) -> f64 {
        let r = discount::rate_f64(self.discount.method, &x[self.disc_start..]);
        let life = x[self.life_ix];
        if life.is_nan() {
            return f64::NAN;
        }
        let n = life.min(self.legal_f).min(f64::from(MAX_YEARS));
        if n.is_nan() || n <= 0.0 {
            return 0.0;
        }
        let full = n.floor();
        let f = n - full;
        let full_u = full as usize;
        let periods = full_u + usize::from(f > 0.0);
        let mid = self.convention == Convention::MidYear;
        let v = 1.0 / (1.0 + r);
        let k1 = self.k1_f64(x);
        let rate = self.per_rate_f64(x);
        let decay = self.decay.map_or(1.0, |i| 1.0 - x[i]);
        let st = &self.stream;
        let g = st.growth.map_or(1.0, |i| 1.0 + x[i]);
        let scale = st.scale.map_or(1.0, |i| x[i]);
        let mut df = if mid { v.sqrt() } else { v };
        let mut kt = k1;
        let mut last = 0.0;
        let mut sum = 0.0;
        for p in 0..periods {
            let b = if p < st.len {
                let w = st.without.map_or(0.0, |w| x[w + p]);
                x[st.start + p] - w
            } else {
                last * g
            };
            last = b;
            if p < full_u {
                sum += b * kt * df;
            } else {
                let t = full + if mid { f / 2.0 } else { f };
                sum += b * f * kt * v.powf(t);
            }
            df *= v;
            kt *= decay;
        }
        let mut value = sum * scale * rate;
        if self.tab {
            if let PerPeriod::Royalty { tax } = self.per {
                let nn = self.tab_life.unwrap_or(n.ceil() as u32);
                if nn > 0 {
                    let af = discount::annuity_factor_f64(r, nn, self.convention);
                    value /= 1.0 - x[tax] * af / f64::from(nn);
                }
            }
        }
        value
    }
}

// ---------------------------------------------------------------------------------------------
// The audited Decimal path.

fn pow_u(base: Decimal, e: u32, what: &str) -> Result<Decimal> {
    base.checked_powu(u64::from(e)).ok_or_else(|| {
        Error::money(
            what.to_string(),
            crate::money::MoneyError::Overflow("power"),
        )
    })
}

/// Values the subject by the income approach: every intermediate number is an audit step, the
/// value is rounded to the fen (half away from zero) at the end.
pub fn value(a: &IncomeAssumptions, s: &Subject, m: &ModelBook) -> Result<Valuation> {
    let plan = IncomePlan::compile(a, s, m)?;
    plan.value_decimal(s, m)
}

impl IncomePlan {
    fn value_decimal(&self, s: &Subject, m: &ModelBook) -> Result<Valuation> {
        let x: Vec<Decimal> = self.inputs.iter().map(|i| i.param.point).collect();
        let xv = |i: usize| x.get(i).copied().unwrap_or(Decimal::ZERO);
        let mut tr = AuditTrail::new();
        let mut warnings = self.warnings.clone();

        // r.
        let r = self.discount.audit(&mut tr);

        // n.
        let life = xv(self.life_ix);
        tr.record_sourced(
            "economic_life",
            "remaining economic life, as assumed",
            vec![],
            AuditValue::years("economic_life", life),
            "case: income.economic_life",
        );
        let mut n = life;
        match &self.legal {
            Some(l) => {
                tr.record_sourced(
                    "legal_term",
                    format!(
                        "statutory term of {} ({}), from filing",
                        s.kind.as_str(),
                        s.kind.name_zh()
                    ),
                    vec![AuditValue::text("filing_date", l.filing.to_string())],
                    AuditValue::years("term", Decimal::from(l.years)),
                    format!(
                        "models/legal_terms.toml terms.{} (origin: {})",
                        s.kind.as_str(),
                        m.origin
                    ),
                );
                tr.record(
                    "legal_remaining",
                    "whole years from the valuation date to expiry (= filing + term) + remaining days / days of that year",
                    vec![
                        AuditValue::text("valuation_date", s.valuation_date.to_string()),
                        AuditValue::text("expiry", l.expiry.to_string()),
                    ],
                    AuditValue::years("legal_remaining", l.remaining),
                );
                n = n.min(l.remaining);
            }
            None => tr.record(
                "legal_term",
                format!(
                    "{} has no statutory term: the economic life alone sets the horizon",
                    s.kind.as_str()
                ),
                vec![],
                AuditValue::text("term", "none"),
            ),
        }
        n = n.min(Decimal::from(MAX_YEARS)).max(Decimal::ZERO);
        let full = n.floor();
        let frac = n - full;
        let full_u = full.to_u32().unwrap_or(0);
        let periods = full_u + u32::from(frac > Decimal::ZERO);
        let mut h_inputs = vec![AuditValue::years("economic_life", life)];
        if let Some(l) = &self.legal {
            h_inputs.push(AuditValue::years("legal_remaining", l.remaining));
        }
        tr.record(
            "horizon",
            format!(
                "n = min(legal remaining, economic life) = {} full year(s){}",
                full_u,
                if frac > Decimal::ZERO {
                    format!(
                        " + a partial year of {} taken pro rata",
                        shown(round_half_away(frac, 6))
                    )
                } else {
                    String::new()
                }
            ),
            h_inputs,
            AuditValue::years("n", n),
        );

        // K_1 and the per-period rate.
        let k1 = self.k1_decimal(&x, &mut tr)?;
        if !matches!(self.k, KPlan::None) && k1 > Decimal::ONE {
            warnings.push(format!(
                "the split rate K = {} exceeds 1: more than the whole stream is attributed to the subject",
                shown(k1)
            ));
        }
        let rate_const = self.per_rate_decimal(&x, &mut tr);

        // Periods.
        let st = &self.stream;
        let g = st.growth.map(xv);
        let scale = st.scale.map(xv);
        let decay = self.decay.map(xv);
        let mut rows = Vec::new();
        let mut sum = Money::ZERO;
        let len = st.len as u32;
        let last_given = |x: &[Decimal]| -> Decimal {
            let i = st.len.saturating_sub(1);
            let w = st
                .without
                .map_or(Decimal::ZERO, |w| x.get(w + i).copied().unwrap_or_default());
            x.get(st.start + i).copied().unwrap_or_default() - w
        };
        for p in 1..=periods {
            let partial = p > full_u;
            let fraction = if partial { frac } else { Decimal::ONE };
            let t = discount::discount_time(p, fraction, self.convention);
            let (b_raw, b_formula, mut b_inputs) = if p <= len {
                let i = (p - 1) as usize;
                let with = xv(st.start + i);
                match st.without {
                    Some(w) => {
                        let wo = xv(w + i);
                        (
                            with - wo,
                            format!("B_{p} = with[{i}] − without[{i}]"),
                            vec![
                                AuditValue::money(format!("{}[{i}]", st.path), Money::new(with)),
                                AuditValue::money(
                                    format!("income.with_without.without[{i}]"),
                                    Money::new(wo),
                                ),
                            ],
                        )
                    }
                    None => (
                        with,
                        format!("B_{p} = {}[{i}]", st.path),
                        vec![AuditValue::money(
                            format!("{}[{i}]", st.path),
                            Money::new(with),
                        )],
                    ),
                }
            } else {
                let gg = g.unwrap_or(Decimal::ZERO);
                let j = p - len;
                let factor = pow_u(Decimal::ONE + gg, j, "stream growth")?;
                let last = last_given(&x);
                let b = Money::new(last)
                    .checked_mul(factor)
                    .ctx("stream growth")?
                    .amount();
                (
                    b,
                    format!("B_{p} = B_{len} × (1 + g)^{j}"),
                    vec![
                        AuditValue::money(format!("B_{len}"), Money::new(last)),
                        AuditValue::rate_dec("g", gg),
                    ],
                )
            };
            let mut base = Money::new(b_raw);
            let mut formula = b_formula;
            if let Some(sc) = scale {
                base = base.checked_mul(sc).ctx("stream × stream_scale")?;
                formula.push_str(" × stream_scale");
                b_inputs.push(AuditValue::number("stream_scale", sc));
            }
            if partial {
                base = base.checked_mul(fraction).ctx("partial year")?;
                formula.push_str(" × fraction (partial year)");
                b_inputs.push(AuditValue::years("fraction", fraction));
            }
            if p > len || scale.is_some() || partial || st.without.is_some() {
                tr.record(
                    format!("base[{p}]"),
                    formula,
                    b_inputs,
                    AuditValue::money(format!("B_{p}"), base),
                );
            }
            // Rate of the period.
            let (rate, r_formula, r_inputs) = self.period_rate(p, k1, rate_const, decay)?;
            if let Some(f) = r_formula {
                tr.record(
                    format!("rate[{p}]"),
                    f,
                    r_inputs,
                    AuditValue::rate_dec(format!("rate_{p}"), rate),
                );
            }
            let attributable = base.checked_mul(rate).ctx("attributable income")?;
            let df = discount::discount_factor(r, t)?;
            let pv = attributable.checked_mul(df).ctx("present value")?;
            tr.record(
                format!("pv[{p}]"),
                format!(
                    "PV_{p} = B_{p} × rate_{p} × (1 + r)^−t, t = {} ({})",
                    shown(t),
                    match self.convention {
                        Convention::EndYear => "end-year",
                        Convention::MidYear => "mid-year",
                    }
                ),
                vec![
                    AuditValue::money(format!("B_{p}"), base),
                    AuditValue::rate_dec(format!("rate_{p}"), rate),
                    AuditValue::rate_dec("r", r),
                    AuditValue::years("t", t),
                    AuditValue::number("DF", df),
                ],
                AuditValue::money(format!("PV_{p}"), pv),
            );
            sum = sum.checked_add(pv).ctx("sum of present values")?;
            rows.push(PeriodRow {
                period: p,
                fraction: shown(fraction),
                t: shown(t),
                base,
                rate: shown(rate),
                attributable,
                discount_factor: shown(df),
                pv,
            });
        }
        if periods == 0 {
            warnings.push("the horizon is 0 years: the income value is 0".into());
        }
        tr.record(
            "sum_pv",
            "Σ PV_t",
            vec![AuditValue::number("periods", Decimal::from(periods))],
            AuditValue::money("ΣPV", sum),
        );
        let mut raw = sum;
        if self.tab {
            if let PerPeriod::Royalty { tax } = self.per {
                let tt = xv(tax);
                let nn = self
                    .tab_life
                    .unwrap_or_else(|| n.ceil().to_u32().unwrap_or(0));
                if nn > 0 {
                    let af = discount::annuity_factor(r, nn, self.convention)?;
                    tr.record(
                        "tab.annuity_factor",
                        format!(
                            "AF(r, N) = Σ_{{t=1..N}} (1 + r)^−{}",
                            if self.convention == Convention::MidYear {
                                "(t−½)"
                            } else {
                                "t"
                            }
                        ),
                        vec![
                            AuditValue::rate_dec("r", r),
                            AuditValue::years("N", Decimal::from(nn)),
                        ],
                        AuditValue::number("AF", af),
                    );
                    let denom = Decimal::ONE - tt * af / Decimal::from(nn);
                    if denom <= Decimal::ZERO {
                        return Err(Error::field(
                            "income.royalty.tax_rate",
                            shown(tt),
                            "gives 1 − T·AF(r,N)/N ≤ 0: the tax amortisation benefit is undefined",
                        ));
                    }
                    let tab = Decimal::ONE / denom;
                    tr.record(
                        "tab",
                        "TAB = 1 / (1 − T·AF(r, N)/N)",
                        vec![
                            AuditValue::rate_dec("T", tt),
                            AuditValue::number("AF", af),
                            AuditValue::years("N", Decimal::from(nn)),
                        ],
                        AuditValue::number("TAB", tab),
                    );
                    raw = sum.checked_mul(tab).ctx("value × TAB")?;
                    tr.record(
                        "value_with_tab",
                        "V = ΣPV × TAB",
                        vec![
                            AuditValue::money("ΣPV", sum),
                            AuditValue::number("TAB", tab),
                        ],
                        AuditValue::money("V", raw),
                    );
                }
            }
        }
        let v = raw.round_fen();
        tr.record(
            "value",
            "round half away from zero to the fen",
            vec![AuditValue::money("V", raw)],
            AuditValue::money("V", v),
        );
        if v.is_negative() {
            warnings.push(
                "the income value is negative: the asset's streams do not cover their charges"
                    .into(),
            );
        }
        Ok(Valuation {
            approach: Approach::Income,
            method: self.method.as_str().into(),
            value: v,
            periods: rows,
            audit: tr,
            warnings,
        })
    }

    fn k1_decimal(&self, x: &[Decimal], tr: &mut AuditTrail) -> Result<Decimal> {
        let xv = |i: usize| x.get(i).copied().unwrap_or(Decimal::ZERO);
        let path = |i: usize| self.inputs.get(i).map_or(String::new(), |p| p.path.clone());
        let basis = self.k_basis.as_str();
        let k = match &self.k {
            KPlan::None => return Ok(Decimal::ONE),
            KPlan::Const { k, .. } => {
                tr.record(
                    "split_rate",
                    self.k_label.clone(),
                    vec![],
                    AuditValue::rate_dec(format!("K_{basis}"), *k),
                );
                *k
            }
            KPlan::Given { ix } | KPlan::Royalty { ix } => {
                let k = xv(*ix);
                tr.record_sourced(
                    if matches!(self.k, KPlan::Royalty { .. }) {
                        "royalty_rate"
                    } else {
                        "split_rate"
                    },
                    self.k_label.clone(),
                    vec![],
                    AuditValue::rate_dec(format!("K_{basis}"), k),
                    format!("case: {}", path(*ix)),
                );
                k
            }
            KPlan::Equivalent {
                c_ip,
                r_ip,
                c_b,
                r_b,
            } => {
                let (ci, ri, cb, rb) = (xv(*c_ip), xv(*r_ip), xv(*c_b), xv(*r_b));
                let a = Money::new(ci)
                    .checked_mul(Decimal::ONE + ri)
                    .ctx("C_ip(1+R_ip)")?;
                let o = Money::new(cb)
                    .checked_mul(Decimal::ONE + rb)
                    .ctx("C_b(1+R_b)")?;
                let d = a.checked_add(o).ctx("equivalent investment")?;
                if d.is_zero() {
                    return Err(Error::field(
                        "income.split.ip_cost",
                        shown(ci),
                        "C_ip(1+R_ip) + C_b(1+R_b) is 0: the split is undefined",
                    ));
                }
                let k = a.amount() / d.amount();
                tr.record(
                    "split_rate",
                    self.k_label.clone(),
                    vec![
                        AuditValue::money("C_ip", Money::new(ci)),
                        AuditValue::rate_dec("R_ip", ri),
                        AuditValue::money("C_b", Money::new(cb)),
                        AuditValue::rate_dec("R_b", rb),
                    ],
                    AuditValue::rate_dec("K_profit", k),
                );
                k
            }
            KPlan::Scoring {
                k_min,
                k_max,
                scores,
                range_source,
            } => {
                let mut score = Decimal::ZERO;
                let mut ins = Vec::new();
                for (ix, w, _, id) in scores {
                    score += *w * xv(*ix);
                    ins.push(AuditValue::number(format!("score.{id}"), xv(*ix)));
                    ins.push(AuditValue::number(format!("weight.{id}"), *w));
                }
                tr.record_sourced(
                    "split.score",
                    "score = Σ weight_i × score_i",
                    ins,
                    AuditValue::number("score", score),
                    "weights: models/split_scoring.toml; scores: case income.split.scores",
                );
                let (lo, hi) = (xv(*k_min), xv(*k_max));
                tr.record_sourced(
                    "split.range",
                    "industry royalty-on-sales range [K_min, K_max]",
                    vec![
                        AuditValue::rate_dec("K_min", lo),
                        AuditValue::rate_dec("K_max", hi),
                    ],
                    AuditValue::text("range", format!("{}–{}", shown(lo), shown(hi))),
                    range_source.clone(),
                );
                let k = lo + (hi - lo) * score;
                tr.record(
                    "split_rate",
                    self.k_label.clone(),
                    vec![
                        AuditValue::rate_dec("K_min", lo),
                        AuditValue::rate_dec("K_max", hi),
                        AuditValue::number("score", score),
                    ],
                    AuditValue::rate_dec("K_sales", k),
                );
                k
            }
        };
        let k = match self.conversion {
            Conversion::None => k,
            Conversion::ToSales(mg) => {
                let out = k * xv(mg);
                tr.record_sourced(
                    "split_rate_sales",
                    "K_sales = K_profit × margin",
                    vec![
                        AuditValue::rate_dec("K_profit", k),
                        AuditValue::rate_dec("margin", xv(mg)),
                    ],
                    AuditValue::rate_dec("K_sales", out),
                    "case: income.split.margin",
                );
                out
            }
            Conversion::ToProfit(mg) => {
                let out = k / xv(mg);
                tr.record_sourced(
                    "split_rate_profit",
                    "K_profit = K_sales / margin",
                    vec![
                        AuditValue::rate_dec("K_sales", k),
                        AuditValue::rate_dec("margin", xv(mg)),
                    ],
                    AuditValue::rate_dec("K_profit", out),
                    "case: income.split.margin",
                );
                out
            }
        };
        let k = match self.round_dp {
            Some(dp) => {
                let out = round_half_away(k, dp);
                tr.record_sourced(
                    "split_rate_rounded",
                    format!("K rounded to {dp} decimal places (half away from zero)"),
                    vec![AuditValue::rate_dec("K", k)],
                    AuditValue::rate_dec("K", out),
                    "case: income.split.round_dp",
                );
                out
            }
            None => k,
        };
        Ok(k)
    }

    /// The part of the per-period rate that does not change by period.
    fn per_rate_decimal(&self, x: &[Decimal], tr: &mut AuditTrail) -> Decimal {
        let xv = |i: usize| x.get(i).copied().unwrap_or(Decimal::ZERO);
        match &self.per {
            PerPeriod::Split | PerPeriod::One => Decimal::ONE,
            PerPeriod::Royalty { tax } => {
                let after = Decimal::ONE - xv(*tax);
                tr.record_sourced(
                    "royalty_after_tax",
                    "the royalty saved is taxed: rate_t = K_t × (1 − T)",
                    vec![AuditValue::rate_dec("T", xv(*tax))],
                    AuditValue::rate_dec("1 − T", after),
                    "case: income.royalty.tax_rate",
                );
                after
            }
            PerPeriod::Mpeem { ebit, tax, charges } => {
                let nopat = xv(*ebit) * (Decimal::ONE - xv(*tax));
                tr.record(
                    "mpeem.nopat_margin",
                    "NOPAT / revenue = EBIT margin × (1 − T)",
                    vec![
                        AuditValue::rate_dec("EBIT margin", xv(*ebit)),
                        AuditValue::rate_dec("T", xv(*tax)),
                    ],
                    AuditValue::rate_dec("NOPAT margin", nopat),
                );
                let mut margin = nopat;
                for (i, (bal, on, of)) in charges.iter().enumerate() {
                    let ofv = of.map_or(Decimal::ZERO, xv);
                    let c = xv(*bal) * (xv(*on) + ofv);
                    let label = self.inputs.get(*bal).map_or(String::new(), |p| {
                        p.path.trim_end_matches(".balance_ratio").to_string()
                    });
                    tr.record(
                        format!("mpeem.charge[{i}]"),
                        format!("contributory asset charge / revenue = balance ratio × (return on + return of)   ({label})"),
                        vec![
                            AuditValue::rate_dec("balance_ratio", xv(*bal)),
                            AuditValue::rate_dec("return_on", xv(*on)),
                            AuditValue::rate_dec("return_of", ofv),
                        ],
                        AuditValue::rate_dec("charge", c),
                    );
                    margin -= c;
                }
                tr.record(
                    "mpeem.excess_margin",
                    "excess earnings / revenue = NOPAT margin − Σ charges",
                    vec![AuditValue::rate_dec("NOPAT margin", nopat)],
                    AuditValue::rate_dec("excess margin", margin),
                );
                margin
            }
        }
    }

    /// rate_t and, when it is not simply K_1, the formula and inputs of its step.
    fn period_rate(
        &self,
        p: u32,
        k1: Decimal,
        rate_const: Decimal,
        decay: Option<Decimal>,
    ) -> Result<(Decimal, Option<String>, Vec<AuditValue>)> {
        let (kt, mut formula, mut ins) = match decay {
            Some(d) if p > 1 => {
                let f = pow_u(Decimal::ONE - d, p - 1, "split decay")?;
                (
                    k1 * f,
                    Some(format!("K_{p} = K_1 × (1 − decay)^{}", p - 1)),
                    vec![
                        AuditValue::rate_dec("K_1", k1),
                        AuditValue::rate_dec("decay", d),
                    ],
                )
            }
            _ => (k1, None, vec![AuditValue::rate_dec("K_1", k1)]),
        };
        let rate = kt * rate_const;
        if matches!(self.per, PerPeriod::Royalty { .. }) {
            if let Some(f) = formula.take() {
                formula = Some(format!("rate_{p} = ({f}) × (1 − T)"));
                ins.push(AuditValue::rate_dec("1 − T", rate_const));
            }
        }
        Ok((rate, formula, ins))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn subject(kind: &str, filing: &str, vd: &str) -> Subject {
        toml::from_str(&format!(
            "id = \"x\"\nname = \"x\"\nkind = \"{kind}\"\nindustry = \"C39\"\nregion = \"广东\"\n{}valuation_date = \"{vd}\"\nowner = \"o\"",
            if filing.is_empty() { String::new() } else { format!("filing_date = \"{filing}\"\n") }
        ))
        .unwrap()
    }

    fn income(t: &str) -> IncomeAssumptions {
        toml::from_str(t).unwrap()
    }

    const RS: &str = r#"method = "revenue_split"
economic_life = 4
revenue = ["1000", "1000", "1000", "1000"]
[split]
method = "given"
rate = 0.1
basis = "sales"
[discount]
method = "given"
rate = 0.1
"#;

    #[test]
    fn an_expired_legal_term_values_at_zero_with_a_warning() {
        let m = ModelBook::builtin().unwrap();
        let v = value(
            &income(RS),
            &subject("utility_model", "2010-01-01", "2025-06-30"),
            &m,
        )
        .unwrap();
        assert_eq!(v.value, Money::ZERO);
        assert!(v.periods.is_empty());
        assert!(
            v.warnings
                .iter()
                .any(|w| w.contains("expired on 2020-01-01")),
            "{:?}",
            v.warnings
        );
    }

    #[test]
    fn sections_the_method_does_not_use_are_reported_not_fatal() {
        let m = ModelBook::builtin().unwrap();
        let t = format!("{RS}[royalty]\ntax_rate = 0.25\n");
        let v = value(&income(&t), &subject("know_how", "", "2025-06-30"), &m).unwrap();
        assert!(v
            .warnings
            .iter()
            .any(|w| w.starts_with("income.royalty is ignored")));
        // 4 × 100 discounted at 10 %, end-year.
        let want = 100.0 * (1.0 - 1.1f64.powi(-4)) / 0.1;
        assert!((v.value.to_f64() - want).abs() < 0.006, "{}", v.value);
    }

    #[test]
    fn relations_are_checked_with_field_paths() {
        let m = ModelBook::builtin().unwrap();
        let s = subject("know_how", "", "2025-06-30");
        let err = |t: &str| validate(&income(t), &s, &m).unwrap_err().to_string();
        let t = RS.replace("[discount]\nmethod = \"given\"\nrate = 0.1\n", "[discount]\nmethod = \"build_up\"\ntechnology = 0.01\nmarket = 0.01\ncapital = 0.01\nmanagement = 0.01\nrisk_free = 0.02\n");
        let t = t.replace("economic_life = 4", "economic_life = 4\ngrowth = 0.07");
        assert_eq!(
            err(&t),
            "income.discount = 0.06 (build_up): must exceed income.growth = 0.07"
        );
        let t = RS.replace("economic_life = 4", "economic_life = 6");
        assert!(err(&t).starts_with(
            "income.growth: required: the horizon can reach 6 years but income.revenue lists 4"
        ));
        let t = RS.replace("basis = \"sales\"", "basis = \"profit\"");
        assert!(err(&t).starts_with("income.split.margin: required to convert K_profit to K_sales"));
        let t = RS.replace("rate = 0.1\nbasis", "ip_cost = \"5\"\nrate = 0.1\nbasis");
        assert_eq!(err(&t), "income.split.ip_cost: is only used when income.split.method = equivalent_investment (here it is given)");
        let t = RS.replace("method = \"revenue_split\"", "method = \"profit_split\"");
        assert!(err(&t).starts_with("income.profit: required (at least one year of profit"));
        let t = RS.replace("\"1000\", \"1000\"]", "\"1000\", \"-5\"]");
        assert!(err(&t).starts_with("income.revenue[3] = -5: must be an amount"));
    }

    #[test]
    fn legal_remaining_counts_whole_years_and_days() {
        let m = ModelBook::builtin().unwrap();
        let l = legal_term(&subject("utility_model", "2020-03-01", "2025-03-01"), &m)
            .unwrap()
            .unwrap();
        assert_eq!(l.expiry.to_string(), "2030-03-01");
        assert_eq!(l.remaining, d("5"));
        let l = legal_term(&subject("utility_model", "2020-03-01", "2025-09-01"), &m)
            .unwrap()
            .unwrap();
        // 4 whole years to 2029-09-01, then 181 of the 365 days to 2030-09-01.
        assert_eq!(
            l.remaining,
            Decimal::from(4) + Decimal::from(181) / Decimal::from(365)
        );
        let l = legal_term(&subject("utility_model", "2010-03-01", "2025-09-01"), &m)
            .unwrap()
            .unwrap();
        assert_eq!(l.remaining, Decimal::ZERO);
        assert!(legal_term(&subject("know_how", "", "2025-09-01"), &m)
            .unwrap()
            .is_none());
    }
}
