//! The command line: one module per subcommand. `anyhow` lives here and in `main` only.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub mod bench;
pub mod output;
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
            let code = e
                .downcast_ref::<crate::Error>()
                .map_or(1, crate::Error::exit_code);
            let msg = format!("{e:#}").replace('\n', " ");
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
        Command::Bench(a) => bench::run(a),
    }
}
