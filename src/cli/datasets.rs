//! `techval datasets synth`: generate a synthetic deal history (seeded, calibrated);
//! `techval datasets portfolio`: an illustrative portfolio table (seeded).

use super::output::{Align, Table};
use crate::data::MarketIndices;
use crate::input::write_atomic;
use crate::models::ModelBook;
use crate::synth::{self, SynthOptions};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `techval datasets`.
#[derive(Debug, Args)]
pub struct DatasetsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DatasetsCommand,
}

/// `techval datasets` subcommands.
#[derive(Debug, Subcommand)]
pub enum DatasetsCommand {
    /// Generate synthetic deals calibrated to the market statistics (labelled synthetic).
    Synth(SynthArgs),
    /// Generate an illustrative portfolio table (made-up rows for `techval portfolio`, seeded).
    Portfolio(PortfolioGenArgs),
}

/// Arguments of `techval datasets portfolio`.
#[derive(Debug, Args)]
pub struct PortfolioGenArgs {
    /// Number of rows.
    #[arg(long, default_value_t = 1_200)]
    pub rows: u64,
    /// Seed (row i is the same for a seed whatever the number of rows).
    #[arg(long, default_value_t = 20_261_201)]
    pub seed: u64,
    /// Split into this many Parquet partitions `part-00000.parquet` … under `--out` (a folder).
    #[arg(long, value_name = "N")]
    pub partitions: Option<u64>,
    /// Output file (`.csv` or `.parquet`), or the folder of the partitions.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
}

/// Arguments of `techval datasets synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of deals.
    #[arg(long, default_value_t = 50_000)]
    pub rows: usize,
    /// Seed (the same seed gives the same rows).
    #[arg(long, default_value_t = 20_240_601)]
    pub seed: u64,
    /// Output file: `.parquet` (zstd) or `.csv`.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
}

/// Runs `techval datasets`.
pub fn run(a: DatasetsArgs, models: &ModelBook) -> anyhow::Result<()> {
    match a.command {
        DatasetsCommand::Synth(s) => synth_cmd(s, models),
        DatasetsCommand::Portfolio(p) => portfolio_cmd(p),
    }
}

fn portfolio_cmd(a: PortfolioGenArgs) -> anyhow::Result<()> {
    use crate::portfolio::generate;
    match a.partitions {
        None => {
            let mut df = generate::frame(a.seed, 0, a.rows)?;
            let bytes = crate::data::frame_bytes(&mut df, &a.out)?;
            write_atomic(&a.out, &bytes)?;
            println!(
                "{} rows (seed {}) written to {}",
                a.rows,
                a.seed,
                a.out.display()
            );
        }
        Some(n) => {
            let n = n.max(1);
            let per = a.rows.div_ceil(n);
            for k in 0..n {
                let first = k * per;
                let len = per.min(a.rows.saturating_sub(first));
                let mut df = generate::frame(a.seed, first, len)?;
                let path = a.out.join(format!("part-{k:05}.parquet"));
                let bytes = crate::data::frame_bytes(&mut df, &path)?;
                write_atomic(&path, &bytes)?;
            }
            println!(
                "{} rows (seed {}) written to {} as {n} partitions",
                a.rows,
                a.seed,
                a.out.display()
            );
        }
    }
    Ok(())
}

fn synth_cmd(a: SynthArgs, models: &ModelBook) -> anyhow::Result<()> {
    let o = SynthOptions {
        rows: a.rows,
        seed: a.seed,
    };
    let mut df = synth::synthesize(o, models)?;
    let bytes = crate::data::frame_bytes(&mut df, &a.out)?;
    write_atomic(&a.out, &bytes)?;
    let ix = MarketIndices::shipped()?;
    let cal = synth::calibration(&df, &ix)?;
    let mut t = Table::new(
        &[
            "year",
            "deals",
            "share",
            "target share",
            "mean price (万元)",
            "target mean (万元)",
        ],
        &[Align::Right; 6],
    );
    for r in &cal {
        t.row([
            r.year.to_string(),
            r.deals.to_string(),
            format!("{:.4}", r.share),
            format!("{:.4}", r.target_share),
            format!("{:.2}", r.mean_price_wan),
            format!("{:.2}", r.target_mean_wan),
        ]);
    }
    eprintln!(
        "wrote {} SYNTHETIC deals to {} ({} bytes); {}\ncalibration against the registered-contract statistics:\n{}",
        a.rows,
        a.out.display(),
        bytes.len(),
        synth::provenance_label(o),
        t.render()
    );
    Ok(())
}
