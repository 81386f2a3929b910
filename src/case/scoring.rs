//! What a case's `[scoring]` section drives, resolved once when the case is prepared
//! ([`Case::prepare`]):
//!
//! * 综合评价法 — `income.split.scoring_model = "gbt42748"`: each factor of
//!   `models/split_scoring.toml` takes the tree's dimension score / 100 as its score, exactly as
//!   if it were written in `income.split.scores`;
//! * the discount rate's technology premium — `scoring.technology_premium = true` with a
//!   build-up rate: `income.discount.technology` from the tree's mapping of the technical score;
//! * the market approach's technology score — `market.tech_score`, when the case gives none, is
//!   the tree's technical dimension score (0–100), ahead of the TRL composite;
//! * the pledge rate by grade (rulebooks' `pledge.rate_by_grade`) reads [`Scored::grade`].
//!
//! Each derived value is listed in [`Scored::derived`] with its formula and source, and the score
//! card carries the audit trail of every rating.

use super::Case;
use crate::audit::AuditTrail;
use crate::error::{Error, Result};
use crate::models::ModelBook;
use crate::param::Param;
use crate::scoring::{engine, Grade, ScoreCard, ScoringTree};
use crate::valuation::discount::DiscountMethod;
use crate::valuation::income::SplitMethod;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A case value derived from the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedValue {
    /// Case field path it fills (`income.split.scores.legal`).
    pub path: String,
    /// The value.
    pub value: Decimal,
    /// How it was derived.
    pub formula: String,
}

/// The case's score and what it drove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// The score card.
    pub card: ScoreCard,
    /// Case values derived from it.
    pub derived: Vec<DerivedValue>,
}

impl Scored {
    /// The grade, when the subject was graded (D when vetoed).
    pub fn grade(&self) -> Option<Grade> {
        self.card.grade
    }
}

/// The tree named by `id` (errors list the shipped trees; `path` is the field that named it).
pub fn tree<'m>(models: &'m ModelBook, id: &str, path: &str) -> Result<&'m ScoringTree> {
    models.trees.get(id).ok_or_else(|| {
        Error::field(
            path,
            id,
            format!(
                "is not a scoring tree (allowed: {})",
                models.trees.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// The id of the dimension that measures technology in a tree (the technology-premium
/// dimension, else `technical` or `technology`).
fn technical_dimension(t: &ScoringTree) -> Option<&str> {
    if let Some(p) = &t.technology_premium {
        return Some(p.dimension.as_str());
    }
    t.dimension
        .iter()
        .map(|d| d.id.as_str())
        .find(|d| *d == "technical" || *d == "technology")
}

/// Scores the case's `[scoring]` section and fills what the score drives (see the module
/// docs). Without `[scoring]`, `income.split.scoring_model` is an error and nothing changes.
pub(super) fn apply(case: &mut Case, models: &ModelBook, brief: bool) -> Result<()> {
    let split_model = case
        .income
        .as_ref()
        .and_then(|i| i.split.as_ref())
        .filter(|s| s.method == SplitMethod::Scoring)
        .and_then(|s| s.scoring_model.clone());
    let Some(input) = &case.scoring else {
        if let Some(m) = split_model {
            return Err(Error::field(
                "income.split.scoring_model",
                m,
                "needs a [scoring] section with the ratings on that tree (scoring.ratings)",
            ));
        }
        return Ok(());
    };
    let t = tree(models, input.model_id(), "scoring.model")?;
    let trail = if brief {
        AuditTrail::muted()
    } else {
        AuditTrail::new()
    };
    let card = engine::score_with(t, input, case.purpose.map(|p| p.as_str()), trail)?;
    let mut derived = Vec::new();

    if let Some(m) = split_model {
        let path = "income.split.scoring_model";
        if m != t.id {
            return Err(Error::field(
                path,
                &m,
                format!(
                    "names a different tree than scoring.model = {} (the ratings are on that tree)",
                    t.id
                ),
            ));
        }
        card.usable().map_err(|why| Error::field(path, &m, why))?;
        let sp = case
            .income
            .as_mut()
            .and_then(|i| i.split.as_mut())
            .ok_or_else(|| Error::Internal("split vanished".into()))?;
        if sp.scores.is_some() {
            return Err(Error::field(
                "income.split.scores",
                "",
                "give income.split.scores or income.split.scoring_model, not both",
            ));
        }
        let mut scores = std::collections::BTreeMap::new();
        for f in &models.scoring.factor {
            let s = card.dimension_fraction(&f.id).ok_or_else(|| {
                Error::field(
                    path,
                    &m,
                    format!(
                        "the {} tree gives no score for factor {} of models/split_scoring.toml (its dimensions: {}; rate at least one indicator of each)",
                        t.id,
                        f.id,
                        t.dimension.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            // S_d is already rounded to 4 decimals (the score the card shows), so S_d / 100
            // is exact: the split uses the very score the report prints.
            let s = s.normalize();
            derived.push(DerivedValue {
                path: format!("income.split.scores.{}", f.id),
                value: s,
                formula: format!(
                    "score_{0} = S_{0} / 100 (models/scoring/{1}.toml, scenario {2})",
                    f.id, t.id, card.scenario
                ),
            });
            scores.insert(f.id.clone(), Param::fixed(s));
        }
        sp.scores = Some(scores);
    }

    if input.technology_premium {
        let path = "scoring.technology_premium";
        let d = case
            .income
            .as_mut()
            .map(|i| &mut i.discount)
            .filter(|d| d.method == DiscountMethod::BuildUp)
            .ok_or_else(|| {
                Error::field(
                    path,
                    "true",
                    "needs [income.discount] with method = build_up (the premium is one of its terms)",
                )
            })?;
        if d.technology.is_some() {
            return Err(Error::field(
                "income.discount.technology",
                "",
                "give income.discount.technology or scoring.technology_premium = true, not both",
            ));
        }
        card.usable()
            .map_err(|why| Error::field(path, "true", why))?;
        let (p, formula) = engine::technology_premium(t, &card).ok_or_else(|| {
            Error::field(
                path,
                "true",
                format!(
                    "the {} tree has no technology_premium mapping or its dimension has no rating",
                    t.id
                ),
            )
        })?;
        d.technology = Some(Param::fixed(p));
        d.derived.insert("technology".into(), formula.clone());
        derived.push(DerivedValue {
            path: "income.discount.technology".into(),
            value: p,
            formula,
        });
    }

    if let Some(mk) = case.market.as_mut() {
        if mk.tech_score.is_none() && card.usable().is_ok() {
            if let Some(dim) = technical_dimension(t) {
                if let Some(s) = card
                    .dimensions
                    .iter()
                    .find(|d| d.id == dim)
                    .and_then(|d| d.score)
                {
                    mk.tech_score = Some(Param::fixed(s));
                    derived.push(DerivedValue {
                        path: "market.tech_score".into(),
                        value: s,
                        formula: format!(
                            "tech_score = S_{dim} (0–100) of models/scoring/{}.toml, scenario {} (market.tech_score not given)",
                            t.id, card.scenario
                        ),
                    });
                }
            }
        }
    }
    case.scored = Some(Scored { card, derived });
    Ok(())
}
