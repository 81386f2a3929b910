//! `techval bench-market`: timings of the deal loader and the bulk market valuation.
//!
//! A benchmark, not a test: it prints wall-clock seconds. Targets (release build, 2 cores):
//! load 1,000,000 deals from Parquet < 2 s; comparables and market value for 10,000 subjects
//! against 1,000,000 deals < 10 s for the whole process.

use crate::data::{self};
use crate::input::write_atomic;
use crate::synth::{self, SynthOptions};
use crate::valuation::market;
use clap::Args;
use polars::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `techval bench-market`.
#[derive(Debug, Args)]
pub struct MarketBenchArgs {
    /// Deals in the history.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Subjects to value.
    #[arg(long, default_value_t = 10_000)]
    pub subjects: usize,
    /// Seed of the synthetic deals (subjects use seed + 1).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Parquet file of the deals: used when it exists, else generated and kept there
    /// (default: a file in the temporary folder, removed afterwards).
    #[arg(long, value_name = "PATH")]
    pub deals_file: Option<PathBuf>,
}

/// Runs `techval bench-market`.
pub fn run(a: MarketBenchArgs, models: &crate::ModelBook) -> anyhow::Result<()> {
    market_bench(a, models)
}

fn market_bench(a: MarketBenchArgs, models: &crate::ModelBook) -> anyhow::Result<()> {
    let t_all = Instant::now();
    let threads = std::env::var("POLARS_MAX_THREADS").unwrap_or_else(|_| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .to_string()
    });
    let (path, temp) = match &a.deals_file {
        Some(p) => (p.clone(), false),
        None => (
            std::env::temp_dir().join(format!(
                "techval-bench-{}-{}.parquet",
                a.rows,
                std::process::id()
            )),
            true,
        ),
    };
    if !path.exists() {
        let t = Instant::now();
        let mut df = synth::synthesize(
            SynthOptions {
                rows: a.rows,
                seed: a.seed,
            },
            models,
        )?;
        let bytes = crate::data::frame_bytes(&mut df, &path)?;
        write_atomic(&path, &bytes)?;
        println!(
            "generate + write {} synthetic deals: {:.2} s ({} bytes, {})",
            a.rows,
            t.elapsed().as_secs_f64(),
            bytes.len(),
            path.display()
        );
    }
    let t_load = Instant::now();
    let h = data::load_deals(&path)?;
    let load_s = t_load.elapsed().as_secs_f64();
    println!(
        "load + validate {} deals from Parquet: {load_s:.2} s ({} rejected)",
        h.len(),
        h.rows_rejected
    );
    let subjects = synth::synthesize(
        SynthOptions {
            rows: a.subjects,
            seed: a.seed.wrapping_add(1),
        },
        models,
    )?;
    let t_val = Instant::now();
    let run = market::value_frame(&h, &models.market, subjects, market::PairColumns::Summary)?;
    let val_s = t_val.elapsed().as_secs_f64();
    let s = run
        .summary
        .clone()
        .lazy()
        .select([
            len().alias("subjects"),
            col("n_used")
                .gt_eq(lit(models.market.selection.min_comparables))
                .cast(DataType::UInt32)
                .sum()
                .alias("valued"),
            col("n_used")
                .cast(DataType::Float64)
                .median()
                .alias("median_used"),
            col("level")
                .cast(DataType::Float64)
                .mean()
                .alias("mean_level"),
        ])
        .collect()?;
    println!(
        "comparables + market value for {} subjects against {} deals: {val_s:.2} s ({} comparables rows)",
        a.subjects,
        h.len(),
        run.pairs.height()
    );
    println!("{s}");
    println!(
        "total in process (load + value{}): {:.2} s on {threads} polars threads",
        if path.exists() && !temp {
            ""
        } else {
            " + generation"
        },
        t_all.elapsed().as_secs_f64()
    );
    if temp {
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}
