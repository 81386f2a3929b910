//! The audited `Decimal` path of the income approach: every intermediate number (r, n, K_t,
//! B_t, discount factors, PVs, TAB) becomes an audit step; the value is rounded to the fen at
//! the end.

use super::plan::*;
use super::schema::*;
use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::models::ModelBook;
use crate::money::{round_half_away, Money};
use crate::subject::Subject;
use crate::valuation::discount::{self};
use crate::valuation::{Approach, PeriodRow, Valuation};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, MathematicalOps};

pub(super) fn pow_u(base: Decimal, e: u32, what: &str) -> Result<Decimal> {
    base.checked_powu(u64::from(e)).ok_or_else(|| {
        Error::money(
            what.to_string(),
            crate::money::MoneyError::Overflow("power"),
        )
    })
}
impl IncomePlan {
    /// The audited value, its steps recorded in `tr` (a new trail, or a muted one).
    pub(super) fn value_decimal(
        &self,
        s: &Subject,
        m: &ModelBook,
        mut tr: AuditTrail,
    ) -> Result<Valuation> {
        let x: Vec<Decimal> = self.inputs.iter().map(|i| i.param.point).collect();
        let xv = |i: usize| x.get(i).copied().unwrap_or(Decimal::ZERO);
        let mut warnings = self.warnings.clone();

        // r.
        let r = self.discount.audit(&mut tr);

        // n.
        let life = xv(self.life_ix);
        crate::audit::record_sourced!(
            tr,
            "economic_life",
            "remaining economic life, as assumed",
            vec![],
            AuditValue::years("economic_life", life),
            "case: income.economic_life",
        );
        let mut n = life;
        match &self.legal {
            Some(l) => {
                crate::audit::record_sourced!(
                    tr,
                    "legal_term",
                    format!(
                        "statutory term of {} ({}), from {}{}",
                        s.kind.as_str(),
                        s.kind.name_zh(),
                        if l.start_field == "subject.filing_date" {
                            "filing"
                        } else {
                            "first publication"
                        },
                        if l.year_end {
                            ", to 31 December of its last year"
                        } else {
                            ""
                        }
                    ),
                    vec![AuditValue::text(
                        l.start_field.trim_start_matches("subject."),
                        l.start.to_string(),
                    )],
                    AuditValue::years("term", Decimal::from(l.years)),
                    format!(
                        "models/legal_terms.toml terms.{} (origin: {})",
                        s.kind.as_str(),
                        m.origin
                    ),
                );
                crate::audit::record!(tr,
                    "legal_remaining",
                    "whole years from the valuation date to expiry (= start + term) + remaining days / days of that year",
                    vec![
                        AuditValue::text("valuation_date", s.valuation_date.to_string()),
                        AuditValue::text("expiry", l.expiry.to_string()),
                    ],
                    AuditValue::years("legal_remaining", l.remaining),
                );
                n = n.min(l.remaining);
            }
            None => crate::audit::record!(
                tr,
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
        crate::audit::record!(
            tr,
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
                        vec![if st.unit.is_some() {
                            AuditValue::number(format!("{}[{i}] (units)", st.path), with)
                        } else {
                            AuditValue::money(format!("{}[{i}]", st.path), Money::new(with))
                        }],
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
            if let Some(u) = st.unit {
                let per_unit = xv(u);
                base = base.checked_mul(per_unit).ctx("volume × per_unit")?;
                formula.push_str(if self.method == IncomeMethod::CostSaving {
                    " × unit cost saved"
                } else {
                    " × price premium a unit"
                });
                b_inputs.push(AuditValue::money(
                    "income.excess.per_unit",
                    Money::new(per_unit),
                ));
            }
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
            if p > len || scale.is_some() || partial || st.without.is_some() || st.unit.is_some() {
                crate::audit::record!(
                    tr,
                    format!("base[{p}]"),
                    formula,
                    b_inputs,
                    AuditValue::money(format!("B_{p}"), base),
                );
            }
            // Rate of the period.
            let (rate, r_formula, r_inputs) = self.period_rate(p, k1, rate_const, decay)?;
            if let Some(f) = r_formula {
                crate::audit::record!(
                    tr,
                    format!("rate[{p}]"),
                    f,
                    r_inputs,
                    AuditValue::rate_dec(format!("rate_{p}"), rate),
                );
            }
            let attributable = base.checked_mul(rate).ctx("attributable income")?;
            let df = discount::discount_factor(r, t)?;
            let pv = attributable.checked_mul(df).ctx("present value")?;
            crate::audit::record!(
                tr,
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
            // The period table is part of the trail: a muted trail keeps only the figures.
            if tr.is_on() {
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
        }
        if periods == 0 {
            warnings.push("the horizon is 0 years: the income value is 0".into());
        }
        crate::audit::record!(
            tr,
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
                    crate::audit::record_sourced!(tr,
                        "tab.life",
                        "N = the use period a law or the contract fixes, else the jurisdiction's minimum tax amortisation life",
                        vec![],
                        AuditValue::years("N", Decimal::from(nn)),
                        self.tab_life_from.clone(),
                    );
                    let af = discount::annuity_factor(r, nn, self.convention)?;
                    crate::audit::record!(
                        tr,
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
                    crate::audit::record!(
                        tr,
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
                    crate::audit::record!(
                        tr,
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
        crate::audit::record!(
            tr,
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

    pub(super) fn k1_decimal(&self, x: &[Decimal], tr: &mut AuditTrail) -> Result<Decimal> {
        let xv = |i: usize| x.get(i).copied().unwrap_or(Decimal::ZERO);
        let path = |i: usize| self.inputs.get(i).map_or(String::new(), |p| p.path.clone());
        let basis = self.k_basis.as_str();
        let k = match &self.k {
            KPlan::None => return Ok(Decimal::ONE),
            KPlan::Const { k, .. } => {
                crate::audit::record!(
                    tr,
                    "split_rate",
                    self.k_label.clone(),
                    vec![],
                    AuditValue::rate_dec(format!("K_{basis}"), *k),
                );
                *k
            }
            KPlan::Given { ix } | KPlan::Royalty { ix } => {
                let k = xv(*ix);
                crate::audit::record_sourced!(
                    tr,
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
                crate::audit::record!(
                    tr,
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
                scores_source,
            } => {
                let mut score = Decimal::ZERO;
                let mut ins = Vec::new();
                for (ix, w, _, id) in scores {
                    score += *w * xv(*ix);
                    ins.push(AuditValue::number(format!("score.{id}"), xv(*ix)));
                    ins.push(AuditValue::number(format!("weight.{id}"), *w));
                }
                crate::audit::record_sourced!(
                    tr,
                    "split.score",
                    "score = Σ weight_i × score_i",
                    ins,
                    AuditValue::number("score", score),
                    scores_source.clone(),
                );
                let (lo, hi) = (xv(*k_min), xv(*k_max));
                crate::audit::record_sourced!(
                    tr,
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
                crate::audit::record!(
                    tr,
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
                crate::audit::record_sourced!(
                    tr,
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
                crate::audit::record_sourced!(
                    tr,
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
                crate::audit::record_sourced!(
                    tr,
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
    pub(super) fn per_rate_decimal(&self, x: &[Decimal], tr: &mut AuditTrail) -> Decimal {
        let xv = |i: usize| x.get(i).copied().unwrap_or(Decimal::ZERO);
        match &self.per {
            PerPeriod::Split | PerPeriod::One => Decimal::ONE,
            PerPeriod::AfterTax { tax } => {
                let after = Decimal::ONE - xv(*tax);
                crate::audit::record_sourced!(
                    tr,
                    "excess_after_tax",
                    "超额收益法: the excess earnings are taxed: rate = 1 − T",
                    vec![AuditValue::rate_dec("T", xv(*tax))],
                    AuditValue::rate_dec("1 − T", after),
                    "case: income.excess.tax_rate",
                );
                after
            }
            PerPeriod::Royalty { tax } => {
                let after = Decimal::ONE - xv(*tax);
                crate::audit::record_sourced!(
                    tr,
                    "royalty_after_tax",
                    "the royalty saved is taxed: rate_t = K_t × (1 − T)",
                    vec![AuditValue::rate_dec("T", xv(*tax))],
                    AuditValue::rate_dec("1 − T", after),
                    "case: income.royalty.tax_rate",
                );
                after
            }
            PerPeriod::Mpeem {
                ebit,
                tax,
                charges,
                ebitda,
            } => {
                let nopat = xv(*ebit) * (Decimal::ONE - xv(*tax));
                let basis = if *ebitda { "EBITDA" } else { "EBIT" };
                crate::audit::record!(
                    tr,
                    "mpeem.nopat_margin",
                    format!("after-tax earnings / revenue = {basis} margin × (1 − T)"),
                    vec![
                        AuditValue::rate_dec(format!("{basis} margin"), xv(*ebit)),
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
                    crate::audit::record!(tr,
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
                crate::audit::record!(
                    tr,
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
    pub(super) fn period_rate(
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
