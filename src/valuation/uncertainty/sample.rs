//! The sampler: independent inputs draw their own `u` (or `z`), correlated inputs share latent
//! normals `z = L·ε` (Gaussian copula, `copula.rs`); chunk seeds by SplitMix64.

use super::*;
use crate::error::{Error, Result};
use crate::valuation::{ColumnBlock, PlanInput};
use rand::RngExt;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64Mcg;

/// Draws input vectors for a model: independent marginals plus a Gaussian copula over the
/// correlated group.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// Every input's point value (constant inputs: their fixed value); the starting buffer.
    pub(super) base: Vec<f64>,
    /// Independent random inputs: (index into the inputs, marginal).
    pub(super) independent: Vec<(usize, Marginal)>,
    /// Correlated random inputs, in latent order.
    pub(super) correlated: Vec<(usize, Marginal)>,
    /// Lower-triangular Cholesky factor of the latent correlation matrix, row-major k×k.
    pub(super) chol: Vec<f64>,
    /// Indices (into the inputs) of every random input, in input order.
    pub(super) random: Vec<usize>,
    pub(super) paths: Vec<String>,
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

    /// Fills the random inputs' columns of `c` for its paths in use: first the correlated
    /// group path by path (latent normals `z = L·ε`, then each input's `F⁻¹(Φ(z))`), then each
    /// independent input's whole column ([`Marginal::draw_column`]), in input order. The
    /// random numbers a block consumes, and so its values, depend only on the generator's
    /// state and the block's length.
    pub(super) fn fill_block(
        &self,
        rng: &mut Pcg64Mcg,
        c: &mut ColumnBlock,
        eps: &mut [f64],
        z: &mut [f64],
    ) {
        if !self.correlated.is_empty() {
            for j in 0..c.len() {
                self.latent(rng, eps, z);
                for ((ix, m), zr) in self.correlated.iter().zip(z.iter()) {
                    c.set(*ix, j, m.at_z(*zr));
                }
            }
        }
        for (ix, m) in &self.independent {
            m.draw_column(rng, c.col_mut(*ix));
        }
    }

    /// The correlated group's latent normals `z = L·ε` of one path (`ε` drawn into `eps`).
    #[inline]
    fn latent(&self, rng: &mut Pcg64Mcg, eps: &mut [f64], z: &mut [f64]) {
        let k = self.correlated.len();
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
    }
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
