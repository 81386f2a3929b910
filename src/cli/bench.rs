//! `techval bench simulate`: the Monte Carlo benchmark of the project (not a test).
//!
//! A 10-year relief-from-royalty case with three random inputs — `benches/rfr10.toml`, compiled
//! into the binary — run on the income approach's real compiled model (`IncomePlan`) through
//! the production path of `techval value --simulate` (`valuation::uncertainty::distribution`:
//! sampler, chunked rayon run, domain check, full statistics, the money boundary):
//!
//! ```text
//! V = scale × k × (1 − T) × Σ_{t=1..10} S₁·(1+g)^(t−1) / (1+r)^t
//! S₁ = 10,000,000 元, g = 5 %, T = 25 %
//! scale ~ lognormal(mean 1, sd 0.25)   k ~ triangular(3 %, 5 %, 7 %)
//! r ~ normal(12 %, 1.5 %) truncated to [6 %, 18 %]
//! ```
//!
//! `--case FILE` benchmarks the income model of another case instead. `benches/mc_reference.py`
//! is the numpy-vectorised reference of the same model; `benches/README.md` says how to run them
//! side by side.

use super::output::emit;
use super::OutputFormat;
use crate::case::Case;
use crate::models::ModelBook;
use crate::valuation::uncertainty::{self, SimSettings, DEFAULT_CHUNK_SIZE, DEFAULT_SEED};
use crate::valuation::{Approach, Model};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// The benchmark case (compiled in).
pub const BENCH_CASE: (&str, &str) = (
    "benches/rfr10.toml",
    include_str!("../../benches/rfr10.toml"),
);

/// Arguments of `techval bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to benchmark.
    #[command(subcommand)]
    pub what: BenchCommand,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Monte Carlo of the income approach of benches/rfr10.toml (10-year relief from royalty,
    /// three random inputs) on its compiled model.
    Simulate {
        /// Number of paths.
        #[arg(long, default_value_t = 1_000_000)]
        paths: u64,
        /// Master seed.
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Paths per chunk.
        #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE)]
        chunk_size: u64,
        /// Benchmark the income model of this case instead of benches/rfr10.toml.
        #[arg(long, value_name = "FILE")]
        case: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

/// The compiled income model of the benchmark case (or of `case`), with the case's label.
pub fn bench_model(
    case: Option<&PathBuf>,
    models: &ModelBook,
) -> crate::Result<(Box<dyn Model>, String)> {
    let (c, label) = match case {
        Some(p) => (Case::load(p)?, p.display().to_string()),
        None => (
            Case::parse(BENCH_CASE.0, BENCH_CASE.1)?,
            BENCH_CASE.0.to_string(),
        ),
    };
    c.validate(models).map_err(|e| e.in_file(&label))?;
    let m = crate::evaluate::compile_model(&c, models, Approach::Income)
        .map_err(|e| e.in_file(&label))?
        .ok_or_else(|| {
            crate::Error::field(
                "income",
                "",
                "the benchmark needs a case with an [income] section",
            )
            .in_file(&label)
        })?;
    let method = c
        .income
        .as_ref()
        .map(|i| i.method.as_str())
        .unwrap_or("income");
    Ok((
        m,
        format!("income approach ({method}) of {label}, compiled IncomePlan"),
    ))
}

/// The benchmark's report.
#[derive(Debug, Serialize)]
pub struct BenchReport {
    /// What ran.
    pub model: String,
    /// Paths.
    pub paths: u64,
    /// Master seed.
    pub seed: u64,
    /// Paths per chunk.
    pub chunk_size: u64,
    /// Rayon worker threads.
    pub threads: usize,
    /// Wall time of the simulation and its statistics, seconds.
    pub simulate_seconds: f64,
    /// Paths per second.
    pub trials_per_second: f64,
    /// Paths per second per thread (wall clock: understates throughput on a busy machine).
    pub trials_per_second_per_core: f64,
    /// CPU time of all threads during the run, seconds (Linux: `/proc/self/task/*/schedstat`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<f64>,
    /// Paths per CPU-second: the per-core throughput, independent of other load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials_per_cpu_second: Option<f64>,
    /// Mean value, 元.
    pub mean: f64,
    /// Standard error of the mean, 元.
    pub std_error: f64,
    /// P5, 元.
    pub p5: f64,
    /// P50, 元.
    pub p50: f64,
    /// P95, 元.
    pub p95: f64,
    /// The dists of the random inputs (for the numpy reference).
    pub inputs: Vec<String>,
}

/// Runs `techval bench`.
pub fn run(a: BenchArgs, models: &ModelBook) -> anyhow::Result<()> {
    let BenchCommand::Simulate {
        paths,
        seed,
        chunk_size,
        case,
        format,
    } = a.what;
    let (model, what) = bench_model(case.as_ref(), models)?;
    let settings = SimSettings {
        samples: paths,
        seed,
        chunk_size,
        ..SimSettings::default()
    };
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let dist = uncertainty::distribution(model.as_ref(), &[], &settings)?;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let threads = rayon::current_num_threads();
    let st = &dist.stats;
    let rep = BenchReport {
        model: what,
        paths,
        seed,
        chunk_size,
        threads,
        simulate_seconds: secs,
        trials_per_second: paths as f64 / secs,
        trials_per_second_per_core: paths as f64 / secs / threads as f64,
        cpu_seconds: cpu,
        trials_per_cpu_second: cpu.filter(|c| *c > 0.0).map(|c| paths as f64 / c),
        mean: st.mean,
        std_error: st.std_error,
        p5: st.percentile("P5").unwrap_or(f64::NAN),
        p50: st.percentile("P50").unwrap_or(f64::NAN),
        p95: st.percentile("P95").unwrap_or(f64::NAN),
        inputs: dist
            .uncertain_inputs
            .iter()
            .map(|u| format!("{} ~ {}", u.path, crate::param::describe(&u.dist)))
            .collect(),
    };
    let text = match format {
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&rep)?;
            s.push('\n');
            s
        }
        OutputFormat::Table => {
            use super::simulation::{fmt_num, fmt_yuan};
            let mut t = format!(
                "{}\n  {}\npaths {}  threads {}  seed {}  chunk {}\nsimulate + statistics: {} s wall, {} s CPU\ntrials/s: {}  trials/s/core (wall): {}  trials per CPU-second: {}\nmean {} ± {} (se)  P5 {}  P50 {}  P95 {}\n",
                rep.model,
                rep.inputs.join("\n  "),
                rep.paths,
                rep.threads,
                rep.seed,
                rep.chunk_size,
                fmt_num(rep.simulate_seconds, 4),
                rep.cpu_seconds.map_or("?".into(), |c| fmt_num(c, 4)),
                fmt_num(rep.trials_per_second.round(), 0),
                fmt_num(rep.trials_per_second_per_core.round(), 0),
                rep.trials_per_cpu_second
                    .map_or("?".into(), |c| fmt_num(c.round(), 0)),
                fmt_yuan(rep.mean),
                fmt_yuan(rep.std_error),
                fmt_yuan(rep.p5),
                fmt_yuan(rep.p50),
                fmt_yuan(rep.p95),
            );
            for n in &dist.notes {
                t.push_str(&format!("note: {n}\n"));
            }
            t
        }
    };
    emit(None, &text)?;
    Ok(())
}

/// CPU time consumed so far by all threads of this process, in seconds: the sum of the first
/// field (ns on CPU) of `/proc/self/task/*/schedstat`. `None` where that is not available.
fn cpu_seconds() -> Option<f64> {
    let mut ns: u64 = 0;
    for t in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let s = std::fs::read_to_string(t.path().join("schedstat")).ok()?;
        ns += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e9)
}
