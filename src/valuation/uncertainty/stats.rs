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

/// The order statistics at positions `want` (sorted, distinct) of finite `v` with these
/// bounds: exactly what a full `total_cmp` sort would put there (identical bits).
///
/// Bucketing instead of sorting or selecting: `⌊(x − min)·B/(max − min)⌋` never decreases as
/// `x` grows (IEEE subtraction and multiplication are monotone), so counting the values per
/// bucket says which bucket holds each wanted position, and only those few buckets (a few
/// hundred values each) are gathered and sorted. Two linear passes replace the repeated
/// partitioning of a multiple selection, which was 16 % of a 1,000,000-path run's profile.
fn order_statistics(v: &[f64], min: f64, max: f64, want: &[usize]) -> Vec<f64> {
    let n = v.len();
    if want.is_empty() || n == 0 {
        return Vec::new();
    }
    let nb = (n / 64).clamp(1, 1 << 14);
    let scale = nb as f64 / (max - min);
    if max <= min || !scale.is_finite() {
        return vec![min; want.len()];
    }
    let bucket = |x: f64| (((x - min) * scale) as usize).min(nb - 1);
    let counts = lane_counts(v, nb, bucket);
    // For each wanted position: its bucket and its rank within the bucket.
    let mut at = Vec::with_capacity(want.len());
    let (mut b, mut before) = (0usize, 0usize);
    for &p in want {
        while before + counts[b] as usize <= p {
            before += counts[b] as usize;
            b += 1;
        }
        at.push((b, p - before));
    }
    let mut slot = vec![u8::MAX; nb];
    let mut gathered: Vec<Vec<f64>> = Vec::new();
    for &(b, _) in &at {
        if slot[b] == u8::MAX {
            slot[b] = gathered.len() as u8;
            gathered.push(Vec::with_capacity(counts[b] as usize));
        }
    }
    for &x in v {
        let s = slot[bucket(x)];
        if s != u8::MAX {
            gathered[s as usize].push(x);
        }
    }
    for g in &mut gathered {
        g.sort_unstable_by(f64::total_cmp);
    }
    at.iter()
        .map(|&(b, r)| gathered[slot[b] as usize][r])
        .collect()
}

/// How many of `v` fall in each of `nb` bins by `bin` (which must be below `nb`). Counted in
/// four interleaved sets of counters, summed at the end: with one set, runs of values in the
/// same bin made each increment wait for the one before (a 20-bin histogram of a million
/// values took longer than the rest of the statistics).
fn lane_counts(v: &[f64], nb: usize, bin: impl Fn(f64) -> usize) -> Vec<u32> {
    let mut lanes = vec![[0u32; 4]; nb];
    let mut it = v.chunks_exact(4);
    for c in &mut it {
        for l in 0..4 {
            lanes[bin(c[l])][l] += 1;
        }
    }
    for (l, &x) in it.remainder().iter().enumerate() {
        lanes[bin(x)][l] += 1;
    }
    lanes.iter().map(|c| c.iter().sum()).collect()
}

/// Sum, smallest and largest of `v`, in four interleaved lanes (a fixed order: the same bits
/// on any number of threads).
fn sum_min_max(v: &[f64]) -> (f64, f64, f64) {
    let mut acc = [0.0f64; 4];
    let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let mut it = v.chunks_exact(4);
    for c in &mut it {
        for l in 0..4 {
            acc[l] += c[l];
            lo[l] = lo[l].min(c[l]);
            hi[l] = hi[l].max(c[l]);
        }
    }
    for (l, &x) in it.remainder().iter().enumerate() {
        acc[l] += x;
        lo[l] = lo[l].min(x);
        hi[l] = hi[l].max(x);
    }
    let fold = |a: [f64; 4], f: fn(f64, f64) -> f64| f(f(a[0], a[1]), f(a[2], a[3]));
    (
        (acc[0] + acc[1]) + (acc[2] + acc[3]),
        fold(lo, f64::min),
        fold(hi, f64::max),
    )
}

/// Σ (x − m) and Σ (x − m)², in four interleaved lanes.
fn sum_dev(v: &[f64], m: f64) -> (f64, f64) {
    let (mut d, mut d2) = ([0.0f64; 4], [0.0f64; 4]);
    let mut it = v.chunks_exact(4);
    for c in &mut it {
        for l in 0..4 {
            d[l] += c[l] - m;
            d2[l] += (c[l] - m) * (c[l] - m);
        }
    }
    for (l, &x) in it.remainder().iter().enumerate() {
        d[l] += x - m;
        d2[l] += (x - m) * (x - m);
    }
    let fold = |a: [f64; 4]| (a[0] + a[1]) + (a[2] + a[3]);
    (fold(d), fold(d2))
}

/// Mean and Σ (x − mean)² by the corrected two-pass algorithm (Chan, Golub & LeVeque 1983):
/// the mean of the sum, corrected by the mean deviation from it; all-equal values give that
/// value and 0 exactly.
fn mean_ss(v: &[f64], sum: f64, min: f64, max: f64) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (0.0, 0.0);
    }
    if min == max {
        return (min, 0.0);
    }
    let m = sum / n;
    let (d, d2) = sum_dev(v, m);
    ((m + d / n).clamp(min, max), (d2 - d * d / n).max(0.0))
}

/// Statistics of finite values.
pub(super) fn statistics(values: Vec<f64>, s: &SimSettings) -> SimulationStats {
    let n = values.len();
    let (sum, min, max) = if n > 0 {
        sum_min_max(&values)
    } else {
        (0.0, f64::NAN, f64::NAN)
    };
    let (mean, ss) = mean_ss(&values, sum, min, max);
    let sd = if n > 1 {
        (ss / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let q = s.pledge_quantile;
    let mut want: Vec<usize> = Vec::new();
    if n > 0 {
        want = PERCENTILES
            .iter()
            .map(|(_, p)| *p)
            .chain([q])
            .flat_map(|p| quantile_positions(n, p))
            .collect();
        want.sort_unstable();
        want.dedup();
    }
    let order = order_statistics(&values, min, max, &want);
    let at = |i: usize| order[want.binary_search(&i).expect("a wanted position")];
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
        let inv = 1.0 / width;
        let counts = lane_counts(&values, bins, |v| {
            let mut b = (((v - min) * inv) as usize).min(bins - 1);
            while b > 0 && v < hi(b - 1) {
                b -= 1;
            }
            while b + 1 < bins && v >= hi(b) {
                b += 1;
            }
            b
        });
        for (b, count) in counts.into_iter().enumerate() {
            let lo = min + width * b as f64;
            let hi = if b + 1 == bins { max } else { hi(b) };
            histogram.push(HistogramBin {
                lo,
                hi,
                count: u64::from(count),
            });
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
