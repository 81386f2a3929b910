//! Uncertainty: Monte Carlo over a compiled [`crate::valuation::Model`], statistics of the simulated values, and
//! one-at-a-time sensitivity (tornado and spider data). No I/O.
//!
//! # Sampling
//! Every input of a model carries a [`crate::param::Param`]; its distribution ([`crate::param::Dist`]) is sampled by its
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
//! (ziggurat, `rand_distr::StandardNormal`), which is the same distribution. The lognormal's
//! `exp` is techval's own (`vmath::exp`, within 1 ulp of glibc's), so that
//! the transform runs in vectors and gives the same bits on every processor.
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
//! number of threads.
//!
//! Inside a chunk, paths go in blocks of [`BLOCK`] with their inputs in columns
//! ([`crate::valuation::ColumnBlock`]): the correlated group path by path, then each independent
//! input's whole column (its normals or uniforms drawn one after another, then turned into
//! values by a vector loop), then the model over the block ([`crate::valuation::Model::eval_block`]:
//! the income approach runs its period loop across the paths). The vector loops are compiled
//! for SSE2, AVX2 and AVX-512 and picked at run time; they use no fused multiply-add, so every
//! width gives the same bits (tested). A block's draws depend only on the generator's state and
//! the block's length, so a path is replayed by re-drawing the blocks of its chunk up to its own.
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
//! value pass through [`crate::money::Money::from_f64_boundary`] (rounded to the fen, half away from zero).
//! Everything else in [`SimulationStats`] and [`Sensitivity`] stays `f64` (statistics, charts).

mod beta_table;
mod copula;
mod correlations;
mod dist;
mod sample;
mod sensitivity;
mod simulate;
mod spec;
mod stats;
mod summary;
#[cfg(test)]
mod tests;
mod vmath;

use copula::*;
pub use correlations::*;
pub use dist::*;
pub use sample::*;
pub use sensitivity::*;
pub use simulate::*;
pub use spec::*;
pub use stats::*;
pub use summary::*;

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
