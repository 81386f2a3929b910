//! The case file: one subject and its assumptions, in TOML or JSON with one schema.
//!
//! ```toml
//! purpose = "pledge_financing"
//! [subject]
//! id = "demo-invention"
//! kind = "invention_patent"
//! # …
//! [income]
//! method = "profit_split"
//! # …
//! [cost]
//! method = "multiplier"
//! # …
//! ```
//!
//! Loading checks syntax and types (errors carry the field path); [`Case::validate`] checks
//! values and their relations (`income.discount.rate = 0.08: must exceed income.growth = 0.10`).

use crate::error::{Error, Result};
use crate::input::{self, Format};
use crate::subject::Subject;
use crate::valuation::cost::CostAssumptions;
use crate::valuation::income::IncomeAssumptions;
use crate::valuation::market::MarketAssumptions;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub use crate::valuation::Purpose;
pub use report_info::{ReportInfo, ValueType};

pub mod report_info;
pub mod scoring;

pub use scoring::{DerivedValue, Scored};

/// A case: the subject and the assumptions of each approach used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Purpose of the valuation.
    #[serde(default)]
    pub purpose: Option<Purpose>,
    /// The subject.
    pub subject: Subject,
    /// Income-approach assumptions.
    #[serde(default)]
    pub income: Option<IncomeAssumptions>,
    /// Market-approach assumptions (the subject's deal terms and indicators).
    #[serde(default)]
    pub market: Option<MarketAssumptions>,
    /// Cost-approach assumptions.
    #[serde(default)]
    pub cost: Option<CostAssumptions>,
    /// Monte Carlo settings (`[simulation]`).
    #[serde(default)]
    pub simulation: Option<crate::valuation::uncertainty::SimulationSpec>,
    /// Reconciliation weights and disagreement factor (`[reconcile]`).
    #[serde(default)]
    pub reconcile: Option<crate::valuation::reconcile::ReconcileSpec>,
    /// Finance inputs (borrower, loan request, investment round, trade terms) for
    /// `techval pipeline` and the guarantee / lend / invest / trade commands.
    /// Boxed: 1,128 bytes inline would sit in every case, and a portfolio holds a partition's
    /// cases at once, most of them without this section.
    #[serde(default)]
    pub finance: Option<Box<crate::finance::inputs::FinanceInputs>>,
    /// Report details (client, firm, signatures, special matters).
    /// Boxed, as `finance`.
    #[serde(default)]
    pub report: Option<Box<ReportInfo>>,
    /// Indicator ratings on a scoring tree (`[scoring]`, see [`crate::scoring`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<crate::scoring::ScoringInput>,
    /// The score and what it drove, filled by [`Case::prepare`] (not part of the file).
    #[serde(skip)]
    pub scored: Option<Scored>,
}

/// The bundled demo case (compiled in): an invention patent licensed to a manufacturer.
pub const DEMO_CASE: (&str, &str) = (
    "datasets/cases/invention_patent_license.toml",
    include_str!("../../datasets/cases/invention_patent_license.toml"),
);

impl Case {
    /// Parses a case from text; `label` names the file in errors.
    pub fn parse(label: &str, text: &str) -> Result<Case> {
        input::parse_str(label, text, Format::detect(label, text))
    }

    /// Reads and parses a case file (does not validate values; see [`Case::validate`]).
    pub fn load(path: &Path) -> Result<Case> {
        let label = path.display().to_string();
        let bytes = input::read_bytes(path)?;
        let text = input::as_text(&label, &bytes)?;
        Case::parse(&label, text)
    }

    /// The bundled demo case.
    pub fn demo() -> Result<Case> {
        Case::parse(DEMO_CASE.0, DEMO_CASE.1)
    }

    /// The approaches the case has assumptions for, in the order income, cost, market.
    pub fn approaches(&self) -> Vec<crate::vocab::Approach> {
        use crate::vocab::Approach;
        let mut v = Vec::new();
        if self.income.is_some() {
            v.push(Approach::Income);
        }
        if self.cost.is_some() {
            v.push(Approach::Cost);
        }
        if self.market.is_some() {
            v.push(Approach::Market);
        }
        v
    }

    /// Scores the case's `[scoring]` section, fills what the score drives (split scores,
    /// technology premium, market technology score; see [`scoring`]) and validates the result.
    /// The one entry point from a file to a case the engines can run.
    pub fn prepare(mut self, models: &crate::models::ModelBook) -> Result<Case> {
        scoring::apply(&mut self, models, false)?;
        self.validate(models)?;
        Ok(self)
    }

    /// [`Case::prepare`] keeping only the score's figures: the score card has no rating lines
    /// and no audit trail ([`crate::scoring::engine::score_with`] with a muted trail). For batch
    /// work that keeps a card per row (a portfolio); the same figures, the same errors.
    pub fn prepare_brief(mut self, models: &crate::models::ModelBook) -> Result<Case> {
        scoring::apply(&mut self, models, true)?;
        self.validate(models)?;
        Ok(self)
    }

    /// Checks values and their relations. Errors carry the field path; wrap with
    /// [`Error::in_file`] to name the file.
    pub fn validate(&self, models: &crate::models::ModelBook) -> Result<()> {
        self.subject.validate()?;
        if self.income.is_none() && self.cost.is_none() && self.market.is_none() {
            return Err(Error::field(
                "income",
                "",
                "a case needs at least one of [income], [cost] or [market]",
            ));
        }
        if let Some(inc) = &self.income {
            crate::valuation::income::validate(inc, &self.subject, models)?;
        }
        if let Some(m) = &self.market {
            crate::valuation::market::validate(m, &self.subject)?;
        }
        if let Some(c) = &self.cost {
            crate::valuation::cost::validate(c, &self.subject)?;
        }
        if let Some(s) = &self.simulation {
            crate::valuation::uncertainty::validate_spec(s)?;
        }
        if let Some(r) = &self.reconcile {
            crate::valuation::reconcile::validate(r)?;
        }
        if let Some(f) = &self.finance {
            f.validate()?;
        }
        if let Some(r) = &self.report {
            report_info::validate(r, &self.subject, &self.approaches())?;
        }
        Ok(())
    }
}
