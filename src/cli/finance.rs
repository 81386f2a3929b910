//! `techval guarantee | lend | invest | trade`: each finance stage alone, on a case file (or the
//! bundled demo) and a rulebook. Each runs the stages before it exactly as `techval pipeline`
//! does, then prints its own result (table or JSON; `lend` also writes the schedule as CSV).

use super::output::{emit, Align, Table};
use super::value::load_case;
use super::OutputFormat;
use crate::case::Case;
use crate::envelope::Envelope;
use crate::finance::guarantee::{self, GuaranteeOutcome, GuaranteePlan, Waterfall};
use crate::finance::inputs::RepayMethod;
use crate::finance::invest::InvestmentView;
use crate::finance::lend::{self, LoanOffer, Schedule};
use crate::finance::rules::{LprTable, VcStageTable};
use crate::finance::trade::TradeTerms;
use crate::models::ModelBook;
use crate::money::{group_thousands, Money};
use crate::pipeline::{self, Context};
use crate::rulebook::{self, LoadedRulebook};
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde::Serialize;
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
    /// (the shipped synthetic deals unless `--deals` names a file).
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
    /// Deal history (CSV/Parquet) for the market approach (default: the shipped SYNTHETIC
    /// deals, when the case has a [market] section).
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
        ld.load_deals(self.deals.as_ref())?;
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
    /// (default: the shipped synthetic deals).
    pub fn load_deals(&mut self, deals: Option<&PathBuf>) -> crate::Result<()> {
        if self.case.market.is_some() || deals.is_some() {
            self.deals = Some(super::deals::load(deals, None)?);
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

/// The waterfall as a table.
pub fn render_waterfall(w: &Waterfall) -> String {
    let mut t = Table::new(
        &[
            "party",
            "role",
            "share",
            "before pool (元)",
            "pool (元)",
            "after pool (元)",
        ],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for l in &w.lines {
        t.row([
            format!("{} {}", l.name_zh, l.party),
            l.role.as_str().to_string(),
            pct(l.share, 1),
            yuan(l.before_pool),
            yuan(l.pool_compensation),
            yuan(l.after_pool),
        ]);
    }
    if let Some(tm) = w.pool_timing {
        t.row([
            format!("compensation pool ({})", tm.as_str()),
            "pool".into(),
            String::new(),
            String::new(),
            String::new(),
            yuan(w.pool_pays),
        ]);
    }
    t.row([
        "total".to_string(),
        String::new(),
        String::new(),
        yuan(w.loss),
        String::new(),
        yuan(w.loss),
    ]);
    let mut out = format!(
        "loss {} 元: guaranteed part {} 元, unguaranteed (bank) {} 元\n",
        yuan(w.loss),
        yuan(w.guaranteed_loss),
        yuan(w.unguaranteed_loss)
    );
    out.push_str(&t.render());
    out
}

fn render_outcome(o: &GuaranteeOutcome) -> String {
    let mut out = format!(
        "loan {} 元 over {} months: guaranteed amount {} 元",
        yuan(o.loan),
        o.tenor_months,
        yuan(o.guaranteed_amount)
    );
    if let Some(c) = o.counter_guarantee_cover {
        out.push_str(&format!(
            "; counter-guarantee cover (IP liquidation value / guaranteed) {}",
            pct(c, 1)
        ));
    }
    out.push('\n');
    if !o.fees.is_empty() {
        let mut t = Table::new(
            &[
                "fee",
                "payer",
                "to",
                "base (元)",
                "rate/yr",
                "years",
                "amount (元)",
            ],
            &[
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
        );
        for f in &o.fees {
            t.row([
                f.name.clone(),
                format!("{:?}", f.payer).to_lowercase(),
                f.recipient.clone(),
                yuan(f.base),
                pct(f.rate, 2),
                f.years.normalize().to_string(),
                yuan(f.amount),
            ]);
        }
        out.push_str(&t.render());
    }
    out.push_str(&render_waterfall(&o.waterfall));
    if !o.expected_losses.is_empty() {
        let parts: Vec<String> = o
            .expected_losses
            .iter()
            .map(|e| format!("{} {}", e.name_zh, yuan(e.expected_loss)))
            .collect();
        out.push_str(&format!(
            "expected loss (PD × after pool): {}",
            parts.join("; ")
        ));
        if let Some(p) = o.pool_expected {
            out.push_str(&format!("; pool {}", yuan(p)));
        }
        out.push('\n');
    }
    out
}

fn render_plan_head(p: &GuaranteePlan, rb: &LoadedRulebook) -> String {
    let lv = &p.lending_value;
    let mut out = format!(
        "rulebook {} {} ({})\nlending value {} 元 ({}, {}; {})\n",
        rb.rulebook.id,
        rb.rulebook.name_zh,
        rb.origin,
        yuan(lv.value),
        lv.basis.as_str(),
        match lv.approach {
            Some(a) => format!("{} {}", a.as_str(), lv.method),
            None => lv.method.clone(),
        },
        lv.note
    );
    if p.guaranteed {
        out.push_str(&format!(
            "guarantee: coverage {}, counter-guarantee [{}], IP liquidation value {} 元\n",
            pct(p.terms.coverage, 0),
            p.counter_guarantee.kinds.join(", "),
            yuan(p.counter_guarantee.ip_liquidation_value)
        ));
    } else {
        out.push_str(&format!(
            "no guarantee: the bank bears the loss; IP liquidation value {} 元\n",
            yuan(p.counter_guarantee.ip_liquidation_value)
        ));
    }
    out
}

fn warnings(out: &mut String, w: &[String]) {
    for x in w {
        out.push_str(&format!("warning: {x}\n"));
    }
}

/// Runs `techval guarantee`.
pub fn run_guarantee(
    a: GuaranteeArgs,
    models: &ModelBook,
    models_dir: Option<&Path>,
) -> anyhow::Result<()> {
    let amount = a
        .amount
        .as_deref()
        .map(|s| parse_money("--amount", s))
        .transpose()?;
    let loss = a
        .loss
        .as_deref()
        .map(|s| parse_money("--loss", s))
        .transpose()?;
    let mut ld = Loaded::load(
        a.common.case.as_ref(),
        a.common.rulebook.as_deref(),
        models,
        models_dir,
    )?;
    ld.load_deals(None)?;
    let ctx = ld.ctx(models);
    let ev = pipeline::evaluate(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let plan = pipeline::guarantee_stage(&ld.case, &ev, &ctx).map_err(|e| ld.in_case(e))?;
    let (amt, amt_from) = match (amount, plan.requested) {
        (Some(x), _) => (x, "--amount".to_string()),
        (None, Some(x)) => (x, "finance.loan.amount".to_string()),
        (None, None) => {
            let offer = pipeline::lend_stage(&ld.case, &plan, &ctx).map_err(|e| ld.in_case(e))?;
            (
                offer.amount,
                "the loan the lending stage offers".to_string(),
            )
        }
    };
    let loss = loss.unwrap_or(amt);
    let pd = ld
        .case
        .finance
        .as_ref()
        .and_then(|f| f.borrower.as_ref())
        .and_then(|b| b.pd);
    let o = guarantee::outcome(&plan, amt, loss, pd).map_err(|e| ld.in_case(e))?;
    let text = match a.format {
        OutputFormat::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                rulebook_origin: &'a str,
                amount_from: &'a str,
                plan: &'a GuaranteePlan,
                outcome: &'a GuaranteeOutcome,
            }
            ld.envelope("guarantee", models, ev.simulation.as_ref())
                .wrap(Doc {
                    rulebook_origin: &ld.rulebook.origin,
                    amount_from: &amt_from,
                    plan: &plan,
                    outcome: &o,
                })
                .to_json()?
        }
        OutputFormat::Table => {
            let mut s = render_plan_head(&plan, &ld.rulebook);
            s.push_str(&format!("amount from {amt_from}\n"));
            s.push_str(&render_outcome(&o));
            warnings(&mut s, &plan.warnings);
            s
        }
    };
    emit(a.common.out.as_deref(), &text)?;
    Ok(())
}

/// The schedule as a table.
pub fn render_schedule(s: &Schedule) -> String {
    let mut t = Table::new(
        &[
            "period",
            "opening (元)",
            "payment (元)",
            "interest (元)",
            "principal (元)",
            "balance (元)",
        ],
        &[Align::Right; 6],
    );
    for l in &s.lines {
        t.row([
            l.period.to_string(),
            yuan(l.opening),
            yuan(l.payment),
            yuan(l.interest),
            yuan(l.principal),
            yuan(l.balance),
        ]);
    }
    t.row([
        "total".to_string(),
        String::new(),
        yuan(s.total_payment),
        yuan(s.total_interest),
        yuan(s.principal),
        String::new(),
    ]);
    let mut out = format!(
        "{} {}: {} 元 at {} a year, {} payments ({} a year), period rate {}\n",
        s.method.name_zh(),
        s.method.as_str(),
        yuan(s.principal),
        pct(s.annual_rate, 4),
        s.lines.len(),
        s.periods_per_year,
        s.period_rate.normalize()
    );
    out.push_str(&t.render());
    out
}

/// The schedule as CSV (plain decimals in 元).
pub fn schedule_csv(s: &Schedule) -> String {
    let mut out = String::from("period,opening,payment,interest,principal,balance\n");
    for l in &s.lines {
        let f = |m: Money| {
            let mut d = m.amount();
            d.rescale(2);
            d.to_string()
        };
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            l.period,
            f(l.opening),
            f(l.payment),
            f(l.interest),
            f(l.principal),
            f(l.balance)
        ));
    }
    out
}

/// The loan offer as text.
pub fn render_offer(o: &LoanOffer) -> String {
    let mut out = String::new();
    let mut t = Table::new(
        &["constraint", "cap (元)", "formula / note"],
        &[Align::Left, Align::Right, Align::Left],
    );
    for c in &o.constraints {
        t.row([
            format!(
                "{}{} {}",
                if c.constraint == o.binding {
                    "▶ "
                } else {
                    "  "
                },
                c.constraint.name_zh(),
                c.constraint.as_str()
            ),
            c.amount.map_or("—".to_string(), yuan),
            c.note.clone().unwrap_or_else(|| c.formula.clone()),
        ]);
    }
    out.push_str(&t.render());
    out.push_str(&format!(
        "loan {} 元 (binding: {} {}), {} months, {} {}\n",
        yuan(o.amount),
        o.binding.name_zh(),
        o.binding.as_str(),
        o.tenor_months,
        o.method.name_zh(),
        o.method.as_str()
    ));
    out.push_str(&format!(
        "rate {} = {} {} ({}) + spread {}{}\n",
        pct(o.rate.rate, 2),
        o.rate.lpr.base.as_str(),
        pct(o.rate.lpr.rate, 2),
        o.rate.lpr.row_date,
        pct(o.rate.spread, 2),
        if o.rate.capped { " (capped)" } else { "" }
    ));
    out.push_str(&format!(
        "cost: interest {} + fees {} − subsidy {} = {} 元; all-in {} a year\n",
        yuan(o.cost.interest),
        yuan(o.cost.fees),
        yuan(o.cost.subsidy),
        yuan(o.cost.net_cost),
        o.cost.all_in_rate.map_or("n/a".to_string(), |r| pct(r, 3))
    ));
    if let Some(r) = &o.risk {
        out.push_str(&format!(
            "risk: PD {}, EAD {}, recovery {} (IP liquidation value {}), LGD {}, EL {} 元, bank's net EL {} 元\n",
            pct(r.pd, 2),
            yuan(r.ead),
            yuan(r.recovery),
            yuan(r.liquidation_value),
            pct(r.lgd, 2),
            yuan(r.expected_loss),
            yuan(r.bank_net_expected_loss)
        ));
    }
    out.push_str(&render_outcome(&o.guarantee));
    out
}

/// Runs `techval lend`.
pub fn run_lend(a: LendArgs, models: &ModelBook, models_dir: Option<&Path>) -> anyhow::Result<()> {
    let amount = a
        .amount
        .as_deref()
        .map(|s| parse_money("--amount", s))
        .transpose()?;
    if let Some(r) = &a.rate {
        // Bare schedule calculator.
        if a.common.case.is_some() || a.common.rulebook.is_some() {
            return Err(crate::Error::field(
                "--rate",
                r,
                "prints a bare schedule and does not combine with --case or --rulebook (the case's rate comes from the rulebook)",
            )
            .into());
        }
        let rate = crate::money::Rate::parse(r)
            .map_err(|e| crate::Error::field("--rate", r, e.to_string()))?
            .value();
        let amt =
            amount.ok_or_else(|| crate::Error::field("--amount", "", "is required with --rate"))?;
        let n = a
            .periods
            .ok_or_else(|| crate::Error::field("--periods", "", "is required with --rate"))?;
        let m = a.per_year.unwrap_or(12);
        let method = a.method.map_or(RepayMethod::Annuity, Into::into);
        let s = lend::schedule(amt, rate, n, m, method, a.first_period_days)?;
        let text = match a.format {
            LendFormat::Csv => schedule_csv(&s),
            LendFormat::Json => {
                #[derive(Serialize)]
                struct Doc<'a> {
                    schedule: &'a lend::Schedule,
                }
                Envelope::new("lend", &models.origin)
                    .wrap(Doc { schedule: &s })
                    .to_json()?
            }
            LendFormat::Table => render_schedule(&s),
        };
        emit(a.common.out.as_deref(), &text)?;
        return Ok(());
    }
    let mut ld = Loaded::load(
        a.common.case.as_ref(),
        a.common.rulebook.as_deref(),
        models,
        models_dir,
    )?;
    {
        let f = ld.case.finance.get_or_insert_with(Default::default);
        if let Some(x) = amount {
            f.loan.amount = Some(x);
        }
        if let Some(m) = a.method {
            f.loan.method = m.into();
        }
        if let Some(m) = a.per_year {
            f.loan.periods_per_year = Some(m);
        }
        if let Some(d) = a.first_period_days {
            f.loan.first_period_days = Some(d);
        }
        if let Some(n) = a.periods {
            let m = f.loan.periods_per_year.unwrap_or(12);
            f.loan.tenor_months = Some(n.saturating_mul(12) / m.max(1));
        }
        f.validate()?;
    }
    ld.load_deals(None)?;
    let ctx = ld.ctx(models);
    let ev = pipeline::evaluate(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let plan = pipeline::guarantee_stage(&ld.case, &ev, &ctx).map_err(|e| ld.in_case(e))?;
    let offer = pipeline::lend_stage(&ld.case, &plan, &ctx).map_err(|e| ld.in_case(e))?;
    let text = match a.format {
        LendFormat::Csv => schedule_csv(&offer.schedule),
        LendFormat::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                rulebook_origin: &'a str,
                lpr_table: &'a str,
                guarantee: &'a GuaranteePlan,
                loan: &'a LoanOffer,
            }
            ld.envelope("lend", models, ev.simulation.as_ref())
                .wrap(Doc {
                    rulebook_origin: &ld.rulebook.origin,
                    lpr_table: &ld.lpr.1,
                    guarantee: &plan,
                    loan: &offer,
                })
                .to_json()?
        }
        LendFormat::Table => {
            let mut s = render_plan_head(&plan, &ld.rulebook);
            s.push_str(&render_offer(&offer));
            s.push_str(&render_schedule(&offer.schedule));
            warnings(&mut s, &plan.warnings);
            warnings(&mut s, &offer.warnings);
            s
        }
    };
    emit(a.common.out.as_deref(), &text)?;
    Ok(())
}

/// The investment view as text.
pub fn render_invest(v: &InvestmentView) -> String {
    let mut out = format!(
        "IP value {} 元; loan offered {} 元; investment {} ({})\n",
        yuan(v.ip_value),
        yuan(v.loan_amount),
        v.investment
            .map_or("none".to_string(), |i| format!("{} 元", yuan(i))),
        v.investment_from
    );
    let mut t = Table::new(
        &["method", "pre-money (元)", "post-money (元)", "note"],
        &[Align::Left, Align::Right, Align::Right, Align::Left],
    );
    let opt = |m: Option<Money>| m.map_or("—".to_string(), yuan);
    if let Some(x) = &v.vc {
        t.row([
            "VC method".to_string(),
            opt(x.pre_money),
            yuan(x.post_money),
            format!(
                "TV {} / (1+{})^{} × p {} × R {}{}",
                yuan(x.terminal_value),
                pct(x.required.rate, 2),
                x.years,
                x.success_probability.normalize(),
                x.retention.normalize(),
                x.stake
                    .map_or(String::new(), |s| format!("; stake {}", pct(s, 2)))
            ),
        ]);
    }
    if let Some(x) = &v.first_chicago {
        t.row([
            "First Chicago".to_string(),
            opt(x.pre_money),
            yuan(x.post_money),
            format!("{} scenarios", x.scenarios.len()),
        ]);
    }
    if let Some(x) = &v.scorecard {
        t.row([
            "scorecard".to_string(),
            yuan(x.pre_money),
            opt(x.post_money),
            format!("average × {}", x.multiplier.normalize()),
        ]);
    }
    if let Some(x) = &v.checklist {
        t.row([
            "checklist".to_string(),
            yuan(x.pre_money),
            opt(x.post_money),
            format!("maximum × {}", x.multiplier.normalize()),
        ]);
    }
    out.push_str(&t.render());
    if let Some(c) = &v.conversion {
        out.push_str(&format!(
            "先投后股: {} 元 converts at {} 元 (next post {} × (1 − {})): stake {}\n",
            yuan(c.funding),
            yuan(c.conversion_valuation),
            yuan(c.next_post_money),
            c.discount.normalize(),
            pct(c.stake, 3)
        ));
    }
    if !v.dilution.is_empty() {
        let mut d = Table::new(
            &[
                "round",
                "investment (元)",
                "post (元)",
                "new",
                "fund",
                "converted",
                "pool",
                "founders & others",
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
            ],
        );
        for r in &v.dilution {
            d.row([
                r.round.clone(),
                yuan(r.investment),
                yuan(r.post_money),
                pct(r.new_investors, 2),
                pct(r.fund, 2),
                pct(r.converted, 2),
                pct(r.option_pool, 2),
                pct(r.founders_and_others, 2),
            ]);
        }
        out.push_str(&d.render());
    }
    if let Some(s) = v.ip_share_of_post {
        out.push_str(&format!("IP value / post-money: {}\n", pct(s, 2)));
    }
    out
}

/// The trade terms as text.
pub fn render_trade(t: &TradeTerms) -> String {
    let mut out = String::new();
    if let Some(r) = &t.reserve {
        out.push_str(&format!(
            "reserve {} 元 vs appraised {} 元 (ratio {}; 90% = {} 元; {}): {}\n",
            yuan(r.proposed),
            yuan(r.appraised),
            r.ratio.map_or("n/a".to_string(), |x| pct(x, 2)),
            yuan(r.approval_threshold),
            if r.state_owned {
                "state-owned"
            } else {
                "not state-owned"
            },
            r.status.describe()
        ));
    }
    let mut m = Table::new(
        &[
            "mode",
            "factor",
            "price basis (元)",
            "stake",
            "what transfers",
        ],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ],
    );
    for x in &t.modes {
        m.row([
            format!(
                "{}{} {}",
                if x.intended { "▶ " } else { "  " },
                x.name_zh,
                x.mode.as_str()
            ),
            x.factor.normalize().to_string(),
            yuan(x.price_basis),
            x.equity_stake.map_or("—".to_string(), |s| pct(s, 2)),
            x.what_transfers.clone(),
        ]);
    }
    out.push_str(&m.render());
    if !t.offers.is_empty() {
        out.push_str(&format!(
            "offers at the buyer's rate {}\n",
            t.buyer_rate.map_or("n/a".to_string(), |r| pct(r, 2))
        ));
        let mut o = Table::new(
            &["#", "form", "nominal (元)", "expected (元)", "PV (元)"],
            &[
                Align::Right,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
        );
        for x in &t.offers {
            o.row([
                format!(
                    "{}{}",
                    if Some(x.index) == t.best_offer {
                        "▶ "
                    } else {
                        ""
                    },
                    x.index
                ),
                format!("{} {}", x.form_zh, x.form),
                yuan(x.nominal),
                yuan(x.expected),
                yuan(x.pv),
            ]);
        }
        out.push_str(&o.render());
    }
    if let Some(p) = &t.proceeds {
        out.push_str(&format!(
            "proceeds ({}): gross {} − broker {} − costs {} = net {} 元 → research team {} ({}) / institution {}\n",
            p.gross_from,
            yuan(p.gross),
            yuan(p.broker),
            yuan(p.costs),
            yuan(p.net),
            yuan(p.team),
            pct(p.team_share, 0),
            yuan(p.institution)
        ));
    }
    out
}

/// Runs `techval invest` or `techval trade`.
pub fn run_invest_or_trade(
    a: SimpleStageArgs,
    trade: bool,
    models: &ModelBook,
    models_dir: Option<&Path>,
) -> anyhow::Result<()> {
    let mut ld = Loaded::load(
        a.common.case.as_ref(),
        a.common.rulebook.as_deref(),
        models,
        models_dir,
    )?;
    ld.load_deals(None)?;
    let ctx = ld.ctx(models);
    let r = pipeline::run(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let text = match (a.format, trade) {
        (OutputFormat::Json, false) => {
            #[derive(Serialize)]
            struct Doc<'a> {
                invest: &'a crate::finance::invest::InvestmentView,
            }
            ld.envelope("invest", models, r.simulation.as_ref())
                .wrap(Doc { invest: &r.invest })
                .to_json()?
        }
        (OutputFormat::Json, true) => {
            #[derive(Serialize)]
            struct Doc<'a> {
                trade: &'a crate::finance::trade::TradeTerms,
            }
            ld.envelope("trade", models, r.simulation.as_ref())
                .wrap(Doc { trade: &r.trade })
                .to_json()?
        }
        (OutputFormat::Table, false) => {
            let mut s = render_invest(&r.invest);
            warnings(&mut s, &r.invest.warnings);
            s
        }
        (OutputFormat::Table, true) => {
            let mut s = render_trade(&r.trade);
            warnings(&mut s, &r.trade.warnings);
            s
        }
    };
    emit(a.common.out.as_deref(), &text)?;
    Ok(())
}
