//! One subject: the market valuation with its comparables table in the audit trail.

use super::*;
use crate::audit::{AuditTrail, AuditValue, Unit};
use crate::data::schema::DealHistory;
use crate::error::{Error, MoneyContext, Result};
use crate::models::ModelBook;
use crate::money::Money;
use crate::subject::Subject;
use crate::valuation::{Approach, Valuation};
use chrono::Datelike;
use rust_decimal::Decimal;

pub(super) fn yuan_f64(name: &str, x: f64) -> AuditValue {
    AuditValue {
        name: name.to_string(),
        value: format!("{x}"),
        unit: Unit::Yuan,
    }
}

/// Values the subject by the market approach against `deals`.
pub fn value(
    a: &MarketAssumptions,
    s: &Subject,
    models: &ModelBook,
    deals: &DealHistory,
) -> Result<Valuation> {
    Ok(evaluate(a, s, models, deals)?.valuation)
}

/// Values the subject and returns the comparables and statistics beside the valuation.
pub fn evaluate(
    a: &MarketAssumptions,
    s: &Subject,
    models: &ModelBook,
    deals: &DealHistory,
) -> Result<MarketOutcome> {
    let model = &models.market;
    let spec = SubjectSpec::from_case(a, s, model);
    let run = value_many(deals, model, std::slice::from_ref(&spec), PairColumns::All)?;
    let min_n = model.selection.min_comparables;
    let summary = summary_of(&run, 0, min_n)?;
    let comps = comparables_of(&run, 0)?;
    let src_models = format!("models/market.toml ({})", models.origin);
    let src_data = format!("{} — {}", deals.source, deals.provenance);

    // The subject side, as the engine computed it (same expressions as for deals).
    let side = {
        let ix = &deals.indices;
        let vy = s.valuation_date.year();
        let (ti, ty) = ix.time_index(vy);
        let ri = ix.region_index(&spec.region, vy).map_or(f64::NAN, |r| r.0);
        let composite = spec.tech_score.is_none();
        let score = spec
            .tech_score
            .unwrap_or_else(|| {
                model.technology_score.composite(
                    spec.trl,
                    spec.claims,
                    spec.citations,
                    spec.family_size,
                )
            })
            .max(model.adjustment.score_floor);
        SubjectSide {
            score,
            score_is_composite: composite,
            time_index: ti,
            time_index_year: ty,
            region_index: ri,
            terms: model.transaction_terms.get(spec.transaction_type),
            annuity_factor: crate::tvm::annuity_factor_f64(spec.discount_rate, spec.remaining_life),
            discount_rate: spec.discount_rate,
        }
    };

    let mut warnings = Vec::new();
    if deals.synthetic {
        warnings.push(format!(
            "the deal history is SYNTHETIC ({}): a demonstration, not market evidence — pass --deals with real transactions",
            deals.provenance
        ));
    }
    let (_, last) = deals.indices.year_range();
    if s.valuation_date.year() > last {
        warnings.push(format!(
            "valuation year {} is after the last market statistics year {last}: the time and region indices are held at {last}",
            s.valuation_date.year()
        ));
    }
    let mut tr = AuditTrail::new();
    tr.record_sourced(
        "selection",
        "same kind, industry, type, province, date in [V − window, V]; relax in order until ≥ k; keep the most similar",
        vec![
            AuditValue::text("ip_kind", spec.ip_kind.clone()),
            AuditValue::text("industry", spec.industry.clone()),
            AuditValue::text("transaction_type", spec.transaction_type.as_str()),
            AuditValue::text("province", spec.region.clone()),
            AuditValue::text("valuation_date", s.valuation_date.to_string()),
            AuditValue::number_f64("window_years", spec.window_years),
            AuditValue::number("k", Decimal::from(spec.k)),
            AuditValue::number("level", Decimal::from(summary.level)),
            AuditValue::text("level_meaning", summary.level_name.clone()),
            AuditValue::number("found", Decimal::from(summary.n_found)),
            AuditValue::number("max_comparables", Decimal::from(spec.max_comparables)),
        ],
        AuditValue::number("selected", Decimal::from(summary.n_selected)),
        src_data.clone(),
    );
    if summary.n_selected == 0 {
        return Err(Error::Unsupported(format!(
            "market approach: no comparable deal of kind {} in {} even after relaxing every filter: the market approach cannot value this subject with this deal history",
            spec.ip_kind, deals.source
        )));
    }
    if summary.level > 0 {
        warnings.push(format!(
            "fewer than k = {} comparables with all filters: relaxed to level {} ({})",
            spec.k, summary.level, summary.level_name
        ));
    }
    tr.record_sourced(
        "subject_side",
        "subject's side of the factors; AF(r, n_s) = (1 − (1+r)^−n_s) / r",
        vec![
            AuditValue::number_f64("score_s", side.score),
            AuditValue::text(
                "score_source",
                if side.score_is_composite {
                    "composite of trl, claims, citations, family_size (models/market.toml)"
                } else {
                    "market.tech_score"
                },
            ),
            AuditValue::number_f64("I_s (万元/contract)", side.time_index),
            AuditValue::text("I_s year", side.time_index_year.to_string()),
            AuditValue::number_f64("R_s", side.region_index),
            AuditValue::number_f64("T_s", side.terms),
            AuditValue::number_f64("r", side.discount_rate),
            AuditValue::number_f64("n_s (years)", spec.remaining_life),
        ],
        AuditValue::number_f64("AF(r, n_s)", side.annuity_factor),
        format!("{src_models}; indices: {}", deals.indices.source),
    );
    for (i, c) in comps.iter().enumerate() {
        tr.record_sourced(
            format!("comparable[{i}]"),
            "P_adj = P × F_tech × F_time × F_region × F_terms × F_scale × F_life",
            vec![
                AuditValue::text("deal_id", c.deal_id.clone()),
                AuditValue::text("date", c.date.clone()),
                AuditValue::text("region", c.region.clone()),
                AuditValue::text("industry", c.industry.clone()),
                AuditValue::text("transaction_type", c.transaction_type.clone()),
                yuan_f64("P", c.price_yuan),
                AuditValue::number_f64("F_tech", c.f_tech),
                AuditValue::number_f64("F_time", c.f_time),
                AuditValue::number_f64("F_region", c.f_region),
                AuditValue::number_f64("F_terms", c.f_terms),
                AuditValue::number_f64("F_scale", c.f_scale),
                AuditValue::number_f64("F_life", c.f_life),
                AuditValue::number("factors_clipped", Decimal::from(c.n_clipped)),
                AuditValue::number_f64("combined (P_adj / P)", c.combined),
                AuditValue::text(
                    "not_adjusted (attribute unknown)",
                    if c.not_adjusted.is_empty() {
                        "none".to_string()
                    } else {
                        c.not_adjusted.join(", ")
                    },
                ),
                AuditValue::number_f64("similarity", c.similarity),
                AuditValue::text(
                    "kept",
                    match (c.kept, c.beyond_limit) {
                        (true, false) => "yes",
                        (true, true) => "yes, but adjusted beyond the combined limit: justify it",
                        (false, true) => "no: adjusted beyond the combined limit",
                        (false, false) => "no: outside the IQR fences",
                    },
                ),
            ],
            yuan_f64("P_adj", c.adjusted_yuan),
            src_data.clone(),
        );
    }
    let beyond: Vec<&ComparableRow> = comps.iter().filter(|c| c.beyond_limit).collect();
    if !beyond.is_empty() {
        let lim = model.adjustment.max_combined;
        warnings.push(format!(
            "{} of {} comparables are adjusted by more than ±{}% in total (|P_adj / P − 1| > {}, models/market.toml adjustment.max_combined): {}{}",
            beyond.len(),
            comps.len(),
            f64_text(lim * 100.0, 2),
            f64_text(lim, 4),
            beyond
                .iter()
                .take(5)
                .map(|c| format!("{} ×{}", c.deal_id, f64_text(c.combined, 3)))
                .collect::<Vec<_>>()
                .join(", "),
            match model.adjustment.beyond_combined {
                crate::models::market::BeyondCombined::Flag => {
                    "; they are kept (beyond_combined = \"flag\"): justify them or set beyond_combined = \"drop\""
                }
                crate::models::market::BeyondCombined::Drop => "; they are left out of the statistics",
            }
        ));
    }
    tr.record(
        "iqr_trim",
        format!(
            "keep ln(P_adj) in [Q1 − {k}·IQR, Q3 + {k}·IQR]",
            k = model.selection.iqr_multiplier
        ),
        vec![
            AuditValue::number("selected", Decimal::from(summary.n_selected)),
            yuan_f64("lower_fence", summary.fence_low.unwrap_or(f64::NAN)),
            yuan_f64("upper_fence", summary.fence_high.unwrap_or(f64::NAN)),
        ],
        AuditValue::number("used", Decimal::from(summary.n_used)),
    );
    tr.record(
        "comparables_data",
        if deals.synthetic {
            "comparables used, all SYNTHETIC (generated, not real deals)"
        } else {
            "comparables used, all real deals of the history named"
        },
        vec![
            AuditValue::text("deal_history", deals.source.clone()),
            AuditValue::text("provenance", deals.provenance.clone()),
        ],
        AuditValue::number(
            if deals.synthetic {
                "synthetic_comparables"
            } else {
                "real_comparables"
            },
            Decimal::from(summary.n_used),
        ),
    );
    let low = summary.n_used < min_n;
    if low {
        if !a.allow_low_confidence || summary.n_used == 0 {
            return Err(Error::Unsupported(format!(
                "market approach: only {} comparable{} left after relaxing every filter and trimming (at least {min_n} are needed); add deals with --deals, or set market.allow_low_confidence = true to value with a low-confidence flag",
                summary.n_used,
                if summary.n_used == 1 { "" } else { "s" }
            )));
        }
        warnings.push(format!(
            "LOW CONFIDENCE: the market value rests on {} comparable{} (fewer than {min_n})",
            summary.n_used,
            if summary.n_used == 1 { "" } else { "s" }
        ));
    }
    let median = summary.median.unwrap_or(f64::NAN);
    let wmean = summary.weighted_mean.unwrap_or(f64::NAN);
    tr.record(
        "weighted_mean",
        "Σ similarity·P_adj / Σ similarity (reported, not concluded)",
        vec![AuditValue::number("used", Decimal::from(summary.n_used))],
        yuan_f64("weighted_mean", wmean),
    );
    let (q1, q3) = (
        summary.q1.unwrap_or(f64::NAN),
        summary.q3.unwrap_or(f64::NAN),
    );
    tr.record(
        "spread",
        "relative IQR = (Q3 − Q1) / median of P_adj used",
        vec![
            yuan_f64("min", summary.min.unwrap_or(f64::NAN)),
            yuan_f64("Q1", q1),
            yuan_f64("Q3", q3),
            yuan_f64("max", summary.max.unwrap_or(f64::NAN)),
        ],
        AuditValue::number_f64("relative_IQR", (q3 - q1) / median),
    );
    tr.record(
        "median",
        "V = median of P_adj used",
        vec![AuditValue::number("used", Decimal::from(summary.n_used))],
        yuan_f64("median", median),
    );
    let v = Money::from_f64_boundary(median).ctx("market value (median of adjusted prices)")?;
    tr.record_sourced(
        "value",
        "Money::from_f64_boundary(median): rounded to the fen, half away from zero",
        vec![yuan_f64("median", median)],
        AuditValue::money("V", v),
        "the one f64 → money boundary (money.rs)",
    );
    let summary = MarketSummary {
        low_confidence: low,
        ..summary
    };
    Ok(MarketOutcome {
        valuation: Valuation {
            approach: Approach::Market,
            method: "comparables_median".into(),
            value: v,
            periods: Vec::new(),
            audit: tr,
            warnings,
        },
        comparables: comps,
        summary,
        subject: side,
    })
}
