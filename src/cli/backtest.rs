//! `techval backtest`: leave-one-out back-test of the market approach beside a naive predictor.

use super::deals;
use super::output::{emit, Align, Table};
use crate::data::DataProvenance;
use crate::envelope::Envelope;
use crate::valuation::backtest::{self, BacktestReport};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum BacktestFormat {
    /// Tables for the terminal.
    #[default]
    Table,
    /// JSON.
    Json,
}

/// Arguments of `techval backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Deal history (CSV or Parquet). Default: the shipped SYNTHETIC deals.
    #[arg(long, value_name = "PATH")]
    pub deals: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BacktestFormat::Table)]
    pub format: BacktestFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the rows rejected from --deals to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

#[derive(Serialize)]
struct Doc<'a> {
    report: &'a BacktestReport,
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0))
}
fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

/// Renders the report as tables.
pub fn render(r: &BacktestReport) -> String {
    let mut out = format!("back-test over {} deals — {}\n", r.deals, r.settings);
    for (by, title) in [
        ("all", "overall"),
        ("ip_kind", "by IP kind"),
        ("industry", "by industry"),
    ] {
        out.push_str(&format!("\n{title}\n"));
        let mut t = Table::new(
            &[
                "group",
                "deals",
                "predicted",
                "coverage",
                "market med|ln|",
                "market ±25%",
                "market ±50%",
                "naive med|ln|",
                "naive ±25%",
                "naive ±50%",
                "market bias",
            ],
            &[
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
        );
        for row in r.rows.iter().filter(|x| x.by == by) {
            t.row([
                row.group.clone(),
                row.deals.to_string(),
                row.predicted.to_string(),
                pct(Some(row.coverage)),
                num(row.market_median_abs_log_error),
                pct(row.market_within_25),
                pct(row.market_within_50),
                num(row.naive_median_abs_log_error),
                pct(row.naive_within_25),
                pct(row.naive_within_50),
                num(row.market_median_log_error),
            ]);
        }
        out.push_str(&t.render());
    }
    out.push_str("\nmed|ln| = median |ln(predicted / actual)|; ±25% = share with |predicted / actual − 1| ≤ 0.25; naive = leave-one-out industry median price, scored on the deals the market approach predicted\n");
    out
}

/// Runs `techval backtest`.
pub fn run(a: BacktestArgs, models: &crate::ModelBook) -> anyhow::Result<()> {
    let h = deals::load(a.deals.as_ref(), a.rejects.as_deref())?;
    let t0 = std::time::Instant::now();
    let r = backtest::backtest(&h, &models.market)?;
    let secs = t0.elapsed().as_secs_f64();
    let text = match a.format {
        BacktestFormat::Json => Envelope::new("backtest", &models.origin)
            .data(Some(DataProvenance::of(&h)))
            .wrap(Doc { report: &r })
            .to_json()?,
        BacktestFormat::Table => {
            let mut s = render(&r);
            s.push_str(&deals::footer(&h));
            s
        }
    };
    eprintln!("back-test computed in {secs:.2} s");
    emit(a.out.as_deref(), &text)?;
    Ok(())
}
