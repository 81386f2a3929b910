//! Column kernels of the sampler: the transforms a block's raw draws go through (normal,
//! lognormal, triangular), compiled for the widest vector unit the processor has (SSE2, AVX2,
//! AVX-512; chosen at run time by the `multiversion` crate), and an `exp` written for them.
//!
//! Why an `exp` of our own: libm's `exp` is a call per value that no loop can vectorise
//! (about a fifth of a three-input Monte Carlo run's instructions, issue 11), and the vector
//! `exp`s of the SIMD crates use fused multiply-adds where the processor has them, so that the
//! same seed would give different last bits on different machines. This one uses only
//! additions, multiplications and bit operations, each rounded as IEEE 754 prescribes, in a
//! fixed order: the same bits from the scalar code, from two lanes and from eight.

use multiversion::multiversion;

/// ln 2 in two parts (fdlibm's): the high part has 32 trailing zero bits, so k·LN2_HI is
/// exact for every k the clamp allows; LN2_HI + LN2_LO is ln 2 to about 2⁻⁸⁵.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// 1.5 · 2⁵²: adding it rounds a number below 2⁵¹ in magnitude to an integer, which then
/// stands in the low bits of the sum.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// e^x within 1 ulp of glibc's `exp` (itself within 1 ulp of the exact value; tested over the
/// whole range: about 90 % of values bit-identical on [−3, 3]), with `exp(0) = 1`, `exp(+∞) = +∞`, `exp(−∞) = 0` and NaN kept; results
/// below the smallest normal number are subnormal or 0, as they should be.
///
/// x = k·ln 2 + r with |r| ≤ ½·ln 2 (Cody–Waite: ln 2 in two parts, so k·ln2_hi is exact); e^r
/// by its Taylor polynomial of degree 13 (the first term left out is below 4·10⁻¹⁸ of e^r),
/// Horner's rule; 2^k applied as two factors 2^⌊(k+1100)/2⌋⁻⁵⁵⁰ and 2^⌈(k+1100)/2⌉⁻⁵⁵⁰, each
/// a normal number for every k the clamp allows, so that overflow and underflow happen in the
/// last multiplication only.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let xc = x.clamp(-746.0, 710.0);
    let t = xc * INV_LN2 + ROUNDER;
    let kf = t - ROUNDER;
    let r = (xc - kf * LN2_HI) - kf * LN2_LO;
    let mut p = 1.0 / 6_227_020_800.0;
    p = p * r + 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // k as a two's-complement integer in the low bits of t (|k| ≤ 1077), shifted to k + 1100 ≥ 0
    // and halved by a logical shift (AVX2 has no 64-bit arithmetic shift).
    let kb = t
        .to_bits()
        .wrapping_sub(ROUNDER.to_bits())
        .wrapping_add(1100);
    let h1 = kb >> 1;
    let h2 = kb - h1;
    let s1 = f64::from_bits((h1 + 1023 - 550) << 52);
    let s2 = f64::from_bits((h2 + 1023 - 550) << 52);
    let y = p * s1 * s2;
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// The triangular inverse CDF at `u` ∈ (0, 1) (the callers clamp it): `lo + √(u·(hi − lo)·(mode − lo))`
/// left of the mode (`u < fc`), `hi − √((1 − u)·(hi − lo)·(hi − mode))` right of it. One
/// square root for both sides (the side is a select, not a branch the CPU mispredicts half the
/// time).
#[inline(always)]
pub(super) fn triangular_inv(lo: f64, hi: f64, mode: f64, fc: f64, u: f64) -> f64 {
    let left = u < fc;
    let (a, c) = if left {
        (u, mode - lo)
    } else {
        (1.0 - u, hi - mode)
    };
    let r = (a * (hi - lo) * c).sqrt();
    if left {
        lo + r
    } else {
        hi - r
    }
}

/// The largest `f64` below 1: `u` is clamped into `[MIN_POSITIVE, U_MAX]` before an inverse CDF
/// so that unbounded marginals stay finite.
pub(crate) const U_MAX: f64 = 1.0 - f64::EPSILON / 2.0;

/// Standard normals `z` → `mean + sd·z`, in place.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512dq", "x86_64+avx2"))]
pub(super) fn normal_all(col: &mut [f64], mean: f64, sd: f64) {
    for v in col.iter_mut() {
        *v = mean + sd * *v;
    }
}

/// Standard normals `z` → `exp(mu + sigma·z)`, in place.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512dq", "x86_64+avx2"))]
pub(super) fn lognormal_all(col: &mut [f64], mu: f64, sigma: f64) {
    for v in col.iter_mut() {
        *v = exp(mu + sigma * *v);
    }
}

/// Uniforms `u` → the triangular inverse CDF at `u` clamped into (0, 1), in place.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512dq", "x86_64+avx2"))]
pub(super) fn triangular_all(col: &mut [f64], lo: f64, hi: f64, mode: f64, fc: f64) {
    for v in col.iter_mut() {
        *v = triangular_inv(lo, hi, mode, fc, v.clamp(f64::MIN_POSITIVE, U_MAX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64).abs_diff(b.to_bits() as i64)
    }

    #[test]
    fn exp_is_within_one_ulp_of_the_platform_exp_over_its_range() {
        let mut worst = (0, 0.0);
        let mut check = |x: f64| {
            let d = ulps(exp(x), x.exp());
            if d > worst.0 {
                worst = (d, x);
            }
        };
        // The whole range, subnormal results included, and densely where lognormals live.
        let mut x = -745.1;
        while x < 709.78 {
            check(x);
            x += 0.000_973;
        }
        for i in -2_000_000..=2_000_000 {
            check(f64::from(i) * 4e-6);
        }
        assert!(worst.0 <= 1, "{} ulps at x = {}", worst.0, worst.1);
    }

    #[test]
    fn exp_at_the_edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(-746.0), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(-740.0) > 0.0 && exp(-740.0) < f64::MIN_POSITIVE);
        assert!((exp(709.78) / 709.78f64.exp() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn the_column_kernels_give_the_scalar_bits() {
        // The dispatched loops (this machine's widest vectors) against the scalar functions,
        // value by value, over lengths that leave remainders for every lane count.
        for n in [1usize, 3, 7, 64, 1000] {
            let z: Vec<f64> = (0..n).map(|i| -9.0 + 18.0 * i as f64 / n as f64).collect();
            let mut a = z.clone();
            lognormal_all(&mut a, -0.03, 0.246);
            for (v, zi) in a.iter().zip(&z) {
                assert_eq!(v.to_bits(), exp(-0.03 + 0.246 * zi).to_bits());
            }
            let mut b = z.clone();
            normal_all(&mut b, 0.12, 0.015);
            for (v, zi) in b.iter().zip(&z) {
                assert_eq!(v.to_bits(), (0.12 + 0.015 * zi).to_bits());
            }
            let u: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
            let mut c = u.clone();
            triangular_all(&mut c, 0.03, 0.07, 0.05, 0.5);
            for (v, ui) in c.iter().zip(&u) {
                assert_eq!(
                    v.to_bits(),
                    triangular_inv(0.03, 0.07, 0.05, 0.5, *ui).to_bits()
                );
            }
        }
    }
}
