//! The money boundary ([`MoneyHeadline::from_stats`]: mean, P5 … P95 and the pledge value
//! rounded to the fen) and the summaries of a value's distribution.

use super::*;
use crate::error::{MoneyContext, Result};
use crate::money::Money;
use crate::param::Dist;
use crate::valuation::{Approach, Model};
use serde::{Deserialize, Serialize};

/// The headline numbers of a simulation as money: **the one place where simulated `f64`
/// values become [`Money`]** (rounded to the fen, half away from zero, by
/// [`Money::from_f64_boundary`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoneyHeadline {
    /// Mean.
    pub mean: Money,
    /// P5.
    pub p5: Money,
    /// P10.
    pub p10: Money,
    /// P50 (median).
    pub p50: Money,
    /// P90.
    pub p90: Money,
    /// P95.
    pub p95: Money,
    /// The downside pledge value (at `pledge_quantile`).
    pub pledge_value: Money,
    /// The quantile of the pledge value (`0.1`).
    pub pledge_quantile: f64,
}

impl MoneyHeadline {
    /// Converts the headline statistics to money (see the type's note).
    pub fn from_stats(s: &SimulationStats) -> Result<MoneyHeadline> {
        let get = |l: &str| -> Result<Money> {
            let v = s.percentile(l).unwrap_or(f64::NAN);
            Money::from_f64_boundary(v).ctx(&format!("simulated {l}"))
        };
        Ok(MoneyHeadline {
            mean: Money::from_f64_boundary(s.mean).ctx("simulated mean")?,
            p5: get("P5")?,
            p10: get("P10")?,
            p50: get("P50")?,
            p90: get("P90")?,
            p95: get("P95")?,
            pledge_value: Money::from_f64_boundary(s.pledge.value).ctx("pledge value")?,
            pledge_quantile: s.pledge.p,
        })
    }
}

/// An uncertain input as reported with a summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertainInput {
    /// Field path.
    pub path: String,
    /// The distribution.
    pub dist: Dist,
}

/// The simulated distribution of one value, ready for output: the settings, every statistic in
/// f64 and the headline numbers as money.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueDistribution {
    /// Number of paths.
    pub samples: u64,
    /// Master seed.
    pub seed: u64,
    /// Paths per chunk.
    pub chunk_size: u64,
    /// The deterministic value of the compiled model at the point inputs (f64, 元).
    pub point_value: f64,
    /// The inputs that were sampled.
    pub uncertain_inputs: Vec<UncertainInput>,
    /// The rank correlations applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<Correlation>,
    /// Every statistic (f64).
    pub stats: SimulationStats,
    /// Headline numbers as money.
    pub money: MoneyHeadline,
    /// Rank correlation of each sampled input with the value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rank_correlations: Vec<RankCorrelation>,
    /// Paths whose inputs lie outside the model's domain (kept in the statistics).
    #[serde(skip_serializing_if = "is_zero")]
    pub out_of_domain: u64,
    /// The first such path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_out_of_domain: Option<OutOfDomain>,
    /// Notes (e.g. nothing was uncertain).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

pub(super) fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A simulation of one approach: the approach and its [`ValueDistribution`] (flattened in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationSummary {
    /// The approach.
    pub approach: Approach,
    /// The distribution of its value.
    #[serde(flatten)]
    pub dist: ValueDistribution,
}

/// Simulates `model` and summarises the distribution of its value.
pub fn distribution<M: Model + ?Sized>(
    model: &M,
    correlations: &[Correlation],
    settings: &SimSettings,
) -> Result<ValueDistribution> {
    let sim = simulate(model, correlations, settings)?;
    let money = MoneyHeadline::from_stats(&sim.stats)?;
    let uncertain_inputs: Vec<UncertainInput> = model
        .inputs()
        .iter()
        .filter(|i| is_random(&i.param))
        .filter_map(|i| {
            i.param.dist.as_deref().map(|d| UncertainInput {
                path: i.path.clone(),
                dist: d.clone(),
            })
        })
        .collect();
    let mut notes = Vec::new();
    if uncertain_inputs.is_empty() {
        notes.push(
            "no input has a distribution: every path equals the deterministic value".to_string(),
        );
    }
    if let Some(o) = &sim.first_out_of_domain {
        notes.push(format!(
            "{} of {} paths drew inputs the case's own rules do not allow (first, path {}: {}; {}): the model still gives each a finite value, kept in the statistics; narrow the distributions if such paths should not occur",
            sim.out_of_domain,
            sim.stats.samples,
            o.path_index,
            o.reason,
            o.inputs.join(", ")
        ));
    }
    Ok(ValueDistribution {
        samples: sim.stats.samples,
        seed: sim.stats.seed,
        chunk_size: sim.stats.chunk_size,
        point_value: model.eval(&model.point()),
        uncertain_inputs,
        correlations: correlations.to_vec(),
        stats: sim.stats,
        money,
        rank_correlations: sim.rank_correlations,
        out_of_domain: sim.out_of_domain,
        first_out_of_domain: sim.first_out_of_domain,
        notes,
    })
}

/// Simulates the model of one approach and summarises the result for output.
pub fn summarize<M: Model + ?Sized>(
    approach: Approach,
    model: &M,
    correlations: &[Correlation],
    settings: &SimSettings,
) -> Result<SimulationSummary> {
    Ok(SimulationSummary {
        approach,
        dist: distribution(model, correlations, settings)?,
    })
}
