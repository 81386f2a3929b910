//! Cost approach (成本法): V = RC × 成新率 × (1 − functional) × (1 − economic).
//!
//! The replacement cost RC is either the itemised historical cost restated to the valuation
//! year with a cost index (the case's own chain or `models/cost_index.toml`), or the
//! 倍加系数法 RC = (C + β1·V) / (1 − β2) × (1 + L), C the material and other costs, V the labour
//! cost, β1 the creative-labour multiple, β2 the R&D risk factor, L the return on cost.
//! 成新率 = remaining / (used + remaining).

use crate::param::Param;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How replacement cost is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostMethod {
    /// Itemised historical costs indexed to the valuation year.
    Historical,
    /// 倍加系数法.
    Multiplier,
}

/// Category of a cost item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostCategory {
    /// Materials, equipment use, testing (C in 倍加系数法).
    #[default]
    Material,
    /// Labour (V in 倍加系数法).
    Labour,
    /// Other direct costs (counted with C).
    Other,
}

/// One historical cost item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostItem {
    /// Label.
    pub name: String,
    /// Amount in 元 as spent.
    pub amount: Param,
    /// Year it was spent (historical method); defaults to the valuation year.
    #[serde(default)]
    pub year: Option<i32>,
    /// Category.
    #[serde(default)]
    pub category: CostCategory,
}

/// `[cost]` of a case file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostAssumptions {
    /// How replacement cost is set.
    pub method: CostMethod,
    /// The cost items.
    pub items: Vec<CostItem>,
    /// Years of use so far (已使用年限).
    pub used_years: Param,
    /// Remaining economic life in years (剩余经济寿命).
    pub remaining_years: Param,
    /// Functional obsolescence rate (功能性贬值率), default 0.
    #[serde(default)]
    pub functional_obsolescence: Option<Param>,
    /// Economic obsolescence rate (经济性贬值率), default 0.
    #[serde(default)]
    pub economic_obsolescence: Option<Param>,
    /// Own cost-index chain, year → index (previous year = 100); default `models/cost_index.toml`.
    #[serde(default)]
    pub index: Option<BTreeMap<String, Param>>,
    /// β1, creative-labour multiple (multiplier).
    #[serde(default)]
    pub beta1: Option<Param>,
    /// β2, R&D risk factor in [0, 1) (multiplier).
    #[serde(default)]
    pub beta2: Option<Param>,
    /// L, return on cost (multiplier; historical: optional reasonable profit on RC).
    #[serde(default)]
    pub profit_rate: Option<Param>,
}

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::models::{IndexGaps, ModelBook};
use crate::money::Money;
use crate::subject::Subject;
use crate::valuation::{Approach, Model, PlanInput, Valuation};
use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

fn years_check(p: &Param, path: &str) -> Result<()> {
    p.check_range(
        path,
        Some(Decimal::ZERO),
        Some(Decimal::from(200)),
        "must be a number of years from 0 to 200",
    )
}

fn rate01(p: &Option<Param>, path: &str) -> Result<()> {
    if let Some(p) = p {
        p.check_range(
            path,
            Some(Decimal::ZERO),
            Some(Decimal::new(999_999, 6)),
            "must be a rate from 0 to below 1",
        )?;
    }
    Ok(())
}

/// Checks the cost assumptions, naming field paths `cost.*`.
pub fn validate(a: &CostAssumptions, s: &Subject) -> Result<()> {
    if a.items.is_empty() {
        return Err(Error::field(
            "cost.items",
            "[]",
            "at least one cost item is needed",
        ));
    }
    let vy = s.valuation_date.year();
    for (i, it) in a.items.iter().enumerate() {
        it.amount
            .check_money(&format!("cost.items[{i}].amount"), false)?;
        if let Some(y) = it.year {
            if !(1900..=vy).contains(&y) {
                return Err(Error::field(
                    format!("cost.items[{i}].year"),
                    y,
                    format!("must be a year from 1900 to the valuation year {vy}"),
                ));
            }
        }
    }
    years_check(&a.used_years, "cost.used_years")?;
    years_check(&a.remaining_years, "cost.remaining_years")?;
    if a.used_years.point + a.remaining_years.point <= Decimal::ZERO {
        return Err(Error::field(
            "cost.remaining_years",
            a.remaining_years.point,
            "used_years + remaining_years must be above 0",
        ));
    }
    rate01(&a.functional_obsolescence, "cost.functional_obsolescence")?;
    rate01(&a.economic_obsolescence, "cost.economic_obsolescence")?;
    if let Some(l) = &a.profit_rate {
        l.check_range(
            "cost.profit_rate",
            Some(Decimal::ZERO),
            Some(Decimal::TEN),
            "must be a rate from 0 to 10",
        )?;
    }
    if let Some(ix) = &a.index {
        for (y, v) in ix {
            if y.parse::<i32>().is_err() {
                return Err(Error::field(
                    format!("cost.index.{y}"),
                    y,
                    "keys must be years, e.g. \"2021\"",
                ));
            }
            v.check_range(
                &format!("cost.index.{y}"),
                Some(Decimal::new(1, 2)),
                Some(Decimal::from(10_000)),
                "must be an index (previous year = 100) above 0",
            )?;
        }
    }
    match a.method {
        CostMethod::Multiplier => {
            let b1 = a.beta1.as_ref().ok_or_else(|| {
                Error::field(
                    "cost.beta1",
                    "",
                    "is required when cost.method = multiplier",
                )
            })?;
            b1.check_range(
                "cost.beta1",
                Some(Decimal::ZERO),
                Some(Decimal::from(100)),
                "must be a multiple from 0 to 100",
            )?;
            let b2 = a.beta2.as_ref().ok_or_else(|| {
                Error::field(
                    "cost.beta2",
                    "",
                    "is required when cost.method = multiplier",
                )
            })?;
            b2.check_range(
                "cost.beta2",
                Some(Decimal::ZERO),
                Some(Decimal::new(99, 2)),
                "must be a risk factor from 0 to 0.99",
            )?;
            if a.profit_rate.is_none() {
                return Err(Error::field("cost.profit_rate", "", "is required when cost.method = multiplier (L in (C + β1·V)/(1 − β2) × (1 + L))"));
            }
        }
        CostMethod::Historical => {
            for (f, v) in [("beta1", &a.beta1), ("beta2", &a.beta2)] {
                if v.is_some() {
                    return Err(Error::field(
                        format!("cost.{f}"),
                        v.as_ref().map_or(String::new(), |p| p.shown()),
                        "is only used when cost.method = multiplier",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Why a cost could not be restated.
#[derive(Debug, Clone, PartialEq)]
enum IndexError {
    /// A year before the chain starts.
    Before(i32),
    /// Years missing between two years the chain has.
    Gap(Vec<i32>),
}

/// The restatement factor of a cost of year `from` to year `to` (the product of the yearly
/// changes of years `from + 1 … to`), whether the chain ran out (years past its end held flat),
/// and the years interpolated. A year missing inside the chain is an error unless `gaps` is
/// `interpolate` (then it takes the geometric mean of the nearest years on either side).
fn index_factor(
    chain: &[(i32, Decimal)],
    from: i32,
    to: i32,
    gaps: IndexGaps,
) -> std::result::Result<(Decimal, bool, Vec<i32>), IndexError> {
    let mut f = Decimal::ONE;
    let mut flat = false;
    let first = chain.first().map_or(i32::MAX, |r| r.0);
    let last = chain.last().map_or(i32::MIN, |r| r.0);
    let get = |y: i32| chain.iter().find(|r| r.0 == y).map(|r| r.1);
    let missing: Vec<i32> = ((from + 1)..=to)
        .filter(|y| (first..=last).contains(y) && get(*y).is_none())
        .collect();
    if !missing.is_empty() && gaps == IndexGaps::Error {
        return Err(IndexError::Gap(missing));
    }
    for y in (from + 1)..=to {
        match get(y) {
            Some(ix) => f = f * ix / Decimal::ONE_HUNDRED,
            None if y < first => return Err(IndexError::Before(y)),
            None if y > last => flat = true,
            None => {
                let before = chain.iter().rev().find(|r| r.0 < y).map(|r| r.1);
                let after = chain.iter().find(|r| r.0 > y).map(|r| r.1);
                let ix = match (before, after) {
                    (Some(a), Some(b)) => rust_decimal::MathematicalOps::sqrt(&(a * b))
                        .unwrap_or(Decimal::ONE_HUNDRED),
                    _ => Decimal::ONE_HUNDRED,
                };
                f = f * ix / Decimal::ONE_HUNDRED;
            }
        }
    }
    Ok((f, flat, missing))
}

fn chain_of(a: &CostAssumptions, m: &ModelBook) -> (Vec<(i32, Decimal)>, String) {
    match &a.index {
        Some(ix) => {
            let mut v: Vec<(i32, Decimal)> = ix
                .iter()
                .filter_map(|(y, p)| y.parse().ok().map(|y| (y, p.point)))
                .collect();
            v.sort_by_key(|r| r.0);
            (v, "cost.index (case)".into())
        }
        None => (
            m.cost_index.rows(),
            format!("models/cost_index.toml: {}", m.cost_index.source),
        ),
    }
}

/// Values the subject by the cost approach; the value is rounded to the fen.
pub fn value(a: &CostAssumptions, s: &Subject, m: &ModelBook) -> Result<Valuation> {
    value_into(a, s, m, AuditTrail::new())
}

/// [`value`] without the audit trail (the same value and warnings; the trail is empty): for
/// batch work that keeps only the figures, such as a portfolio row.
pub fn value_figures(a: &CostAssumptions, s: &Subject, m: &ModelBook) -> Result<Valuation> {
    value_into(a, s, m, AuditTrail::muted())
}

fn value_into(
    a: &CostAssumptions,
    s: &Subject,
    m: &ModelBook,
    mut tr: AuditTrail,
) -> Result<Valuation> {
    let plan = CostPlan::compile(a, s, m)?;
    let mut warnings = plan.warnings.clone();
    let zero = Money::ZERO;
    let (mut c_sum, mut v_sum, mut all) = (zero, zero, zero);
    for (i, it) in a.items.iter().enumerate() {
        let amt = it.amount.money();
        let restated = match a.method {
            CostMethod::Historical => {
                let f = plan.factors[i];
                let r = amt.checked_mul(f).ctx("cost.items")?;
                crate::audit::record_sourced!(
                    tr,
                    format!("restated[{i}]"),
                    format!(
                        "{} × index factor {}→{}",
                        it.name,
                        it.year.unwrap_or(plan.valuation_year),
                        plan.valuation_year
                    ),
                    vec![
                        AuditValue::money("amount", amt),
                        AuditValue::number("index_factor", f),
                    ],
                    AuditValue::money("restated", r),
                    plan.index_source.clone(),
                );
                r
            }
            CostMethod::Multiplier => amt,
        };
        all = all.checked_add(restated).ctx("cost.items")?;
        match it.category {
            CostCategory::Labour => v_sum = v_sum.checked_add(restated).ctx("cost.items")?,
            _ => c_sum = c_sum.checked_add(restated).ctx("cost.items")?,
        }
    }
    let l = a.profit_rate.as_ref().map_or(Decimal::ZERO, |p| p.point);
    let rc = match a.method {
        CostMethod::Historical => {
            let rc = all.checked_mul(Decimal::ONE + l).ctx("replacement cost")?;
            crate::audit::record!(
                tr,
                "replacement_cost",
                "RC = Σ restated costs × (1 + L)",
                vec![
                    AuditValue::money("Σ restated", all),
                    AuditValue::rate_dec("L", l),
                ],
                AuditValue::money("RC", rc),
            );
            rc
        }
        CostMethod::Multiplier => {
            let b1 = a.beta1.as_ref().map_or(Decimal::ZERO, |p| p.point);
            let b2 = a.beta2.as_ref().map_or(Decimal::ZERO, |p| p.point);
            let inner = c_sum
                .checked_add(v_sum.checked_mul(b1).ctx("β1·V")?)
                .ctx("C + β1·V")?;
            let rc = inner
                .checked_div(Decimal::ONE - b2)
                .ctx("(C + β1·V)/(1 − β2)")?
                .checked_mul(Decimal::ONE + l)
                .ctx("replacement cost")?;
            crate::audit::record!(
                tr,
                "replacement_cost",
                "RC = (C + β1·V) / (1 − β2) × (1 + L)   (倍加系数法)",
                vec![
                    AuditValue::money("C", c_sum),
                    AuditValue::money("V", v_sum),
                    AuditValue::number("β1", b1),
                    AuditValue::rate_dec("β2", b2),
                    AuditValue::rate_dec("L", l),
                ],
                AuditValue::money("RC", rc),
            );
            rc
        }
    };
    let used = a.used_years.point;
    let rem = a.remaining_years.point;
    let newness = rem / (used + rem);
    crate::audit::record!(
        tr,
        "newness_rate",
        "成新率 = remaining / (used + remaining)",
        vec![
            AuditValue::years("used", used),
            AuditValue::years("remaining", rem),
        ],
        AuditValue::rate_dec("成新率", newness),
    );
    let fo = a
        .functional_obsolescence
        .as_ref()
        .map_or(Decimal::ZERO, |p| p.point);
    let eo = a
        .economic_obsolescence
        .as_ref()
        .map_or(Decimal::ZERO, |p| p.point);
    let raw = rc
        .checked_mul(newness)
        .and_then(|x| x.checked_mul(Decimal::ONE - fo))
        .and_then(|x| x.checked_mul(Decimal::ONE - eo))
        .ctx("cost value")?;
    crate::audit::record!(
        tr,
        "value_unrounded",
        "V = RC × 成新率 × (1 − functional) × (1 − economic)",
        vec![
            AuditValue::money("RC", rc),
            AuditValue::rate_dec("成新率", newness),
            AuditValue::rate_dec("functional", fo),
            AuditValue::rate_dec("economic", eo),
        ],
        AuditValue::money("V", raw),
    );
    let v = raw.round_fen();
    crate::audit::record!(
        tr,
        "value",
        "round half away from zero to the fen",
        vec![AuditValue::money("V", raw)],
        AuditValue::money("V", v),
    );
    warnings.dedup();
    Ok(Valuation {
        approach: Approach::Cost,
        method: match a.method {
            CostMethod::Historical => "historical_indexed".into(),
            CostMethod::Multiplier => "multiplier".into(),
        },
        value: v,
        periods: Vec::new(),
        audit: tr,
        warnings,
    })
}

/// The cost approach compiled for `f64` evaluation (Monte Carlo, sensitivity).
#[derive(Debug, Clone)]
pub struct CostPlan {
    inputs: Vec<PlanInput>,
    method: CostMethod,
    /// Index factor per item (1 for the multiplier method).
    factors: Vec<Decimal>,
    factors_f: Vec<f64>,
    labour: Vec<bool>,
    valuation_year: i32,
    index_source: String,
    warnings: Vec<String>,
}

impl CostPlan {
    /// Precomputes index factors and lists the inputs: item amounts, used and remaining years,
    /// obsolescence, β1, β2 and L.
    pub fn compile(a: &CostAssumptions, s: &Subject, m: &ModelBook) -> Result<CostPlan> {
        let vy = s.valuation_date.year();
        let (chain, index_source) = chain_of(a, m);
        let gaps = if a.index.is_some() {
            IndexGaps::Error
        } else {
            m.cost_index.gaps
        };
        let mut factors = Vec::new();
        let mut warnings = Vec::new();
        for (i, it) in a.items.iter().enumerate() {
            let f = match a.method {
                CostMethod::Historical => {
                    let y = it.year.unwrap_or(vy);
                    let (f, flat, interpolated) =
                        index_factor(&chain, y, vy, gaps).map_err(|e| match e {
                            IndexError::Before(missing) => Error::field(
                                format!("cost.items[{i}].year"),
                                y,
                                format!("the cost index ({index_source}) starts after {missing}: give cost.index or a later year"),
                            ),
                            IndexError::Gap(years) => Error::field(
                                format!("cost.items[{i}].year"),
                                y,
                                format!(
                                    "the cost index ({index_source}) has no entry for {}: add the years, or set gaps = \"interpolate\" in models/cost_index.toml",
                                    years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
                                ),
                            ),
                        })?;
                    if !interpolated.is_empty() {
                        warnings.push(format!(
                            "cost index: {} interpolated (geometric mean of the years either side), as models/cost_index.toml asks",
                            interpolated.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
                        ));
                    }
                    if flat {
                        warnings.push(format!(
                            "cost index ends in {}: years after it are held flat (factor 1)",
                            chain.last().map_or(0, |r| r.0)
                        ));
                    }
                    f
                }
                CostMethod::Multiplier => Decimal::ONE,
            };
            factors.push(f);
        }
        let mut inputs = Vec::new();
        for (i, it) in a.items.iter().enumerate() {
            inputs.push(PlanInput {
                path: format!("cost.items[{i}].amount"),
                param: it.amount.clone(),
            });
        }
        let opt = |p: &Option<Param>| p.clone().unwrap_or_else(|| Param::fixed(Decimal::ZERO));
        inputs.push(PlanInput {
            path: "cost.used_years".into(),
            param: a.used_years.clone(),
        });
        inputs.push(PlanInput {
            path: "cost.remaining_years".into(),
            param: a.remaining_years.clone(),
        });
        inputs.push(PlanInput {
            path: "cost.functional_obsolescence".into(),
            param: opt(&a.functional_obsolescence),
        });
        inputs.push(PlanInput {
            path: "cost.economic_obsolescence".into(),
            param: opt(&a.economic_obsolescence),
        });
        inputs.push(PlanInput {
            path: "cost.beta1".into(),
            param: opt(&a.beta1),
        });
        inputs.push(PlanInput {
            path: "cost.beta2".into(),
            param: opt(&a.beta2),
        });
        inputs.push(PlanInput {
            path: "cost.profit_rate".into(),
            param: opt(&a.profit_rate),
        });
        Ok(CostPlan {
            inputs,
            method: a.method,
            factors_f: factors
                .iter()
                .map(|f| f.to_f64().unwrap_or(f64::NAN))
                .collect(),
            factors,
            labour: a
                .items
                .iter()
                .map(|it| it.category == CostCategory::Labour)
                .collect(),
            valuation_year: vy,
            index_source,
            warnings,
        })
    }
}

impl Model for CostPlan {
    fn inputs(&self) -> &[PlanInput] {
        &self.inputs
    }

    #[allow(clippy::needless_range_loop)] // x, factors_f and labour are read in step
    fn eval(&self, x: &[f64]) -> f64 {
        let n = self.factors_f.len();
        let (mut c, mut v, mut all) = (0.0, 0.0, 0.0);
        for ((amount, f), labour) in x.iter().zip(&self.factors_f).zip(&self.labour) {
            let r = amount * f;
            all += r;
            if *labour {
                v += r;
            } else {
                c += r;
            }
        }
        let (used, rem, fo, eo, b1, b2, l) = (
            x[n],
            x[n + 1],
            x[n + 2],
            x[n + 3],
            x[n + 4],
            x[n + 5],
            x[n + 6],
        );
        let rc = match self.method {
            CostMethod::Historical => all * (1.0 + l),
            CostMethod::Multiplier => (c + b1 * v) / (1.0 - b2) * (1.0 + l),
        };
        let tot = used + rem;
        let newness = if tot > 0.0 { (rem / tot).max(0.0) } else { 0.0 };
        rc * newness * (1.0 - fo) * (1.0 - eo)
    }
}
