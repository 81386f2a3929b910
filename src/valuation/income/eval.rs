//! The fast `f64` path of the income approach: V = Σ K_t·B_t·v^t (and the TAB), evaluated
//! over the compiled inputs for Monte Carlo and sensitivity ([`Model`]).

use super::plan::*;
use super::schema::*;
use crate::valuation::discount::{self};
use crate::valuation::{Model, PlanInput};

impl IncomePlan {
    pub(super) fn k1_f64(&self, x: &[f64]) -> f64 {
        let k = match &self.k {
            KPlan::None => return 1.0,
            KPlan::Const { kf, .. } => *kf,
            KPlan::Given { ix } | KPlan::Royalty { ix } => x[*ix],
            KPlan::Equivalent {
                c_ip,
                r_ip,
                c_b,
                r_b,
            } => {
                let a = x[*c_ip] * (1.0 + x[*r_ip]);
                let d = a + x[*c_b] * (1.0 + x[*r_b]);
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
                    sc += w * x[*ix];
                }
                x[*k_min] + (x[*k_max] - x[*k_min]) * sc
            }
        };
        let k = match self.conversion {
            Conversion::None => k,
            Conversion::ToSales(mg) => k * x[mg],
            Conversion::ToProfit(mg) => {
                if x[mg] == 0.0 {
                    0.0
                } else {
                    k / x[mg]
                }
            }
        };
        match self.round_dp {
            Some(_) => (k * self.round_scale).round() / self.round_scale,
            None => k,
        }
    }

    pub(super) fn per_rate_f64(&self, x: &[f64]) -> f64 {
        match &self.per {
            PerPeriod::Split | PerPeriod::One => 1.0,
            PerPeriod::Royalty { tax } | PerPeriod::AfterTax { tax } => 1.0 - x[*tax],
            PerPeriod::Mpeem {
                ebit, tax, charges, ..
            } => {
                let mut m = x[*ebit] * (1.0 - x[*tax]);
                for (bal, on, of) in charges {
                    m -= x[*bal] * (x[*on] + of.map_or(0.0, |i| x[i]));
                }
                m
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
        let r = self.rate_f64(x);
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
        self.eval_at(x, self.rate_f64(x))
    }

    /// The discount rate computed once for both answers.
    fn eval_checked(&self, x: &[f64]) -> (f64, bool) {
        let r = self.rate_f64(x);
        (self.eval_at(x, r), rate_outside(r))
    }
}

/// Outside the income approach's domain: a discount rate that is not above 0 (or not a number).
#[inline]
fn rate_outside(r: f64) -> bool {
    r.is_nan() || r <= 0.0
}

impl IncomePlan {
    #[inline]
    fn rate_f64(&self, x: &[f64]) -> f64 {
        discount::rate_f64(self.discount.method, &x[self.disc_start..])
    }

    /// The value at discount rate `r` (the rate of these inputs).
    #[inline]
    fn eval_at(&self, x: &[f64], r: f64) -> f64 {
        let life = x[self.life_ix];
        if life.is_nan() {
            return f64::NAN;
        }
        let n = life.min(self.legal_f).min(f64::from(MAX_YEARS));
        if n.is_nan() || n <= 0.0 {
            return 0.0;
        }
        // 0 < n ≤ MAX_YEARS: the integer part by a cast is `n.floor()` bit for bit, without
        // libm's `floor` call (x86-64's baseline has no rounding instruction).
        let full = f64::from(n as u32);
        let f = n - full;
        let full_u = full as usize;
        let periods = full_u + usize::from(f > 0.0);
        let mid = self.convention == Convention::MidYear;
        let v = 1.0 / (1.0 + r);
        let k1 = self.k1_f64(x);
        let rate = self.per_rate_f64(x);
        let decay = self.decay.map_or(1.0, |i| 1.0 - x[i]);
        let st = &self.stream;
        let g = st.growth.map_or(1.0, |i| 1.0 + x[i]);
        let scale = st.scale.map_or(1.0, |i| x[i]) * st.unit.map_or(1.0, |i| x[i]);
        let mut df = if mid { v.sqrt() } else { v };
        let mut kt = k1;
        let mut last = 0.0;
        let mut sum = 0.0;
        let benefit = |p: usize, last: f64| {
            if p < st.len {
                let w = st.without.map_or(0.0, |w| x[w + p]);
                x[st.start + p] - w
            } else {
                last * g
            }
        };
        for p in 0..full_u {
            let b = benefit(p, last);
            last = b;
            sum += b * kt * df;
            df *= v;
            kt *= decay;
        }
        // The fractional last period, outside the loop: inside it, the compiler hoisted the
        // loop-invariant `powf` and computed it on every path, fraction or not (20 % of a
        // 10-year Monte Carlo run's profile).
        if periods > full_u {
            let b = benefit(full_u, last);
            let t = full + if mid { f / 2.0 } else { f };
            sum += b * f * kt * v.powf(t);
        }
        let mut value = sum * scale * rate;
        if self.tab {
            if let PerPeriod::Royalty { tax } = self.per {
                let nn = self.tab_life.unwrap_or(n.ceil() as u32);
                if nn > 0 {
                    let af = discount::annuity_factor_f64(r, nn, self.convention);
                    value /= 1.0 - x[tax] * af / f64::from(nn);
                }
            }
        }
        value
    }
}

// ---------------------------------------------------------------------------------------------
// The audited Decimal path.
