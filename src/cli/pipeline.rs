//! `techval pipeline`: 评 → 保 → 贷 → 投 → 易 on one case. Prints a one-screen summary and writes
//! every stage's result with its audit trail to `<out>/<case id>/pipeline.json` (atomically;
//! default `reports/`). With no arguments it runs the bundled demo case on the default rulebook.

use super::finance::Loaded;
use super::output::{emit, Align, Table};
use super::OutputFormat;
use crate::finance::rules::PoolTiming;
use crate::finance::LendingValue;
use crate::input::write_atomic;
use crate::models::ModelBook;
use crate::money::{group_thousands, Money, Rate};
use crate::pipeline::{self, PipelineResult};
use clap::Args;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `techval pipeline`.
#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Case, rulebook and deal history.
    #[command(flatten)]
    pub source: super::finance::CaseSource,
    /// Folder for the JSON: writes DIR/<case id>/pipeline.json.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// What to print: the summary table, or the JSON document (written to the file either way).
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Do not write the report set (report.html, credit_memo.html, workbook.xlsx, charts)
    /// beside pipeline.json.
    #[arg(long)]
    pub no_report: bool,
    /// Options of the report set.
    #[command(flatten)]
    pub report: super::report::ReportOptions,
}

/// Where a table came from.
#[derive(Debug, Serialize)]
pub struct Origin<'a> {
    /// File or `builtin`.
    pub origin: &'a str,
    /// Its citation.
    pub source: &'a str,
}

/// The body of the JSON document `techval pipeline` writes (after the
/// [`crate::envelope::Envelope`], whose `seed` is the Monte Carlo run behind the downside
/// value: null when none ran, as no other stage draws random numbers).
#[derive(Debug, Serialize)]
pub struct PipelineDocument<'a> {
    /// The case id (subject.id).
    pub case_id: &'a str,
    /// The subject.
    pub subject: &'a crate::Subject,
    /// Rulebook id, as-of date and origin.
    pub rulebook: RulebookNote<'a>,
    /// LPR table.
    pub lpr_table: Origin<'a>,
    /// The LPR table's last checked announcement.
    pub lpr_checked_through: String,
    /// Venture-return table.
    pub vc_stage_table: Origin<'a>,
    /// The Monte Carlo downside value (before the cap at the point value), when one was used.
    pub downside_value: Option<Money>,
    /// How the value lent on is chosen (the rule of `finance::lending_value`).
    pub lending_rule: &'static str,
    /// The value lent on: which value, why, and the simulation behind it (seed, samples,
    /// chunk size, quantile).
    pub lending_value: &'a LendingValue,
    /// Every stage's result with its audit trail.
    pub stages: &'a PipelineResult,
}

/// The rulebook in the document.
#[derive(Debug, Serialize)]
pub struct RulebookNote<'a> {
    /// Id.
    pub id: &'a str,
    /// Chinese name.
    pub name_zh: &'a str,
    /// As-of date.
    pub as_of: String,
    /// Origin.
    pub origin: &'a str,
    /// Citation.
    pub source: &'a str,
}

fn yuan(m: Money) -> String {
    format!("{} 元", group_thousands(m.amount(), 2))
}

fn pct(d: rust_decimal::Decimal, dp: u32) -> String {
    Rate::new(d).display_pct(dp)
}

/// The one-screen summary.
pub fn render_summary(ld: &Loaded, r: &PipelineResult, json_path: Option<&Path>) -> String {
    let s = &ld.case.subject;
    let rb = &ld.rulebook.rulebook;
    let mut out = format!(
        "{} — {} ({}, {}, {})  valuation date {}\nrulebook {} {} [{}]\n\n",
        s.id,
        s.name,
        s.kind.name_zh(),
        s.industry,
        s.region,
        s.valuation_date,
        rb.id,
        rb.name_zh,
        ld.rulebook.origin
    );
    let mut t = Table::new(
        &["stage", "item", "result"],
        &[Align::Left, Align::Left, Align::Left],
    );
    for v in &r.valuations {
        t.row([
            "评 value".to_string(),
            format!("{} {}", v.approach.name_zh(), v.method),
            format!("{} ({})", yuan(v.value), v.value.display_auto()),
        ]);
    }
    if let Some(rec) = &r.reconciliation {
        let w: Vec<String> = rec
            .approaches
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    a.approach.as_str(),
                    crate::money::round_half_away(a.weight, 4).normalize()
                )
            })
            .collect();
        t.row([
            String::new(),
            "reconciled".to_string(),
            format!(
                "{} (weights {}){}",
                yuan(rec.concluded_value),
                w.join(", "),
                if rec.disagree {
                    "; approaches DISAGREE"
                } else {
                    ""
                }
            ),
        ]);
    }
    if let Some(sim) = &r.simulation {
        let m = &sim.dist.money;
        t.row([
            String::new(),
            format!("Monte Carlo ({})", sim.of),
            format!(
                "P5 {} / P50 {} / P95 {}",
                yuan(m.p5),
                yuan(m.p50),
                yuan(m.p95)
            ),
        ]);
        t.row([
            String::new(),
            String::new(),
            format!(
                "{} paths, seed {}, chunk {}; pledge value {} {}",
                sim.dist.samples,
                sim.dist.seed,
                sim.dist.chunk_size,
                sim.dist.stats.pledge.label,
                yuan(m.pledge_value)
            ),
        ]);
    }
    let g = &r.guarantee;
    let lv = &g.lending_value;
    t.row([
        String::new(),
        "value lent on".to_string(),
        match &lv.downside {
            Some(d) => format!(
                "{} ({} of the {}{}; point {})",
                yuan(lv.value),
                d.label,
                d.of,
                if lv.capped_at_point {
                    ", capped at the point value"
                } else {
                    ""
                },
                yuan(lv.point_value)
            ),
            None => format!(
                "{} (point value, {})",
                yuan(lv.value),
                lv.approach.map_or("reconciled", |a| a.as_str())
            ),
        },
    ]);
    if let Some(s) = &ld.case.scored {
        let c = &s.card;
        let p = r.loan.pledges.first();
        t.row([
            String::new(),
            "score".to_string(),
            format!(
                "{} {}: total {}, grade {}, coverage {}{}",
                c.model,
                c.scenario,
                c.total
                    .map_or("—".into(), |x| x.round_dp(2).normalize().to_string()),
                c.grade.map_or("—", |g| g.as_str()),
                c.coverage.normalize(),
                p.map_or(String::new(), |p| format!(
                    "; pledge rate {}",
                    pct(p.rate, 0)
                ))
            ),
        ]);
    }
    let l = &r.loan;
    if g.guaranteed {
        let shares: Vec<String> = g
            .terms
            .parties
            .iter()
            .map(|p| format!("{} {}", p.name_zh, pct(p.share, 0)))
            .collect();
        t.row([
            "保 guarantee".to_string(),
            "loss shares".to_string(),
            shares.join(" : "),
        ]);
        if let Some(p) = &g.terms.pool {
            t.row([
                String::new(),
                "pool".to_string(),
                format!(
                    "{}: {} of {}; cap {} of loss",
                    p.name_zh,
                    pct(p.rate, 0),
                    match p.timing {
                        PoolTiming::BeforeSplit => "the loss, before the split",
                        PoolTiming::AfterSplit => "covered losses, after the split",
                    },
                    pct(p.cap_share_of_loss, 0),
                ),
            ]);
        }
        t.row([
            String::new(),
            "guaranteed / fees".to_string(),
            format!(
                "{} guaranteed; borrower fees {} over {} months",
                yuan(l.guarantee.guaranteed_amount),
                yuan(l.guarantee.borrower_fees),
                l.tenor_months
            ),
        ]);
    } else {
        t.row([
            "保 guarantee".to_string(),
            "none".to_string(),
            "the bank bears the whole loss".to_string(),
        ]);
    }
    t.row([
        "贷 lend".to_string(),
        "loan".to_string(),
        format!(
            "{} — binding: {} ({})",
            yuan(l.amount),
            l.binding.as_str(),
            l.binding.name_zh()
        ),
    ]);
    t.row([
        String::new(),
        "terms".to_string(),
        format!(
            "{} months {} at {} ({} {} + {}); first payment {}",
            l.tenor_months,
            l.method.name_zh(),
            pct(l.rate.rate, 2),
            l.rate.lpr.base.as_str(),
            pct(l.rate.lpr.rate, 2),
            pct(l.rate.spread, 2),
            l.schedule
                .lines
                .first()
                .map_or("—".to_string(), |x| yuan(x.payment))
        ),
    ]);
    t.row([
        String::new(),
        "年化利率 (APR)".to_string(),
        format!(
            "{} nominal, {} effective: IRR of the cash flows (interest {} + fees {} − subsidy {})",
            l.cost.apr_nominal.map_or("n/a".to_string(), |x| pct(x, 3)),
            l.cost
                .apr_effective
                .map_or("n/a".to_string(), |x| pct(x, 3)),
            yuan(l.cost.interest),
            yuan(l.cost.fees),
            yuan(l.cost.subsidy)
        ),
    ]);
    match &l.risk {
        Some(k) => t.row([
            String::new(),
            "expected loss".to_string(),
            format!(
                "EL {} (PD {} × LGD {} × EAD); bank's net EL {}",
                yuan(k.expected_loss),
                pct(k.pd, 2),
                pct(k.lgd, 2),
                yuan(k.bank_net_expected_loss)
            ),
        ]),
        None => t.row([
            String::new(),
            "expected loss".to_string(),
            "not assessed (no PD)".to_string(),
        ]),
    }
    let v = &r.invest;
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(x) = &v.vc {
        rows.push((
            "VC method",
            format!(
                "post {}, pre {}{}",
                yuan(x.post_money),
                x.pre_money.map_or("—".to_string(), yuan),
                x.stake
                    .map_or(String::new(), |s| format!(", stake {}", pct(s, 2)))
            ),
        ));
    }
    if let Some(x) = &v.first_chicago {
        rows.push(("First Chicago", format!("post {}", yuan(x.post_money))));
    }
    let early = [
        ("Berkus", v.berkus.as_ref().map(|x| x.pre_money)),
        (
            "risk-factor summation",
            v.risk_factor_summation.as_ref().map(|x| x.pre_money),
        ),
        (
            "real option (lattice)",
            v.real_option.as_ref().map(|x| x.lattice),
        ),
    ];
    for (name, m) in early {
        if let Some(x) = m {
            rows.push((name, yuan(x)));
        }
    }
    for (name, m) in [("scorecard", &v.scorecard), ("checklist", &v.checklist)] {
        if let Some(x) = m {
            rows.push((name, format!("pre {}", yuan(x.pre_money))));
        }
    }
    if let Some(c) = &v.conversion {
        rows.push((
            "先投后股",
            format!("{} → stake {}", yuan(c.funding), pct(c.stake, 3)),
        ));
    }
    if rows.is_empty() {
        rows.push(("—", "no [finance.invest] in the case".to_string()));
    }
    for (i, (name, text)) in rows.into_iter().enumerate() {
        let stage = if i == 0 { "投 invest" } else { "" };
        t.row([stage.to_string(), name.to_string(), text]);
    }
    let tr = &r.trade;
    match (&tr.reserve, &tr.proceeds) {
        (Some(res), Some(p)) => {
            t.row([
                "易 trade".to_string(),
                "reserve".to_string(),
                format!("{} ({})", yuan(res.proposed), res.status.describe()),
            ]);
            if let Some(b) = tr.best_offer.and_then(|i| tr.offers.get(i)) {
                t.row([
                    String::new(),
                    "best offer".to_string(),
                    format!("#{} {} {}: PV {}", b.index, b.form_zh, b.form, yuan(b.pv)),
                ]);
            }
            t.row([
                String::new(),
                "proceeds".to_string(),
                format!(
                    "team {} ({}), institution {}, broker {}",
                    yuan(p.team),
                    pct(p.team_share, 0),
                    yuan(p.institution),
                    yuan(p.broker)
                ),
            ]);
        }
        _ => t.row([
            "易 trade".to_string(),
            "—".to_string(),
            "no [finance.trade] in the case".to_string(),
        ]),
    }
    out.push_str(&t.render());
    let n_warn = g.warnings.len() + l.warnings.len() + v.warnings.len() + tr.warnings.len();
    for w in g
        .warnings
        .iter()
        .chain(&l.warnings)
        .chain(&v.warnings)
        .chain(&tr.warnings)
        .take(6)
    {
        out.push_str(&format!("warning: {w}\n"));
    }
    if n_warn > 6 {
        out.push_str(&format!("… {} more warnings in the JSON\n", n_warn - 6));
    }
    if let Some(p) = json_path {
        out.push_str(&format!(
            "wrote {} (every stage with its audit trail)\n",
            p.display()
        ));
    }
    out
}

/// Runs `techval pipeline`.
pub fn run(a: PipelineArgs, models: &ModelBook, models_dir: Option<&Path>) -> anyhow::Result<()> {
    let ld = a.source.load(models, models_dir)?;
    let deals = ld.deals.as_ref().map(crate::data::DataProvenance::of);
    let ctx = ld.ctx(models);
    let r = pipeline::run(&ld.case, &ctx).map_err(|e| ld.in_case(e))?;
    let rb = &ld.rulebook.rulebook;
    let doc = PipelineDocument {
        case_id: &ld.case.subject.id,
        subject: &ld.case.subject,
        rulebook: RulebookNote {
            id: &rb.id,
            name_zh: &rb.name_zh,
            as_of: rb.as_of.to_string(),
            origin: &ld.rulebook.origin,
            source: &rb.source,
        },
        lpr_table: Origin {
            origin: &ld.lpr.1,
            source: &ld.lpr.0.source,
        },
        lpr_checked_through: ld.lpr.0.checked_through.to_string(),
        vc_stage_table: Origin {
            origin: &ld.stages.1,
            source: &ld.stages.0.source,
        },
        downside_value: r.guarantee.lending_value.downside.as_ref().map(|d| d.value),
        lending_rule: crate::finance::LENDING_RULE,
        lending_value: &r.guarantee.lending_value,
        stages: &r,
    };
    let js = crate::envelope::Envelope::new("pipeline", &models.origin)
        .case(&ld.case_file)
        .seed(r.simulation.as_ref().map(|x| x.dist.seed))
        .data(deals)
        .wrap(doc)
        .to_json()?;
    let dir = a.out.join(&ld.case.subject.id);
    let path = dir.join("pipeline.json");
    write_atomic(&path, js.as_bytes())?;
    let mut text = match a.format {
        OutputFormat::Json => js,
        OutputFormat::Table => render_summary(&ld, &r, Some(&path)),
    };
    if !a.no_report {
        let set = super::report::build_set(
            &ld,
            models,
            super::report::StageResults {
                valuations: &r.valuations,
                reconciliation: r.reconciliation.as_ref(),
                simulation: r.simulation.as_ref(),
                finance: Some((&r.guarantee, &r.loan)),
            },
            &a.report,
        )?;
        let written = super::report::write_set(&set, &dir)?;
        if a.format == OutputFormat::Table {
            text.push_str(&format!(
                "wrote the report set ({} files: report.html, credit_memo.html, workbook.xlsx, results.json, charts/) to {}\n",
                written.len(),
                dir.display()
            ));
        }
    }
    emit(None, &text)?;
    Ok(())
}
