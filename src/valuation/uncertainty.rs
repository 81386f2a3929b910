//! Uncertainty: Monte Carlo over a compiled [`Model`], statistics of the simulated values, and
//! one-at-a-time sensitivity (tornado and spider data). No I/O.
//!
//! # Sampling
//! Every input of a model carries a [`Param`]; its distribution ([`Dist`]) is sampled by its
//! inverse CDF `x = F⁻¹(u)`:
//!
//! | dist | F⁻¹ |
//! |---|---|
//! | fixed | the value |
//! | uniform | `min + u·(max − min)` |
//! | triangular | `min + √(u·(max−min)·(mode−min))` for `u < (mode−min)/(max−min)`, else `max − √((1−u)·(max−min)·(max−mode))` |
//! | pert | `min + (max − min)·I⁻¹_u(α, β)`, `α = 1 + 4(mode−min)/(max−min)`, `β = 1 + 4(max−mode)/(max−min)` (λ = 4; statrs `inv_beta_reg`) |
//! | normal | `mean + sd·z`, `z = Φ⁻¹(u)` |
//! | normal with `min`/`max` | `mean + sd·Φ⁻¹(Φ(α) + u·(Φ(β) − Φ(α)))`, α, β the standardised bounds (mirrored when the interval lies above the mean, for precision); drawn independently and with Φ(β) − Φ(α) ≥ ½, by rejection instead: normal draws `mean + sd·z` until one lies in `[min, max]` (the same distribution; the inverse CDF after 64 rejections) |
//! | lognormal | `exp(μ + σ·z)`, `σ² = ln(1 + sd²/mean²)`, `μ = ln(mean) − σ²/2` (mean and sd of the variable itself) |
//! | scenarios | the first value whose cumulative probability exceeds `u` |
//!
//! Φ and Φ⁻¹ come from statrs (`erfc`, `erfc_inv`). An input that is not correlated with another
//! draws its own `u` (open interval (0, 1)); normal and lognormal inputs draw `z` directly
//! (ziggurat, `rand_distr::StandardNormal`), which is the same distribution.
//!
//! # Rank correlation (Gaussian copula)
//! `[[simulation.correlation]] a = "income.growth", b = "income.split.rate", rho = 0.5` asks for
//! a Spearman **rank** correlation of 0.5 between the two inputs. The inputs named in any
//! correlation share latent standard normals `z = L·ε` (ε independent N(0, 1), `L` the Cholesky
//! factor of the latent correlation matrix); each then takes `F⁻¹(Φ(z))`, so its marginal is
//! unchanged. A rank correlation ρ_s maps to the latent (Pearson) correlation
//! `ρ = 2·sin(π·ρ_s/6)`, the exact relation for a Gaussian copula; ranks are invariant under the
//! monotone `F⁻¹(Φ(·))`, so the inputs' rank correlation is ρ_s (for continuous marginals; ties
//! of discrete scenarios pull it towards 0). The latent matrix must be positive semi-definite;
//! otherwise the case is rejected, naming the correlations involved.
//!
//! # Determinism
//! Paths are cut into chunks of a fixed size (default [`DEFAULT_CHUNK_SIZE`]). Chunk `i` has its
//! own generator, `Pcg64Mcg` seeded from [`chunk_seed`]`(seed, i)` (SplitMix64 of the master seed
//! and the chunk index), and writes its values into its own slice of the output. Chunks run on
//! rayon in any order; statistics are then computed sequentially over the values in path order.
//! The result therefore depends on the seed, the sample count and the chunk size, never on the
//! number of threads. Inside a chunk the loop reuses one input buffer and allocates nothing.
//!
//! # Statistics
//! Mean (Welford's running mean: exact when all values are equal), sample standard deviation
//! (n − 1, two-pass), standard error `sd/√n`, percentiles by the **type-7** definition
//! (Hyndman & Fan 1996; the default of R and numpy): sort, `h = (n − 1)·p`,
//! `Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)` with 0-based order statistics. The probability
//! below a threshold counts values strictly below it. The histogram has equal-width bins from
//! the smallest to the largest value, each closed below and open above except the last.
//!
//! # Where f64 becomes money
//! [`MoneyHeadline::from_stats`] is the one place: mean, P5, P10, P50, P90, P95 and the pledge
//! value pass through [`Money::from_f64_boundary`] (rounded to the fen, half away from zero).
//! Everything else in [`SimulationStats`] and [`Sensitivity`] stays `f64` (statistics, charts).

use crate::case::Case;
use crate::error::{Error, MoneyContext, Result};
use crate::models::ModelBook;
use crate::money::{Money, MAX_INPUT_YUAN};
use crate::param::{describe, DecimalValue, Dist, Param};
use crate::valuation::{Approach, Model, PlanInput};
use rand::distr::Open01;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use statrs::function::beta::ln_beta;
use statrs::function::erf::{erfc, erfc_inv};

/// Paths simulated when neither the case nor the command line says.
pub const DEFAULT_SAMPLES: u64 = 10_000;
/// The most paths one simulation may run (the values are kept in memory: 8 bytes each).
pub const MAX_SAMPLES: u64 = 50_000_000;
/// Most sampled input values kept for rank correlations (paths × uncertain inputs; 8 bytes each).
pub const MAX_RANK_VALUES: usize = 100_000_000;
/// Master seed when neither the case nor the command line gives one.
pub const DEFAULT_SEED: u64 = 20_250_630;
/// Paths per chunk (each chunk has its own generator).
pub const DEFAULT_CHUNK_SIZE: u64 = 16_384;
/// Largest chunk size accepted.
pub const MAX_CHUNK_SIZE: u64 = 1 << 24;
/// Histogram bins by default.
pub const DEFAULT_BINS: u32 = 20;
/// Largest number of histogram bins.
pub const MAX_BINS: u32 = 1_000;
/// The downside quantile for the pledge value when neither the case nor a rulebook sets one.
pub const DEFAULT_PLEDGE_QUANTILE: f64 = 0.10;
/// The percentiles every summary reports.
pub const PERCENTILES: [(&str, f64); 7] = [
    ("P5", 0.05),
    ("P10", 0.10),
    ("P25", 0.25),
    ("P50", 0.50),
    ("P75", 0.75),
    ("P90", 0.90),
    ("P95", 0.95),
];
/// The quantile definition, as reported with every summary.
pub const QUANTILE_DEFINITION: &str =
    "type 7 (Hyndman & Fan 1996; R and numpy default): h = (n-1)p, linear between order statistics";

// ---------------------------------------------------------------------------------------------
// Case schema
// ---------------------------------------------------------------------------------------------

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

fn check_samples(n: u64, path: &str) -> Result<()> {
    if !(1..=MAX_SAMPLES).contains(&n) {
        return Err(Error::field(
            path,
            n,
            format!("must be a number of paths from 1 to {MAX_SAMPLES}"),
        ));
    }
    Ok(())
}

fn check_chunk(c: u64, path: &str) -> Result<()> {
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

// ---------------------------------------------------------------------------------------------
// Marginals
// ---------------------------------------------------------------------------------------------

/// Standard normal CDF Φ(z) = erfc(−z/√2)/2.
#[inline]
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile Φ⁻¹(p) = −√2·erfc⁻¹(2p) (±∞ at 0 and 1).
#[inline]
pub fn norm_inv(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

/// The largest `f64` below 1: `u` is clamped into `[MIN_POSITIVE, U_MAX]` before an inverse CDF
/// so that unbounded marginals stay finite.
const U_MAX: f64 = 1.0 - f64::EPSILON / 2.0;

/// Modified Lentz evaluation of the continued fraction of `I_x(a, b)` (Numerical Recipes,
/// `betacf`); converges fast for `x < (a + 1) / (a + b + 2)`.
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let tiny = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / tiny(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / tiny(1.0 + aa * d);
        c = tiny(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / tiny(1.0 + aa * d);
        c = tiny(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// `(I_x(a, b), density at x)` with `ln B(a, b)` given, sharing the logarithms of `x` and
/// `1 − x` between the two (checked against statrs' `checked_beta_reg` in the tests).
fn beta_cdf_pdf(a: f64, b: f64, lnb: f64, x: f64) -> (f64, f64) {
    let (lx, l1x) = (x.ln(), (-x).ln_1p());
    let front = (a * lx + b * l1x - lnb).exp();
    let pdf = front / (x * (1.0 - x));
    let cdf = if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    };
    (cdf, pdf)
}

/// Inverse of the regularised incomplete beta function `I_x(a, b) = u` for `a, b ≥ 1` (PERT),
/// with `ln B(a, b)` computed once by the caller: Newton steps kept inside a shrinking bisection
/// bracket. (statrs' own `inv_beta_reg` can panic for some `(a, b, u)`; this cannot.)
fn beta_inv_with(a: f64, b: f64, lnb: f64, u: f64) -> f64 {
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = a / (a + b);
    for _ in 0..200 {
        let (cdf, pdf) = beta_cdf_pdf(a, b, lnb, x);
        let fx = cdf - u;
        if !fx.is_finite() {
            break;
        }
        if fx == 0.0 {
            return x;
        }
        if fx < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let mut next = x - fx / pdf;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 1e-15 * x.max(1e-300) || hi - lo <= f64::EPSILON {
            return next;
        }
        x = next;
    }
    x
}

/// A truncated normal whose interval holds at least this probability is drawn by rejection.
const REJECTION_MIN_MASS: f64 = 0.5;
/// Rejections before falling back to the inverse CDF (reached with probability ≤ 2⁻⁶⁴).
const REJECTION_TRIES: u32 = 64;

/// One input's distribution, prepared for sampling in `f64`.
#[derive(Debug, Clone, PartialEq)]
enum Marginal {
    Const(f64),
    Uniform {
        lo: f64,
        width: f64,
    },
    Triangular {
        lo: f64,
        hi: f64,
        mode: f64,
        fc: f64,
    },
    Pert {
        lo: f64,
        width: f64,
        alpha: f64,
        beta: f64,
        /// ln B(alpha, beta), computed once.
        lnb: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    TruncNormal {
        mean: f64,
        sd: f64,
        lo: f64,
        hi: f64,
        /// CDF (or survival, when mirrored) at the standardised bounds.
        p_lo: f64,
        p_hi: f64,
        mirrored: bool,
    },
    Lognormal {
        mu: f64,
        sigma: f64,
    },
    Scenarios {
        values: Vec<f64>,
        cum: Vec<f64>,
    },
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

impl Marginal {
    fn of(p: &Param, path: &str) -> Result<Marginal> {
        let bad = |d: &Dist, why: &str| Err(Error::field(path, describe(d), why.to_string()));
        let m = match &p.dist {
            None => Marginal::Const(f(p.point)),
            Some(d) => match d {
                Dist::Fixed { value } => Marginal::Const(f(*value)),
                Dist::Uniform { min, max } => {
                    let (lo, hi) = (f(*min), f(*max));
                    if hi.is_nan() || lo.is_nan() || hi < lo {
                        return bad(d, "uniform needs min ≤ max");
                    }
                    if hi == lo {
                        Marginal::Const(lo)
                    } else {
                        Marginal::Uniform { lo, width: hi - lo }
                    }
                }
                Dist::Triangular { min, mode, max } => {
                    let (lo, mode, hi) = (f(*min), f(*mode), f(*max));
                    if !(lo <= mode && mode <= hi) {
                        return bad(d, "triangular needs min ≤ mode ≤ max");
                    }
                    if hi == lo {
                        Marginal::Const(lo)
                    } else {
                        Marginal::Triangular {
                            lo,
                            hi,
                            mode,
                            fc: (mode - lo) / (hi - lo),
                        }
                    }
                }
                Dist::Pert { min, mode, max } => {
                    let (lo, mode, hi) = (f(*min), f(*mode), f(*max));
                    if !(lo <= mode && mode <= hi) {
                        return bad(d, "pert needs min ≤ mode ≤ max");
                    }
                    if hi == lo {
                        Marginal::Const(lo)
                    } else {
                        let width = hi - lo;
                        let alpha = 1.0 + 4.0 * (mode - lo) / width;
                        let beta = 1.0 + 4.0 * (hi - mode) / width;
                        Marginal::Pert {
                            lo,
                            width,
                            alpha,
                            beta,
                            lnb: ln_beta(alpha, beta),
                        }
                    }
                }
                Dist::Normal { mean, sd, min, max } => {
                    let (mean, sd) = (f(*mean), f(*sd));
                    if sd.is_nan() || sd <= 0.0 {
                        return bad(d, "normal needs sd > 0");
                    }
                    if min.is_none() && max.is_none() {
                        Marginal::Normal { mean, sd }
                    } else {
                        let lo = min.map_or(f64::NEG_INFINITY, f);
                        let hi = max.map_or(f64::INFINITY, f);
                        if lo.is_nan() || hi.is_nan() || lo >= hi {
                            return bad(d, "truncated normal needs min < max");
                        }
                        let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
                        // Above the mean, work with the survival function: the CDF saturates.
                        let mirrored = a > 0.0;
                        let (p_lo, p_hi) = if mirrored {
                            (norm_cdf(-b), norm_cdf(-a))
                        } else {
                            (norm_cdf(a), norm_cdf(b))
                        };
                        if p_hi.is_nan() || p_lo.is_nan() || p_hi <= p_lo {
                            return bad(
                                d,
                                "the truncation interval lies too far in the tail of the normal: it has no probability",
                            );
                        }
                        Marginal::TruncNormal {
                            mean,
                            sd,
                            lo,
                            hi,
                            p_lo,
                            p_hi,
                            mirrored,
                        }
                    }
                }
                Dist::Lognormal { mean, sd } => {
                    let (m, s) = (f(*mean), f(*sd));
                    if !(m > 0.0 && s > 0.0) {
                        return bad(d, "lognormal needs mean > 0 and sd > 0");
                    }
                    let s2 = (1.0 + (s / m) * (s / m)).ln();
                    Marginal::Lognormal {
                        mu: m.ln() - s2 / 2.0,
                        sigma: s2.sqrt(),
                    }
                }
                Dist::Scenarios { values, probs } => {
                    if values.is_empty() || values.len() != probs.len() {
                        return bad(d, "scenarios need as many probs as values (at least one)");
                    }
                    let total: f64 = probs.iter().map(|p| f(p.0)).sum();
                    if total.is_nan() || total <= 0.0 || probs.iter().any(|p| p.0 < Decimal::ZERO) {
                        return bad(d, "scenario probabilities must be ≥ 0 and sum to 1");
                    }
                    let vals: Vec<f64> = values.iter().map(|v| f(v.0)).collect();
                    let live: Vec<usize> = (0..vals.len())
                        .filter(|&i| probs.get(i).is_some_and(|p| p.0 > Decimal::ZERO))
                        .collect();
                    if live.len() == 1 {
                        Marginal::Const(vals[live[0]])
                    } else {
                        let mut acc = 0.0;
                        let cum = probs
                            .iter()
                            .map(|p| {
                                acc += f(p.0) / total;
                                acc
                            })
                            .collect();
                        Marginal::Scenarios { values: vals, cum }
                    }
                }
            },
        };
        Ok(m)
    }

    fn is_random(&self) -> bool {
        !matches!(self, Marginal::Const(_))
    }

    /// The inverse CDF at `u` ∈ [0, 1].
    #[inline]
    fn at_u(&self, u: f64) -> f64 {
        let u = u.clamp(f64::MIN_POSITIVE, U_MAX);
        match self {
            Marginal::Const(c) => *c,
            Marginal::Uniform { lo, width } => lo + u * width,
            Marginal::Triangular { lo, hi, mode, fc } => {
                if u < *fc {
                    lo + (u * (hi - lo) * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * (hi - lo) * (hi - mode)).sqrt()
                }
            }
            Marginal::Pert {
                lo,
                width,
                alpha,
                beta,
                lnb,
            } => lo + width * beta_inv_with(*alpha, *beta, *lnb, u),
            Marginal::Normal { mean, sd } => mean + sd * norm_inv(u),
            Marginal::TruncNormal {
                mean,
                sd,
                lo,
                hi,
                p_lo,
                p_hi,
                mirrored,
            } => {
                let z = if *mirrored {
                    -norm_inv(p_lo + (1.0 - u) * (p_hi - p_lo))
                } else {
                    norm_inv(p_lo + u * (p_hi - p_lo))
                };
                (mean + sd * z).clamp(*lo, *hi)
            }
            Marginal::Lognormal { mu, sigma } => (mu + sigma * norm_inv(u)).exp(),
            Marginal::Scenarios { values, cum } => {
                for (v, c) in values.iter().zip(cum) {
                    if u < *c {
                        return *v;
                    }
                }
                values.last().copied().unwrap_or(f64::NAN)
            }
        }
    }

    /// The value for a latent standard normal `z` (copula): `F⁻¹(Φ(z))`, directly for the
    /// normal and lognormal.
    #[inline]
    fn at_z(&self, z: f64) -> f64 {
        match self {
            Marginal::Normal { mean, sd } => mean + sd * z,
            Marginal::Lognormal { mu, sigma } => (mu + sigma * z).exp(),
            Marginal::Const(c) => *c,
            _ => self.at_u(norm_cdf(z)),
        }
    }

    /// One independent draw.
    #[inline]
    fn draw(&self, rng: &mut Pcg64Mcg) -> f64 {
        match self {
            Marginal::Const(c) => *c,
            Marginal::Normal { .. } | Marginal::Lognormal { .. } => {
                let z: f64 = rng.sample(StandardNormal);
                self.at_z(z)
            }
            Marginal::TruncNormal {
                mean,
                sd,
                lo,
                hi,
                p_lo,
                p_hi,
                ..
            } if p_hi - p_lo >= REJECTION_MIN_MASS => {
                // Rejection: a normal draw inside [lo, hi] is a draw of the truncated normal.
                for _ in 0..REJECTION_TRIES {
                    let z: f64 = rng.sample(StandardNormal);
                    let x = mean + sd * z;
                    if x >= *lo && x <= *hi {
                        return x;
                    }
                }
                let u: f64 = rng.sample(Open01);
                self.at_u(u)
            }
            _ => {
                let u: f64 = rng.sample(Open01);
                self.at_u(u)
            }
        }
    }
}

/// True when sampling `p` can give more than one value (a `scenarios` table with one live value,
/// or `fixed`, is a constant).
pub fn is_random(p: &Param) -> bool {
    Marginal::of(p, "").is_ok_and(|m| m.is_random())
}

// ---------------------------------------------------------------------------------------------
// Sampler
// ---------------------------------------------------------------------------------------------

/// Draws input vectors for a model: independent marginals plus a Gaussian copula over the
/// correlated group.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// Every input's point value (constant inputs: their fixed value); the starting buffer.
    base: Vec<f64>,
    /// Independent random inputs: (index into the inputs, marginal).
    independent: Vec<(usize, Marginal)>,
    /// Correlated random inputs, in latent order.
    correlated: Vec<(usize, Marginal)>,
    /// Lower-triangular Cholesky factor of the latent correlation matrix, row-major k×k.
    chol: Vec<f64>,
    /// Indices (into the inputs) of every random input, in input order.
    random: Vec<usize>,
    paths: Vec<String>,
}

impl Sampler {
    /// Prepares sampling for `inputs` with these rank correlations (every path they name must be
    /// a random input of this list; see [`assign_correlations`]).
    pub fn new(inputs: &[PlanInput], correlations: &[Correlation]) -> Result<Sampler> {
        let mut margs = Vec::with_capacity(inputs.len());
        let mut base = Vec::with_capacity(inputs.len());
        for inp in inputs {
            let m = Marginal::of(&inp.param, &inp.path)?;
            base.push(match &m {
                Marginal::Const(c) => *c,
                _ => f(inp.param.point),
            });
            margs.push(m);
        }
        let paths: Vec<String> = inputs.iter().map(|i| i.path.clone()).collect();
        let find = |p: &str, field: &str| -> Result<usize> {
            let idx = paths
                .iter()
                .position(|q| q == p)
                .ok_or_else(|| Error::field(field, p, "names no input of this model"))?;
            if !margs[idx].is_random() {
                return Err(Error::field(
                    field,
                    p,
                    "is not uncertain: give it a distribution before correlating it",
                ));
            }
            Ok(idx)
        };
        // The correlated group, in order of first mention.
        let mut group: Vec<usize> = Vec::new();
        let mut pairs = Vec::new();
        for (i, c) in correlations.iter().enumerate() {
            let ia = find(&c.a, &format!("simulation.correlation[{i}].a"))?;
            let ib = find(&c.b, &format!("simulation.correlation[{i}].b"))?;
            for ix in [ia, ib] {
                if !group.contains(&ix) {
                    group.push(ix);
                }
            }
            let rho_s = f(c.rho.0);
            let rho = 2.0 * (std::f64::consts::PI * rho_s / 6.0).sin();
            pairs.push((ia, ib, rho.clamp(-1.0, 1.0)));
        }
        let k = group.len();
        let mut corr = vec![0.0; k * k];
        for j in 0..k {
            corr[j * k + j] = 1.0;
        }
        for &(ia, ib, rho) in &pairs {
            let (Some(x), Some(y)) = (
                group.iter().position(|&g| g == ia),
                group.iter().position(|&g| g == ib),
            ) else {
                continue;
            };
            corr[x * k + y] = rho;
            corr[y * k + x] = rho;
        }
        let chol = cholesky_psd(&corr, k).map_err(|_| {
            let listed: Vec<String> = correlations
                .iter()
                .map(|c| format!("{}~{}={}", c.a, c.b, c.rho.0))
                .collect();
            Error::field(
                "simulation.correlation",
                listed.join(", "),
                "these rank correlations cannot hold together (the correlation matrix is not positive semi-definite): weaken one of them",
            )
        })?;
        let random: Vec<usize> = (0..margs.len()).filter(|&i| margs[i].is_random()).collect();
        let correlated: Vec<(usize, Marginal)> =
            group.iter().map(|&i| (i, margs[i].clone())).collect();
        let independent: Vec<(usize, Marginal)> = random
            .iter()
            .filter(|i| !group.contains(i))
            .map(|&i| (i, margs[i].clone()))
            .collect();
        Ok(Sampler {
            base,
            independent,
            correlated,
            chol,
            random,
            paths,
        })
    }

    /// Indices of the random inputs, in input order.
    pub fn random_inputs(&self) -> &[usize] {
        &self.random
    }

    /// Fills `x` (length = number of inputs, starting from the point values) with one draw;
    /// `eps` and `z` are scratch buffers of the correlated group's size.
    #[inline]
    fn fill(&self, rng: &mut Pcg64Mcg, x: &mut [f64], eps: &mut [f64], z: &mut [f64]) {
        let k = self.correlated.len();
        if k > 0 {
            for e in eps.iter_mut() {
                *e = rng.sample(StandardNormal);
            }
            for (r, zr) in z.iter_mut().enumerate() {
                let row = &self.chol[r * k..r * k + r + 1];
                let mut s = 0.0;
                for (l, e) in row.iter().zip(eps.iter()) {
                    s += l * e;
                }
                *zr = s;
            }
            for ((ix, m), zr) in self.correlated.iter().zip(z.iter()) {
                x[*ix] = m.at_z(*zr);
            }
        }
        for (ix, m) in &self.independent {
            x[*ix] = m.draw(rng);
        }
    }
}

/// Cholesky factor `L` (row-major, lower) of a symmetric positive semi-definite `k×k` matrix.
/// Zero pivots (rank-deficient but PSD, e.g. ρ = 1) give a zero column; a negative pivot or an
/// inconsistent zero-pivot column is an error.
fn cholesky_psd(a: &[f64], k: usize) -> std::result::Result<Vec<f64>, ()> {
    const TOL: f64 = 1e-10;
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        let mut d = a[j * k + j];
        for p in 0..j {
            d -= l[j * k + p] * l[j * k + p];
        }
        if d < -TOL {
            return Err(());
        }
        if d <= TOL {
            for i in (j + 1)..k {
                let mut s = a[i * k + j];
                for p in 0..j {
                    s -= l[i * k + p] * l[j * k + p];
                }
                if s.abs() > 1e-7 {
                    return Err(());
                }
            }
            continue;
        }
        let djj = d.sqrt();
        l[j * k + j] = djj;
        for i in (j + 1)..k {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            l[i * k + j] = s / djj;
        }
    }
    Ok(l)
}

/// SplitMix64 (Steele, Lea & Flood 2014): the mixer that turns (seed, chunk) into chunk seeds.
#[inline]
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 128-bit `Pcg64Mcg` seed of chunk `i`: little-endian words
/// `splitmix64(seed ^ splitmix64(2i))` and `splitmix64(seed ^ splitmix64(2i + 1))`.
pub fn chunk_seed(seed: u64, chunk: u64) -> [u8; 16] {
    let lo = splitmix64(seed ^ splitmix64(chunk.wrapping_mul(2)));
    let hi = splitmix64(seed ^ splitmix64(chunk.wrapping_mul(2).wrapping_add(1)));
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&lo.to_le_bytes());
    out[8..].copy_from_slice(&hi.to_le_bytes());
    out
}

// ---------------------------------------------------------------------------------------------
// Simulation
// ---------------------------------------------------------------------------------------------

/// One percentile of the simulated value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentile {
    /// Label (`P10`).
    pub label: String,
    /// The probability (0.10).
    pub p: f64,
    /// The value, 元.
    pub value: f64,
}

/// One histogram bin `[lo, hi)` (the last bin is closed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// Lower edge, 元.
    pub lo: f64,
    /// Upper edge, 元.
    pub hi: f64,
    /// Paths in the bin.
    pub count: u64,
}

/// Statistics of the simulated values (f64, 元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationStats {
    /// Number of paths.
    pub samples: u64,
    /// Master seed.
    pub seed: u64,
    /// Paths per chunk.
    pub chunk_size: u64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1).
    pub sd: f64,
    /// Standard error of the mean, sd/√n.
    pub std_error: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// How percentiles are defined.
    pub quantile_definition: String,
    /// P5, P10, P25, P50, P75, P90, P95.
    pub percentiles: Vec<Percentile>,
    /// The downside value at the pledge quantile.
    pub pledge: Percentile,
    /// The threshold asked for, 元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Share of paths with a value strictly below the threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prob_below_threshold: Option<f64>,
    /// Equal-width histogram from min to max.
    pub histogram: Vec<HistogramBin>,
}

impl SimulationStats {
    /// The percentile with this label (`P50`).
    pub fn percentile(&self, label: &str) -> Option<f64> {
        self.percentiles
            .iter()
            .find(|p| p.label == label)
            .map(|p| p.value)
    }
}

/// Spearman rank correlation of one random input with the simulated value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankCorrelation {
    /// Field path of the input.
    pub input: String,
    /// Spearman ρ (ties get average ranks).
    pub rho: f64,
}

/// The outcome of one Monte Carlo run.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Statistics of the values.
    pub stats: SimulationStats,
    /// Rank correlation of each random input with the value, largest |ρ| first (only when
    /// [`SimSettings::rank_correlation`] is set).
    pub rank_correlations: Vec<RankCorrelation>,
    /// Paths whose inputs lie outside the model's domain ([`Model::domain_error`]); their
    /// values are kept in the statistics.
    pub out_of_domain: u64,
    /// The first such path: its index, why, and its sampled uncertain inputs.
    pub first_out_of_domain: Option<OutOfDomain>,
}

/// A path whose sampled inputs lie outside the model's domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfDomain {
    /// Index of the path (0-based, in path order).
    pub path_index: u64,
    /// Why (from [`Model::domain_error`]).
    pub reason: String,
    /// The uncertain inputs of that path, `path = value`.
    pub inputs: Vec<String>,
}

/// Runs `settings.samples` paths of `model`, drawing its inputs with these correlations.
///
/// A path whose value is not finite (e.g. a sampled discount rate at or below −100 %) is an
/// error that names the inputs of the first such path: narrow the distributions.
pub fn simulate<M: Model + ?Sized>(
    model: &M,
    correlations: &[Correlation],
    settings: &SimSettings,
) -> Result<Simulation> {
    check_samples(settings.samples, "samples")?;
    check_chunk(settings.chunk_size, "chunk_size")?;
    if !(settings.pledge_quantile > 0.0 && settings.pledge_quantile < 1.0) {
        return Err(Error::field(
            "pledge_quantile",
            settings.pledge_quantile,
            "must be strictly between 0 and 1",
        ));
    }
    let sampler = Sampler::new(model.inputs(), correlations)?;
    let n = usize::try_from(settings.samples)
        .map_err(|_| Error::field("samples", settings.samples, "too many for this machine"))?;
    let chunk = usize::try_from(settings.chunk_size)
        .map_err(|_| Error::field("chunk_size", settings.chunk_size, "too large"))?;
    let kr = if settings.rank_correlation {
        sampler.random.len()
    } else {
        0
    };
    if n.saturating_mul(kr.max(1)) > MAX_RANK_VALUES && kr > 0 {
        return Err(Error::field(
            "samples",
            n,
            format!(
                "rank correlations keep every sampled input in memory: at most {} paths with {kr} uncertain inputs",
                MAX_RANK_VALUES / kr
            ),
        ));
    }
    let mut values = vec![0.0f64; n];
    // Sampled random inputs, path-major (kr per path), kept only for rank correlations.
    let mut drawn = vec![0.0f64; n * kr];
    let seed = settings.seed;
    // Each chunk returns how many of its paths fell outside the model's domain and the first
    // of them (index within the chunk, reason); the counts are summed in chunk order.
    let run_chunk =
        |ci: usize, vals: &mut [f64], ins: &mut [f64]| -> (u64, Option<(usize, String)>) {
            let mut rng = Pcg64Mcg::from_seed(chunk_seed(seed, ci as u64));
            let k = sampler.correlated.len();
            let mut x = sampler.base.clone();
            let mut eps = vec![0.0; k];
            let mut z = vec![0.0; k];
            let mut outside = 0u64;
            let mut first = None;
            for (j, v) in vals.iter_mut().enumerate() {
                sampler.fill(&mut rng, &mut x, &mut eps, &mut z);
                *v = model.eval(&x);
                if let Some(why) = model.domain_error(&x) {
                    outside += 1;
                    if first.is_none() {
                        first = Some((j, why));
                    }
                }
                if kr > 0 {
                    let row = &mut ins[j * kr..(j + 1) * kr];
                    for (r, &ix) in row.iter_mut().zip(&sampler.random) {
                        *r = x[ix];
                    }
                }
            }
            (outside, first)
        };
    let per_chunk: Vec<(u64, Option<(usize, String)>)> = if kr > 0 {
        values
            .par_chunks_mut(chunk)
            .zip(drawn.par_chunks_mut(chunk * kr))
            .enumerate()
            .map(|(ci, (v, ins))| run_chunk(ci, v, ins))
            .collect()
    } else {
        values
            .par_chunks_mut(chunk)
            .enumerate()
            .map(|(ci, v)| run_chunk(ci, v, &mut []))
            .collect()
    };
    let out_of_domain: u64 = per_chunk.iter().map(|c| c.0).sum();
    let first_out_of_domain = per_chunk
        .iter()
        .enumerate()
        .find_map(|(ci, c)| c.1.as_ref().map(|(j, why)| (ci * chunk + j, why.clone())))
        .map(|(idx, reason)| {
            let x = replay(&sampler, seed, chunk, idx);
            OutOfDomain {
                path_index: idx as u64,
                reason,
                inputs: sampler
                    .random
                    .iter()
                    .map(|&i| format!("{} = {}", sampler.paths[i], x[i]))
                    .collect(),
            }
        });
    if let Some(first) = values.iter().position(|v| !v.is_finite()) {
        let bad = values.iter().filter(|v| !v.is_finite()).count();
        let x = replay(&sampler, seed, chunk, first);
        let shown: Vec<String> = sampler
            .random
            .iter()
            .map(|&i| format!("{} = {}", sampler.paths[i], x[i]))
            .collect();
        return Err(Error::Unsupported(format!(
            "simulation: {bad} of {n} paths gave no finite value (first, path {first}: {}): narrow the distributions so that the method stays defined",
            shown.join(", ")
        )));
    }
    let rank_correlations = if kr > 0 {
        rank_correlations(&sampler, &values, &drawn, kr)
    } else {
        Vec::new()
    };
    let stats = statistics(values, settings);
    Ok(Simulation {
        stats,
        rank_correlations,
        out_of_domain,
        first_out_of_domain,
    })
}

/// Re-draws path `idx` (same seed and chunking) and returns its inputs.
fn replay(sampler: &Sampler, seed: u64, chunk: usize, idx: usize) -> Vec<f64> {
    let ci = idx / chunk;
    let mut rng = Pcg64Mcg::from_seed(chunk_seed(seed, ci as u64));
    let k = sampler.correlated.len();
    let (mut x, mut eps, mut z) = (sampler.base.clone(), vec![0.0; k], vec![0.0; k]);
    for _ in 0..=(idx % chunk) {
        sampler.fill(&mut rng, &mut x, &mut eps, &mut z);
    }
    x
}

/// Type-7 quantile of sorted data.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (sorted[lo], sorted[hi]);
    if a == b {
        a
    } else {
        a + (h - lo as f64) * (b - a)
    }
}

/// Statistics of finite values (consumes and sorts them).
fn statistics(mut values: Vec<f64>, s: &SimSettings) -> SimulationStats {
    let n = values.len();
    let mut mean = 0.0;
    for (i, v) in values.iter().enumerate() {
        mean += (v - mean) / (i + 1) as f64;
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = if n > 1 {
        (ss / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    values.par_sort_unstable_by(f64::total_cmp);
    let min = values.first().copied().unwrap_or(f64::NAN);
    let max = values.last().copied().unwrap_or(f64::NAN);
    let pct = |label: &str, p: f64| Percentile {
        label: label.to_string(),
        p,
        value: quantile_sorted(&values, p),
    };
    let percentiles = PERCENTILES.iter().map(|(l, p)| pct(l, *p)).collect();
    let q = s.pledge_quantile;
    let pledge = pct(&format!("P{}", trim_float(q * 100.0)), q);
    let prob_below_threshold = s
        .threshold
        .map(|t| values.partition_point(|v| *v < t) as f64 / n as f64);
    let bins = s.bins.max(1) as usize;
    let mut histogram = Vec::with_capacity(bins);
    let width = (max - min) / bins as f64;
    if width > 0.0 && width.is_finite() {
        let mut start = 0usize;
        for b in 0..bins {
            let lo = min + width * b as f64;
            let hi = if b + 1 == bins {
                max
            } else {
                min + width * (b + 1) as f64
            };
            let end = if b + 1 == bins {
                n
            } else {
                values.partition_point(|v| *v < hi)
            };
            histogram.push(HistogramBin {
                lo,
                hi,
                count: (end - start) as u64,
            });
            start = end;
        }
    } else {
        histogram.push(HistogramBin {
            lo: min,
            hi: max,
            count: n as u64,
        });
    }
    SimulationStats {
        samples: n as u64,
        seed: s.seed,
        chunk_size: s.chunk_size,
        mean,
        sd,
        std_error: if n > 0 { sd / (n as f64).sqrt() } else { 0.0 },
        min,
        max,
        quantile_definition: QUANTILE_DEFINITION.to_string(),
        percentiles,
        pledge,
        threshold: s.threshold,
        prob_below_threshold,
        histogram,
    }
}

/// `x` with up to 6 decimals, trailing zeros removed (messages).
fn num6(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Average ranks (1-based) of `v`; ties share the mean of their ranks.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let n = v.len();
    let mut idx: Vec<u32> = (0..n as u32).collect();
    idx.par_sort_unstable_by(|&a, &b| v[a as usize].total_cmp(&v[b as usize]));
    let mut r = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && v[idx[j] as usize] == v[idx[i] as usize] {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0; // mean of ranks i+1 ..= j
        for &k in &idx[i..j] {
            r[k as usize] = avg;
        }
        i = j;
    }
    r
}

/// Pearson correlation of two equal-length series (0 when either is constant).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 0.0;
    }
    let ma = a.iter().sum::<f64>() / n as f64;
    let mb = b.iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Spearman rank correlation (Pearson of average ranks).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

fn rank_correlations(
    sampler: &Sampler,
    values: &[f64],
    drawn: &[f64],
    kr: usize,
) -> Vec<RankCorrelation> {
    let rv = ranks(values);
    let mut out: Vec<RankCorrelation> = (0..kr)
        .map(|c| {
            let col: Vec<f64> = drawn.iter().skip(c).step_by(kr).copied().collect();
            RankCorrelation {
                input: sampler.paths[sampler.random[c]].clone(),
                rho: pearson(&ranks(&col), &rv),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.rho
            .abs()
            .total_cmp(&a.rho.abs())
            .then_with(|| a.input.cmp(&b.input))
    });
    out
}

// ---------------------------------------------------------------------------------------------
// The money boundary and the summary
// ---------------------------------------------------------------------------------------------

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

fn is_zero(n: &u64) -> bool {
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
            i.param.dist.as_ref().map(|d| UncertainInput {
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

// ---------------------------------------------------------------------------------------------
// Compiled models per approach and correlations across them
// ---------------------------------------------------------------------------------------------

/// The compiled model of an approach, when that approach has one. Phase 2 (income approach):
/// the `Approach::Income` arm becomes `IncomePlan::compile(…)` — one line.
pub fn compile_model(
    case: &Case,
    models: &ModelBook,
    approach: Approach,
) -> Result<Option<Box<dyn Model>>> {
    Ok(match approach {
        Approach::Cost => match &case.cost {
            Some(c) => Some(Box::new(super::cost::CostPlan::compile(
                c,
                &case.subject,
                models,
            )?)),
            None => None,
        },
        Approach::Income => match &case.income {
            Some(inc) => Some(Box::new(super::income::IncomePlan::compile(
                inc,
                &case.subject,
                models,
            )?)),
            None => None,
        },
        Approach::Market => None,
    })
}

/// Splits a case's correlation list over the models that run: each correlation goes to the model
/// whose inputs contain both paths. A path found in no running model is an error unless its
/// approach did not run (its first segment names an approach outside `models`); a pair across
/// two approaches is an error.
pub fn assign_correlations(
    correlations: &[Correlation],
    models: &[(Approach, &dyn Model)],
) -> Result<Vec<Vec<Correlation>>> {
    let mut out: Vec<Vec<Correlation>> = vec![Vec::new(); models.len()];
    let owner = |p: &str| {
        models
            .iter()
            .position(|(_, m)| m.inputs().iter().any(|i| i.path == p))
    };
    let ran = |p: &str| {
        let head = p.split(['.', '[']).next().unwrap_or("");
        models.iter().any(|(a, _)| a.as_str() == head)
    };
    for (i, c) in correlations.iter().enumerate() {
        let (oa, ob) = (owner(&c.a), owner(&c.b));
        match (oa, ob) {
            (Some(x), Some(y)) if x == y => {
                for (p, field) in [(&c.a, "a"), (&c.b, "b")] {
                    let fixed = models.get(x).is_some_and(|(_, m)| {
                        m.inputs()
                            .iter()
                            .any(|i| &i.path == p && !is_random(&i.param))
                    });
                    if fixed {
                        return Err(Error::field(
                            format!("simulation.correlation[{i}].{field}"),
                            p,
                            "is not uncertain: give it a distribution before correlating it",
                        ));
                    }
                }
                if let Some(v) = out.get_mut(x) {
                    v.push(c.clone());
                }
            }
            (Some(_), Some(_)) => {
                return Err(Error::field(
                    format!("simulation.correlation[{i}]"),
                    format!("{} ~ {}", c.a, c.b),
                    "can only correlate inputs of the same approach",
                ))
            }
            _ => {
                let (missing, field) = if oa.is_none() {
                    (&c.a, "a")
                } else {
                    (&c.b, "b")
                };
                if ran(missing) {
                    let known: Vec<&str> = models
                        .iter()
                        .flat_map(|(_, m)| m.inputs().iter())
                        .filter(|i| is_random(&i.param))
                        .map(|i| i.path.as_str())
                        .collect();
                    return Err(Error::field(
                        format!("simulation.correlation[{i}].{field}"),
                        missing,
                        format!(
                            "names no input of the model; uncertain inputs are: {}",
                            if known.is_empty() {
                                "(none)".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    ));
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Sensitivity
// ---------------------------------------------------------------------------------------------

/// One bar of a tornado chart: the input moved by ±swing of its point value, others at point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// Field path of the input.
    pub input: String,
    /// Its point value.
    pub point: f64,
    /// The input at −swing: point × (1 − swing).
    pub low_input: f64,
    /// The input at +swing: point × (1 + swing).
    pub high_input: f64,
    /// Model value with the input at `low_input`.
    pub value_at_low_input: f64,
    /// Model value with the input at `high_input`.
    pub value_at_high_input: f64,
    /// Left end of the bar: min of the two values and the base value.
    pub low: f64,
    /// Right end of the bar: max of the two values and the base value.
    pub high: f64,
    /// `high − low`.
    pub swing: f64,
    /// False when both moved values lie on the same side of the base (the value is not
    /// monotone in the input over ±swing); the bar then still spans the base value.
    pub monotone: bool,
}

/// The value of the model as one input moves over several % changes (spider chart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpiderLine {
    /// Field path of the input.
    pub input: String,
    /// Model value at each of [`Sensitivity::spider_changes`]; `None` (JSON `null`) where the
    /// moved input leaves the model's domain or gives no finite value (see `gaps`).
    pub values: Vec<Option<f64>>,
    /// Why points are missing, one entry per missing point (`-20%: …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

/// An input left out of the sensitivity data, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedInput {
    /// Field path.
    pub input: String,
    /// Why.
    pub reason: String,
}

/// Deterministic one-at-a-time sensitivity of a model (f64, 元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The model's value with every input at its point value.
    pub base_value: f64,
    /// The relative swing (0.1 = ±10 %).
    pub swing: f64,
    /// Tornado bars, largest swing first (ties by input path).
    pub tornado: Vec<TornadoBar>,
    /// Relative changes of the spider chart (−2s, −s, −s/2, 0, s/2, s, 2s).
    pub spider_changes: Vec<f64>,
    /// One line per input, in input order.
    pub spider: Vec<SpiderLine>,
    /// Inputs without a bar (point value 0; outside the model's domain or no finite value at ±swing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedInput>,
}

/// Tornado and spider data: each input moved by a relative `swing` (0 < swing ≤ 1) of its point
/// value, the others held at their point values.
///
/// A moved value that leaves the model's domain ([`Model::domain_error`], e.g. a discount rate
/// pushed to or below the growth rate) or gives no finite value is not drawn: at ±swing the
/// input gets no bar and is listed in `skipped` with the reason; at a spider point the value is
/// `None` and the reason is listed in the line's `gaps`.
pub fn sensitivity<M: Model + ?Sized>(model: &M, swing: f64) -> Result<Sensitivity> {
    if !(swing > 0.0 && swing <= 1.0) {
        return Err(Error::field(
            "--swing",
            swing,
            "must be a relative change above 0 and at most 1 (0.1 = ±10%)",
        ));
    }
    let point = model.point();
    if let Some(i) = point.iter().position(|v| !v.is_finite()) {
        return Err(Error::Internal(format!(
            "input {} has no finite point value",
            model.inputs().get(i).map_or("?", |p| p.path.as_str())
        )));
    }
    if let Some(why) = model.domain_error(&point) {
        return Err(Error::Unsupported(format!(
            "sensitivity: the point inputs lie outside the model's domain: {why}"
        )));
    }
    let base = model.eval(&point);
    if !base.is_finite() {
        return Err(Error::Unsupported(
            "sensitivity: the model has no finite value at the point inputs".into(),
        ));
    }
    let changes: Vec<f64> = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]
        .iter()
        .map(|m| m * swing)
        .collect();
    let mut x = point.clone();
    // The value with input i at v, or why there is none.
    let mut at = |i: usize, v: f64| -> std::result::Result<f64, String> {
        x[i] = v;
        let out = match model.domain_error(&x) {
            Some(why) => Err(why),
            None => {
                let y = model.eval(&x);
                if y.is_finite() {
                    Ok(y)
                } else {
                    Err("the model has no finite value".to_string())
                }
            }
        };
        x[i] = point[i];
        out
    };
    let pct = |c: f64| {
        let s = trim_float(100.0 * c);
        if c > 0.0 {
            format!("+{s}%")
        } else {
            format!("{s}%")
        }
    };
    let mut tornado = Vec::new();
    let mut spider = Vec::new();
    let mut skipped = Vec::new();
    for (i, inp) in model.inputs().iter().enumerate() {
        let p = point[i];
        if p == 0.0 {
            skipped.push(SkippedInput {
                input: inp.path.clone(),
                reason: "point value is 0: a relative change leaves it at 0".into(),
            });
            continue;
        }
        let (lo_in, hi_in) = (p * (1.0 - swing), p * (1.0 + swing));
        let bad = match (at(i, lo_in), at(i, hi_in)) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            (Err(why), _) => Err((-swing, lo_in, why)),
            (_, Err(why)) => Err((swing, hi_in, why)),
        };
        let (vl, vh) = match bad {
            Ok(v) => v,
            Err((c, v, why)) => {
                skipped.push(SkippedInput {
                    input: inp.path.clone(),
                    reason: format!("at {} ({} = {}): {why}", pct(c), inp.path, num6(v)),
                });
                continue;
            }
        };
        let mut values = Vec::with_capacity(changes.len());
        let mut gaps = Vec::new();
        for c in &changes {
            match at(i, p * (1.0 + c)) {
                Ok(v) => values.push(Some(v)),
                Err(why) => {
                    values.push(None);
                    gaps.push(format!("{}: {why}", pct(*c)));
                }
            }
        }
        let low = vl.min(vh).min(base);
        let high = vl.max(vh).max(base);
        let monotone = (vl <= base && base <= vh) || (vh <= base && base <= vl);
        tornado.push(TornadoBar {
            input: inp.path.clone(),
            point: p,
            low_input: lo_in,
            high_input: hi_in,
            value_at_low_input: vl,
            value_at_high_input: vh,
            low,
            high,
            swing: high - low,
            monotone,
        });
        spider.push(SpiderLine {
            input: inp.path.clone(),
            values,
            gaps,
        });
    }
    tornado.sort_by(|a, b| {
        b.swing
            .total_cmp(&a.swing)
            .then_with(|| a.input.cmp(&b.input))
    });
    Ok(Sensitivity {
        base_value: base,
        swing,
        tornado,
        spider_changes: changes,
        spider,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(toml_text: &str) -> Param {
        #[derive(Deserialize)]
        struct W {
            p: Param,
        }
        let w: W = toml::from_str(&format!("p = {toml_text}")).unwrap();
        w.p
    }

    /// Draws `n` values of one marginal, independently and through the copula path.
    fn draws(p: &Param, n: usize, latent: bool) -> Vec<f64> {
        let m = Marginal::of(p, "x").unwrap();
        let mut rng = Pcg64Mcg::from_seed(chunk_seed(7, 0));
        (0..n)
            .map(|_| {
                if latent {
                    let z: f64 = rng.sample(StandardNormal);
                    m.at_z(z)
                } else {
                    m.draw(&mut rng)
                }
            })
            .collect()
    }

    fn moments(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        (m, var)
    }

    fn phi(z: f64) -> f64 {
        (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()
    }

    /// Mean within 4 standard errors, variance within 3 % (n = 200 000).
    fn check(p: &str, mean: f64, var: f64) {
        let n = 200_000;
        for latent in [false, true] {
            let v = draws(&param(p), n, latent);
            let (m, s2) = moments(&v);
            let se = (var / n as f64).sqrt();
            assert!(
                (m - mean).abs() < 4.0 * se,
                "{p} (latent {latent}): mean {m} vs {mean} (se {se})"
            );
            assert!(
                (s2 / var - 1.0).abs() < 0.03,
                "{p} (latent {latent}): var {s2} vs {var}"
            );
        }
    }

    #[test]
    fn sampler_moments_match_each_distribution() {
        check("{ dist = \"uniform\", min = 2, max = 5 }", 3.5, 9.0 / 12.0);
        // Triangular: mean (a+b+c)/3, var (a²+b²+c²−ab−ac−bc)/18.
        let (a, c, b) = (1.0f64, 2.0f64, 6.0f64);
        check(
            "{ dist = \"triangular\", min = 1, mode = 2, max = 6 }",
            (a + b + c) / 3.0,
            (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
        );
        // PERT (λ = 4): mean (a + 4m + b)/6; α, β as above, var = αβ(b−a)²/((α+β)²(α+β+1)).
        let (al, be) = (1.0 + 4.0 * 1.0 / 5.0, 1.0 + 4.0 * 4.0 / 5.0);
        check(
            "{ dist = \"pert\", min = 1, mode = 2, max = 6 }",
            (1.0 + 8.0 + 6.0) / 6.0,
            al * be * 25.0 / ((al + be) * (al + be) * (al + be + 1.0)),
        );
        check("{ dist = \"normal\", mean = 0.1, sd = 0.02 }", 0.1, 0.0004);
        check("{ dist = \"lognormal\", mean = 1.0, sd = 0.3 }", 1.0, 0.09);
        check(
            "{ dist = \"scenarios\", values = [1, 2, 4], probs = [0.2, 0.5, 0.3] }",
            0.2 + 1.0 + 1.2,
            0.2 + 2.0 + 4.8 - 2.4 * 2.4,
        );
        // Truncated normal on [μ − σ, μ + 2σ]: standard formulas with α = −1, β = 2.
        let (al, be) = (-1.0, 2.0);
        let zc = norm_cdf(be) - norm_cdf(al);
        let mt = (phi(al) - phi(be)) / zc;
        let vt = 1.0 + (al * phi(al) - be * phi(be)) / zc - mt * mt;
        check(
            "{ dist = \"normal\", mean = 10, sd = 2, min = 8, max = 14 }",
            10.0 + 2.0 * mt,
            4.0 * vt,
        );
        // Truncated above the mean (mirrored branch): [μ + σ, ∞).
        let al = 1.0;
        let zc = 1.0 - norm_cdf(al);
        let mt = phi(al) / zc;
        let vt = 1.0 + al * phi(al) / zc - mt * mt;
        check("{ dist = \"normal\", mean = 0, sd = 1, min = 1 }", mt, vt);
    }

    #[test]
    fn bounded_marginals_stay_in_their_support_even_at_extreme_u() {
        for p in [
            "{ dist = \"triangular\", min = 1, mode = 1, max = 6 }",
            "{ dist = \"pert\", min = 1, mode = 6, max = 6 }",
            "{ dist = \"normal\", mean = 0, sd = 1, min = -0.5, max = 0.5 }",
            "{ dist = \"uniform\", min = 1, max = 6 }",
        ] {
            let m = Marginal::of(&param(p), "x").unwrap();
            for u in [0.0, 1e-300, 1e-12, 0.5, 1.0 - 1e-12, 1.0] {
                let x = m.at_u(u);
                assert!(x.is_finite(), "{p} at {u}: {x}");
                assert!(
                    (-0.5..=6.0).contains(&x) || (1.0..=6.0).contains(&x),
                    "{p} at {u}: {x}"
                );
            }
            for z in [-40.0, -9.0, 0.0, 9.0, 40.0] {
                assert!(m.at_z(z).is_finite(), "{p} at z = {z}");
            }
        }
        let m = Marginal::of(&param("{ dist = \"lognormal\", mean = 1, sd = 1 }"), "x").unwrap();
        assert!(m.at_u(1.0).is_finite() && m.at_u(0.0) > 0.0);
    }

    #[test]
    fn beta_cdf_matches_statrs() {
        use statrs::function::beta::checked_beta_reg;
        for (a, b) in [
            (1.0, 1.0),
            (5.0, 1.0),
            (1.0, 5.0),
            (1.8, 4.2),
            (3.0, 3.0),
            (4.96, 1.04),
        ] {
            let lnb = ln_beta(a, b);
            for i in 1..1000 {
                let x = i as f64 / 1000.0;
                let (mine, _) = beta_cdf_pdf(a, b, lnb, x);
                let theirs = checked_beta_reg(a, b, x).unwrap();
                assert!(
                    (mine - theirs).abs() < 1e-13,
                    "({a}, {b}, {x}): {mine} vs {theirs}"
                );
            }
        }
    }

    #[test]
    fn beta_inverse_inverts_the_cdf_over_pert_shapes() {
        for (a, b) in [
            (1.0, 1.0),
            (5.0, 1.0),
            (1.0, 5.0),
            (1.8, 4.2),
            (3.0, 3.0),
            (4.96, 1.04),
        ] {
            for i in 0..=1000 {
                let u = i as f64 / 1000.0;
                let x = beta_inv_with(a, b, ln_beta(a, b), u);
                assert!((0.0..=1.0).contains(&x), "({a}, {b}, {u}) -> {x}");
                let back = statrs::function::beta::checked_beta_reg(a, b, x).unwrap();
                assert!((back - u).abs() < 1e-9, "({a}, {b}, {u}): I_x = {back}");
            }
        }
    }

    #[test]
    fn degenerate_distributions_are_constants() {
        for p in [
            "{ dist = \"fixed\", value = 3 }",
            "{ dist = \"scenarios\", values = [3, 9], probs = [1, 0] }",
            "3",
        ] {
            let m = Marginal::of(&param(p), "x").unwrap();
            assert_eq!(m, Marginal::Const(3.0), "{p}");
        }
    }

    #[test]
    fn cholesky_accepts_psd_and_rejects_the_rest() {
        let l = cholesky_psd(&[1.0, 0.5, 0.5, 1.0], 2).unwrap();
        assert!((l[2] - 0.5).abs() < 1e-15 && (l[3] - 0.75f64.sqrt()).abs() < 1e-15);
        // Perfect correlation: rank deficient, still PSD.
        assert!(cholesky_psd(&[1.0, 1.0, 1.0, 1.0], 2).is_ok());
        // a~b = 0.9, a~c = 0.9, b~c = −0.9 is impossible.
        let m = [1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0];
        assert!(cholesky_psd(&m, 3).is_err());
    }

    #[test]
    fn quantiles_follow_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        // numpy.percentile([1,2,3,4], 10) = 1.3
        assert!((quantile_sorted(&v, 0.1) - 1.3).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[5.0], 0.3), 5.0);
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 30.0]), vec![1.5, 3.0, 1.5, 4.0]);
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 1.0, 0.0]) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn chunk_seeds_differ() {
        let s: Vec<[u8; 16]> = (0..100).map(|i| chunk_seed(1, i)).collect();
        for i in 0..s.len() {
            for j in (i + 1)..s.len() {
                assert_ne!(s[i], s[j]);
            }
        }
        assert_ne!(chunk_seed(1, 0), chunk_seed(2, 0));
    }

    #[test]
    fn spec_validation_names_the_field() {
        let bad = SimulationSpec {
            pledge_quantile: Some(DecimalValue(Decimal::ONE)),
            ..Default::default()
        };
        let e = validate_spec(&bad).unwrap_err().to_string();
        assert!(e.starts_with("simulation.pledge_quantile = 1:"), "{e}");
        let bad = SimulationSpec {
            correlation: vec![Correlation {
                a: "x".into(),
                b: "y".into(),
                rho: DecimalValue(Decimal::new(15, 1)),
            }],
            ..Default::default()
        };
        let e = validate_spec(&bad).unwrap_err().to_string();
        assert!(e.starts_with("simulation.correlation[0].rho = 1.5:"), "{e}");
        let bad = SimulationSpec {
            samples: Some(0),
            ..Default::default()
        };
        assert!(validate_spec(&bad).is_err());
    }
}
