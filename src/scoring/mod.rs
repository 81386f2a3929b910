//! 评分: patent and achievement scoring on indicator trees (`models/scoring/*.toml`), as data plus
//! one engine.
//!
//! * [`tree`] — the indicator tree and its validation (weights sum to 1 per dimension and per
//!   scenario, names in Chinese and English, a rating guide for the bottom, middle and top).
//! * [`input`] — the case's `[scoring]` section (ratings, facts for the vetoes).
//! * [`engine`] — ratings × weights → dimension scores, total 0–100, coverage, grade A–D, vetoes,
//!   the concept-verification gate, and the audit trail.
//!
//! What the score drives (the 综合评价法 split scores, the technology premium, the market
//! technology score, the pledge rate by grade) is resolved in the case layer
//! (`case::scoring`, [`crate::case::Case::prepare`]).
//!
//! No I/O: the trees arrive in the [`crate::models::ModelBook`].

pub mod engine;
pub mod input;
pub mod tree;

pub use engine::{score, GateOutcome, Grade, ScoreCard, ScoreStatus};
pub use input::ScoringInput;
pub use tree::ScoringTree;

/// The tree used when `scoring.model` is not given.
pub const DEFAULT_MODEL: &str = "gbt42748";
