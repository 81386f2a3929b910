//! Real options for early-stage technology: the right, not the obligation, to invest K at T in
//! a product worth S today.
//!
//! * **Black–Scholes** (a European call; Black & Scholes 1973, Merton 1973):
//!   `C = S·N(d₁) − K·e^(−rT)·N(d₂)`, `d₁ = [ln(S/K) + (r + σ²/2)·T] / (σ√T)`, `d₂ = d₁ − σ√T`.
//! * **Binomial lattice** (Cox, Ross & Rubinstein 1979) for staged investment: N steps of
//!   Δt = T/N, `u = e^(σ√Δt)`, `d = 1/u`, `p = (e^(rΔt) − d)/(u − d)`; at T the payoff is
//!   `max(S_T − K, 0)`; at each stage time the holder pays the stage's cost to go on or abandons,
//!   `V = max(V_continue − cost, 0)`; between stages `V = e^(−rΔt)·[p·V_up + (1 − p)·V_down]`.
//!   Without stages the lattice converges to Black–Scholes (tested).
//!
//! The option values are statistics of a price model and are computed in `f64`; they become
//! money once, rounded to the fen (`Money::from_f64_boundary`), as the Monte Carlo values do.

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
use crate::finance::inputs::RealOptionInputs;
use crate::money::Money;
use crate::valuation::uncertainty::norm_cdf;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The real-option view of the technology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealOption {
    /// S.
    pub underlying: Money,
    /// K.
    pub investment: Money,
    /// T, years.
    pub years: Decimal,
    /// σ.
    pub volatility: Decimal,
    /// r.
    pub risk_free: Decimal,
    /// d₁ and d₂ of Black–Scholes.
    pub d1: f64,
    /// d₂.
    pub d2: f64,
    /// Black–Scholes value of the launch option (no stages).
    pub black_scholes: Money,
    /// Lattice steps.
    pub steps: u32,
    /// Stages paid before the launch.
    pub stages: usize,
    /// Lattice value with the stages (equals Black–Scholes to lattice error without stages).
    pub lattice: Money,
    /// Static NPV of committing now: S − K·e^(−rT) − Σ cost_j·e^(−r·t_j).
    pub static_npv: Money,
    /// The value of flexibility: lattice − max(static NPV, 0).
    pub flexibility: Money,
}

fn f(d: Decimal, what: &str) -> Result<f64> {
    d.to_f64()
        .ok_or_else(|| Error::Internal(format!("{what} is not a number")))
}

/// Black–Scholes call value and (d₁, d₂).
pub fn black_scholes(s: f64, k: f64, t: f64, sigma: f64, r: f64) -> (f64, f64, f64) {
    if k <= 0.0 {
        return (s, f64::INFINITY, f64::INFINITY);
    }
    let st = sigma * t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / st;
    let d2 = d1 - st;
    (s * norm_cdf(d1) - k * (-r * t).exp() * norm_cdf(d2), d1, d2)
}

/// The CRR lattice value of the option to invest `k` at `t` in an asset worth `s`, with stages
/// `(time, cost)` paid to keep the option alive.
pub fn lattice(
    s: f64,
    k: f64,
    t: f64,
    sigma: f64,
    r: f64,
    steps: u32,
    stages: &[(f64, f64)],
) -> f64 {
    let n = steps as usize;
    let dt = t / n as f64;
    let u = (sigma * dt.sqrt()).exp();
    let d = 1.0 / u;
    let growth = (r * dt).exp();
    let p = (growth - d) / (u - d);
    let disc = 1.0 / growth;
    // The step at which each stage is paid (the nearest lattice date).
    let stage_at: Vec<(usize, f64)> = stages
        .iter()
        .map(|(ts, c)| {
            (
                ((ts / dt).round() as usize).clamp(1, n.saturating_sub(1)),
                *c,
            )
        })
        .collect();
    let mut v: Vec<f64> = (0..=n)
        .map(|j| (s * u.powi(j as i32) * d.powi((n - j) as i32) - k).max(0.0))
        .collect();
    for i in (0..n).rev() {
        for j in 0..=i {
            v[j] = disc * (p * v[j + 1] + (1.0 - p) * v[j]);
        }
        for (at, c) in &stage_at {
            if *at == i {
                for x in v.iter_mut().take(i + 1) {
                    *x = (*x - c).max(0.0);
                }
            }
        }
    }
    v[0]
}

/// The real option of the case: Black–Scholes, the lattice with the stages, the static NPV.
pub fn real_option(o: &RealOptionInputs, tr: &mut AuditTrail) -> Result<RealOption> {
    let s = o.underlying.to_f64();
    let k = o.investment.to_f64();
    let t = f(o.years, "years")?;
    let sigma = f(o.volatility, "volatility")?;
    let r = f(o.risk_free, "risk_free")?;
    let steps = o.steps.unwrap_or(500);
    let (bs, d1, d2) = black_scholes(s, k, t, sigma, r);
    let stages: Vec<(f64, f64)> = o
        .stages
        .iter()
        .map(|st| Ok((f(st.time, "stage time")?, st.cost.to_f64())))
        .collect::<Result<_>>()?;
    let lat = lattice(s, k, t, sigma, r, steps, &stages);
    let static_npv = s
        - k * (-r * t).exp()
        - stages
            .iter()
            .map(|(ts, c)| c * (-r * ts).exp())
            .sum::<f64>();
    let money = |x: f64, what: &str| Money::from_f64_boundary(x).ctx(what);
    let out = RealOption {
        underlying: o.underlying,
        investment: o.investment,
        years: o.years,
        volatility: o.volatility,
        risk_free: o.risk_free,
        d1,
        d2,
        black_scholes: money(bs, "Black–Scholes value")?,
        steps,
        stages: stages.len(),
        lattice: money(lat, "lattice value")?,
        static_npv: money(static_npv, "static NPV")?,
        flexibility: money(lat - static_npv.max(0.0), "value of flexibility")?,
    };
    tr.record(
        "real_option.black_scholes",
        "C = S·N(d₁) − K·e^(−rT)·N(d₂), d₁ = [ln(S/K) + (r + σ²/2)T]/(σ√T), d₂ = d₁ − σ√T",
        vec![
            AuditValue::money("S", o.underlying),
            AuditValue::money("K", o.investment),
            AuditValue::years("T", o.years),
            AuditValue::rate_dec("σ", o.volatility),
            AuditValue::rate_dec("r", o.risk_free),
            AuditValue::number_f64("d1", d1),
            AuditValue::number_f64("d2", d2),
        ],
        AuditValue::money("C", out.black_scholes),
    );
    let mut ins = vec![AuditValue::number("steps", Decimal::from(steps))];
    for st in &o.stages {
        ins.push(AuditValue::text(
            format!("stage at {} y", st.time.normalize()),
            st.cost.display_yuan(),
        ));
    }
    tr.record(
        "real_option.lattice",
        "CRR lattice: u = e^(σ√Δt), p = (e^(rΔt) − d)/(u − d); V = max(V_continue − cost, 0) at each stage; max(S_T − K, 0) at T",
        ins,
        AuditValue::money("V", out.lattice),
    );
    tr.record(
        "real_option.flexibility",
        "flexibility = lattice value − max(S − K·e^(−rT) − Σ cost_j·e^(−r·t_j), 0)",
        vec![AuditValue::money("static_npv", out.static_npv)],
        AuditValue::money("flexibility", out.flexibility),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hull's textbook example (Options, Futures, and Other Derivatives, example 15.6):
    /// S = 42, K = 40, r = 10 %, σ = 20 %, T = 0.5 → call 4.76.
    #[test]
    fn black_scholes_reproduces_the_textbook_call() {
        let (c, d1, d2) = black_scholes(42.0, 40.0, 0.5, 0.2, 0.1);
        assert!((c - 4.76).abs() < 0.005, "{c}");
        assert!((d1 - 0.7693).abs() < 1e-4 && (d2 - 0.6278).abs() < 1e-4);
    }

    #[test]
    fn lattice_converges_to_black_scholes_and_stages_lower_the_value() {
        let (bs, _, _) = black_scholes(100.0, 110.0, 3.0, 0.4, 0.03);
        let l = lattice(100.0, 110.0, 3.0, 0.4, 0.03, 2000, &[]);
        assert!((l - bs).abs() / bs < 2e-3, "{l} vs {bs}");
        let staged = lattice(100.0, 110.0, 3.0, 0.4, 0.03, 2000, &[(1.0, 5.0)]);
        assert!(staged < l && staged > l - 5.0, "{staged} vs {l}");
    }
}
