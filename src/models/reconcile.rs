//! `models/reconcile_weights.toml`: the default reconciliation weights by purpose and the
//! disagreement factor, with the checks a weight row and a factor must pass (shared with the
//! case's own `[reconcile]` section).

use crate::error::{Error, Result};
use crate::param::DecimalValue;
use crate::vocab::{Approach, Purpose};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Tolerance when checking that weights sum to 1.
fn tolerance() -> Decimal {
    Decimal::new(1, 6)
}

/// Checks a weight row: each weight in [0, 1], the row summing to 1 (errors name `path`).
pub(crate) fn check_weights(w: &BTreeMap<Approach, DecimalValue>, path: &str) -> Result<()> {
    for (a, v) in w {
        if v.0 < Decimal::ZERO || v.0 > Decimal::ONE {
            return Err(Error::field(
                format!("{path}.{}", a.as_str()),
                v.0,
                "must be a weight from 0 to 1",
            ));
        }
    }
    let sum: Decimal = w.values().map(|v| v.0).sum();
    if (sum - Decimal::ONE).abs() > tolerance() {
        let shown: Vec<String> = w
            .iter()
            .map(|(a, v)| format!("{} = {}", a.as_str(), v.0.normalize()))
            .collect();
        return Err(Error::field(
            path,
            format!("{{ {} }}", shown.join(", ")),
            format!("weights must sum to 1 (they sum to {})", sum.normalize()),
        ));
    }
    Ok(())
}

/// Checks a disagreement factor: above 1 and at most 1000.
pub(crate) fn check_factor(f: Decimal, path: &str) -> Result<()> {
    if f <= Decimal::ONE || f > Decimal::from(1000) {
        return Err(Error::field(
            path,
            f,
            "must be a factor above 1 and at most 1000 (2 = flag when the largest value is more than twice the smallest)",
        ));
    }
    Ok(())
}

/// `models/reconcile_weights.toml`: default weights by purpose and the disagreement factor.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileWeights {
    /// Citation / reasoning.
    pub source: String,
    /// Default disagreement factor.
    pub disagreement_factor: DecimalValue,
    /// Weights when the case states no purpose.
    pub default: BTreeMap<Approach, DecimalValue>,
    /// Weights by purpose.
    pub purpose: BTreeMap<Purpose, BTreeMap<Approach, DecimalValue>>,
}

impl ReconcileWeights {
    /// Checks the file: each row's weights in [0, 1] summing to 1; the factor above 1. `file`
    /// names the file in errors.
    pub fn check(&self, file: &str) -> Result<()> {
        let wrap = |e: Error| match e {
            Error::Field(fe) => Error::InFile {
                file: file.to_string(),
                detail: fe.to_string(),
            },
            other => other,
        };
        check_factor(self.disagreement_factor.0, "disagreement_factor").map_err(wrap)?;
        check_weights(&self.default, "default").map_err(wrap)?;
        for (p, w) in &self.purpose {
            let name = serde_json::to_value(p)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            check_weights(w, &format!("purpose.{name}")).map_err(wrap)?;
        }
        Ok(())
    }

    /// The weight row for a purpose (the default row for none or an unlisted purpose), and
    /// where it came from.
    pub fn row(&self, purpose: Option<Purpose>) -> (&BTreeMap<Approach, DecimalValue>, String) {
        match purpose.and_then(|p| self.purpose.get(&p).map(|w| (p, w))) {
            Some((p, w)) => (
                w,
                format!(
                    "models/reconcile_weights.toml [purpose.{}]",
                    serde_json::to_value(p)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            ),
            None => (
                &self.default,
                "models/reconcile_weights.toml [default]".to_string(),
            ),
        }
    }
}
