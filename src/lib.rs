//! # techval
//!
//! Values patents and technology achievements (科技成果) by the income, cost and market
//! approaches, and carries the value through the sci-tech finance chain
//! 评 → 保 → 贷 → 投 → 易 (evaluate → guarantee → lend → invest → trade).
//!
//! Layout (layers, data flow and where each formula lives: `ARCHITECTURE.md` in the repository):
//! * [`money`], [`tvm`], [`param`], [`audit`], [`vocab`] — money on `rust_decimal` (rounding to
//!   the fen), the discount and annuity factors, uncertain assumptions, the audit trail, shared
//!   names.
//! * [`subject`], [`case`] — what is valued and the case file, with validation.
//! * [`scoring`] — indicator trees (GB/T 42748, CNIPA, IPscore, 概念验证) and the one scoring
//!   engine (grades, vetoes, coverage, gate).
//! * [`models`], [`data`], [`synth`] — the model book, deal histories and market statistics
//!   (polars), the synthetic deal generator.
//! * [`valuation`] and [`finance`] — the computing core (no I/O): the three approaches,
//!   uncertainty and reconciliation; 保 贷 投 易. [`rulebook`] reads the finance rulebooks.
//! * [`evaluate`], [`pipeline`] — 评 on a whole case; 评 → 保 → 贷 → 投 → 易.
//! * [`chart`], [`report`], [`envelope`] — charts (SVG + PNG, CJK font bundled), reports (HTML
//!   from templates, XLSX), the envelope of every JSON document.
//! * [`input`], [`dates`], [`error`] — reading files with one-line errors, atomic writes.
//! * [`cli`] — the `techval` command line.

#![warn(missing_docs)]

pub mod audit;
pub mod case;
pub mod chart;
pub mod cli;
pub mod data;
pub mod dates;
pub mod envelope;
pub mod error;
pub mod evaluate;
pub mod finance;
pub mod input;
pub mod models;
pub mod money;
pub mod param;
pub mod pipeline;
pub mod portfolio;
pub mod report;
pub mod rulebook;
pub mod scoring;
pub mod subject;
pub mod synth;
pub mod tvm;
pub mod valuation;
pub mod vocab;

pub use audit::{AuditStep, AuditTrail, AuditValue};
pub use case::Case;
pub use error::{Error, Result};
pub use models::ModelBook;
pub use money::{Money, Rate};
pub use subject::{IpKind, Subject};
pub use valuation::{Approach, Valuation};
