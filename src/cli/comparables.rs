//! `techval comparables`: the adjusted comparables of a case's market valuation.

use super::deals;
use super::output::{emit, Align, Table};
use crate::data::DataProvenance;
use crate::envelope::Envelope;
use crate::money::group_thousands;
use crate::valuation::market::{self, f64_text, ComparableRow, MarketSummary, SubjectSide};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum CompFormat {
    /// A table for the terminal.
    #[default]
    Table,
    /// CSV, one row per comparable.
    Csv,
    /// JSON with the summary, the comparables and the data provenance.
    Json,
}

/// Arguments of `techval comparables`.
#[derive(Debug, Args)]
pub struct ComparablesArgs {
    /// Case file (TOML or JSON) with a [market] section. Without it the bundled demo runs.
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Deal history: a CSV or Parquet file (schema in datasets/README.md), or `public` / `synthetic`
    /// for a shipped set. Default: the public set of real deals (datasets/deals_public.csv) when
    /// it holds at least k single fixed-price deals of the subject's kind, else the shipped
    /// SYNTHETIC deals (the output says which).
    #[arg(long, value_name = "PATH")]
    pub deals: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompFormat::Table)]
    pub format: CompFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the rows rejected from --deals to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

#[derive(Serialize)]
struct Doc<'a> {
    subject_id: &'a str,
    value: crate::Money,
    summary: &'a MarketSummary,
    subject_side: &'a SubjectSide,
    comparables: &'a [ComparableRow],
    warnings: &'a [String],
}

/// Runs `techval comparables`.
pub fn run(a: ComparablesArgs, models: &crate::ModelBook) -> anyhow::Result<()> {
    let (case, label) = super::value::load_case(a.case.as_ref(), models)?;
    let m = case.market.as_ref().ok_or_else(|| {
        crate::Error::field(
            "market",
            "",
            "the case has no [market] section: add one to find comparables",
        )
        .in_file(&label)
    })?;
    let h = deals::load(
        a.deals.as_ref(),
        a.rejects.as_deref(),
        Some(case.subject.kind.as_str()),
        models.market.selection.k as usize,
    )?;
    let o = market::evaluate(m, &case.subject, models, &h).map_err(|e| e.in_file(&label))?;
    let text = match a.format {
        CompFormat::Json => {
            let doc = Doc {
                subject_id: &case.subject.id,
                value: o.valuation.value,
                summary: &o.summary,
                subject_side: &o.subject,
                comparables: &o.comparables,
                warnings: &o.valuation.warnings,
            };
            Envelope::new("comparables", &models.origin)
                .case(&label)
                .data(Some(DataProvenance::of(&h)))
                .wrap(doc)
                .to_json()?
        }
        CompFormat::Csv => {
            let mut s = String::from("deal_id,date,region,industry,transaction_type,price_yuan,f_tech,f_time,f_region,f_terms,f_scale,f_life,n_clipped,adjusted_yuan,similarity,kept\n");
            for c in &o.comparables {
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    c.deal_id,
                    c.date,
                    c.region,
                    c.industry,
                    c.transaction_type,
                    c.price_yuan,
                    c.f_tech,
                    c.f_time,
                    c.f_region,
                    c.f_terms,
                    c.f_scale,
                    c.f_life,
                    c.n_clipped,
                    c.adjusted_yuan,
                    c.similarity,
                    c.kept
                ));
            }
            s
        }
        CompFormat::Table => {
            let s = &case.subject;
            let mut out = format!(
                "{} — {} ({}, {}, {}), {} {}, valuation date {}\n",
                s.id,
                s.name,
                s.kind.name_zh(),
                s.industry,
                s.region,
                m.transaction_type.name_zh(),
                m.transaction_type.as_str(),
                s.valuation_date
            );
            let sm = &o.summary;
            out.push_str(&format!(
                "selection level {} ({}): {} found, {} selected, {} used after IQR fences\n\n",
                sm.level, sm.level_name, sm.n_found, sm.n_selected, sm.n_used
            ));
            let mut t = Table::new(
                &[
                    "#",
                    "deal",
                    "date",
                    "province",
                    "industry",
                    "type",
                    "price (元)",
                    "F_tech",
                    "F_time",
                    "F_region",
                    "F_terms",
                    "F_scale",
                    "F_life",
                    "adjusted (元)",
                    "sim",
                    "used",
                ],
                &[
                    Align::Right,
                    Align::Left,
                    Align::Left,
                    Align::Left,
                    Align::Left,
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
                    Align::Left,
                ],
            );
            let money = |x: f64| {
                rust_decimal::Decimal::from_f64_retain(x)
                    .map_or_else(|| format!("{x}"), |d| group_thousands(d, 0))
            };
            for (i, c) in o.comparables.iter().enumerate() {
                let f = |x: f64| f64_text(x, 3);
                t.row([
                    (i + 1).to_string(),
                    c.deal_id.clone(),
                    c.date.clone(),
                    c.region.clone(),
                    c.industry.clone(),
                    c.transaction_type.clone(),
                    money(c.price_yuan),
                    f(c.f_tech),
                    f(c.f_time),
                    f(c.f_region),
                    f(c.f_terms),
                    f(c.f_scale),
                    f(c.f_life),
                    money(c.adjusted_yuan),
                    f64_text(c.similarity, 3),
                    if c.kept {
                        "yes".into()
                    } else {
                        "trimmed".into()
                    },
                ]);
            }
            out.push_str(&t.render());
            let opt = |x: Option<f64>| x.map_or_else(|| "-".into(), money);
            out.push_str(&format!(
                "\nmarket value (median)  {}\nweighted mean          {}\nmin / Q1 / Q3 / max    {} / {} / {} / {}\n",
                o.valuation.value.display_yuan(),
                opt(sm.weighted_mean),
                opt(sm.min),
                opt(sm.q1),
                opt(sm.q3),
                opt(sm.max)
            ));
            for w in &o.valuation.warnings {
                out.push_str(&format!("warning: {w}\n"));
            }
            out.push_str(&deals::footer(&h));
            out
        }
    };
    emit(a.out.as_deref(), &text)?;
    Ok(())
}
