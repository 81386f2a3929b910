//! `techval guarantee | lend | invest | trade`: each finance stage alone, on a case file (or the
//! bundled demo) and a rulebook. Each runs the stages before it exactly as `techval pipeline`
//! does, then prints its own result (table or JSON; `lend` also writes the schedule as CSV).

use super::value::load_case;
use super::OutputFormat;
use crate::case::Case;
use crate::envelope::Envelope;
use crate::finance::inputs::RepayMethod;
use crate::finance::rules::{LprTable, VcStageTable};
use crate::models::ModelBook;
use crate::money::{group_thousands, Money};
use crate::pipeline::Context;
use crate::rulebook::{self, LoadedRulebook};
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// Arguments every finance stage takes.
#[derive(Debug, Args, Clone)]
pub struct StageArgs {
    /// Case file (TOML or JSON). Without it the bundled demo case runs.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Rulebook: a shipped name (bank_default, jinan_2242, sichuan_tianfu_zhilaidai,
    /// national_reguarantee) or a TOML file. Default: bank_default.
    #[arg(long, value_name = "NAME|FILE")]
    pub rulebook: Option<String>,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `techval guarantee`.
#[derive(Debug, Args)]
pub struct GuaranteeArgs {
    /// Case, rulebook, output.
    #[command(flatten)]
    pub common: StageArgs,
    /// Loan amount the guarantee covers (default: the case's request, else the loan the
    /// lending stage offers).
    #[arg(long, value_name = "YUAN")]
    pub amount: Option<String>,
    /// Principal loss to split (default: a total loss of the amount).
    #[arg(long, value_name = "YUAN")]
    pub loss: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// Output format of `techval lend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LendFormat {
    /// The offer and its schedule as tables.
    Table,
    /// JSON with every audit step.
    Json,
    /// The schedule as CSV.
    Csv,
}

/// Arguments of `techval lend`.
#[derive(Debug, Args)]
pub struct LendArgs {
    /// Case, rulebook, output.
    #[command(flatten)]
    pub common: StageArgs,
    /// Loan amount asked for (overrides the case's finance.loan.amount).
    #[arg(long, value_name = "YUAN")]
    pub amount: Option<String>,
    /// Annual rate (e.g. 0.0435 or 4.35%): prints a bare schedule for --amount over --periods,
    /// without a case or rulebook.
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
    /// Number of payments (with --per-year sets the tenor).
    #[arg(long, value_name = "N")]
    pub periods: Option<u32>,
    /// Payments per year: 12, 4, 2 or 1.
    #[arg(long, value_name = "M")]
    pub per_year: Option<u32>,
    /// Repayment method.
    #[arg(long, value_enum)]
    pub method: Option<MethodArg>,
    /// Days of a broken first period (interest on actual days at rate/360).
    #[arg(long, value_name = "DAYS")]
    pub first_period_days: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LendFormat::Table)]
    pub format: LendFormat,
}

/// Repayment method on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// 等额本息.
    Annuity,
    /// 等额本金.
    EqualPrincipal,
    /// 先息后本.
    Bullet,
}

impl From<MethodArg> for RepayMethod {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Annuity => RepayMethod::Annuity,
            MethodArg::EqualPrincipal => RepayMethod::EqualPrincipal,
            MethodArg::Bullet => RepayMethod::Bullet,
        }
    }
}

/// Arguments of `techval invest` and `techval trade`.
#[derive(Debug, Args)]
pub struct SimpleStageArgs {
    /// Case, rulebook, output.
    #[command(flatten)]
    pub common: StageArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// Everything the finance stages read, loaded once.
pub struct Loaded {
    /// The case.
    pub case: Case,
    /// Its file (or the demo's path).
    pub case_file: String,
    /// The rulebook and its origin.
    pub rulebook: LoadedRulebook,
    /// LPR table and origin.
    pub lpr: (LprTable, String),
    /// Venture-return table and origin.
    pub stages: (VcStageTable, String),
    /// Deal history for the market approach: loaded when the case has a `[market]` section
    /// (see `--deals`).
    pub deals: Option<crate::data::DealHistory>,
}

/// `--case`, `--rulebook` and `--deals`: what `techval pipeline` and `techval report` run on.
#[derive(Debug, Args, Clone)]
pub struct CaseSource {
    /// Case file (TOML or JSON). Without it the bundled demo case runs.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Rulebook: a shipped name (bank_default, jinan_2242, sichuan_tianfu_zhilaidai,
    /// national_reguarantee) or a TOML file. Default: bank_default.
    #[arg(long, value_name = "NAME|FILE")]
    pub rulebook: Option<String>,
    /// Deal history: a CSV or Parquet file (schema in datasets/README.md), or `public` / `synthetic`
    /// for a shipped set. Default: the public set of real deals (datasets/deals_public.csv) when
    /// it holds at least k single fixed-price deals of the subject's kind, else the shipped
    /// SYNTHETIC deals (the output says which).
    #[arg(long, value_name = "PATH")]
    pub deals: Option<PathBuf>,
}

impl CaseSource {
    /// Loads the case, rulebook, tables and (when the case needs them) the deals.
    pub fn load(&self, models: &ModelBook, models_dir: Option<&Path>) -> crate::Result<Loaded> {
        let mut ld = Loaded::load(
            self.case.as_ref(),
            self.rulebook.as_deref(),
            models,
            models_dir,
        )?;
        ld.load_deals(self.deals.as_ref(), models.market.selection.k as usize)?;
        Ok(ld)
    }
}

impl Loaded {
    /// Loads the case (validated), the rulebook and the tables.
    pub fn load(
        case: Option<&PathBuf>,
        rulebook_spec: Option<&str>,
        models: &ModelBook,
        models_dir: Option<&Path>,
    ) -> crate::Result<Loaded> {
        let rb = rulebook::load_rulebook(rulebook_spec, models_dir)?;
        let lpr = rulebook::load_lpr(models_dir)?;
        let stages = rulebook::load_vc_stages(models_dir)?;
        let (case, case_file) = load_case(case, models)?;
        Ok(Loaded {
            case,
            case_file,
            rulebook: rb,
            lpr,
            stages,
            deals: None,
        })
    }

    /// Loads the deal history when the case has a `[market]` section or `deals` names a file
    /// (default: the public set of real deals where it can serve, see [`super::deals::load`]);
    /// `k` is the market model's `selection.k`.
    pub fn load_deals(&mut self, deals: Option<&PathBuf>, k: usize) -> crate::Result<()> {
        if self.case.market.is_some() || deals.is_some() {
            let kind = self.case.subject.kind.as_str();
            self.deals = Some(super::deals::load(deals, None, Some(kind), k)?);
        }
        Ok(())
    }

    /// The JSON envelope of a stage command on this case: case file, model book, the seed of
    /// the simulation behind the value lent on, and the deal data when the market approach ran.
    pub fn envelope<'a>(
        &'a self,
        command: &'a str,
        models: &'a ModelBook,
        sim: Option<&crate::pipeline::LentValueSimulation>,
    ) -> Envelope<'a> {
        Envelope::new(command, &models.origin)
            .case(&self.case_file)
            .seed(sim.map(|s| s.dist.seed))
            .data(self.deals.as_ref().map(crate::data::DataProvenance::of))
    }

    /// The stage context.
    pub fn ctx<'a>(&'a self, models: &'a ModelBook) -> Context<'a> {
        Context {
            models,
            rulebook: &self.rulebook.rulebook,
            lpr: &self.lpr.0,
            stages: &self.stages.0,
            deals: self.deals.as_ref(),
        }
    }

    /// Attaches the case file to errors of the stages (field paths of `finance.*`).
    pub fn in_case(&self, e: crate::Error) -> crate::Error {
        e.in_file(&self.case_file)
    }
}

fn parse_money(flag: &str, s: &str) -> crate::Result<Money> {
    let m = Money::parse(s).map_err(|e| crate::Error::field(flag, s, e.to_string()))?;
    if m.is_negative() {
        return Err(crate::Error::field(flag, s, "must not be negative"));
    }
    Ok(m)
}

fn yuan(m: Money) -> String {
    group_thousands(m.amount(), 2)
}

fn pct(d: Decimal, dp: u32) -> String {
    crate::money::Rate::new(d).display_pct(dp)
}

mod guarantee_cmd;
mod invest_cmd;
mod lend_cmd;

pub use guarantee_cmd::*;
pub use invest_cmd::*;
pub use lend_cmd::*;
