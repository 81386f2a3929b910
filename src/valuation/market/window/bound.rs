//! The similarity's bounds for the search: the approximate similarity of a deal (the same
//! terms as `similarity_expr`, in f64), the weights with the time term tabulated by day, and
//! the attribute ranges ([`Span`], [`Spans`]) that give a group or block of deals an upper
//! bound of it.

use super::*;

/// Bound on |approximate − exact similarity| (both f64, the same terms, the life and scale
/// ratios written min(r, 1/r) instead of exp(−|ln r|); the difference is a few ulps of a
/// number in [0, 1]).
pub(super) const EPS: f64 = 1e-9;

/// Range of the non-null values of an attribute, and whether some are null.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) nulls: bool,
}

impl Span {
    pub(super) const EMPTY: Span = Span {
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
        nulls: false,
    };
    pub(super) fn add(&mut self, v: Option<f64>) {
        match v {
            Some(x) => {
                self.lo = self.lo.min(x);
                self.hi = self.hi.max(x);
            }
            None => self.nulls = true,
        }
    }
    pub(super) fn merge(&mut self, o: &Span) {
        self.lo = self.lo.min(o.lo);
        self.hi = self.hi.max(o.hi);
        self.nulls |= o.nulls;
    }
    /// The largest of `f` over the span (`f` unimodal with its top at `at`), and `null` where
    /// some values are null.
    pub(super) fn top(&self, at: f64, null: f64, f: impl Fn(f64) -> f64) -> f64 {
        let mut m = if self.nulls { null } else { f64::NEG_INFINITY };
        if self.lo <= self.hi {
            m = m.max(f(at.clamp(self.lo, self.hi)));
        }
        m
    }
}

/// Attribute ranges of a block of deals.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spans {
    pub(super) score: Span,
    pub(super) life: Span,
    pub(super) scale: Span,
}

impl Spans {
    pub(super) const EMPTY: Spans = Spans {
        score: Span::EMPTY,
        life: Span::EMPTY,
        scale: Span::EMPTY,
    };
}

/// The similarity's weights (see `similarity_expr`).
#[derive(Debug, Clone)]
pub(super) struct W {
    pub(super) time: f64,
    pub(super) tech: f64,
    pub(super) life: f64,
    pub(super) region: f64,
    pub(super) industry: f64,
    pub(super) terms: f64,
    pub(super) scale: f64,
    pub(super) tau: f64,
    pub(super) sum: f64,
    /// The time term for a date difference of 0, 1, … days ([`TIME_TABLE_DAYS`]): the same
    /// expression as [`W::time`] computes, read instead of an `exp` per deal scanned.
    pub(super) time_by_day: Vec<f64>,
}

/// Date differences the time term is tabulated for (40 years).
pub(super) const TIME_TABLE_DAYS: usize = 14_610;

/// A value every bound covers (finite; a life or scale also positive, for its logarithm).
pub(super) fn plain(v: Option<f64>, positive: bool) -> bool {
    v.is_none_or(|x| x.is_finite() && (!positive || x > 0.0))
}

pub(super) fn weights(model: &MarketModel) -> W {
    let w = &model.similarity;
    W {
        time: w.time,
        tech: w.technology,
        life: w.life,
        region: w.region,
        industry: w.industry,
        terms: w.terms,
        scale: w.scale,
        tau: w.time_scale_years,
        sum: w.time + w.technology + w.life + w.region + w.industry + w.terms + w.scale,
        time_by_day: (0..=TIME_TABLE_DAYS)
            .map(|d| time_term(w.time, w.time_scale_years, d as f64))
            .collect(),
    }
}

/// The time term of the approximate similarity for `days` apart: w_time·exp(−years/τ).
#[inline]
pub(super) fn time_term(w: f64, tau: f64, days: f64) -> f64 {
    w * (-((days / 365.25) / tau)).exp()
}

impl W {
    /// The terms of the similarity fixed by a group's key: region, industry, transaction type
    /// (null compares as polars' `when(a == b)`: not true; a null province scores 0.5).
    pub(super) fn discrete(&self, s: &[u32; 6], ttype: u32, region: u32, ind: &[u32; 3]) -> f64 {
        let same = |a: u32, b: u32| a != NULL && a == b;
        let region = if s[5] == NULL || region == NULL {
            0.5
        } else if s[5] == region {
            1.0
        } else {
            0.0
        };
        let industry = if same(s[1], ind[0]) {
            1.0
        } else if same(s[2], ind[1]) {
            2.0 / 3.0
        } else if same(s[3], ind[2]) {
            1.0 / 3.0
        } else {
            0.0
        };
        let terms = if same(s[4], ttype) { 1.0 } else { 0.0 };
        self.region * region + self.industry * industry + self.terms * terms
    }
    pub(super) fn group_discrete(&self, s: &[u32; 6], g: &Group) -> f64 {
        self.discrete(s, g.ids[4], g.ids[5], &[g.ids[1], g.ids[2], g.ids[3]])
    }
    /// The largest discrete part over a cluster's groups.
    pub(super) fn cluster_discrete(&self, s: &[u32; 6], c: &Cluster) -> f64 {
        c.inds
            .iter()
            .map(|ind| self.discrete(s, c.ttype, c.region, ind))
            .fold(f64::NEG_INFINITY, f64::max)
    }
    pub(super) fn time(&self, s_days: i32, days: i32) -> f64 {
        let d = days.wrapping_sub(s_days).unsigned_abs() as usize;
        match self.time_by_day.get(d) {
            Some(t) => *t,
            None => time_term(self.time, self.tau, d as f64),
        }
    }
    pub(super) fn tech(&self, s: Option<f64>, c: f64) -> f64 {
        self.tech * s.map_or(0.5, |s| 1.0 - ((s - c).abs() / 100.0).min(1.0))
    }
    /// exp(−|ln(c/s)|), written min(c/s, s/c): the same number for positive values (the
    /// only ones bounds see, [`plain`]) up to a few ulps, far inside [`EPS`], without a
    /// logarithm and an exponential per deal scanned (with the time term's `exp`, about three
    /// quarters of the selection's time).
    pub(super) fn ratio(s: Option<f64>, c: f64) -> f64 {
        s.map_or(0.5, |s| {
            let r = c / s;
            r.min(1.0 / r)
        })
    }
    /// Approximate similarity of a deal (the exact one is `similarity_expr`'s).
    pub(super) fn approx(&self, s: &Subj, disc: f64, ix: &DealIndex, i: usize, s_days: i32) -> f64 {
        let tech = ix.score[i].map_or(self.tech * 0.5, |c| self.tech(s.score, c));
        let life = self.life * ix.life[i].map_or(0.5, |c| W::ratio(s.life, c));
        let scale = self.scale * ix.scale[i].map_or(0.5, |c| W::ratio(s.scale, c));
        (disc + self.time(s_days, ix.days[i]) + tech + life + scale) / self.sum
    }
    /// An upper bound of the similarity over deals dated `d0..=d1` with attributes in `sp`.
    pub(super) fn bound(
        &self,
        s: &Subj,
        disc: f64,
        sp: &Spans,
        d0: i32,
        d1: i32,
        s_days: i32,
    ) -> f64 {
        let time = self.time(s_days, s_days.clamp(d0, d1));
        let tech = match s.score {
            None => self.tech * 0.5,
            Some(x) => sp.score.top(x, self.tech * 0.5, |c| self.tech(s.score, c)),
        };
        let ratio = |sv: Option<f64>, span: &Span, w: f64| match sv {
            None => w * 0.5,
            Some(x) => span.top(x, w * 0.5, |c| w * W::ratio(sv, c)),
        };
        let life = ratio(s.life, &sp.life, self.life);
        let scale = ratio(s.scale, &sp.scale, self.scale);
        (disc + time + tech + life + scale) / self.sum + EPS
    }
}
