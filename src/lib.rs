//! # techval
//!
//! Values patents and technology achievements (科技成果) by the income, cost and market
//! approaches, and carries the value through the sci-tech finance chain
//! 评 → 保 → 贷 → 投 → 易 (evaluate → guarantee → lend → invest → trade).
//!
//! Layout (see `DESIGN.md` of the project):
//! * [`money`] — `Money` / `Rate` on `rust_decimal`, rounding to the fen.
//! * [`subject`], [`case`], [`param`] — what is valued and the assumptions, with validation.
//! * [`valuation`] — the computing core of the three approaches (no I/O).
//! * [`audit`] — the trail every number carries.
//! * [`models`], [`input`] — the TOML model book and file reading (I/O lives here, not in the core).
//! * [`finance`] — 保 贷 投 易: guarantee, lend, invest, trade (no I/O); [`rulebook`] reads
//!   their rulebooks; [`pipeline`] runs 评 → 保 → 贷 → 投 → 易.
//! * [`chart`], [`report`] — charts (SVG + PNG, CJK font bundled) and reports (HTML, XLSX).
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
pub mod report;
pub mod rulebook;
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
