//! `techval report`: run the stages on a case and write the report set into a folder:
//! `report.html` (the valuation report, self-contained), `credit_memo.html` (when the case has
//! `[finance]`), `workbook.xlsx` (live formulas), `results.json` (every number the reports show,
//! with its audit trail) and `charts/<name>.svg` + `.png`. Every file is written atomically.
//!
//! `techval pipeline` writes the same set beside `pipeline.json` (both through
//! [`crate::report::set::build_set`]).

use super::finance::Loaded;
use crate::chart;
use crate::models::ModelBook;
use crate::pipeline;
pub use crate::report::set::StageResults;
use crate::report::set::{self, SetOptions, SetSource};
use crate::report::{Lang, ReportSet};
use crate::valuation::Approach;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// 中文.
    Zh,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// Approach to conclude from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConcludeArg {
    /// 收益法.
    Income,
    /// 成本法.
    Cost,
    /// 市场法.
    Market,
}

impl From<ConcludeArg> for Approach {
    fn from(c: ConcludeArg) -> Approach {
        match c {
            ConcludeArg::Income => Approach::Income,
            ConcludeArg::Cost => Approach::Cost,
            ConcludeArg::Market => Approach::Market,
        }
    }
}

/// Report options shared by `techval report` and `techval pipeline`.
#[derive(Debug, Args, Clone)]
pub struct ReportOptions {
    /// Report language.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// Technology-market statistics CSV for the market chart (default: the shipped
    /// datasets/tech_market_by_province.csv, compiled in).
    #[arg(long, value_name = "FILE")]
    pub market_stats: Option<PathBuf>,
    /// Conclude from this approach's value instead of the reconciled value (default:
    /// [report].conclude, else the reconciled value when several approaches ran).
    #[arg(long, value_enum)]
    pub conclude: Option<ConcludeArg>,
    /// Relative swing of each input in the tornado (0.1 = ±10 %).
    #[arg(long, default_value_t = 0.1, value_name = "X")]
    pub swing: f64,
    /// PNG resolution relative to the SVG size (0.5 to 4).
    #[arg(long, default_value_t = 1.5, value_name = "X")]
    pub png_scale: f64,
}

/// Arguments of `techval report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Case, rulebook (for the credit memo, written when the case has a [finance] section)
    /// and deal history.
    #[command(flatten)]
    pub source: super::finance::CaseSource,
    /// Output folder (default: reports/<case id>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Report options.
    #[command(flatten)]
    pub opts: ReportOptions,
}

/// Builds the report set of a loaded case from its stage results with the command-line
/// options (reads `--market-stats` when given).
pub fn build_set(
    ld: &Loaded,
    models: &ModelBook,
    st: StageResults<'_>,
    opts: &ReportOptions,
) -> anyhow::Result<ReportSet> {
    let (rows, stats_source) = match &opts.market_stats {
        Some(p) => (chart::read_tech_market_csv(p)?, p.display().to_string()),
        None => (
            chart::parse_tech_market_csv(
                crate::data::stats::TECH_MARKET_CSV.0,
                crate::data::stats::TECH_MARKET_CSV.1,
            )?,
            crate::data::stats::TECH_MARKET_CSV.0.to_string(),
        ),
    };
    Ok(set::build_set(
        SetSource {
            case: &ld.case,
            case_file: &ld.case_file,
            models,
            deals: ld.deals.as_ref(),
            market_stats: (&rows, &stats_source),
        },
        st,
        SetOptions {
            lang: opts.lang.into(),
            conclude: opts.conclude.map(Approach::from),
            swing: opts.swing,
            png_scale: opts.png_scale,
        },
    )?)
}

/// Writes the set into `dir` and prints what was written.
pub fn write_set(set: &ReportSet, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let written = set.write(dir)?;
    for w in &set.warnings {
        eprintln!("warning: {w}");
    }
    Ok(written)
}

/// Runs `techval report`.
pub fn run(a: ReportArgs, models: &ModelBook, models_dir: Option<&Path>) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let ld = a.source.load(models, models_dir)?;
    let ctx = ld.ctx(models);
    let ev = pipeline::evaluate(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let finance = if ld.case.finance.is_some() {
        let g = pipeline::guarantee_stage(&ld.case, &ev, &ctx).map_err(|e| ld.in_case(e))?;
        let l = pipeline::lend_stage(&ld.case, &g, &ctx).map_err(|e| ld.in_case(e))?;
        Some((g, l))
    } else {
        None
    };
    let set = build_set(
        &ld,
        models,
        StageResults {
            valuations: &ev.valuations,
            reconciliation: ev.reconciliation.as_ref(),
            simulation: ev.simulation.as_ref(),
            finance: finance.as_ref().map(|(g, l)| (g, l)),
        },
        &a.opts,
    )?;
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(&ld.case.subject.id));
    let written = write_set(&set, &dir)?;
    println!(
        "wrote {} files to {} in {} ms",
        written.len(),
        dir.display(),
        t0.elapsed().as_millis()
    );
    for p in &written {
        println!("  {}", p.display());
    }
    Ok(())
}
