//! The one scoring engine: ratings × weights → dimension scores, total, coverage, grade, vetoes,
//! gate, with the audit trail of every rating, weight and product.
//!
//! For a scenario with dimension weights W_d and (scenario) indicator weights w_i:
//!
//! ```text
//! x_i   = (rating_i − min) / (max − min)                      ∈ [0, 1]
//! S_d   = 100 × Σ_{i∈d, rated} w_i·x_i / Σ_{i∈d, rated} w_i    (a dimension with no rating: unknown)
//! total = Σ_{d known} W_d·S_d / Σ_{d known} W_d
//! coverage = Σ_d W_d · Σ_{i∈d, rated} w_i                     (share of the weight that was rated)
//! ```
//!
//! An unknown rating is left out and lowers the coverage; it is never read as 0. Below the tree's
//! coverage floor the subject is not graded. A veto (lapsed or invalidated patent, unpaid annuity,
//! ownership dispute) gives grade D whatever the ratings. Scores are rounded half away from zero
//! to 4 decimals (0–100 scale) once, at the end; the grade is read from the rounded total.

use super::input::ScoringInput;
use super::tree::{Scenario, ScoringTree};
use crate::audit::{record_sourced, AuditTrail, AuditValue};
use crate::error::{Error, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// A grade (A best, D worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Total ≥ the A threshold.
    A,
    /// Total ≥ the B threshold.
    B,
    /// Total ≥ the C threshold.
    C,
    /// Below C, or vetoed.
    D,
}

impl Grade {
    /// "A" … "D".
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }
}

/// Whether the subject was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreStatus {
    /// Scored and graded.
    Scored,
    /// A veto applies: grade D.
    Vetoed,
    /// Too few ratings (coverage under the floor): no total, no grade.
    BelowCoverage,
}

/// Outcome of a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateOutcome {
    /// Passes.
    Pass,
    /// Sent back for revision.
    Revise,
    /// Rejected.
    Reject,
}

impl GateOutcome {
    /// Schema name.
    pub fn as_str(self) -> &'static str {
        match self {
            GateOutcome::Pass => "pass",
            GateOutcome::Revise => "revise",
            GateOutcome::Reject => "reject",
        }
    }
}

/// The gate's decision and its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    /// Pass / revise / reject.
    pub outcome: GateOutcome,
    /// Why (Chinese, English).
    pub reasons: Vec<(String, String)>,
}

/// One indicator's line of the scoring table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingLine {
    /// Indicator id.
    pub indicator: String,
    /// Its dimension.
    pub dimension: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The rating (None: unknown).
    pub rating: Option<Decimal>,
    /// Weight in its dimension (in this scenario).
    pub weight: Decimal,
    /// x_i × w_i × 100 (None when unknown).
    pub points: Option<Decimal>,
}

/// One dimension's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    /// Dimension id.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Weight in the scenario.
    pub weight: Decimal,
    /// Score 0–100 over the rated indicators (None: none rated).
    pub score: Option<Decimal>,
    /// Share of the dimension's indicator weight that was rated.
    pub coverage: Decimal,
}

/// A veto that applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VetoHit {
    /// Veto id.
    pub id: String,
    /// The fact and its value (`legal_status = lapsed`).
    pub fact: String,
    /// Reason in Chinese.
    pub reason_zh: String,
    /// Reason in English.
    pub reason_en: String,
}

/// The scored result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    /// Tree id.
    pub model: String,
    /// Tree name (Chinese).
    pub model_name_zh: String,
    /// Tree name (English).
    pub model_name_en: String,
    /// Scenario id.
    pub scenario: String,
    /// Scenario name (Chinese).
    pub scenario_name_zh: String,
    /// Scenario name (English).
    pub scenario_name_en: String,
    /// How the scenario was chosen.
    pub scenario_source: String,
    /// The rating scale.
    pub scale: (i64, i64),
    /// Scored, vetoed or below coverage.
    pub status: ScoreStatus,
    /// Total 0–100 (None below coverage).
    pub total: Option<Decimal>,
    /// Grade (None below coverage; D when vetoed).
    pub grade: Option<Grade>,
    /// Share of the scenario's weight that was rated.
    pub coverage: Decimal,
    /// The tree's coverage floor.
    pub coverage_floor: Decimal,
    /// Dimension scores.
    pub dimensions: Vec<DimensionScore>,
    /// Every indicator, rated or not.
    pub lines: Vec<RatingLine>,
    /// Indicators without a rating.
    pub missing: Vec<String>,
    /// Vetoes that applied.
    pub vetoes: Vec<VetoHit>,
    /// Gate decision, for a tree with a gate.
    pub gate: Option<GateResult>,
    /// Where the tree and its weights come from.
    pub source: String,
    /// Where the weights come from.
    pub weights_source: String,
    /// Every rating, weight and product.
    pub trail: AuditTrail,
}

impl ScoreCard {
    /// A dimension's score as a fraction in [0, 1] (None when unknown).
    pub fn dimension_fraction(&self, id: &str) -> Option<Decimal> {
        self.dimensions
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.score)
            .map(|s| s / Decimal::ONE_HUNDRED)
    }

    /// The score a decision can rest on: None when vetoed or below coverage, with the reason.
    pub fn usable(&self) -> std::result::Result<(), String> {
        match self.status {
            ScoreStatus::Scored => Ok(()),
            ScoreStatus::Vetoed => Err(format!(
                "the {} score is vetoed ({}): not scoreable",
                self.model,
                self.vetoes
                    .iter()
                    .map(|v| v.reason_en.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            ScoreStatus::BelowCoverage => Err(format!(
                "the {} ratings cover {} of the weight, under the tree's floor {} (missing: {})",
                self.model,
                self.coverage.round_dp(4).normalize(),
                self.coverage_floor.normalize(),
                self.missing.join(", ")
            )),
        }
    }
}

fn r4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// The scenario a case is scored under: `scoring.scenario`, else the tree's scenario for the
/// case's purpose, else the tree's default. An unknown explicit scenario is an error listing the
/// tree's scenarios.
pub fn pick_scenario<'t>(
    tree: &'t ScoringTree,
    asked: Option<&str>,
    purpose: Option<&str>,
) -> Result<(&'t Scenario, String)> {
    if let Some(id) = asked {
        return tree
            .scenario(id)
            .map(|s| (s, "scoring.scenario".to_string()))
            .ok_or_else(|| {
                Error::field(
                    "scoring.scenario",
                    id,
                    format!(
                        "is not a scenario of the {} tree (allowed: {})",
                        tree.id,
                        tree.scenario
                            .iter()
                            .map(|s| s.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            });
    }
    if let Some(p) = purpose {
        if let Some(s) = tree
            .purpose_scenario
            .get(p)
            .and_then(|id| tree.scenario(id))
        {
            return Ok((s, format!("purpose {p} (purpose_scenario of the tree)")));
        }
    }
    let s = tree
        .scenario(&tree.default_scenario)
        .ok_or_else(|| Error::Internal(format!("tree {} has no default scenario", tree.id)))?;
    Ok((s, "the tree's default_scenario".into()))
}

/// Checks the ratings against the tree: every id is an indicator of it and every rating lies on
/// its scale. Errors carry the field path (`scoring.ratings.legal.stability`).
pub fn check_ratings(tree: &ScoringTree, input: &ScoringInput) -> Result<()> {
    let (lo, hi) = (tree.scale.min, tree.scale.max);
    for (id, r) in &input.ratings {
        let path = format!("scoring.ratings.{id}");
        if tree.indicator(id).is_none() {
            let dims: Vec<&str> = tree.dimension.iter().map(|d| d.id.as_str()).collect();
            return Err(Error::field(
                path,
                r.0,
                format!(
                    "unknown indicator id: not in the {} tree (ids are dimension.name, dimensions {}; `techval score --model {} --list` lists them)",
                    tree.id,
                    dims.join(", "),
                    tree.id
                ),
            ));
        }
        if r.0 < Decimal::from(lo) || r.0 > Decimal::from(hi) {
            return Err(Error::field(
                path,
                r.0,
                format!(
                    "must be a rating from {lo} to {hi} on the {} scale (leave it out when unknown)",
                    tree.id
                ),
            ));
        }
    }
    Ok(())
}

/// Scores a subject. `purpose` (the case's purpose id) picks the scenario when the input names
/// none. Ratings must have passed [`check_ratings`].
pub fn score(tree: &ScoringTree, input: &ScoringInput, purpose: Option<&str>) -> Result<ScoreCard> {
    score_with(tree, input, purpose, AuditTrail::new())
}

/// [`score`] into the trail `tr`. With a muted trail ([`AuditTrail::muted`]) the card keeps the
/// figures (total, grade, coverage, dimensions, vetoes, gate) but no rating lines and no steps,
/// and nothing of either is formatted: a portfolio row keeps only the figures.
pub fn score_with(
    tree: &ScoringTree,
    input: &ScoringInput,
    purpose: Option<&str>,
    mut tr: AuditTrail,
) -> Result<ScoreCard> {
    check_ratings(tree, input)?;
    let (sc, sc_source) = pick_scenario(tree, input.scenario.as_deref(), purpose)?;
    let src = format!("models/scoring/{}.toml, scenario {}", tree.id, sc.id);
    let hundred = Decimal::ONE_HUNDRED;
    let mut lines = Vec::new();
    let mut dims = Vec::new();
    let mut missing = Vec::new();
    let mut coverage = Decimal::ZERO;
    let (mut wsum, mut wscore) = (Decimal::ZERO, Decimal::ZERO);
    for d in &tree.dimension {
        let dw = sc
            .dimension_weights
            .get(&d.id)
            .map_or(Decimal::ZERO, |w| w.0.normalize());
        let (mut rated_w, mut acc) = (Decimal::ZERO, Decimal::ZERO);
        for ind in tree.indicator.iter().filter(|i| i.dimension == d.id) {
            let w = tree.weight_in(sc, ind).normalize();
            let rating = input.ratings.get(&ind.id).map(|r| r.0);
            let points = rating.map(|r| tree.scale.normalise(r) * w * hundred);
            match (rating, points) {
                (Some(r), Some(p)) => {
                    rated_w += w;
                    acc += p;
                    record_sourced!(
                        tr,
                        format!("rating[{}]", ind.id),
                        "points_i = (rating − min) / (max − min) × w_i × 100",
                        vec![
                            AuditValue::number("rating", r),
                            AuditValue::number("min", Decimal::from(tree.scale.min)),
                            AuditValue::number("max", Decimal::from(tree.scale.max)),
                            AuditValue::number("w_i", w),
                        ],
                        AuditValue::number("points_i", r4(p)),
                        src.clone(),
                    );
                }
                _ => missing.push(ind.id.clone()),
            }
            if tr.is_on() {
                lines.push(RatingLine {
                    indicator: ind.id.clone(),
                    dimension: d.id.clone(),
                    name_zh: ind.name_zh.clone(),
                    name_en: ind.name_en.clone(),
                    rating,
                    weight: w,
                    points: points.map(r4),
                });
            }
        }
        let s = (rated_w > Decimal::ZERO).then(|| acc / rated_w);
        coverage += dw * rated_w;
        record_sourced!(
            tr,
            format!("dimension[{}]", d.id),
            "S_d = Σ points_i / Σ w_i over the rated indicators of d (unknown ratings left out)",
            vec![
                AuditValue::number("Σ points_i", r4(acc)),
                AuditValue::number("Σ w_i rated", rated_w),
                AuditValue::number("W_d", dw),
            ],
            match s {
                Some(v) => AuditValue::number("S_d", r4(v)),
                None => AuditValue::text("S_d", "unknown (no rating)"),
            },
            src.clone(),
        );
        if let Some(v) = s {
            wsum += dw;
            wscore += dw * v;
        }
        dims.push(DimensionScore {
            id: d.id.clone(),
            name_zh: d.name_zh.clone(),
            name_en: d.name_en.clone(),
            weight: dw,
            score: s.map(r4),
            coverage: rated_w.normalize(),
        });
    }
    let coverage = r4(coverage);
    record_sourced!(
        tr,
        "coverage",
        "coverage = Σ_d W_d × Σ_{i∈d rated} w_i",
        vec![AuditValue::number("coverage_floor", tree.coverage_floor)],
        AuditValue::number("coverage", coverage),
        src.clone(),
    );
    let vetoes: Vec<VetoHit> = tree
        .veto
        .iter()
        .filter_map(|v| {
            let val = input.facts.get(&v.fact)?.as_text();
            v.values
                .iter()
                .any(|x| x.eq_ignore_ascii_case(&val))
                .then(|| VetoHit {
                    id: v.id.clone(),
                    fact: format!("{} = {val}", v.fact),
                    reason_zh: v.reason_zh.clone(),
                    reason_en: v.reason_en.clone(),
                })
        })
        .collect();
    let total = if coverage >= tree.coverage_floor && wsum > Decimal::ZERO {
        Some(r4(wscore / wsum))
    } else {
        None
    };
    let status = if !vetoes.is_empty() {
        ScoreStatus::Vetoed
    } else if total.is_none() {
        ScoreStatus::BelowCoverage
    } else {
        ScoreStatus::Scored
    };
    let g = &tree.grades;
    let grade = match status {
        ScoreStatus::Vetoed => Some(Grade::D),
        ScoreStatus::BelowCoverage => None,
        ScoreStatus::Scored => total.map(|t| {
            if t >= g.a {
                Grade::A
            } else if t >= g.b {
                Grade::B
            } else if t >= g.c {
                Grade::C
            } else {
                Grade::D
            }
        }),
    };
    record_sourced!(
        tr,
        "total",
        "total = Σ_d W_d·S_d / Σ_{d known} W_d; grade A ≥ T_A, B ≥ T_B, C ≥ T_C, else D; a veto → D",
        vec![
            AuditValue::number("Σ W_d known", wsum),
            AuditValue::number("T_A", g.a),
            AuditValue::number("T_B", g.b),
            AuditValue::number("T_C", g.c),
            AuditValue::text(
                "vetoes",
                if vetoes.is_empty() {
                    "none".to_string()
                } else {
                    vetoes.iter().map(|v| v.fact.clone()).collect::<Vec<_>>().join("; ")
                },
            ),
        ],
        AuditValue::text(
            "total / grade",
            format!(
                "{} / {}",
                total.map_or("not scored".into(), |t| t.normalize().to_string()),
                grade.map_or("none", Grade::as_str)
            ),
        ),
        src.clone(),
    );
    let gate = tree.gate.as_ref().map(|gt| {
        let mut reasons = Vec::new();
        for v in &vetoes {
            reasons.push((v.reason_zh.clone(), v.reason_en.clone()));
        }
        let mut must_failed = false;
        for m in &gt.must {
            match input.ratings.get(&m.indicator).map(|r| r.0) {
                Some(r) if r >= Decimal::from(m.min) => {}
                Some(_) => {
                    must_failed = true;
                    reasons.push((m.reason_zh.clone(), m.reason_en.clone()));
                }
                None => {
                    must_failed = true;
                    reasons.push((
                        format!("{}未评分(须至少{})", m.indicator, m.min),
                        format!("{} not rated (needs at least {})", m.indicator, m.min),
                    ));
                }
            }
        }
        let outcome = match (status, total) {
            (ScoreStatus::Vetoed, _) => GateOutcome::Reject,
            (_, None) => {
                reasons.push((
                    format!(
                        "评分覆盖率{}低于下限{}",
                        coverage.normalize(),
                        tree.coverage_floor.normalize()
                    ),
                    format!(
                        "ratings cover {} of the weight, under the floor {}",
                        coverage.normalize(),
                        tree.coverage_floor.normalize()
                    ),
                ));
                GateOutcome::Revise
            }
            (_, Some(t)) if t < gt.revise => {
                reasons.push((
                    format!("总分{}低于修改线{}", t.normalize(), gt.revise.normalize()),
                    format!(
                        "total {} below the revise mark {}",
                        t.normalize(),
                        gt.revise.normalize()
                    ),
                ));
                GateOutcome::Reject
            }
            (_, Some(t)) if t < gt.pass || must_failed => {
                if t < gt.pass {
                    reasons.push((
                        format!("总分{}低于通过线{}", t.normalize(), gt.pass.normalize()),
                        format!(
                            "total {} below the pass mark {}",
                            t.normalize(),
                            gt.pass.normalize()
                        ),
                    ));
                }
                GateOutcome::Revise
            }
            _ => GateOutcome::Pass,
        };
        GateResult { outcome, reasons }
    });
    Ok(ScoreCard {
        model: tree.id.clone(),
        model_name_zh: tree.name_zh.clone(),
        model_name_en: tree.name_en.clone(),
        scenario: sc.id.clone(),
        scenario_name_zh: sc.name_zh.clone(),
        scenario_name_en: sc.name_en.clone(),
        scenario_source: sc_source,
        scale: (tree.scale.min, tree.scale.max),
        status,
        total,
        grade,
        coverage,
        coverage_floor: tree.coverage_floor.normalize(),
        dimensions: dims,
        lines,
        missing,
        vetoes,
        gate,
        source: tree.source.clone(),
        weights_source: tree.weights_source.clone(),
        trail: tr,
    })
}

/// The technology risk premium read from the tree's mapping at the dimension's score
/// (piecewise linear; flat beyond the end points). None when the tree has no mapping or the
/// dimension is unknown.
pub fn technology_premium(tree: &ScoringTree, card: &ScoreCard) -> Option<(Decimal, String)> {
    let m = tree.technology_premium.as_ref()?;
    let s = card
        .dimensions
        .iter()
        .find(|d| d.id == m.dimension)?
        .score?;
    let pts = &m.points;
    let first = pts.first()?;
    let last = pts.last()?;
    let p = if s <= first.0 .0 {
        first.1 .0
    } else if s >= last.0 .0 {
        last.1 .0
    } else {
        let w = pts.windows(2).find(|w| s >= w[0].0 .0 && s <= w[1].0 .0)?;
        let (x0, y0, x1, y1) = (w[0].0 .0, w[0].1 .0, w[1].0 .0, w[1].1 .0);
        y0 + (y1 - y0) * (s - x0) / (x1 - x0)
    };
    let p = p.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero);
    Some((
        p,
        format!(
            "R_technology = piecewise linear in S_{} = {} through {} (models/scoring/{}.toml technology_premium; {})",
            m.dimension,
            s.normalize(),
            pts.iter()
                .map(|(a, b)| format!("({}, {})", a.0.normalize(), b.0.normalize()))
                .collect::<Vec<_>>()
                .join(" "),
            tree.id,
            m.source
        ),
    ))
}
