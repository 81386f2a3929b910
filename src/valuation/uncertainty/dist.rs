//! Marginal distributions and their inverse CDFs: fixed, uniform, triangular, PERT (via the
//! regularised incomplete beta), normal (optionally truncated), lognormal, scenarios.

use super::vmath::{self, triangular_inv, U_MAX};
use crate::error::{Error, Result};
use crate::param::{describe, Dist, Param};
use rand::distr::Open01;
use rand::RngExt;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64Mcg;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use statrs::function::erf::{erfc, erfc_inv};

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

/// Modified Lentz evaluation of the continued fraction of `I_x(a, b)` (Numerical Recipes,
/// `betacf`); converges fast for `x < (a + 1) / (a + b + 2)`.
pub(super) fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
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
pub(super) fn beta_cdf_pdf(a: f64, b: f64, lnb: f64, x: f64) -> (f64, f64) {
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
pub(super) fn beta_inv_with(a: f64, b: f64, lnb: f64, u: f64) -> f64 {
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
pub(super) const REJECTION_MIN_MASS: f64 = 0.5;
/// Rejections before falling back to the inverse CDF (reached with probability ≤ 2⁻⁶⁴).
pub(super) const REJECTION_TRIES: u32 = 64;

/// One input's distribution, prepared for sampling in `f64`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Marginal {
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
        /// The tabulated inverse of Beta(alpha, beta), shared per shape (see `beta_table`).
        table: std::sync::Arc<super::beta_table::BetaTable>,
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

pub(super) fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

impl Marginal {
    pub(super) fn of(p: &Param, path: &str) -> Result<Marginal> {
        let bad = |d: &Dist, why: &str| Err(Error::field(path, describe(d), why.to_string()));
        let m = match p.dist.as_deref() {
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
                            table: super::beta_table::BetaTable::shared(alpha, beta),
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

    pub(super) fn is_random(&self) -> bool {
        !matches!(self, Marginal::Const(_))
    }

    /// The inverse CDF at `u` ∈ [0, 1].
    #[inline]
    pub(super) fn at_u(&self, u: f64) -> f64 {
        let u = u.clamp(f64::MIN_POSITIVE, U_MAX);
        match self {
            Marginal::Const(c) => *c,
            Marginal::Uniform { lo, width } => lo + u * width,
            Marginal::Triangular { lo, hi, mode, fc } => triangular_inv(*lo, *hi, *mode, *fc, u),
            // The tabulated inverse (error ≤ 1e-9 of the width, tested against beta_inv_with).
            Marginal::Pert {
                lo, width, table, ..
            } => lo + width * table.at(u),
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
            Marginal::Lognormal { mu, sigma } => vmath::exp(mu + sigma * norm_inv(u)),
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
    pub(super) fn at_z(&self, z: f64) -> f64 {
        match self {
            Marginal::Normal { mean, sd } => mean + sd * z,
            Marginal::Lognormal { mu, sigma } => vmath::exp(mu + sigma * z),
            Marginal::Const(c) => *c,
            _ => self.at_u(norm_cdf(z)),
        }
    }

    /// Fills `col` with independent draws, one after another from `rng`: standard normals
    /// (ziggurat) or uniforms on (0, 1) first, then turned into values a column at a time by
    /// the vector kernels of `vmath`; the kinds without a kernel draw their value directly.
    pub(super) fn draw_column(&self, rng: &mut Pcg64Mcg, col: &mut [f64]) {
        match *self {
            Marginal::Const(c) => col.fill(c),
            Marginal::Normal { mean, sd } => {
                normals(rng, col);
                vmath::normal_all(col, mean, sd);
            }
            Marginal::Lognormal { mu, sigma } => {
                normals(rng, col);
                vmath::lognormal_all(col, mu, sigma);
            }
            Marginal::Triangular { lo, hi, mode, fc } => {
                for v in col.iter_mut() {
                    *v = rng.sample(Open01);
                }
                vmath::triangular_all(col, lo, hi, mode, fc);
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
                for v in col.iter_mut() {
                    *v = self.reject_draw(rng, mean, sd, lo, hi);
                }
            }
            _ => {
                for v in col.iter_mut() {
                    *v = self.at_u(rng.sample(Open01));
                }
            }
        }
    }

    /// A truncated normal by rejection: a normal draw inside `[lo, hi]` is a draw of the
    /// truncated normal (the inverse CDF after [`REJECTION_TRIES`] rejections). Measured: the
    /// column's normals drawn first and the few outside redrawn after was slower (the
    /// ziggurat is inlined here, and called in a loop of its own).
    #[inline]
    fn reject_draw(&self, rng: &mut Pcg64Mcg, mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
        for _ in 0..REJECTION_TRIES {
            let z: f64 = rng.sample(StandardNormal);
            let x = mean + sd * z;
            if x >= lo && x <= hi {
                return x;
            }
        }
        self.at_u(rng.sample(Open01))
    }
}

/// Standard normal draws (ziggurat, `rand_distr::StandardNormal`) into `col`.
#[inline]
fn normals(rng: &mut Pcg64Mcg, col: &mut [f64]) {
    for v in col.iter_mut() {
        *v = rng.sample(StandardNormal);
    }
}

/// True when sampling `p` can give more than one value (a `scenarios` table with one live value,
/// or `fixed`, is a constant).
pub fn is_random(p: &Param) -> bool {
    Marginal::of(p, "").is_ok_and(|m| m.is_random())
}
