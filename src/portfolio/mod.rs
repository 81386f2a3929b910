//! Portfolios: value, screen and rank many subjects in one run.
//!
//! A portfolio table has one row per subject; its column names are case-file field paths
//! (`subject.id`, `subject.kind`, `income.revenue`, `market.transaction_type`, …), the rest of
//! each case comes from a template case ([`rows`]). Every row is read and validated as a case
//! file is; a row that fails — a bad cell, a missing field, a failed validation, an approach
//! that cannot run — becomes a [`Reject`] (file, row, column, value, reason) and every other row
//! is computed.
//!
//! Valuation ([`batch`]): every approach the row has assumptions for (or those asked for);
//! the market approach for all rows in one vectorised pass ([`market::value_many`]), never one
//! query per subject; reconciliation by the row's purpose; with a simulation request, each row's
//! Monte Carlo downside with a seed derived from the run seed and the row's `subject.id`
//! ([`row_seed`]), so results do not depend on row order, partitioning or thread count; the
//! value lent on and the pledge value under the rulebook (`finance::lending_value`, the rate of
//! the row's IP kind).
//!
//! [`run`] does no I/O: the caller reads the table (`read`, used by `techval portfolio`) and
//! writes the outputs.
//!
//! [`market::value_many`]: crate::valuation::market::value_many

pub mod batch;
pub mod frame;
pub mod generate;
pub mod read;
mod rows;
pub mod score;

pub use batch::{row_seed, RowResult, SimRequest};
pub use frame::{result_frame, summarize, GroupTotal, PortfolioSummary, TopRow};
pub use read::{read_table, PortfolioTable};

use crate::data::schema::Reject;
use crate::data::DealHistory;
use crate::error::Result;
use crate::finance::rules::Rulebook;
use crate::models::ModelBook;
use crate::valuation::Approach;
use rows::ColumnPath;
use std::collections::HashMap;

/// What a portfolio run needs besides the table.
pub struct PortfolioContext<'a> {
    /// The model book.
    pub models: &'a ModelBook,
    /// The lending rulebook (pledge rates, value basis).
    pub rulebook: &'a Rulebook,
    /// The deal history for rows with a `[market]` section.
    pub deals: Option<&'a DealHistory>,
    /// Called with the number of rows finished so far (for a progress bar), from any thread.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct PortfolioOptions {
    /// The approaches to run (`None`: every approach a row has assumptions for).
    pub approaches: Option<Vec<Approach>>,
    /// Monte Carlo per row, when asked for.
    pub simulate: Option<SimRequest>,
}

/// The result of a run: the valued rows in table order and the rejects.
#[derive(Debug, Clone)]
pub struct PortfolioResult {
    /// The file the table came from.
    pub source: String,
    /// Data rows read (valued + rejected).
    pub rows_read: usize,
    /// The valued rows, in table order.
    pub rows: Vec<RowResult>,
    /// The rows set aside, by row.
    pub rejects: Vec<Reject>,
    /// The simulation request, when there was one.
    pub simulate: Option<SimRequest>,
}

/// Values every row of `table` (see the module documentation); `template` is the parsed
/// template case (an empty table when there is none).
pub fn run(
    table: &PortfolioTable,
    template: &toml::Table,
    opts: &PortfolioOptions,
    ctx: &PortfolioContext,
) -> Result<PortfolioResult> {
    let cols: Vec<ColumnPath> = table.columns.iter().map(|c| ColumnPath::parse(c)).collect();
    let cases = batch::read_cases(table, template, &cols, ctx);
    let (rows, mut rejects) = batch::value_rows(table, cases, opts, ctx)?;
    rejects.extend(table.rejects.iter().cloned());
    rejects.sort_by(|a, b| a.row.cmp(&b.row).then(a.column.cmp(&b.column)));
    Ok(PortfolioResult {
        source: table.label.clone(),
        rows_read: table.rows_read,
        rows,
        rejects,
        simulate: opts.simulate.clone(),
    })
}

/// Later rows with the id of an earlier row, by row index: the id and the earlier row.
pub(crate) fn duplicate_ids<'a>(
    ids: impl Iterator<Item = (usize, &'a str)>,
) -> HashMap<usize, u64> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut dup = HashMap::new();
    for (i, id) in ids {
        match first.get(id) {
            Some(j) => {
                dup.insert(i, *j as u64);
            }
            None => {
                first.insert(id, i);
            }
        }
    }
    dup
}
