//! Reconciliation (评估结论的确定): one concluded value from the approaches that ran.
//!
//! Concluded value `V = Σ wᵢ·Vᵢ` over the approaches that ran, rounded to the fen (half away
//! from zero). The weights come from the case's `[reconcile].weights` when given, otherwise from
//! `models/reconcile_weights.toml` by the case's purpose (a `[default]` row when the case states
//! none).
//!
//! **Missing approaches: renormalise, with a note.** When an approach with a weight did not run
//! (the market approach needs deal history; a case may have no `[cost]`), the weights of the
//! approaches that ran are divided by their sum, and the result says so. If every approach that
//! ran has weight 0, that is an error: the weights would conclude nothing.
//!
//! The range is `[min Vᵢ, max Vᵢ]`. The approaches **disagree** when `max Vᵢ / min Vᵢ` exceeds
//! the disagreement factor (case `[reconcile].disagreement_factor`, else the models file's,
//! shipped as 2), or when an approach gives a value ≤ 0 while another is positive: the appraiser
//! must then explain the gap before relying on the weighted figure.
//!
//! **Under uncertainty** the concluded value is itself a compiled model, [`ReconciledModel`]:
//! `V(x) = Σ wᵢ·round_fen(Vᵢ(xᵢ))` over the approaches with weight > 0, each on its own inputs
//! (an approach without a compiled model held at its concluded value). Monte Carlo over it
//! ([`simulate_reconciled`]) gives the distribution of the concluded value and its downside
//! (pledge) value, which the lending stage uses (`finance::lending_value`). No I/O here.

use crate::audit::{AuditTrail, AuditValue};
use crate::error::{Error, MoneyContext, Result};
pub use crate::models::reconcile::ReconcileWeights;
use crate::models::reconcile::{check_factor, check_weights};
use crate::money::Money;
use crate::param::DecimalValue;
use crate::valuation::uncertainty::{self, Correlation, SimSettings, ValueDistribution};
use crate::valuation::Purpose;
use crate::valuation::{Approach, Columns, Model, PlanInput, Valuation};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[reconcile]` of a case file.
///
/// ```toml
/// [reconcile]
/// weights = { income = 0.6, cost = 0.2, market = 0.2 }   # must sum to 1
/// disagreement_factor = 2.5
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileSpec {
    /// Weight per approach (each in [0, 1], summing to 1).
    #[serde(default)]
    pub weights: Option<BTreeMap<Approach, DecimalValue>>,
    /// Flag when max/min of the approach values exceeds this factor (> 1).
    #[serde(default)]
    pub disagreement_factor: Option<DecimalValue>,
}

/// Checks `[reconcile]`, naming field paths `reconcile.*`.
pub fn validate(s: &ReconcileSpec) -> Result<()> {
    if let Some(w) = &s.weights {
        check_weights(w, "reconcile.weights")?;
    }
    if let Some(f) = &s.disagreement_factor {
        check_factor(f.0, "reconcile.disagreement_factor")?;
    }
    Ok(())
}

/// One approach in the reconciliation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedApproach {
    /// The approach.
    pub approach: Approach,
    /// Its concluded value.
    pub value: Money,
    /// The weight as stated (before renormalisation).
    pub stated_weight: Decimal,
    /// The weight applied.
    pub weight: Decimal,
}

/// The concluded value over the approaches that ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    /// Purpose of the valuation, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    /// Where the weights came from.
    pub weights_source: String,
    /// The approaches, their values and weights.
    pub approaches: Vec<WeightedApproach>,
    /// Σ wᵢ·Vᵢ rounded to the fen.
    pub concluded_value: Money,
    /// Smallest approach value.
    pub range_low: Money,
    /// Largest approach value.
    pub range_high: Money,
    /// max/min of the approach values (absent when the smallest is ≤ 0), 4 decimals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Decimal>,
    /// The disagreement factor applied.
    pub disagreement_factor: Decimal,
    /// True when the approaches disagree by more than the factor.
    pub disagree: bool,
    /// Renormalisation and disagreement notes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The computation, step by step.
    pub audit: AuditTrail,
}

/// Reconciles the approaches that ran (see the module note for the rules).
pub fn reconcile(
    vals: &[Valuation],
    purpose: Option<Purpose>,
    spec: Option<&ReconcileSpec>,
    book: &ReconcileWeights,
) -> Result<Reconciliation> {
    reconcile_into(vals, purpose, spec, book, AuditTrail::new())
}

/// [`reconcile`] without the audit trail (the same figures, weights and notes; the trail is
/// empty): for batch work that keeps only the figures, such as a portfolio row.
pub fn reconcile_figures(
    vals: &[Valuation],
    purpose: Option<Purpose>,
    spec: Option<&ReconcileSpec>,
    book: &ReconcileWeights,
) -> Result<Reconciliation> {
    reconcile_into(vals, purpose, spec, book, AuditTrail::muted())
}

fn reconcile_into(
    vals: &[Valuation],
    purpose: Option<Purpose>,
    spec: Option<&ReconcileSpec>,
    book: &ReconcileWeights,
    mut tr: AuditTrail,
) -> Result<Reconciliation> {
    if vals.is_empty() {
        return Err(Error::Unsupported(
            "reconcile: no approach produced a value".into(),
        ));
    }
    let mut notes = Vec::new();
    let (row, source) = match spec.and_then(|s| s.weights.as_ref()) {
        Some(w) => (w, "case [reconcile].weights".to_string()),
        None => {
            let (w, s) = book.row(purpose);
            (w, s)
        }
    };
    let factor = spec
        .and_then(|s| s.disagreement_factor.as_ref())
        .map_or(book.disagreement_factor.0, |f| f.0);
    let stated: Vec<(Approach, Money, Decimal)> = vals
        .iter()
        .map(|v| {
            (
                v.approach,
                v.value,
                row.get(&v.approach).map_or(Decimal::ZERO, |w| w.0),
            )
        })
        .collect();
    let total: Decimal = stated.iter().map(|s| s.2).sum();
    if total <= Decimal::ZERO {
        let ran: Vec<&str> = stated.iter().map(|s| s.0.as_str()).collect();
        return Err(Error::Unsupported(format!(
            "reconcile: {source} gives weight 0 to every approach that ran ({}): set [reconcile].weights in the case",
            ran.join(", ")
        )));
    }
    let missing: Vec<String> = row
        .iter()
        .filter(|(a, w)| w.0 > Decimal::ZERO && !stated.iter().any(|s| s.0 == **a))
        .map(|(a, w)| format!("{} ({})", a.as_str(), w.0.normalize()))
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "{} did not run: the weights of the approaches that ran are renormalised to sum to 1 (divided by {})",
            missing.join(", "),
            total.normalize()
        ));
    }
    let mut approaches = Vec::new();
    let mut sum = Money::ZERO;
    for (a, v, w) in &stated {
        let weight = *w / total;
        let part = v.checked_mul(weight).ctx("reconcile: weight × value")?;
        sum = sum.checked_add(part).ctx("reconcile: Σ weight × value")?;
        crate::audit::record_sourced!(
            tr,
            format!("weight[{}]", a.as_str()),
            "w = stated weight / Σ stated weights of the approaches that ran",
            vec![
                AuditValue::number("stated", *w),
                AuditValue::number("Σ stated", total),
            ],
            AuditValue::number("w", weight),
            source.clone(),
        );
        approaches.push(WeightedApproach {
            approach: *a,
            value: *v,
            stated_weight: *w,
            weight,
        });
    }
    crate::audit::record!(
        tr,
        "concluded_unrounded",
        "V = Σ wᵢ·Vᵢ",
        approaches
            .iter()
            .map(|a| AuditValue::money(format!("V[{}]", a.approach.as_str()), a.value))
            .collect(),
        AuditValue::money("V", sum),
    );
    let concluded = sum.round_fen();
    crate::audit::record!(
        tr,
        "concluded_value",
        "round half away from zero to the fen",
        vec![AuditValue::money("V", sum)],
        AuditValue::money("V", concluded),
    );
    let lo = stated.iter().map(|s| s.1).min().unwrap_or(Money::ZERO);
    let hi = stated.iter().map(|s| s.1).max().unwrap_or(Money::ZERO);
    let (ratio, disagree) = if stated.len() < 2 {
        (None, false)
    } else if lo.amount() > Decimal::ZERO {
        let r = crate::money::round_half_away(hi.amount() / lo.amount(), 4);
        let d = hi.amount() > lo.amount() * factor;
        if d {
            notes.push(format!(
                "the approaches disagree: the largest value is {}× the smallest (factor {}): explain the gap before relying on the weighted value",
                r.normalize(),
                factor.normalize()
            ));
        }
        (Some(r), d)
    } else {
        let d = hi.amount() > Decimal::ZERO;
        if d {
            notes.push(
                "the approaches disagree: one gives a value ≤ 0 while another is positive"
                    .to_string(),
            );
        }
        (None, d)
    };
    crate::audit::record!(
        tr,
        "disagreement",
        "flag when max Vᵢ / min Vᵢ > factor",
        vec![
            AuditValue::money("min", lo),
            AuditValue::money("max", hi),
            AuditValue::number("factor", factor),
        ],
        AuditValue::text("disagree", if disagree { "yes" } else { "no" }),
    );
    Ok(Reconciliation {
        purpose,
        weights_source: source,
        approaches,
        concluded_value: concluded,
        range_low: lo,
        range_high: hi,
        ratio,
        disagreement_factor: factor,
        disagree,
        notes,
        audit: tr,
    })
}

// ---------------------------------------------------------------------------------------------
// The reconciled value under uncertainty
// ---------------------------------------------------------------------------------------------

/// One approach's part in the simulated reconciled value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconciledPart {
    /// The approach.
    pub approach: Approach,
    /// Its weight (after renormalisation), as in [`Reconciliation::approaches`].
    pub weight: Decimal,
    /// True when its compiled model is sampled; false when it has weight 0 (left out) or no
    /// compiled model (held at its concluded value on every path).
    pub simulated: bool,
}

struct Part<'a> {
    weight: f64,
    model: &'a dyn Model,
    start: usize,
    len: usize,
}

/// The reconciled value as one compiled [`Model`], for Monte Carlo and the downside value:
///
/// `V(x) = Σᵢ wᵢ·round_fen(Vᵢ(xᵢ)) + Σⱼ wⱼ·Vⱼ`
///
/// over the approaches of a [`Reconciliation`] with weight wᵢ > 0: an approach with a compiled
/// model contributes its value at its own inputs `xᵢ` (rounded to the fen, as the reconciliation
/// rounds each approach's value before weighting), one without (the market approach) its
/// concluded value Vⱼ on every path. The inputs are the approaches' inputs one after the other,
/// under their case field paths, so `[[simulation.correlation]]` entries apply unchanged. With
/// every input at its point value, `eval` is the unrounded concluded value (to f64 precision).
pub struct ReconciledModel<'a> {
    inputs: Vec<PlanInput>,
    parts: Vec<Part<'a>>,
    constant: f64,
    composition: Vec<ReconciledPart>,
}

fn fen_f64(v: f64) -> f64 {
    // f64::round rounds half away from zero, as Money::round_fen does.
    (v * 100.0).round() / 100.0
}

impl<'a> ReconciledModel<'a> {
    /// Combines the compiled models (`compiled`: approach and model) by the reconciliation's
    /// weights.
    pub fn new(rec: &Reconciliation, compiled: &[(Approach, &'a dyn Model)]) -> Result<Self> {
        let mut inputs = Vec::new();
        let mut parts = Vec::new();
        let mut constant = 0.0;
        let mut composition = Vec::new();
        for a in &rec.approaches {
            let w = a.weight.to_f64().ok_or_else(|| {
                Error::Internal(format!("reconcile: weight {} has no f64", a.weight))
            })?;
            let model = compiled
                .iter()
                .find(|(ap, _)| *ap == a.approach)
                .map(|(_, m)| *m);
            let simulated = w > 0.0 && model.is_some();
            match model {
                Some(m) if w > 0.0 => {
                    let start = inputs.len();
                    inputs.extend_from_slice(m.inputs());
                    parts.push(Part {
                        weight: w,
                        model: m,
                        start,
                        len: m.inputs().len(),
                    });
                }
                _ if w > 0.0 => {
                    constant += w * a.value.amount().to_f64().unwrap_or(f64::NAN);
                }
                _ => {}
            }
            composition.push(ReconciledPart {
                approach: a.approach,
                weight: a.weight,
                simulated,
            });
        }
        Ok(ReconciledModel {
            inputs,
            parts,
            constant,
            composition,
        })
    }

    /// Each approach's weight and whether it is sampled.
    pub fn composition(&self) -> &[ReconciledPart] {
        &self.composition
    }

    /// True when the approach's inputs are part of this model.
    pub fn samples(&self, a: Approach) -> bool {
        self.composition
            .iter()
            .any(|p| p.approach == a && p.simulated)
    }
}

impl Model for ReconciledModel<'_> {
    fn inputs(&self) -> &[PlanInput] {
        &self.inputs
    }

    fn eval(&self, x: &[f64]) -> f64 {
        let mut v = self.constant;
        for p in &self.parts {
            v += p.weight * fen_f64(p.model.eval(&x[p.start..p.start + p.len]));
        }
        v
    }

    fn domain_error(&self, x: &[f64]) -> Option<String> {
        self.parts
            .iter()
            .find_map(|p| p.model.domain_error(&x[p.start..p.start + p.len]))
    }

    /// Each part's block on its own inputs' columns, combined path by path as `eval` combines
    /// them (the same order of additions, so the same bits); outside when any part is.
    fn eval_block(&self, c: Columns<'_>, values: &mut [f64], outside: &mut [bool]) {
        let m = values.len().min(outside.len());
        let (mut part, mut flags) = (vec![0.0; m], vec![false; m]);
        values.fill(self.constant);
        outside.fill(false);
        for p in &self.parts {
            p.model
                .eval_block(c.sub(p.start, p.len), &mut part, &mut flags);
            for (((v, o), pv), f) in values
                .iter_mut()
                .zip(outside.iter_mut())
                .zip(&part)
                .zip(&flags)
            {
                *v += p.weight * fen_f64(*pv);
                *o |= *f;
            }
        }
    }
}

/// A Monte Carlo run of the reconciled value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconciledSimulation {
    /// The concluded value (deterministic, rounded to the fen).
    pub concluded_value: Money,
    /// The weights and which approaches were sampled.
    pub composition: Vec<ReconciledPart>,
    /// The distribution of the reconciled value (flattened in JSON).
    #[serde(flatten)]
    pub dist: ValueDistribution,
}

/// Simulates the reconciled value: `compiled` are the approaches' models and `correlations`
/// the case's correlations split over them (as [`uncertainty::assign_correlations`] returns,
/// one list per model). The correlations of approaches left out (weight 0) are dropped.
pub fn simulate_reconciled(
    rec: &Reconciliation,
    compiled: &[(Approach, &dyn Model)],
    correlations: &[Vec<Correlation>],
    settings: &SimSettings,
) -> Result<ReconciledSimulation> {
    let model = ReconciledModel::new(rec, compiled)?;
    let corr: Vec<Correlation> = compiled
        .iter()
        .zip(correlations)
        .filter(|((a, _), _)| model.samples(*a))
        .flat_map(|(_, c)| c.iter().cloned())
        .collect();
    let mut dist = uncertainty::distribution(&model, &corr, settings)?;
    for p in model.composition() {
        if !p.simulated && p.weight > Decimal::ZERO {
            dist.notes.push(format!(
                "{}: no compiled model; held at its concluded value on every path",
                p.approach.as_str()
            ));
        }
    }
    Ok(ReconciledSimulation {
        concluded_value: rec.concluded_value,
        composition: model.composition().to_vec(),
        dist,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(a: Approach, yuan: i64) -> Valuation {
        Valuation {
            approach: a,
            method: "test".into(),
            value: Money::from_yuan(yuan),
            periods: Vec::new(),
            audit: AuditTrail::new(),
            warnings: Vec::new(),
        }
    }

    fn book() -> ReconcileWeights {
        crate::models::ModelBook::builtin().unwrap().reconcile
    }

    fn dv(s: &str) -> DecimalValue {
        DecimalValue(s.parse().unwrap())
    }

    #[test]
    fn shipped_weights_are_consistent() {
        let b = book();
        b.check("models/reconcile_weights.toml").unwrap();
        for p in [
            Purpose::PledgeFinancing,
            Purpose::Transfer,
            Purpose::Licensing,
            Purpose::Investment,
            Purpose::EquityContribution,
        ] {
            assert!(b.purpose.contains_key(&p), "{p:?} has no row");
        }
    }

    #[test]
    fn case_weights_give_the_weighted_value() {
        let spec = ReconcileSpec {
            weights: Some(BTreeMap::from([
                (Approach::Income, dv("0.7")),
                (Approach::Cost, dv("0.3")),
            ])),
            disagreement_factor: None,
        };
        let vals = [
            val(Approach::Income, 10_000_000),
            val(Approach::Cost, 4_000_000),
        ];
        let r = reconcile(&vals, None, Some(&spec), &book()).unwrap();
        // 0.7 × 10,000,000 + 0.3 × 4,000,000 = 8,200,000
        assert_eq!(r.concluded_value, Money::from_yuan(8_200_000));
        assert_eq!(r.range_low, Money::from_yuan(4_000_000));
        assert_eq!(r.range_high, Money::from_yuan(10_000_000));
        assert_eq!(r.ratio, Some(Decimal::new(25, 1)));
        assert!(r.disagree, "2.5 > 2 must be flagged");
        assert!(r.notes.iter().any(|n| n.contains("disagree")));
    }

    #[test]
    fn missing_approach_renormalises_with_a_note() {
        let spec = ReconcileSpec {
            weights: Some(BTreeMap::from([
                (Approach::Income, dv("0.5")),
                (Approach::Cost, dv("0.25")),
                (Approach::Market, dv("0.25")),
            ])),
            disagreement_factor: Some(dv("3")),
        };
        let vals = [
            val(Approach::Income, 9_000_000),
            val(Approach::Cost, 6_000_000),
        ];
        let r = reconcile(&vals, None, Some(&spec), &book()).unwrap();
        // weights 2/3 and 1/3: 6,000,000 + 2,000,000
        assert_eq!(r.concluded_value, Money::from_yuan(8_000_000));
        assert!(!r.disagree);
        assert!(r
            .notes
            .iter()
            .any(|n| n.contains("market (0.25) did not run")));
        let wsum: Decimal = r.approaches.iter().map(|a| a.weight).sum();
        assert!((wsum - Decimal::ONE).abs() < Decimal::new(1, 20));
    }

    #[test]
    fn all_zero_weights_are_an_error() {
        let spec = ReconcileSpec {
            weights: Some(BTreeMap::from([(Approach::Income, dv("1"))])),
            disagreement_factor: None,
        };
        let e = reconcile(&[val(Approach::Cost, 1)], None, Some(&spec), &book()).unwrap_err();
        assert!(e.to_string().contains("weight 0"), "{e}");
    }

    #[test]
    fn purpose_row_comes_from_the_models() {
        let b = book();
        let vals = [
            val(Approach::Income, 10_000_000),
            val(Approach::Cost, 8_000_000),
        ];
        let r = reconcile(&vals, Some(Purpose::PledgeFinancing), None, &b).unwrap();
        assert!(r.weights_source.contains("pledge_financing"));
        let row = &b.purpose[&Purpose::PledgeFinancing];
        let (wi, wc) = (row[&Approach::Income].0, row[&Approach::Cost].0);
        let expect = (Decimal::from(10_000_000) * wi + Decimal::from(8_000_000) * wc) / (wi + wc);
        assert_eq!(
            r.concluded_value.amount(),
            crate::money::round_half_away(expect, 2)
        );
    }

    #[test]
    fn bad_case_weights_name_the_field() {
        let spec = ReconcileSpec {
            weights: Some(BTreeMap::from([
                (Approach::Income, dv("0.7")),
                (Approach::Cost, dv("0.2")),
            ])),
            disagreement_factor: None,
        };
        let e = validate(&spec).unwrap_err().to_string();
        assert!(e.starts_with("reconcile.weights = "), "{e}");
        assert!(e.contains("sum to 0.9"), "{e}");
        let spec = ReconcileSpec {
            weights: None,
            disagreement_factor: Some(dv("1")),
        };
        assert!(validate(&spec)
            .unwrap_err()
            .to_string()
            .starts_with("reconcile.disagreement_factor = 1:"));
    }

    #[test]
    fn a_negative_value_beside_a_positive_one_is_flagged() {
        let vals = [
            val(Approach::Income, -1_000),
            val(Approach::Cost, 8_000_000),
        ];
        let r = reconcile(&vals, None, None, &book()).unwrap();
        assert!(r.disagree && r.ratio.is_none());
    }
}
