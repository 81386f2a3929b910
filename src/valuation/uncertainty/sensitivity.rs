//! One-at-a-time sensitivity: tornado bars (each input at its low and high value) and spider
//! lines (each input over a range of swings).

use super::*;
use crate::error::{Error, Result};
use crate::valuation::Model;
use serde::{Deserialize, Serialize};

/// One bar of a tornado chart: the input moved by ±swing of its point value, others at point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// Field path of the input.
    pub input: String,
    /// Its point value.
    pub point: f64,
    /// The input at −swing: point × (1 − swing).
    pub low_input: f64,
    /// The input at +swing: point × (1 + swing).
    pub high_input: f64,
    /// Model value with the input at `low_input`.
    pub value_at_low_input: f64,
    /// Model value with the input at `high_input`.
    pub value_at_high_input: f64,
    /// Left end of the bar: min of the two values and the base value.
    pub low: f64,
    /// Right end of the bar: max of the two values and the base value.
    pub high: f64,
    /// `high − low`.
    pub swing: f64,
    /// False when both moved values lie on the same side of the base (the value is not
    /// monotone in the input over ±swing); the bar then still spans the base value.
    pub monotone: bool,
}

/// The value of the model as one input moves over several % changes (spider chart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpiderLine {
    /// Field path of the input.
    pub input: String,
    /// Model value at each of [`Sensitivity::spider_changes`]; `None` (JSON `null`) where the
    /// moved input leaves the model's domain or gives no finite value (see `gaps`).
    pub values: Vec<Option<f64>>,
    /// Why points are missing, one entry per missing point (`-20%: …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

/// An input left out of the sensitivity data, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedInput {
    /// Field path.
    pub input: String,
    /// Why.
    pub reason: String,
}

/// Deterministic one-at-a-time sensitivity of a model (f64, 元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The model's value with every input at its point value.
    pub base_value: f64,
    /// The relative swing (0.1 = ±10 %).
    pub swing: f64,
    /// Tornado bars, largest swing first (ties by input path).
    pub tornado: Vec<TornadoBar>,
    /// Relative changes of the spider chart (−2s, −s, −s/2, 0, s/2, s, 2s).
    pub spider_changes: Vec<f64>,
    /// One line per input, in input order.
    pub spider: Vec<SpiderLine>,
    /// Inputs without a bar (point value 0; outside the model's domain or no finite value at ±swing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedInput>,
}

/// Tornado and spider data: each input moved by a relative `swing` (0 < swing ≤ 1) of its point
/// value, the others held at their point values.
///
/// A moved value that leaves the model's domain ([`Model::domain_error`], e.g. a discount rate
/// pushed to or below the growth rate) or gives no finite value is not drawn: at ±swing the
/// input gets no bar and is listed in `skipped` with the reason; at a spider point the value is
/// `None` and the reason is listed in the line's `gaps`.
pub fn sensitivity<M: Model + ?Sized>(model: &M, swing: f64) -> Result<Sensitivity> {
    if !(swing > 0.0 && swing <= 1.0) {
        return Err(Error::field(
            "--swing",
            swing,
            "must be a relative change above 0 and at most 1 (0.1 = ±10%)",
        ));
    }
    let point = model.point();
    if let Some(i) = point.iter().position(|v| !v.is_finite()) {
        return Err(Error::Internal(format!(
            "input {} has no finite point value",
            model.inputs().get(i).map_or("?", |p| p.path.as_str())
        )));
    }
    if let Some(why) = model.domain_error(&point) {
        return Err(Error::Unsupported(format!(
            "sensitivity: the point inputs lie outside the model's domain: {why}"
        )));
    }
    let base = model.eval(&point);
    if !base.is_finite() {
        return Err(Error::Unsupported(
            "sensitivity: the model has no finite value at the point inputs".into(),
        ));
    }
    let changes: Vec<f64> = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]
        .iter()
        .map(|m| m * swing)
        .collect();
    let mut x = point.clone();
    // The value with input i at v, or why there is none.
    let mut at = |i: usize, v: f64| -> std::result::Result<f64, String> {
        x[i] = v;
        let out = match model.domain_error(&x) {
            Some(why) => Err(why),
            None => {
                let y = model.eval(&x);
                if y.is_finite() {
                    Ok(y)
                } else {
                    Err("the model has no finite value".to_string())
                }
            }
        };
        x[i] = point[i];
        out
    };
    let pct = |c: f64| {
        let s = trim_float(100.0 * c);
        if c > 0.0 {
            format!("+{s}%")
        } else {
            format!("{s}%")
        }
    };
    let mut tornado = Vec::new();
    let mut spider = Vec::new();
    let mut skipped = Vec::new();
    for (i, inp) in model.inputs().iter().enumerate() {
        let p = point[i];
        if p == 0.0 {
            skipped.push(SkippedInput {
                input: inp.path.clone(),
                reason: "point value is 0: a relative change leaves it at 0".into(),
            });
            continue;
        }
        let (lo_in, hi_in) = (p * (1.0 - swing), p * (1.0 + swing));
        let bad = match (at(i, lo_in), at(i, hi_in)) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            (Err(why), _) => Err((-swing, lo_in, why)),
            (_, Err(why)) => Err((swing, hi_in, why)),
        };
        let (vl, vh) = match bad {
            Ok(v) => v,
            Err((c, v, why)) => {
                skipped.push(SkippedInput {
                    input: inp.path.clone(),
                    reason: format!("at {} ({} = {}): {why}", pct(c), inp.path, num6(v)),
                });
                continue;
            }
        };
        let mut values = Vec::with_capacity(changes.len());
        let mut gaps = Vec::new();
        for c in &changes {
            match at(i, p * (1.0 + c)) {
                Ok(v) => values.push(Some(v)),
                Err(why) => {
                    values.push(None);
                    gaps.push(format!("{}: {why}", pct(*c)));
                }
            }
        }
        let low = vl.min(vh).min(base);
        let high = vl.max(vh).max(base);
        let monotone = (vl <= base && base <= vh) || (vh <= base && base <= vl);
        tornado.push(TornadoBar {
            input: inp.path.clone(),
            point: p,
            low_input: lo_in,
            high_input: hi_in,
            value_at_low_input: vl,
            value_at_high_input: vh,
            low,
            high,
            swing: high - low,
            monotone,
        });
        spider.push(SpiderLine {
            input: inp.path.clone(),
            values,
            gaps,
        });
    }
    tornado.sort_by(|a, b| {
        b.swing
            .total_cmp(&a.swing)
            .then_with(|| a.input.cmp(&b.input))
    });
    Ok(Sensitivity {
        base_value: base,
        swing,
        tornado,
        spider_changes: changes,
        spider,
        skipped,
    })
}
