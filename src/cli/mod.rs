//! The command line: one module per subcommand. `anyhow` lives here and in `main` only.
//!
//! The doc comments of the argument structs are clap's `--help` texts, which name case sections
//! literally (`[simulation].seed`, `reports/<case id>/`): rustdoc would read those as links and
//! tags, so its link and HTML lints are off for this module only.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub mod backtest;
pub mod bench;
pub mod bench_market;
pub mod comparables;
pub mod datasets;
pub mod deals;
pub mod finance;
pub mod market_stats;
pub mod output;
pub mod pipeline;
pub mod portfolio;
pub mod report;
pub mod score;
pub mod sensitivity;
pub mod simulation;
pub mod value;

/// techval — value patents and technology achievements and carry the value through
/// guarantee, lending, investment and trade (评保贷投易).
#[derive(Debug, Parser)]
#[command(name = "techval", version, about, long_about = None)]
pub struct Cli {
    /// Folder with edited copies of the model files (default: the shipped models, compiled in).
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// A table for the terminal.
    #[default]
    Table,
    /// JSON with every audit step.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Value one subject by the income, cost (and market) approaches.
    Value(value::ValueArgs),
    /// Tornado and spider data and rank correlations: which inputs drive the value.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Performance benchmarks (Monte Carlo throughput).
    Bench(bench::BenchArgs),
    /// Run 评 → 保 → 贷 → 投 → 易 on one case; write reports/<case id>/pipeline.json and the
    /// report set beside it.
    Pipeline(pipeline::PipelineArgs),
    /// 保: guarantee plan, fees and the loss-sharing waterfall.
    Guarantee(finance::GuaranteeArgs),
    /// 贷: loan size, rate, repayment schedule, all-in cost and expected loss.
    Lend(finance::LendArgs),
    /// 投: VC method, First Chicago, scorecard, checklist, 先投后股 and dilution.
    Invest(finance::SimpleStageArgs),
    /// 易: reserve price, modes of transfer, payment forms and the proceeds split.
    Trade(finance::SimpleStageArgs),
    /// Print the adjusted comparables of a case's market valuation.
    Comparables(comparables::ComparablesArgs),
    /// Print or export the market indices (time, region) and IP-pledge totals.
    MarketStats(market_stats::MarketStatsArgs),
    /// Leave-one-out back-test of the market approach over a deal history.
    Backtest(backtest::BacktestArgs),
    /// Generate datasets (synthetic deal history).
    Datasets(datasets::DatasetsArgs),
    /// Benchmark of the deal loader and the bulk market valuation (timings, not a test).
    BenchMarket(bench_market::MarketBenchArgs),
    /// Value, screen and rank a table of subjects (CSV, Parquet, XLSX or a folder of Parquet
    /// partitions); without --subjects the shipped sample portfolio runs.
    Portfolio(portfolio::PortfolioArgs),
    /// Score a case's [scoring] ratings on an indicator tree (GB/T 42748, CNIPA, IPscore,
    /// 概念验证): dimension scores, total, grade, coverage, vetoes, gate; --list prints the
    /// rating sheet.
    Score(score::ScoreArgs),
    /// Write the report set: valuation report and credit memo (HTML), workbook.xlsx,
    /// results.json, charts/*.svg + *.png.
    Report(report::ReportArgs),
}

/// Runs the CLI and returns the process exit code.
pub fn main_entry() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            // A library error's Display already carries its context and cause; printing the
            // anyhow chain as well would repeat the cause.
            let (code, msg) = match e.downcast_ref::<crate::Error>() {
                Some(te) => (te.exit_code(), te.to_string()),
                None => (1, format!("{e:#}")),
            };
            let msg = msg.replace('\n', " ");
            eprintln!("error: {msg}");
            code
        }
    }
}

/// Loads the model book named by `--models`, or the shipped one.
pub fn load_models(dir: Option<&PathBuf>) -> crate::Result<crate::ModelBook> {
    match dir {
        Some(d) => crate::ModelBook::from_dir(d),
        None => crate::ModelBook::builtin(),
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let models = load_models(cli.models.as_ref())?;
    match cli.command {
        Command::Value(a) => value::run(a, &models),
        Command::Sensitivity(a) => sensitivity::run(a, &models),
        Command::Bench(a) => bench::run(a, &models),
        Command::Pipeline(a) => pipeline::run(a, &models, cli.models.as_deref()),
        Command::Guarantee(a) => finance::run_guarantee(a, &models, cli.models.as_deref()),
        Command::Lend(a) => finance::run_lend(a, &models, cli.models.as_deref()),
        Command::Invest(a) => {
            finance::run_invest_or_trade(a, false, &models, cli.models.as_deref())
        }
        Command::Trade(a) => finance::run_invest_or_trade(a, true, &models, cli.models.as_deref()),
        Command::Comparables(a) => comparables::run(a, &models),
        Command::MarketStats(a) => market_stats::run(a, &models),
        Command::Backtest(a) => backtest::run(a, &models),
        Command::Datasets(a) => datasets::run(a, &models),
        Command::BenchMarket(a) => bench_market::run(a, &models),
        Command::Score(a) => score::run(a, &models),
        Command::Report(a) => report::run(a, &models, cli.models.as_deref()),
        Command::Portfolio(a) => portfolio::run(a, &models, cli.models.as_deref()),
    }
}
