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

/// The bucket of a value: `⌊(x − min)·scale⌋`, at most `nb − 1`. It never decreases as `x`
/// grows (IEEE subtraction and multiplication are monotone), so every value of a bucket lies
/// above every value of the buckets before it: counting the values per bucket says which bucket
/// holds each wanted order statistic and which values lie on either side of a histogram edge,
/// and only the few buckets that hold one (a few hundred values each) are gathered and sorted.
/// Two linear passes replace a sort, a multiple selection and a histogram pass (the selection
/// alone was 16 % of a 1,000,000-path run's profile).
#[derive(Debug, Clone, Copy)]
struct Buckets {
    min: f64,
    scale: f64,
    nb: usize,
}

impl Buckets {
    /// About 64 values per bucket, at most 2,048 buckets (their counters, four sets of `u32`,
    /// then fill the first-level cache: with 16,384 they did not, and a million paths' counting
    /// pass waited on the second level); a range too narrow for its reciprocal (or no range) is
    /// one bucket.
    fn new(n: usize, min: f64, max: f64) -> Buckets {
        let nb = (n / 64).clamp(1, 1 << 11);
        let scale = nb as f64 / (max - min);
        if max > min && scale.is_finite() {
            Buckets { min, scale, nb }
        } else {
            Buckets {
                min,
                scale: 0.0,
                nb: 1,
            }
        }
    }

    #[inline]
    fn of(&self, x: f64) -> usize {
        (((x - self.min) * self.scale) as usize).min(self.nb - 1)
    }
}

/// Σ (x − m), Σ (x − m)² and the number of values in each bucket. The sums run in four
/// interleaved lanes (a fixed order: the same bits on any number of threads) in a loop of
/// their own, which the compiler vectorises; the counts in four interleaved sets of counters,
/// summed at the end: with one set, runs of values in the same bucket made each increment wait
/// for the one before.
fn deviations_and_counts(v: &[f64], m: f64, bk: Buckets) -> (f64, f64, Vec<u32>) {
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
    let mut lanes = vec![[0u32; 4]; bk.nb];
    let mut it = v.chunks_exact(4);
    for c in &mut it {
        for l in 0..4 {
            lanes[bk.of(c[l])][l] += 1;
        }
    }
    for (l, &x) in it.remainder().iter().enumerate() {
        lanes[bk.of(x)][l] += 1;
    }
    let fold = |a: [f64; 4]| (a[0] + a[1]) + (a[2] + a[3]);
    let counts = lanes.iter().map(|c| c.iter().sum()).collect();
    (fold(d), fold(d2), counts)
}

/// The values of the buckets that have a slot (`slot[bucket]`, `u32::MAX` for none), one
/// sorted list per slot.
fn gather_sorted(v: &[f64], bk: Buckets, slot: &[u32], counts: &[u32]) -> Vec<Vec<f64>> {
    let mut gathered: Vec<Vec<f64>> = Vec::new();
    for (b, &s) in slot.iter().enumerate() {
        if s != u32::MAX {
            debug_assert_eq!(s as usize, gathered.len());
            gathered.push(Vec::with_capacity(counts[b] as usize));
        }
    }
    for &x in v {
        let s = slot[bk.of(x)];
        if s != u32::MAX {
            gathered[s as usize].push(x);
        }
    }
    for g in &mut gathered {
        g.sort_unstable_by(f64::total_cmp);
    }
    gathered
}

/// Order statistics and histogram counts of finite `v` from its bucket counts: each wanted
/// position (sorted, distinct) read exactly where a full `total_cmp` sort would put it
/// (identical bits), and the number of values in each bin `[edge(b−1), edge(b))` for the
/// increasing inner `edges` (the first bin open below, the last closed above), as a sorted scan
/// counts them.
fn order_and_bins(
    v: &[f64],
    bk: Buckets,
    counts: &[u32],
    want: &[usize],
    edges: &[f64],
) -> (Vec<f64>, Vec<u64>) {
    // Each wanted position's bucket and its rank within the bucket.
    let mut at = Vec::with_capacity(want.len());
    let (mut b, mut before) = (0usize, 0usize);
    for &p in want {
        while before + counts[b] as usize <= p {
            before += counts[b] as usize;
            b += 1;
        }
        at.push((b, p - before));
    }
    // A bucket below an edge's bucket holds only values below the edge, one above it only
    // values at or above it: only the edges' own buckets need their values looked at.
    let edge_bucket: Vec<usize> = edges.iter().map(|e| bk.of(*e)).collect();
    // The buckets read get slots, numbered in bucket order.
    let mut slot = vec![u32::MAX; bk.nb];
    for b in at.iter().map(|a| a.0).chain(edge_bucket.iter().copied()) {
        slot[b] = 0;
    }
    for (k, s) in slot.iter_mut().filter(|s| **s != u32::MAX).enumerate() {
        *s = k as u32;
    }
    let gathered = gather_sorted(v, bk, &slot, counts);
    let order = at
        .iter()
        .map(|&(b, r)| gathered[slot[b] as usize][r])
        .collect();
    let mut bins = vec![0u64; edges.len() + 1];
    let mut below = 0usize; // edges whose bucket lies below bucket b
    for (b, &c) in counts.iter().enumerate() {
        while below < edge_bucket.len() && edge_bucket[below] < b {
            below += 1;
        }
        if below < edge_bucket.len() && edge_bucket[below] == b {
            for x in &gathered[slot[b] as usize] {
                bins[edges.partition_point(|e| *x >= *e)] += 1;
            }
        } else {
            bins[below] += u64::from(c);
        }
    }
    (order, bins)
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

/// Statistics of finite values: one pass for the sum and the range, one for the deviations
/// and the bucket counts, one to gather the few buckets read (see [`Buckets`]).
pub(super) fn statistics(values: Vec<f64>, s: &SimSettings) -> SimulationStats {
    let n = values.len();
    let nf = n as f64;
    let (sum, min, max) = if n > 0 {
        sum_min_max(&values)
    } else {
        (0.0, f64::NAN, f64::NAN)
    };
    let bk = Buckets::new(n, min, max);
    // The mean and Σ (x − mean)² by the corrected two-pass algorithm (Chan, Golub & LeVeque
    // 1983): the mean of the sum, corrected by the mean deviation from it; all-equal values
    // give that value and 0 exactly.
    let (mean, ss, counts) = if n == 0 {
        (0.0, 0.0, Vec::new())
    } else if min == max {
        (min, 0.0, vec![n as u32; 1])
    } else {
        let m = sum / nf;
        let (d, d2, counts) = deviations_and_counts(&values, m, bk);
        (
            (m + d / nf).clamp(min, max),
            (d2 - d * d / nf).max(0.0),
            counts,
        )
    };
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
    // Bin b holds the values in [hi(b−1), hi(b)) with the edges as a sorted scan computes them.
    let bins = s.bins.max(1) as usize;
    let width = (max - min) / bins as f64;
    let binned = width > 0.0 && width.is_finite();
    let hi = |b: usize| min + width * (b + 1) as f64;
    let edges: Vec<f64> = if binned {
        (0..bins - 1).map(hi).collect()
    } else {
        Vec::new()
    };
    let (order, counts) = if n == 0 {
        (Vec::new(), Vec::new())
    } else if min == max {
        (vec![min; want.len()], vec![n as u64])
    } else {
        order_and_bins(&values, bk, &counts, &want, &edges)
    };
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
    let histogram = if binned {
        counts
            .into_iter()
            .enumerate()
            .map(|(b, count)| HistogramBin {
                lo: min + width * b as f64,
                hi: if b + 1 == bins { max } else { hi(b) },
                count,
            })
            .collect()
    } else {
        vec![HistogramBin {
            lo: min,
            hi: max,
            count: n as u64,
        }]
    };
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
