//! The split rate K_1 (分成率): given, 三分法 / 四分法, 约当投资分成法
//! K = C_ip(1+R_ip) / [C_ip(1+R_ip) + C_b(1+R_b)], or 综合评价法
//! K = K_min + (K_max − K_min) × Σ w_i·score_i inside the industry range of
//! `models/royalty_ranges.toml`; its basis (profit or sales) and yearly decay.

use super::plan::*;
use super::schema::*;
use crate::error::{Error, Result};
use crate::models::ModelBook;
use crate::param::Param;
use crate::subject::Subject;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

pub(super) struct SplitCompiled {
    pub(super) k: KPlan,
    pub(super) basis: SplitBasis,
    pub(super) label: String,
    pub(super) margin: Option<usize>,
    pub(super) decay: Option<usize>,
}

pub(super) fn compile_split(
    sp: &SplitSpec,
    s: &Subject,
    m: &ModelBook,
    b: &mut Builder,
) -> Result<SplitCompiled> {
    let sm = sp.method;
    // Fields that belong to one split method only.
    let owned: [(&str, bool, &[SplitMethod]); 10] = [
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
        (
            "scoring_model",
            sp.scoring_model.is_some(),
            &[SplitMethod::Scoring],
        ),
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
                "required when income.split.method = scoring (a score from 0 to 1 per factor of models/split_scoring.toml, or income.split.scoring_model with [scoring] ratings)",
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
                    scores_source: match &sp.scoring_model {
                        Some(id) => format!(
                            "weights: models/split_scoring.toml; scores: dimension scores / 100 of models/scoring/{id}.toml from the case's [scoring.ratings] (income.split.scoring_model)"
                        ),
                        None => "weights: models/split_scoring.toml; scores: case income.split.scores".into(),
                    },
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
