//! Statistics of the simulated values: Welford mean, sample sd, type-7 percentiles, histogram,
//! probability below a threshold, ranks and Pearson / Spearman correlations.

use super::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

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

/// Type-7 quantile from the order statistics at `h.floor()` and the one after it.
fn quantile_from(at: &impl Fn(usize) -> f64, n: usize, p: f64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (at(lo), at(hi));
    if a == b {
        a
    } else {
        a + (h - lo as f64) * (b - a)
    }
}

/// The positions [`quantile_from`] reads for `p` of `n` values.
fn quantile_positions(n: usize, p: f64) -> [usize; 2] {
    let lo = ((n - 1) as f64 * p.clamp(0.0, 1.0)).floor() as usize;
    [lo, (lo + 1).min(n - 1)]
}

/// Puts the values a full `total_cmp` sort would put at the positions `want` (sorted,
/// distinct) at those positions, by selection. The percentiles read 16 order statistics of
/// 10,000 values per portfolio row: a full sort of each row was 17 % of a 10,000-row run's
/// profile; selection reads the same values (identical bits), so the statistics are
/// unchanged.
fn select_positions(v: &mut [f64], want: &[usize]) {
    // Anchors (a position whose predecessor is not wanted) by recursive selection; every
    // element between two anchors then lies between their values.
    let anchors: Vec<usize> = want
        .iter()
        .enumerate()
        .filter(|(i, p)| *i == 0 || want[i - 1] + 1 != **p)
        .map(|(_, p)| *p)
        .collect();
    fn multiselect(v: &mut [f64], offset: usize, pos: &[usize]) {
        if pos.is_empty() || v.is_empty() {
            return;
        }
        let m = pos.len() / 2;
        let at = pos[m] - offset;
        v.select_nth_unstable_by(at, f64::total_cmp);
        let (left, rest) = v.split_at_mut(at);
        multiselect(left, offset, &pos[..m]);
        multiselect(&mut rest[1..], pos[m] + 1, &pos[m + 1..]);
    }
    multiselect(v, 0, &anchors);
    // A run a, a+1, …: the next values are the smallest of what lies after a, up to the next
    // anchor (everything beyond it is no smaller than it).
    for (ai, &a) in anchors.iter().enumerate() {
        let end = anchors.get(ai + 1).copied().unwrap_or(v.len());
        let mut p = a + 1;
        while want.binary_search(&p).is_ok() && p < end {
            let (j, _) = v[p..end]
                .iter()
                .enumerate()
                .min_by(|x, y| x.1.total_cmp(y.1))
                .expect("a non-empty range");
            v.swap(p, p + j);
            p += 1;
        }
    }
}

/// Statistics of finite values (consumes and reorders them).
pub(super) fn statistics(mut values: Vec<f64>, s: &SimSettings) -> SimulationStats {
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
    let q = s.pledge_quantile;
    let min = values
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .unwrap_or(f64::NAN);
    let max = values
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(f64::NAN);
    if n > 0 {
        let mut want: Vec<usize> = PERCENTILES
            .iter()
            .map(|(_, p)| *p)
            .chain([q])
            .flat_map(|p| quantile_positions(n, p))
            .collect();
        want.sort_unstable();
        want.dedup();
        select_positions(&mut values, &want);
    }
    let at = |i: usize| values[i];
    let pct = |label: &str, p: f64| Percentile {
        label: label.to_string(),
        p,
        value: quantile_from(&at, n, p),
    };
    let percentiles = PERCENTILES.iter().map(|(l, p)| pct(l, *p)).collect();
    let pledge = pct(&format!("P{}", trim_float(q * 100.0)), q);
    let prob_below_threshold = s
        .threshold
        .map(|t| values.iter().filter(|v| **v < t).count() as f64 / n as f64);
    let bins = s.bins.max(1) as usize;
    let mut histogram = Vec::with_capacity(bins);
    let width = (max - min) / bins as f64;
    if width > 0.0 && width.is_finite() {
        // Bin b holds the values in [hi(b−1), hi(b)) with the edges as a sorted scan computed
        // them; a value's bin is guessed from its distance to min and then checked against
        // those edges, so the counts are the sorted scan's.
        let hi = |b: usize| min + width * (b + 1) as f64;
        let mut counts = vec![0u64; bins];
        for v in &values {
            let mut b = (((v - min) / width) as usize).min(bins - 1);
            while b > 0 && *v < hi(b - 1) {
                b -= 1;
            }
            while b + 1 < bins && *v >= hi(b) {
                b += 1;
            }
            counts[b] += 1;
        }
        for (b, count) in counts.into_iter().enumerate() {
            let lo = min + width * b as f64;
            let hi = if b + 1 == bins { max } else { hi(b) };
            histogram.push(HistogramBin { lo, hi, count });
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
pub(super) fn num6(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(super) fn trim_float(x: f64) -> String {
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

pub(super) fn rank_correlations(
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
