//! The Monte Carlo run: paths in fixed-size chunks, each with its own seeded generator, values
//! written in path order; paths outside the model's domain counted and the first replayed.

use super::*;
use crate::error::{Error, Result};
use crate::valuation::{ColumnBlock, Model};
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Paths drawn and evaluated together inside a chunk (inputs in columns, [`ColumnBlock`]): enough
/// for the model's arithmetic to run across paths, few enough for the columns to stay in the
/// first-level cache.
pub const BLOCK: usize = 64;

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
            let mut cols = ColumnBlock::new(&sampler.base, BLOCK);
            let mut x = sampler.base.clone();
            let mut eps = vec![0.0; k];
            let mut z = vec![0.0; k];
            let mut flags = [false; BLOCK];
            let mut outside = 0u64;
            let mut first = None;
            for (bi, block) in vals.chunks_mut(BLOCK).enumerate() {
                let m = block.len();
                cols.set_len(m);
                sampler.fill_block(&mut rng, &mut cols, &mut eps, &mut z);
                let flags = &mut flags[..m];
                model.eval_block(cols.view(), block, flags);
                for (jj, _) in flags.iter().enumerate().filter(|(_, o)| **o) {
                    outside += 1;
                    if first.is_none() {
                        cols.view().gather(jj, &mut x);
                        first = Some((bi * BLOCK + jj, model.domain_error(&x).unwrap_or_default()));
                    }
                }
                if kr > 0 {
                    let rows = ins[bi * BLOCK * kr..].chunks_mut(kr).take(m);
                    for (jj, row) in rows.enumerate() {
                        for (r, &ix) in row.iter_mut().zip(&sampler.random) {
                            *r = cols.view().at(ix, jj);
                        }
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
            let x = replay(&sampler, seed, chunk, n, idx);
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
        let x = replay(&sampler, seed, chunk, n, first);
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

/// Re-draws path `idx` of `n` (same seed and chunking: the blocks of its chunk up to its own)
/// and returns its inputs.
pub(super) fn replay(sampler: &Sampler, seed: u64, chunk: usize, n: usize, idx: usize) -> Vec<f64> {
    let ci = idx / chunk;
    let len = chunk.min(n - ci * chunk);
    let within = idx - ci * chunk;
    let mut rng = Pcg64Mcg::from_seed(chunk_seed(seed, ci as u64));
    let k = sampler.correlated.len();
    let (mut eps, mut z) = (vec![0.0; k], vec![0.0; k]);
    let mut cols = ColumnBlock::new(&sampler.base, BLOCK);
    for b in 0..=within / BLOCK {
        cols.set_len(BLOCK.min(len - b * BLOCK));
        sampler.fill_block(&mut rng, &mut cols, &mut eps, &mut z);
    }
    let mut x = sampler.base.clone();
    cols.view().gather(within % BLOCK, &mut x);
    x
}
