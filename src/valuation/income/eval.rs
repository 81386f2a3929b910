//! The fast `f64` path of the income approach: V = Σ K_t·B_t·v^t (and the TAB), evaluated
//! over the compiled inputs for Monte Carlo and sensitivity ([`Model`]).

use super::plan::*;
use super::schema::*;
use crate::valuation::discount::{self};
use crate::valuation::{Columns, Model, PlanInput};
use multiversion::multiversion;

/// Paths of a block whose period loop runs side by side ([`Model::eval_block`]).
const LANES: usize = 64;

/// The period loop's state for up to [`LANES`] paths, one array per quantity.
#[derive(Debug, Clone)]
struct Lanes {
    r: [f64; LANES],
    rate: [f64; LANES],
    scale: [f64; LANES],
    df: [f64; LANES],
    kt: [f64; LANES],
    v: [f64; LANES],
    decay: [f64; LANES],
    g: [f64; LANES],
    last: [f64; LANES],
    sum: [f64; LANES],
}

impl Default for Lanes {
    fn default() -> Lanes {
        Lanes {
            r: [0.0; LANES],
            rate: [0.0; LANES],
            scale: [0.0; LANES],
            df: [0.0; LANES],
            kt: [0.0; LANES],
            v: [0.0; LANES],
            decay: [0.0; LANES],
            g: [0.0; LANES],
            last: [0.0; LANES],
            sum: [0.0; LANES],
        }
    }
}

/// The whole periods of `m` paths side by side: `forecast[p]` is period `p`'s stream on the
/// paths (and the without-stream, when there is one); past the forecast the stream grows by
/// `g`. Per path the operations of [`IncomePlan::eval_at`]'s loop, in its order, so the same
/// bits. Paths go through in groups of [`GROUP`], each group's state held in registers through
/// all the periods, in the processor's widest vectors (chosen at run time); the paths left
/// over one by one.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx512dq", "x86_64+avx2"))]
fn period_loop(forecast: &[(&[f64], Option<&[f64]>)], full_u: usize, m: usize, l: &mut Lanes) {
    let m = m.min(LANES);
    let whole = m - m % GROUP;
    for j0 in (0..whole).step_by(GROUP) {
        group_periods(forecast, full_u, j0, l);
    }
    for j in whole..m {
        for p in 0..full_u {
            let b = match forecast.get(p) {
                Some((b, Some(w))) => b[j] - w[j],
                Some((b, None)) => b[j] - 0.0,
                None => l.last[j] * l.g[j],
            };
            step(l, j, b);
        }
    }
}

/// Paths side by side in [`period_loop`]: 8 fill one AVX-512 register, two AVX2 ones.
const GROUP: usize = 8;

/// [`period_loop`] for the paths `j0 .. j0 + GROUP`.
#[inline(always)]
fn group_periods(forecast: &[(&[f64], Option<&[f64]>)], full_u: usize, j0: usize, l: &mut Lanes) {
    let r = j0..j0 + GROUP;
    let arr = |a: &[f64; LANES]| -> [f64; GROUP] {
        let mut o = [0.0; GROUP];
        o.copy_from_slice(&a[r.clone()]);
        o
    };
    let (mut last, mut sum, mut kt, mut df) = (arr(&l.last), arr(&l.sum), arr(&l.kt), arr(&l.df));
    let (v, decay, g) = (arr(&l.v), arr(&l.decay), arr(&l.g));
    for p in 0..full_u {
        let mut b = [0.0; GROUP];
        match forecast.get(p) {
            Some((col, w)) => {
                let col = &col[r.clone()];
                match w {
                    Some(w) => {
                        let w = &w[r.clone()];
                        for k in 0..GROUP {
                            b[k] = col[k] - w[k];
                        }
                    }
                    None => {
                        for k in 0..GROUP {
                            b[k] = col[k] - 0.0;
                        }
                    }
                }
            }
            None => {
                for k in 0..GROUP {
                    b[k] = last[k] * g[k];
                }
            }
        }
        for k in 0..GROUP {
            sum[k] += b[k] * kt[k] * df[k];
            df[k] *= v[k];
            kt[k] *= decay[k];
        }
        last = b;
    }
    l.last[r.clone()].copy_from_slice(&last);
    l.sum[r.clone()].copy_from_slice(&sum);
    l.kt[r.clone()].copy_from_slice(&kt);
    l.df[r].copy_from_slice(&df);
}

/// One period of path `j` with benefit `b` (the body of [`IncomePlan::eval_at`]'s loop).
#[inline(always)]
fn step(l: &mut Lanes, j: usize, b: f64) {
    l.last[j] = b;
    l.sum[j] += b * l.kt[j] * l.df[j];
    l.df[j] *= l.v[j];
    l.kt[j] *= l.decay[j];
}

/// The horizon of a path: `n` years in all, `full` whole ones and a fraction `f` of the next.
#[derive(Debug, Clone, Copy)]
enum Horizon {
    /// The economic life is not a number: so is the value.
    Nan,
    /// No period: the value is 0.
    Zero,
    /// `periods` periods, the last one a fraction `f` when `periods > full_u`.
    Years {
        n: f64,
        full: f64,
        f: f64,
        full_u: usize,
        periods: usize,
    },
}

/// What one path's period loop needs besides its stream, and what it starts from.
#[derive(Debug, Clone, Copy, Default)]
struct PathPrep {
    /// The discount rate.
    r: f64,
    /// 1/(1 + r).
    v: f64,
    /// The first period's discount factor (v, or √v mid-year).
    df: f64,
    /// K_1.
    k1: f64,
    /// The per-period rate (1 − T for relief from royalty, the MPEEM margin, …).
    rate: f64,
    /// 1 − the split's yearly decay (1 when it does not decay).
    decay: f64,
    /// 1 + growth past the forecast (1 without growth).
    g: f64,
    /// Stream scale × per-unit amount.
    scale: f64,
}

/// v = 1/(1 + r), the one-year discount factor.
#[inline(always)]
fn one_year_factor(r: f64) -> f64 {
    1.0 / (1.0 + r)
}

/// The first period's discount factor: v end-year, √v mid-year.
#[inline(always)]
fn first_factor(v: f64, mid: bool) -> f64 {
    if mid {
        v.sqrt()
    } else {
        v
    }
}

/// 1 − t (the after-tax share, the split kept after a year's decay).
#[inline(always)]
fn one_minus(t: f64) -> f64 {
    1.0 - t
}

/// 1 + g (a year's growth factor).
#[inline(always)]
fn one_plus(g: f64) -> f64 {
    1.0 + g
}

impl Lanes {
    /// Path `j`'s [`PathPrep`].
    fn prep(&self, j: usize) -> PathPrep {
        PathPrep {
            r: self.r[j],
            v: self.v[j],
            df: self.df[j],
            k1: self.kt[j],
            rate: self.rate[j],
            decay: self.decay[j],
            g: self.g[j],
            scale: self.scale[j],
        }
    }
}

impl IncomePlan {
    /// K_1 from the inputs `x(i)`.
    #[inline]
    fn k1_with(&self, x: impl Fn(usize) -> f64) -> f64 {
        let k = match &self.k {
            KPlan::None => return 1.0,
            KPlan::Const { kf, .. } => *kf,
            KPlan::Given { ix } | KPlan::Royalty { ix } => x(*ix),
            KPlan::Equivalent {
                c_ip,
                r_ip,
                c_b,
                r_b,
            } => {
                let a = x(*c_ip) * (1.0 + x(*r_ip));
                let d = a + x(*c_b) * (1.0 + x(*r_b));
                if d == 0.0 {
                    0.0
                } else {
                    a / d
                }
            }
            KPlan::Scoring {
                k_min,
                k_max,
                scores,
                ..
            } => {
                let mut sc = 0.0;
                for (ix, _, w, _) in scores {
                    sc += w * x(*ix);
                }
                x(*k_min) + (x(*k_max) - x(*k_min)) * sc
            }
        };
        let k = match self.conversion {
            Conversion::None => k,
            Conversion::ToSales(mg) => k * x(mg),
            Conversion::ToProfit(mg) => {
                if x(mg) == 0.0 {
                    0.0
                } else {
                    k / x(mg)
                }
            }
        };
        match self.round_dp {
            Some(_) => (k * self.round_scale).round() / self.round_scale,
            None => k,
        }
    }

    /// The per-period rate from the inputs `x(i)`.
    #[inline]
    fn per_rate_with(&self, x: impl Fn(usize) -> f64) -> f64 {
        match &self.per {
            PerPeriod::Split | PerPeriod::One => 1.0,
            PerPeriod::Royalty { tax } | PerPeriod::AfterTax { tax } => one_minus(x(*tax)),
            PerPeriod::Mpeem {
                ebit, tax, charges, ..
            } => {
                let mut m = x(*ebit) * (1.0 - x(*tax));
                for (bal, on, of) in charges {
                    m -= x(*bal) * (x(*on) + of.map_or(0.0, &x));
                }
                m
            }
        }
    }

    /// The discount rate from the inputs `x(i)`.
    #[inline]
    fn rate_with(&self, x: impl Fn(usize) -> f64) -> f64 {
        let (start, n) = (self.disc_start, self.inputs.len());
        discount::rate_with(self.discount.method, |i| {
            if start + i < n {
                x(start + i)
            } else {
                0.0
            }
        })
    }

    /// The horizon for economic life `life`: min(life, legal term, 100 years).
    #[inline]
    fn horizon(&self, life: f64) -> Horizon {
        if life.is_nan() {
            return Horizon::Nan;
        }
        let n = life.min(self.legal_f).min(f64::from(MAX_YEARS));
        if n.is_nan() || n <= 0.0 {
            return Horizon::Zero;
        }
        // 0 < n ≤ MAX_YEARS: the integer part by a cast is `n.floor()` bit for bit, without
        // libm's `floor` call (x86-64's baseline has no rounding instruction).
        let full = f64::from(n as u32);
        let f = n - full;
        let full_u = full as usize;
        Horizon::Years {
            n,
            full,
            f,
            full_u,
            periods: full_u + usize::from(f > 0.0),
        }
    }

    /// A path's rate, split and stream factors at discount rate `r`.
    #[inline]
    fn prep(&self, x: impl Fn(usize) -> f64 + Copy, r: f64) -> PathPrep {
        let v = one_year_factor(r);
        let st = &self.stream;
        PathPrep {
            r,
            v,
            df: first_factor(v, self.convention == Convention::MidYear),
            k1: self.k1_with(x),
            rate: self.per_rate_with(x),
            decay: self.decay.map_or(1.0, |i| one_minus(x(i))),
            g: st.growth.map_or(1.0, |i| one_plus(x(i))),
            scale: st.scale.map_or(1.0, x) * st.unit.map_or(1.0, x),
        }
    }

    /// B_p: the stream's period `p` (less the without-stream), or the last one grown by `g`
    /// past the forecast.
    #[inline(always)]
    fn benefit(&self, x: impl Fn(usize) -> f64, p: usize, last: f64, g: f64) -> f64 {
        let st = &self.stream;
        if p < st.len {
            let w = st.without.map_or(0.0, |w| x(w + p));
            x(st.start + p) - w
        } else {
            last * g
        }
    }

    /// The value from the sum over the whole periods (`sum`, with the last benefit `last` and
    /// the split `kt` of the next period): the fractional last period, the scale and rate, and
    /// the tax amortisation benefit.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn tail(
        &self,
        x: impl Fn(usize) -> f64 + Copy,
        p: &PathPrep,
        n: f64,
        full: f64,
        f: f64,
        fractional: Option<usize>,
        (last, sum, kt): (f64, f64, f64),
    ) -> f64 {
        let mut sum = sum;
        // The fractional last period, outside the loop: inside it, the compiler hoisted the
        // loop-invariant `powf` and computed it on every path, fraction or not (20 % of a
        // 10-year Monte Carlo run's profile).
        if let Some(full_u) = fractional {
            let b = self.benefit(x, full_u, last, p.g);
            let t = full
                + if self.convention == Convention::MidYear {
                    f / 2.0
                } else {
                    f
                };
            sum += b * f * kt * p.v.powf(t);
        }
        let mut value = sum * p.scale * p.rate;
        if self.tab {
            if let PerPeriod::Royalty { tax } = self.per {
                let nn = self.tab_life.unwrap_or(n.ceil() as u32);
                if nn > 0 {
                    let af = discount::annuity_factor_f64(p.r, nn, self.convention);
                    value /= 1.0 - x(tax) * af / f64::from(nn);
                }
            }
        }
        value
    }

    /// The value at discount rate `r` (the rate of these inputs), one path.
    #[inline]
    fn eval_at(&self, x: impl Fn(usize) -> f64 + Copy, r: f64) -> f64 {
        let (n, full, f, full_u, periods) = match self.horizon(x(self.life_ix)) {
            Horizon::Nan => return f64::NAN,
            Horizon::Zero => return 0.0,
            Horizon::Years {
                n,
                full,
                f,
                full_u,
                periods,
            } => (n, full, f, full_u, periods),
        };
        let p = self.prep(x, r);
        let (mut df, mut kt, mut last, mut sum) = (p.df, p.k1, 0.0, 0.0);
        for per in 0..full_u {
            let b = self.benefit(x, per, last, p.g);
            last = b;
            sum += b * kt * df;
            df *= p.v;
            kt *= p.decay;
        }
        let fractional = (periods > full_u).then_some(full_u);
        self.tail(x, &p, n, full, f, fractional, (last, sum, kt))
    }

    /// Up to [`LANES`] paths of a block from path `j0` on: per path its rate and factors, then
    /// the period loop across the paths (the same operations on each path as [`Self::eval_at`],
    /// so the same bits), then per path the tail. Paths whose lives differ take `eval_at`.
    #[allow(clippy::needless_range_loop)] // the lanes' arrays are read in step
    fn eval_lanes(&self, c: Columns<'_>, j0: usize, vals: &mut [f64], outs: &mut [bool]) {
        let m = vals.len().min(LANES).min(outs.len());
        let x_of = |j: usize| move |i: usize| c.at(i, j0 + j);
        let life = &c.col(self.life_ix)[j0..j0 + m];
        let same_life = life.iter().all(|l| l.to_bits() == life[0].to_bits());
        let years = match self.horizon(life[0]) {
            Horizon::Years {
                n,
                full,
                f,
                full_u,
                periods,
            } if same_life => (n, full, f, full_u, periods),
            _ => {
                for (j, (v, o)) in vals.iter_mut().zip(outs.iter_mut()).enumerate().take(m) {
                    let r = self.rate_with(x_of(j));
                    (*v, *o) = (self.eval_at(x_of(j), r), rate_outside(r));
                }
                return;
            }
        };
        let (n, full, f, full_u, periods) = years;
        let mut l = Lanes::default();
        self.prep_lanes(c, j0, m, &mut l);
        for j in 0..m {
            outs[j] = rate_outside(l.r[j]);
        }
        let st = &self.stream;
        let forecast: Vec<(&[f64], Option<&[f64]>)> = (0..st.len.min(full_u))
            .map(|p| {
                (
                    &c.col(st.start + p)[j0..j0 + m],
                    st.without.map(|w| &c.col(w + p)[j0..j0 + m]),
                )
            })
            .collect();
        period_loop(&forecast, full_u, m, &mut l);
        let fractional = (periods > full_u).then_some(full_u);
        let tab = self.tab && matches!(self.per, PerPeriod::Royalty { .. });
        if fractional.is_none() && !tab {
            // `tail` without a fractional period or a tax amortisation benefit.
            for j in 0..m {
                vals[j] = l.sum[j] * l.scale[j] * l.rate[j];
            }
        } else {
            for j in 0..m {
                vals[j] = self.tail(
                    x_of(j),
                    &l.prep(j),
                    n,
                    full,
                    f,
                    fractional,
                    (l.last[j], l.sum[j], l.kt[j]),
                );
            }
        }
    }

    /// [`Self::prep`] of paths `j0 .. j0 + m`, a quantity at a time: a column copied, or one
    /// of the formulas above over a column, where the plan makes the quantity an input as it
    /// stands (a given rate, K and tax); the per-path formulas otherwise.
    fn prep_lanes(&self, c: Columns<'_>, j0: usize, m: usize, l: &mut Lanes) {
        let m = m.min(LANES);
        let col = |i: usize| &c.col(i)[j0..j0 + m];
        let x_of = |j: usize| move |i: usize| c.at(i, j0 + j);
        match self.discount.method {
            DiscountMethod::Given if self.disc_start < self.inputs.len() => {
                l.r[..m].copy_from_slice(col(self.disc_start));
            }
            _ => {
                for j in 0..m {
                    l.r[j] = self.rate_with(x_of(j));
                }
            }
        }
        let mid = self.convention == Convention::MidYear;
        for j in 0..m {
            l.v[j] = one_year_factor(l.r[j]);
            l.df[j] = first_factor(l.v[j], mid);
        }
        match (&self.k, self.conversion, self.round_dp) {
            (KPlan::Given { ix } | KPlan::Royalty { ix }, Conversion::None, None) => {
                l.kt[..m].copy_from_slice(col(*ix));
            }
            (KPlan::Const { kf, .. }, Conversion::None, None) => l.kt[..m].fill(*kf),
            _ => {
                for j in 0..m {
                    l.kt[j] = self.k1_with(x_of(j));
                }
            }
        }
        match &self.per {
            PerPeriod::Split | PerPeriod::One => l.rate[..m].fill(1.0),
            PerPeriod::Royalty { tax } | PerPeriod::AfterTax { tax } => {
                for (r, t) in l.rate[..m].iter_mut().zip(col(*tax)) {
                    *r = one_minus(*t);
                }
            }
            PerPeriod::Mpeem { .. } => {
                for j in 0..m {
                    l.rate[j] = self.per_rate_with(x_of(j));
                }
            }
        }
        match self.decay {
            None => l.decay[..m].fill(1.0),
            Some(i) => {
                for (d, t) in l.decay[..m].iter_mut().zip(col(i)) {
                    *d = one_minus(*t);
                }
            }
        }
        let st = &self.stream;
        match st.growth {
            None => l.g[..m].fill(1.0),
            Some(i) => {
                for (g, t) in l.g[..m].iter_mut().zip(col(i)) {
                    *g = one_plus(*t);
                }
            }
        }
        // scale × unit, a missing factor 1 (× 1 is exact, so the product of the two or the one).
        match st.scale {
            None => l.scale[..m].fill(1.0),
            Some(i) => l.scale[..m].copy_from_slice(col(i)),
        }
        if let Some(i) = st.unit {
            for (s, u) in l.scale[..m].iter_mut().zip(col(i)) {
                *s *= *u;
            }
        }
    }
}

impl Model for IncomePlan {
    fn inputs(&self) -> &[PlanInput] {
        &self.inputs
    }

    /// Outside the domain: a discount rate r ≤ 0 (the rule the case is validated by at its point
    /// values). Growth at or above r is inside it: the horizon is finite, no perpetuity is
    /// computed.
    fn domain_error(&self, x: &[f64]) -> Option<String> {
        let r = self.rate_with(|i| x[i]);
        let num = |v: f64| {
            let s = format!("{v:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        if rate_outside(r) {
            return Some(format!("the discount rate r = {} is not above 0", num(r)));
        }
        None
    }

    fn eval(&self, x: &[f64]) -> f64 {
        self.eval_at(|i| x[i], self.rate_with(|i| x[i]))
    }

    /// The discount rate computed once for both answers.
    fn eval_checked(&self, x: &[f64]) -> (f64, bool) {
        let r = self.rate_with(|i| x[i]);
        (self.eval_at(|i| x[i], r), rate_outside(r))
    }

    fn eval_block(&self, c: Columns<'_>, values: &mut [f64], outside: &mut [bool]) {
        for (s, (vals, outs)) in values
            .chunks_mut(LANES)
            .zip(outside.chunks_mut(LANES))
            .enumerate()
        {
            self.eval_lanes(c, s * LANES, vals, outs);
        }
    }
}

/// Outside the income approach's domain: a discount rate that is not above 0 (or not a number).
#[inline]
fn rate_outside(r: f64) -> bool {
    r.is_nan() || r <= 0.0
}

// ---------------------------------------------------------------------------------------------
// The audited Decimal path.
