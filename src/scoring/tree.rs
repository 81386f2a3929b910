//! An indicator tree (`models/scoring/*.toml`): dimensions, indicators with their weights and
//! rating guides, scenarios with their dimension weights (and optional indicator-weight
//! overrides), vetoes, grade thresholds, a coverage floor, an optional technology-premium mapping
//! and an optional pass / revise / reject gate.
//!
//! [`ScoringTree::check`] is the one validation: every indicator belongs to a dimension and has a
//! Chinese and an English name and a guide for the bottom, middle and top of the scale; within each
//! dimension and each scenario the weights sum to 1; grades fall as they should.

use crate::error::{Error, Result};
use crate::money::de_decimal;
use crate::param::DecimalValue;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The rating scale of a tree (`scale = { min = 1, max = 5 }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Lowest rating (the worst).
    pub min: i64,
    /// Highest rating (the best).
    pub max: i64,
}

impl Scale {
    /// The three ratings a guide describes: bottom, middle, top (1, 3, 5 on a 1–5 scale).
    pub fn guide_points(&self) -> [i64; 3] {
        [self.min, (self.min + self.max) / 2, self.max]
    }

    /// A rating as a fraction of the scale: (r − min) / (max − min), in [0, 1].
    pub fn normalise(&self, r: Decimal) -> Decimal {
        (r - Decimal::from(self.min)) / Decimal::from(self.max - self.min)
    }
}

/// Grade thresholds on the 0–100 total (`grades = { A = "80", B = "65", C = "50" }`); below C
/// is D.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeThresholds {
    /// Lowest total graded A.
    #[serde(rename = "A", deserialize_with = "de_decimal")]
    pub a: Decimal,
    /// Lowest total graded B.
    #[serde(rename = "B", deserialize_with = "de_decimal")]
    pub b: Decimal,
    /// Lowest total graded C.
    #[serde(rename = "C", deserialize_with = "de_decimal")]
    pub c: Decimal,
}

/// A first-level dimension (法律价值, 技术价值, 经济价值, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Identifier (`legal`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// One indicator: what is rated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Identifier (`legal.stability`), the key of a rating in the case.
    pub id: String,
    /// The dimension it belongs to.
    pub dimension: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Weight inside its dimension (the weights of a dimension sum to 1).
    #[serde(deserialize_with = "de_decimal")]
    pub weight: Decimal,
    /// What the bottom, middle and top ratings mean, in Chinese (keys "1", "3", "5" on 1–5).
    pub guide: BTreeMap<String, String>,
    /// The same in English.
    pub guide_en: BTreeMap<String, String>,
}

/// A use of the score (许可转让, 质押融资, …) and how it weights the dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Identifier (`pledge_financing`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Weight of each dimension (sum to 1).
    pub dimension_weights: BTreeMap<String, DecimalValue>,
    /// Indicator weights that replace the defaults in this scenario; an override covers a whole
    /// dimension and sums to 1 in it.
    #[serde(default)]
    pub indicator_weights: BTreeMap<String, DecimalValue>,
}

/// A fact that makes the subject not scoreable (grade D), whatever its ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    /// Identifier (`lapsed`).
    pub id: String,
    /// The fact it reads (`legal_status`, `annuity_paid`, `ownership_dispute`).
    pub fact: String,
    /// Values of the fact that trigger it (compared as text: `"lapsed"`, `"false"`).
    pub values: Vec<String>,
    /// Reason in Chinese.
    pub reason_zh: String,
    /// Reason in English.
    pub reason_en: String,
}

/// The technology risk premium of the discount rate as a function of a dimension's score:
/// piecewise linear through `points` (score 0–100, premium as a fraction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PremiumMap {
    /// The dimension whose score drives it (`technical`).
    pub dimension: String,
    /// (score, premium) points, scores increasing.
    pub points: Vec<(DecimalValue, DecimalValue)>,
    /// Where the points come from.
    pub source: String,
}

/// A gate rule: an indicator that must reach a minimum rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MustRule {
    /// The indicator.
    pub indicator: String,
    /// Lowest rating that passes.
    pub min: i64,
    /// Reason in Chinese when it fails.
    pub reason_zh: String,
    /// Reason in English.
    pub reason_en: String,
}

/// A pass / revise / reject gate (概念验证): thresholds on the 0–100 total and must-rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// Lowest total that passes.
    #[serde(deserialize_with = "de_decimal")]
    pub pass: Decimal,
    /// Lowest total sent back for revision (below: reject).
    #[serde(deserialize_with = "de_decimal")]
    pub revise: Decimal,
    /// Indicators that must reach a minimum rating (a failure sends a pass back to revise, and
    /// is listed).
    #[serde(default)]
    pub must: Vec<MustRule>,
}

/// An indicator tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringTree {
    /// Identifier (`gbt42748`), the value of `--model` and `scoring.model`.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Citation of the indicator tree.
    pub source: String,
    /// Where the weights come from (techval defaults unless a source publishes them).
    pub weights_source: String,
    /// Rating scale.
    pub scale: Scale,
    /// Lowest coverage (share of the scenario's weight that was rated) that is still scored.
    #[serde(deserialize_with = "de_decimal")]
    pub coverage_floor: Decimal,
    /// Grade thresholds.
    pub grades: GradeThresholds,
    /// The scenario used when neither the case nor its purpose names one.
    pub default_scenario: String,
    /// The scenario for a valuation purpose (`pledge_financing = "pledge_financing"`).
    #[serde(default)]
    pub purpose_scenario: BTreeMap<String, String>,
    /// Dimensions.
    pub dimension: Vec<Dimension>,
    /// Indicators.
    pub indicator: Vec<Indicator>,
    /// Scenarios.
    pub scenario: Vec<Scenario>,
    /// Vetoes.
    #[serde(default)]
    pub veto: Vec<Veto>,
    /// Technology premium mapping.
    #[serde(default)]
    pub technology_premium: Option<PremiumMap>,
    /// Gate.
    #[serde(default)]
    pub gate: Option<Gate>,
}

fn bad(file: &str, detail: String) -> Error {
    Error::InFile {
        file: file.to_string(),
        detail,
    }
}

/// Tolerance on weight sums (weights are written with at most four decimals).
fn sums_to_one(s: Decimal) -> bool {
    (s - Decimal::ONE).abs() <= Decimal::new(1, 9)
}

impl ScoringTree {
    /// A scenario by id.
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenario.iter().find(|s| s.id == id)
    }

    /// An indicator by id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicator.iter().find(|i| i.id == id)
    }

    /// The weight of an indicator in a scenario (the scenario's override, else the default).
    pub fn weight_in(&self, sc: &Scenario, ind: &Indicator) -> Decimal {
        sc.indicator_weights
            .get(&ind.id)
            .map_or(ind.weight, |w| w.0)
    }

    /// Checks the tree; errors name `file` and the entry (`indicator[3] (legal.scope): …`).
    pub fn check(&self, file: &str) -> Result<()> {
        let sc = self.scale;
        if sc.max <= sc.min {
            return Err(bad(
                file,
                format!("scale = {}..{}: max must exceed min", sc.min, sc.max),
            ));
        }
        let g = &self.grades;
        if !(g.a > g.b && g.b > g.c && g.c >= Decimal::ZERO && g.a <= Decimal::ONE_HUNDRED) {
            return Err(bad(
                file,
                format!(
                    "grades A = {}, B = {}, C = {}: need 100 ≥ A > B > C ≥ 0",
                    g.a, g.b, g.c
                ),
            ));
        }
        if !(Decimal::ZERO < self.coverage_floor && self.coverage_floor <= Decimal::ONE) {
            return Err(bad(
                file,
                format!(
                    "coverage_floor = {}: need a share above 0 and at most 1",
                    self.coverage_floor
                ),
            ));
        }
        let dims: Vec<&str> = self.dimension.iter().map(|d| d.id.as_str()).collect();
        for (i, ind) in self.indicator.iter().enumerate() {
            let at = format!("indicator[{i}] ({})", ind.id);
            if !dims.contains(&ind.dimension.as_str()) {
                return Err(bad(
                    file,
                    format!(
                        "{at}: dimension = {:?} is not one of the tree's dimensions ({})",
                        ind.dimension,
                        dims.join(", ")
                    ),
                ));
            }
            if ind.name_zh.trim().is_empty() || ind.name_en.trim().is_empty() {
                return Err(bad(file, format!("{at}: needs name_zh and name_en")));
            }
            if !(Decimal::ZERO < ind.weight && ind.weight <= Decimal::ONE) {
                return Err(bad(
                    file,
                    format!(
                        "{at}: weight = {}: need a weight above 0 and at most 1",
                        ind.weight
                    ),
                ));
            }
            for (lang, guide) in [("guide", &ind.guide), ("guide_en", &ind.guide_en)] {
                for p in sc.guide_points() {
                    if guide
                        .get(&p.to_string())
                        .is_none_or(|t| t.trim().is_empty())
                    {
                        return Err(bad(
                            file,
                            format!("{at}: {lang} has no text for rating {p} (a guide says what {} mean)",
                                sc.guide_points().map(|x| x.to_string()).join(", ")),
                        ));
                    }
                }
            }
            if self.indicator[..i].iter().any(|x| x.id == ind.id) {
                return Err(bad(file, format!("{at}: the id is used twice")));
            }
        }
        for d in &self.dimension {
            let members: Vec<&Indicator> = self
                .indicator
                .iter()
                .filter(|i| i.dimension == d.id)
                .collect();
            if members.is_empty() {
                return Err(bad(file, format!("dimension {}: has no indicator", d.id)));
            }
            let s: Decimal = members.iter().map(|i| i.weight).sum();
            if !sums_to_one(s) {
                return Err(bad(
                    file,
                    format!(
                        "dimension {}: indicator weights sum to {s}: they must sum to 1",
                        d.id
                    ),
                ));
            }
        }
        if self.scenario(&self.default_scenario).is_none() {
            return Err(bad(
                file,
                format!(
                    "default_scenario = {:?} is not one of the scenarios",
                    self.default_scenario
                ),
            ));
        }
        for (p, s) in &self.purpose_scenario {
            if self.scenario(s).is_none() {
                return Err(bad(
                    file,
                    format!("purpose_scenario.{p} = {s:?} is not one of the scenarios"),
                ));
            }
        }
        for (k, s) in self.scenario.iter().enumerate() {
            let at = format!("scenario[{k}] ({})", s.id);
            for d in s.dimension_weights.keys() {
                if !dims.contains(&d.as_str()) {
                    return Err(bad(
                        file,
                        format!("{at}: dimension_weights.{d}: no such dimension"),
                    ));
                }
            }
            for d in &dims {
                if !s.dimension_weights.contains_key(*d) {
                    return Err(bad(
                        file,
                        format!("{at}: dimension_weights has no weight for {d}"),
                    ));
                }
            }
            let total: Decimal = s.dimension_weights.values().map(|w| w.0).sum();
            if !sums_to_one(total) {
                return Err(bad(
                    file,
                    format!("{at}: dimension weights sum to {total}: they must sum to 1"),
                ));
            }
            for id in s.indicator_weights.keys() {
                if self.indicator(id).is_none() {
                    return Err(bad(
                        file,
                        format!("{at}: indicator_weights.{id}: no such indicator"),
                    ));
                }
            }
            for d in &dims {
                let members: Vec<&Indicator> = self
                    .indicator
                    .iter()
                    .filter(|i| i.dimension == *d)
                    .collect();
                let overridden = members
                    .iter()
                    .filter(|i| s.indicator_weights.contains_key(&i.id))
                    .count();
                if overridden == 0 {
                    continue;
                }
                if overridden != members.len() {
                    return Err(bad(
                        file,
                        format!("{at}: indicator_weights overrides {overridden} of the {} indicators of {d}: an override covers the whole dimension", members.len()),
                    ));
                }
                let s2: Decimal = members.iter().map(|i| self.weight_in(s, i)).sum();
                if !sums_to_one(s2) {
                    return Err(bad(
                        file,
                        format!("{at}: indicator weights of {d} sum to {s2}: they must sum to 1"),
                    ));
                }
            }
        }
        if let Some(p) = &self.technology_premium {
            if !dims.contains(&p.dimension.as_str()) {
                return Err(bad(
                    file,
                    format!(
                        "technology_premium.dimension = {:?}: no such dimension",
                        p.dimension
                    ),
                ));
            }
            let ok = p.points.len() >= 2
                && p.points.windows(2).all(|w| w[0].0 .0 < w[1].0 .0)
                && p.points.iter().all(|(s, r)| {
                    s.0 >= Decimal::ZERO
                        && s.0 <= Decimal::ONE_HUNDRED
                        && r.0 >= Decimal::ZERO
                        && r.0 < Decimal::ONE
                });
            if !ok {
                return Err(bad(
                    file,
                    "technology_premium.points: need at least two (score 0–100, premium 0–1) points with scores increasing".into(),
                ));
            }
        }
        if let Some(g) = &self.gate {
            if g.revise > g.pass {
                return Err(bad(
                    file,
                    format!("gate: revise = {} above pass = {}", g.revise, g.pass),
                ));
            }
            for (i, m) in g.must.iter().enumerate() {
                if self.indicator(&m.indicator).is_none() {
                    return Err(bad(
                        file,
                        format!(
                            "gate.must[{i}].indicator = {:?}: no such indicator",
                            m.indicator
                        ),
                    ));
                }
                if m.min < sc.min || m.min > sc.max {
                    return Err(bad(
                        file,
                        format!(
                            "gate.must[{i}].min = {}: outside the scale {}..{}",
                            m.min, sc.min, sc.max
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}
