//! Compiling `[income]` into an [`IncomePlan`]: every scalar input listed with its case
//! field path, the stream, the split rate, the per-period rate and the discounting plan,
//! validated once and then evaluated by the fast `f64` path (`eval.rs`) and the audited
//! `Decimal` path (`audited.rs`).

use super::horizon::{legal_term, LegalTerm};
use super::schema::*;
use super::split::compile_split;
use crate::error::{Error, Result};
use crate::models::ModelBook;
use crate::money::round_half_away;
use crate::param::{Dist, Param};
use crate::subject::Subject;
use crate::valuation::discount::DiscountPlan;
use crate::valuation::PlanInput;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The longest horizon the income approach computes, in years.
pub const MAX_YEARS: u32 = 100;

/// How K_1 is formed.
#[derive(Debug, Clone)]
pub(super) enum KPlan {
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
        /// Where the factor scores come from.
        scores_source: String,
    },
    /// `royalty.rate` given directly.
    Royalty { ix: usize },
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Conversion {
    None,
    ToSales(usize),
    ToProfit(usize),
}

#[derive(Debug, Clone)]
pub(super) enum PerPeriod {
    Split,
    Royalty {
        tax: usize,
    },
    Mpeem {
        /// True when `ebit` is an EBITDA margin.
        ebitda: bool,
        ebit: usize,
        tax: usize,
        charges: Vec<(usize, usize, Option<usize>)>,
    },
    One,
    /// 超额收益法: rate = 1 − T on B_t = per_unit × volume_t.
    AfterTax {
        tax: usize,
    },
}

#[derive(Debug, Clone)]
pub(super) struct StreamPlan {
    /// `income.revenue`, `income.profit` or `income.with_without.with`.
    pub(super) path: &'static str,
    pub(super) start: usize,
    pub(super) len: usize,
    pub(super) without: Option<usize>,
    pub(super) growth: Option<usize>,
    pub(super) scale: Option<usize>,
    /// `income.excess.per_unit`: the stream is a volume and B_t = per_unit × volume_t.
    pub(super) unit: Option<usize>,
}

/// The income approach compiled for repeated evaluation: [`crate::valuation::Model`] in `f64`
/// for Monte Carlo and sensitivity, and the audited `Decimal` computation behind
/// [`crate::valuation::income::value`]. Both walk the same
/// inputs in the same order.
#[derive(Debug, Clone)]
pub struct IncomePlan {
    pub(super) inputs: Vec<PlanInput>,
    pub(super) method: IncomeMethod,
    pub(super) convention: Convention,
    pub(super) discount: DiscountPlan,
    pub(super) disc_start: usize,
    pub(super) life_ix: usize,
    pub(super) legal: Option<LegalTerm>,
    pub(super) legal_f: f64,
    pub(super) stream: StreamPlan,
    pub(super) k: KPlan,
    pub(super) k_basis: SplitBasis,
    pub(super) k_label: String,
    pub(super) conversion: Conversion,
    pub(super) round_dp: Option<u32>,
    pub(super) round_scale: f64,
    pub(super) decay: Option<usize>,
    pub(super) per: PerPeriod,
    pub(super) tab: bool,
    pub(super) tab_life: Option<u32>,
    /// Where N came from (the case or `models/tax.toml`).
    pub(super) tab_life_from: String,
    pub(super) warnings: Vec<String>,
}

pub(super) fn shown(d: Decimal) -> String {
    d.normalize().to_string()
}

pub(super) fn req<'a, T>(o: &'a Option<T>, path: &str, why: &str) -> Result<&'a T> {
    o.as_ref()
        .ok_or_else(|| Error::field(path, "", why.to_string()))
}

pub(super) fn dec(i: i64, scale: u32) -> Option<Decimal> {
    Some(Decimal::new(i, scale))
}

/// Range check that also requires every possible value to be above 0.
pub(super) fn positive(p: &Param, path: &str, hi: Option<Decimal>, allowed: &str) -> Result<()> {
    p.check_range(path, Some(Decimal::ZERO), hi, allowed)?;
    if p.support().0.is_none_or(|m| m <= Decimal::ZERO) {
        return Err(Error::field(path, p.shown(), allowed.to_string()));
    }
    Ok(())
}

pub(super) struct Builder {
    pub(super) inputs: Vec<PlanInput>,
}

impl Builder {
    pub(super) fn push(&mut self, path: impl Into<String>, p: &Param) -> usize {
        self.inputs.push(PlanInput {
            path: path.into(),
            param: p.clone(),
        });
        self.inputs.len() - 1
    }
    pub(super) fn opt(&mut self, path: &str, p: &Option<Param>) -> Option<usize> {
        p.as_ref().map(|p| self.push(path, p))
    }
}

/// Checks the income assumptions (values and their relations), naming field paths `income.*`,
/// e.g. `income.discount.rate = 0.08: must exceed income.growth = 0.1`.
pub fn validate(a: &IncomeAssumptions, s: &Subject, m: &ModelBook) -> Result<()> {
    IncomePlan::compile(a, s, m).map(|_| ())
}

pub(super) fn stream_check(list: &[Param], path: &str, negative_ok: bool) -> Result<()> {
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

pub(super) fn need_stream<'a>(
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
            // r > g matters only where a perpetuity is computed; the income approach sums a
            // finite horizon, so growth at or above r is allowed and said.
            if r <= g.point {
                warnings.push(format!(
                    "income.growth = {} is at or above the discount rate {}: the stream's present value grows with the horizon, which is finite here (n = min(legal term, economic life)); no perpetuity is computed",
                    shown(g.point),
                    shown(r)
                ));
            }
        }
        if let Some(sc) = &a.stream_scale {
            // A lognormal (or normal) factor has no upper bound: like amounts of money
            // (`Param::check_money`), it is accepted when mean + 10·sd stays within the limit.
            let allowed = "must be a factor from 0 to 100 (an unbounded lognormal or normal: mean + 10·sd at most 100)";
            let hundred = Decimal::from(100);
            let tail = match sc.dist.as_deref() {
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
        let excess_method = matches!(
            method,
            IncomeMethod::PricePremium | IncomeMethod::CostSaving
        );
        unused(
            "excess",
            a.excess.is_some() && !excess_method,
            &mut warnings,
        );

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
            IncomeMethod::PricePremium | IncomeMethod::CostSaving => {
                let ex = req(
                    &a.excess,
                    "income.excess",
                    "required when income.method is price_premium or cost_saving (per_unit, volume, tax_rate)",
                )?;
                (
                    "income.excess.volume",
                    need_stream(&ex.volume, "income.excess.volume", method, "volume (units)")?,
                    None,
                )
            }
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
            IncomeMethod::RevenueSplit
                | IncomeMethod::ReliefFromRoyalty
                | IncomeMethod::Mpeem
                | IncomeMethod::PricePremium
                | IncomeMethod::CostSaving
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
        let mut tab_life_from = "case: income.royalty.tab_life".to_string();
        let mut unit_ix = None;
        if excess_method {
            if let Some(ex) = &a.excess {
                ex.per_unit.check_range(
                    "income.excess.per_unit",
                    Some(Decimal::ZERO),
                    Some(Decimal::from(crate::money::MAX_INPUT_YUAN)),
                    "must be an amount a unit in 元 (the price premium or the unit cost saved) from 0",
                )?;
                ex.tax_rate.check_range(
                    "income.excess.tax_rate",
                    Some(Decimal::ZERO),
                    dec(99, 2),
                    "must be a tax rate from 0 to 0.99",
                )?;
                unit_ix = Some(b.push("income.excess.per_unit", &ex.per_unit));
                let tax = b.push("income.excess.tax_rate", &ex.tax_rate);
                per = PerPeriod::AfterTax { tax };
            }
        }

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
            if tab && tab_life.is_none() {
                tab_life = Some(m.tax.amortisation_min_years);
                tab_life_from = format!("models/tax.toml ({})", m.tax.source);
            }
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
                "required when income.method = mpeem (ebit_margin or ebitda_margin, tax_rate, contributory asset charges)",
            )?;
            let (margin_path, margin, ebitda) = match (&mp.ebit_margin, &mp.ebitda_margin) {
                (Some(m), None) => ("income.mpeem.ebit_margin", m, false),
                (None, Some(m)) => ("income.mpeem.ebitda_margin", m, true),
                (Some(m), Some(_)) => {
                    return Err(Error::field(
                        "income.mpeem.ebitda_margin",
                        m.shown(),
                        "give ebit_margin or ebitda_margin, not both",
                    ))
                }
                (None, None) => {
                    return Err(Error::field(
                        "income.mpeem.ebit_margin",
                        "",
                        "required: the EBIT margin (charges a return on the assets) or ebitda_margin (charges may add a return of the fixed assets)",
                    ))
                }
            };
            margin.check_range(
                margin_path,
                Some(-Decimal::ONE),
                Some(Decimal::ONE),
                "must be a margin on revenue from -1 to 1",
            )?;
            mp.tax_rate.check_range(
                "income.mpeem.tax_rate",
                Some(Decimal::ZERO),
                dec(99, 2),
                "must be a tax rate from 0 to 0.99",
            )?;
            let ebit = b.push(margin_path, margin);
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
                    if !ebitda {
                        return Err(Error::field(
                            format!("{p}.return_of"),
                            of.shown(),
                            "a return of the asset (depreciation) against an EBIT margin deducts depreciation twice: give income.mpeem.ebitda_margin instead of ebit_margin, or drop return_of",
                        ));
                    }
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
            per = PerPeriod::Mpeem {
                ebit,
                tax,
                charges,
                ebitda,
            };
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
                unit: unit_ix,
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
            tab_life_from,
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
