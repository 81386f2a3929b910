//! The case's rank correlations split over the compiled models of the approaches that run.

use super::*;
use crate::error::{Error, Result};
use crate::valuation::{Approach, Model};

/// Splits a case's correlation list over the models that run: each correlation goes to the model
/// whose inputs contain both paths. A path found in no running model is an error unless its
/// approach did not run (its first segment names an approach outside `models`); a pair across
/// two approaches is an error.
pub fn assign_correlations(
    correlations: &[Correlation],
    models: &[(Approach, &dyn Model)],
) -> Result<Vec<Vec<Correlation>>> {
    let mut out: Vec<Vec<Correlation>> = vec![Vec::new(); models.len()];
    let owner = |p: &str| {
        models
            .iter()
            .position(|(_, m)| m.inputs().iter().any(|i| i.path == p))
    };
    let ran = |p: &str| {
        let head = p.split(['.', '[']).next().unwrap_or("");
        models.iter().any(|(a, _)| a.as_str() == head)
    };
    for (i, c) in correlations.iter().enumerate() {
        let (oa, ob) = (owner(&c.a), owner(&c.b));
        match (oa, ob) {
            (Some(x), Some(y)) if x == y => {
                for (p, field) in [(&c.a, "a"), (&c.b, "b")] {
                    let fixed = models.get(x).is_some_and(|(_, m)| {
                        m.inputs()
                            .iter()
                            .any(|i| &i.path == p && !is_random(&i.param))
                    });
                    if fixed {
                        return Err(Error::field(
                            format!("simulation.correlation[{i}].{field}"),
                            p,
                            "is not uncertain: give it a distribution before correlating it",
                        ));
                    }
                }
                if let Some(v) = out.get_mut(x) {
                    v.push(c.clone());
                }
            }
            (Some(_), Some(_)) => {
                return Err(Error::field(
                    format!("simulation.correlation[{i}]"),
                    format!("{} ~ {}", c.a, c.b),
                    "can only correlate inputs of the same approach",
                ))
            }
            _ => {
                let (missing, field) = if oa.is_none() {
                    (&c.a, "a")
                } else {
                    (&c.b, "b")
                };
                if ran(missing) {
                    let known: Vec<&str> = models
                        .iter()
                        .flat_map(|(_, m)| m.inputs().iter())
                        .filter(|i| is_random(&i.param))
                        .map(|i| i.path.as_str())
                        .collect();
                    return Err(Error::field(
                        format!("simulation.correlation[{i}].{field}"),
                        missing,
                        format!(
                            "names no input of the model; uncertain inputs are: {}",
                            if known.is_empty() {
                                "(none)".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    ));
                }
            }
        }
    }
    Ok(out)
}
