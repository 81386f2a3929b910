//! The `[simulation]` section of a case (samples, seed, chunk size, bins, pledge quantile,
//! rank correlations) and the resolved settings of a run.

use super::*;
use crate::error::{Error, Result};
use crate::money::MAX_INPUT_YUAN;
use crate::param::DecimalValue;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One requested rank correlation between two uncertain inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// Field path of the first input (`income.growth`).
    pub a: String,
    /// Field path of the second input (`income.split.rate`).
    pub b: String,
    /// Spearman rank correlation in [−1, 1].
    pub rho: DecimalValue,
}

/// `[simulation]` of a case file: Monte Carlo settings. Every field is optional.
///
/// ```toml
/// [simulation]
/// samples = 100000
/// seed = 42
/// chunk_size = 16384
/// pledge_quantile = 0.10      # downside value for lending (default P10)
/// threshold = "5000000"       # report P(value < threshold), 元
/// bins = 20
/// [[simulation.correlation]]
/// a = "income.growth"
/// b = "income.split.rate"
/// rho = 0.5                    # Spearman rank correlation
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSpec {
    /// Number of paths; when set, `techval value` simulates without `--simulate`.
    #[serde(default)]
    pub samples: Option<u64>,
    /// Master seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Paths per chunk.
    #[serde(default)]
    pub chunk_size: Option<u64>,
    /// Rank correlations between inputs.
    #[serde(default)]
    pub correlation: Vec<Correlation>,
    /// Quantile of the simulated value used as the downside pledge value (default 0.10).
    #[serde(default)]
    pub pledge_quantile: Option<DecimalValue>,
    /// Report the probability that the value is below this amount (元).
    #[serde(default)]
    pub threshold: Option<DecimalValue>,
    /// Histogram bins.
    #[serde(default)]
    pub bins: Option<u32>,
}

/// Checks `[simulation]`, naming field paths `simulation.*`. Input paths named by correlations
/// are checked against the compiled models later ([`assign_correlations`]).
pub fn validate_spec(s: &SimulationSpec) -> Result<()> {
    if let Some(n) = s.samples {
        check_samples(n, "simulation.samples")?;
    }
    if let Some(c) = s.chunk_size {
        check_chunk(c, "simulation.chunk_size")?;
    }
    if let Some(q) = &s.pledge_quantile {
        if !(q.0 > Decimal::ZERO && q.0 < Decimal::ONE) {
            return Err(Error::field(
                "simulation.pledge_quantile",
                q.0,
                "must be a quantile strictly between 0 and 1 (0.10 = P10)",
            ));
        }
    }
    if let Some(t) = &s.threshold {
        if t.0.abs() > Decimal::from(MAX_INPUT_YUAN) {
            return Err(Error::field(
                "simulation.threshold",
                t.0,
                "must be an amount in 元 between -10^15 and 10^15",
            ));
        }
    }
    if let Some(b) = s.bins {
        if !(1..=MAX_BINS).contains(&b) {
            return Err(Error::field(
                "simulation.bins",
                b,
                format!("must be from 1 to {MAX_BINS}"),
            ));
        }
    }
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, c) in s.correlation.iter().enumerate() {
        let p = format!("simulation.correlation[{i}]");
        if !(c.rho.0 >= -Decimal::ONE && c.rho.0 <= Decimal::ONE) {
            return Err(Error::field(
                format!("{p}.rho"),
                c.rho.0,
                "must be a rank correlation from -1 to 1",
            ));
        }
        if c.a.trim().is_empty() || c.b.trim().is_empty() {
            return Err(Error::field(
                p,
                format!("a = \"{}\", b = \"{}\"", c.a, c.b),
                "a and b must name inputs, e.g. a = \"income.growth\"",
            ));
        }
        if c.a == c.b {
            return Err(Error::field(
                format!("{p}.b"),
                &c.b,
                "must name a different input than a",
            ));
        }
        let key = if c.a < c.b {
            (c.a.clone(), c.b.clone())
        } else {
            (c.b.clone(), c.a.clone())
        };
        if seen.contains(&key) {
            return Err(Error::field(
                p,
                format!("{} ~ {}", c.a, c.b),
                "this pair is already correlated by an earlier entry",
            ));
        }
        seen.push(key);
    }
    Ok(())
}

pub(super) fn check_samples(n: u64, path: &str) -> Result<()> {
    if !(1..=MAX_SAMPLES).contains(&n) {
        return Err(Error::field(
            path,
            n,
            format!("must be a number of paths from 1 to {MAX_SAMPLES}"),
        ));
    }
    Ok(())
}

pub(super) fn check_chunk(c: u64, path: &str) -> Result<()> {
    if !(1..=MAX_CHUNK_SIZE).contains(&c) {
        return Err(Error::field(
            path,
            c,
            format!("must be a number of paths per chunk from 1 to {MAX_CHUNK_SIZE}"),
        ));
    }
    Ok(())
}

/// The settings one simulation runs with (resolved from the case, the command line and the
/// defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimSettings {
    /// Number of paths.
    pub samples: u64,
    /// Master seed.
    pub seed: u64,
    /// Paths per chunk.
    pub chunk_size: u64,
    /// Quantile for the pledge value.
    pub pledge_quantile: f64,
    /// Threshold for P(value < threshold), 元.
    pub threshold: Option<f64>,
    /// Histogram bins.
    pub bins: u32,
    /// Also keep the sampled inputs and report their rank correlation with the value.
    pub rank_correlation: bool,
}

impl Default for SimSettings {
    fn default() -> Self {
        SimSettings {
            samples: DEFAULT_SAMPLES,
            seed: DEFAULT_SEED,
            chunk_size: DEFAULT_CHUNK_SIZE,
            pledge_quantile: DEFAULT_PLEDGE_QUANTILE,
            threshold: None,
            bins: DEFAULT_BINS,
            rank_correlation: false,
        }
    }
}

impl SimSettings {
    /// Settings from a case's `[simulation]`, overridden by `samples` / `seed` / `chunk_size`
    /// when given (the command line). `--simulate`-style overrides are checked here and name
    /// `what` in errors.
    pub fn resolve(
        spec: Option<&SimulationSpec>,
        samples: Option<u64>,
        seed: Option<u64>,
        chunk_size: Option<u64>,
    ) -> Result<SimSettings> {
        let d = SimSettings::default();
        let sp = spec.cloned().unwrap_or_default();
        if let Some(n) = samples {
            check_samples(n, "--simulate")?;
        }
        if let Some(c) = chunk_size {
            check_chunk(c, "--chunk-size")?;
        }
        Ok(SimSettings {
            samples: samples.or(sp.samples).unwrap_or(d.samples),
            seed: seed.or(sp.seed).unwrap_or(d.seed),
            chunk_size: chunk_size.or(sp.chunk_size).unwrap_or(d.chunk_size),
            pledge_quantile: sp
                .pledge_quantile
                .and_then(|q| q.0.to_f64())
                .unwrap_or(d.pledge_quantile),
            threshold: sp.threshold.and_then(|t| t.0.to_f64()),
            bins: sp.bins.unwrap_or(d.bins),
            rank_correlation: false,
        })
    }
}
