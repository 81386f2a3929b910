//! `techval portfolio`: value, screen and rank a table of subjects in one run and write the
//! result table, `rejects.csv`, `summary.json`, the charts and `portfolio.html`.
//!
//! Input: a CSV, Parquet or XLSX table whose column names are case-file field paths, or a folder
//! of Parquet partitions (each valued on its own, written to the same file name under
//! `<out>/portfolio/`). Without `--subjects` the shipped sample portfolio runs
//! (`datasets/portfolios/sample.csv` on `datasets/portfolios/template.toml`, compiled in).

use super::report::LangArg;
use crate::data::schema::Reject;
use crate::data::{sheet, DataProvenance};
use crate::envelope::Envelope;
use crate::error::Error;
use crate::input::write_atomic;
use crate::models::ModelBook;
use crate::portfolio::{
    self, PortfolioContext, PortfolioOptions, PortfolioResult, PortfolioTable, SimRequest,
};
use crate::report::{self, Lang, Provenance};
use crate::valuation::Approach;
use clap::{Args, ValueEnum};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// The shipped sample portfolio (1,200 illustrative rows; see datasets/portfolios/README.md).
pub const SAMPLE: &str = include_str!("../../datasets/portfolios/sample.csv");
/// Its template case.
pub const SAMPLE_TEMPLATE: &str = include_str!("../../datasets/portfolios/template.toml");
/// The sample's path as shown in outputs.
pub const SAMPLE_PATH: &str = "datasets/portfolios/sample.csv";
/// The template's path as shown in outputs.
pub const SAMPLE_TEMPLATE_PATH: &str = "datasets/portfolios/template.toml";

/// An approach to run on every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PortfolioApproach {
    /// 收益法.
    Income,
    /// 成本法.
    Cost,
    /// 市场法 (all rows in one pass over the deal history).
    Market,
}

impl From<PortfolioApproach> for Approach {
    fn from(a: PortfolioApproach) -> Approach {
        match a {
            PortfolioApproach::Income => Approach::Income,
            PortfolioApproach::Cost => Approach::Cost,
            PortfolioApproach::Market => Approach::Market,
        }
    }
}

/// Format of the result table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// `portfolio.parquet`.
    Parquet,
    /// `portfolio.csv`.
    Csv,
    /// `portfolio.xlsx` (rows and a summary sheet).
    Xlsx,
}

/// Arguments of `techval portfolio`.
#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// The subjects: a CSV, Parquet or XLSX table (column names are case-file field paths, a
    /// list is one cell with `;` between values) or a folder of Parquet partitions. Without it
    /// the shipped sample portfolio runs on its template.
    #[arg(long, value_name = "PATH")]
    pub subjects: Option<PathBuf>,
    /// A case file whose fields fill what the table leaves out (TOML or JSON).
    #[arg(long, value_name = "CASE")]
    pub template: Option<PathBuf>,
    /// XLSX: the sheet to read (default the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Deal history for rows with market assumptions: a CSV, Parquet or XLSX file, or `public`
    /// / `synthetic`. Default: the public set of real deals.
    #[arg(long, value_name = "PATH")]
    pub deals: Option<PathBuf>,
    /// Rulebook: a shipped name or a TOML file. Default: bank_default.
    #[arg(long, value_name = "NAME|FILE")]
    pub rulebook: Option<String>,
    /// Approaches to run (repeat or separate with commas). Default: every approach a row has
    /// assumptions for; an approach asked for that a row cannot run rejects the row.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub approach: Vec<PortfolioApproach>,
    /// Monte Carlo paths per row (the downside at the rulebook's pledge quantile, P5/P50/P95).
    #[arg(long, value_name = "N")]
    pub simulate: Option<u64>,
    /// Run seed of the simulation (each row's seed is derived from it and the row's id).
    #[arg(long, value_name = "S", default_value_t = crate::valuation::uncertainty::DEFAULT_SEED)]
    pub seed: u64,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "reports/portfolio")]
    pub out: PathBuf,
    /// Format of the result table.
    #[arg(long, value_enum, default_value_t = TableFormat::Parquet)]
    pub format: TableFormat,
    /// Report language.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    pub lang: LangArg,
    /// Rows in the top-N table.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
}

/// One input table and, for a partition, its file name. A partition is read only when its
/// turn comes (and dropped after it), so a folder of partitions is never in memory at once.
struct Part {
    source: Source,
    file_name: Option<String>,
    columns: Vec<String>,
    rows: usize,
}

/// Where a part's rows are.
enum Source {
    Loaded(PortfolioTable),
    Parquet(PathBuf),
}

impl Part {
    fn loaded(table: PortfolioTable) -> Part {
        Part {
            columns: table.columns.clone(),
            rows: table.len(),
            source: Source::Loaded(table),
            file_name: None,
        }
    }

    fn table(self) -> crate::Result<PortfolioTable> {
        match self.source {
            Source::Loaded(t) => Ok(t),
            Source::Parquet(p) => portfolio::read_table(&p, None),
        }
    }
}

fn io_err(path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: format!("cannot read: {}", crate::input::io_reason(e)),
    }
}

/// The Parquet partitions of a folder, by file name.
fn partitions(dir: &Path) -> crate::Result<Vec<Part>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io_err(dir, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::InFile {
            file: dir.display().to_string(),
            detail: "the folder holds no .parquet partition".into(),
        });
    }
    files
        .iter()
        .map(|p| {
            let (columns, rows) = portfolio::read::parquet_outline(p)?;
            Ok(Part {
                source: Source::Parquet(p.clone()),
                file_name: p.file_name().map(|n| n.to_string_lossy().into_owned()),
                columns,
                rows,
            })
        })
        .collect()
}

/// The template case as a TOML table (`.json`: converted).
fn read_template(path: &Path) -> crate::Result<toml::Table> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, &e))?;
    if path.extension().is_some_and(|x| x == "json") {
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::InFile {
            file: label.clone(),
            detail: format!("not valid JSON: {e}"),
        })?;
        toml::Table::try_from(v).map_err(|e| Error::InFile {
            file: label,
            detail: format!("the template is not a case object: {e}"),
        })
    } else {
        parse_template(&label, &text)
    }
}

fn parse_template(label: &str, text: &str) -> crate::Result<toml::Table> {
    text.parse::<toml::Table>().map_err(|e| Error::InFile {
        file: label.to_string(),
        detail: format!("not valid TOML: {}", e.to_string().replace('\n', " ")),
    })
}

fn parquet_bytes(df: &mut DataFrame) -> crate::Result<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .finish(df)
        .map_err(|e| Error::Internal(format!("parquet: {e}")))?;
    Ok(buf)
}

fn csv_bytes(df: &mut DataFrame) -> crate::Result<Vec<u8>> {
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf)
        .finish(df)
        .map_err(|e| Error::Internal(format!("csv: {e}")))?;
    Ok(buf)
}

/// `rejects.csv`: file, row, column, value, reason.
pub fn rejects_csv(rejects: &[Reject]) -> crate::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = |e: csv::Error| Error::Internal(format!("rejects.csv: {e}"));
    w.write_record(["file", "row", "column", "value", "reason"])
        .map_err(e)?;
    for r in rejects {
        w.write_record([
            r.file.as_str(),
            &r.row.to_string(),
            &r.column,
            &r.value,
            &r.reason,
        ])
        .map_err(e)?;
    }
    w.into_inner()
        .map_err(|x| Error::Internal(format!("rejects.csv: {x}")))
}

/// A progress bar on stderr when it is a terminal (hidden otherwise).
fn progress_bar(total: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        let pb = indicatif::ProgressBar::new(total);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} rows  {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// The body of `summary.json`.
#[derive(serde::Serialize)]
struct SummaryDoc<'a> {
    subjects: &'a str,
    template: Option<&'a str>,
    rulebook: &'a str,
    approaches: Option<Vec<&'static str>>,
    simulation: Option<&'a SimRequest>,
    partitions: Vec<String>,
    outputs: Vec<String>,
    #[serde(flatten)]
    summary: &'a portfolio::PortfolioSummary,
    first_rejects: &'a [Reject],
}

/// Runs `techval portfolio`.
pub fn run(a: PortfolioArgs, models: &ModelBook, models_dir: Option<&Path>) -> anyhow::Result<()> {
    // Input.
    let (parts, subjects_label, template, template_label) = match &a.subjects {
        None => {
            eprintln!(
                "note: no --subjects given: running the shipped sample portfolio {SAMPLE_PATH} on {SAMPLE_TEMPLATE_PATH}"
            );
            let t = PortfolioTable::from_text(
                SAMPLE_PATH,
                sheet::read_csv_bytes(SAMPLE_PATH, SAMPLE.as_bytes())?,
            )?;
            let tpl = match &a.template {
                Some(p) => (read_template(p)?, Some(p.display().to_string())),
                None => (
                    parse_template(SAMPLE_TEMPLATE_PATH, SAMPLE_TEMPLATE)?,
                    Some(SAMPLE_TEMPLATE_PATH.to_string()),
                ),
            };
            (vec![Part::loaded(t)], SAMPLE_PATH.to_string(), tpl.0, tpl.1)
        }
        Some(p) => {
            let parts = if p.is_dir() {
                partitions(p)?
            } else {
                vec![Part::loaded(portfolio::read_table(p, a.sheet.as_deref())?)]
            };
            let tpl = match &a.template {
                Some(t) => (read_template(t)?, Some(t.display().to_string())),
                None => (toml::Table::new(), None),
            };
            (parts, p.display().to_string(), tpl.0, tpl.1)
        }
    };
    let rb = crate::rulebook::load_rulebook(a.rulebook.as_deref(), models_dir)?;
    let needs_market = a.approach.is_empty() || a.approach.contains(&PortfolioApproach::Market);
    let has_market = parts
        .iter()
        .any(|p| p.columns.iter().any(|c| c.starts_with("market.")))
        || template.contains_key("market");
    let deals = if needs_market && (has_market || a.deals.is_some()) {
        Some(super::deals::load(
            a.deals.as_ref(),
            None,
            None,
            models.market.selection.k as usize,
        )?)
    } else {
        None
    };
    let opts = PortfolioOptions {
        approaches: (!a.approach.is_empty())
            .then(|| a.approach.iter().map(|x| (*x).into()).collect()),
        simulate: a.simulate.map(|n| SimRequest {
            samples: n,
            seed: a.seed,
            chunk_size: None,
        }),
    };
    if let Some(0) = a.simulate {
        return Err(
            Error::field("--simulate", "0", "the number of paths must be at least 1").into(),
        );
    }
    let lang: Lang = a.lang.into();
    let data = deals.as_ref().map(DataProvenance::of);
    let prov = Provenance {
        techval_version: env!("CARGO_PKG_VERSION").into(),
        case_file: match &template_label {
            Some(t) => format!("{subjects_label} + {t}"),
            None => subjects_label.clone(),
        },
        models: models.origin.clone(),
        seed: opts.simulate.as_ref().map(|s| s.seed),
        draws: opts.simulate.as_ref().map(|s| s.samples),
        data: data
            .iter()
            .map(|d| {
                format!(
                    "{} ({} deals{})",
                    d.deals_file,
                    d.deals,
                    if d.synthetic { ", SYNTHETIC" } else { "" }
                )
            })
            .collect(),
    };

    // Outputs: every file is computed first and written only when all of them are ready (each
    // to a temporary file, then renamed), so a failure leaves no partial set behind.
    let mut pending: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let ext = match a.format {
        TableFormat::Parquet => "parquet",
        TableFormat::Csv => "csv",
        TableFormat::Xlsx => "xlsx",
    };
    let table_bytes = |r: &PortfolioResult| -> crate::Result<Vec<u8>> {
        let mut df = portfolio::result_frame(r)?;
        match a.format {
            TableFormat::Parquet => parquet_bytes(&mut df),
            TableFormat::Csv => csv_bytes(&mut df),
            TableFormat::Xlsx => report::xlsx::portfolio::workbook(
                &df,
                &portfolio::summarize(r, a.top)?,
                &prov.line(lang),
                lang,
            ),
        }
    };

    // The parts in order, one at a time: each is read, valued and encoded, then only its rows'
    // results are kept (moved into the whole run, for the summary and the report).
    let total: u64 = parts.iter().map(|p| p.rows as u64).sum();
    let pb = progress_bar(total);
    let mut all = PortfolioResult {
        source: subjects_label.clone(),
        rows_read: 0,
        rows: Vec::new(),
        rejects: Vec::new(),
        simulate: opts.simulate.clone(),
    };
    let mut partition_names = Vec::new();
    let mut offset = 0u64;
    for part in parts {
        let base = offset;
        let pb2 = pb.clone();
        let tick = move |n: u64| pb2.set_position(base + n);
        let ctx = PortfolioContext {
            models,
            rulebook: &rb.rulebook,
            deals: deals.as_ref(),
            progress: Some(&tick),
        };
        let file_name = part.file_name.clone();
        let table = part.table()?;
        let r = portfolio::run(&table, &template, &opts, &ctx)?;
        offset += table.len() as u64;
        drop(table);
        let path = match &file_name {
            None => a.out.join(format!("portfolio.{ext}")),
            Some(name) => {
                let stem = name.trim_end_matches(".parquet");
                partition_names.push(format!("{stem}.{ext}"));
                a.out.join("portfolio").join(format!("{stem}.{ext}"))
            }
        };
        pending.push((path, table_bytes(&r)?));
        all.rows_read += r.rows_read;
        all.rows.extend(r.rows);
        all.rejects.extend(r.rejects);
    }
    pb.finish_and_clear();
    let summary = portfolio::summarize(&all, a.top)?;
    let mut write = |path: PathBuf, bytes: &[u8]| -> crate::Result<()> {
        pending.push((path, bytes.to_vec()));
        Ok(())
    };
    if summary.rows_valued == 0 {
        // Nothing to chart or tabulate: the rejects are the whole answer.
        write_atomic(&a.out.join("rejects.csv"), &rejects_csv(&all.rejects)?)?;
        print_rejects(&all.rejects);
        return Err(Error::Unsupported(format!(
            "no row of {subjects_label} could be valued ({} rejected, see {})",
            all.rejects.len(),
            a.out.join("rejects.csv").display()
        ))
        .into());
    }
    write(a.out.join("rejects.csv"), &rejects_csv(&all.rejects)?)?;
    let rendered = report::portfolio::render(&all, &summary, &prov, &rb.origin, lang, 2.0)?;
    for c in &rendered.charts {
        write(
            a.out.join("charts").join(format!("{}.svg", c.name)),
            c.svg_standalone.as_bytes(),
        )?;
        write(a.out.join("charts").join(format!("{}.png", c.name)), &c.png)?;
    }
    write(a.out.join("portfolio.html"), rendered.html.as_bytes())?;
    let mut outputs: Vec<String> = pending
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    let summary_path = a.out.join("summary.json");
    outputs.push(summary_path.display().to_string());
    let doc = Envelope::new("portfolio", &models.origin)
        .case(&prov.case_file)
        .seed(opts.simulate.as_ref().map(|s| s.seed))
        .data(data)
        .wrap(SummaryDoc {
            subjects: &subjects_label,
            template: template_label.as_deref(),
            rulebook: &rb.origin,
            approaches: opts
                .approaches
                .as_ref()
                .map(|v| v.iter().map(|x| x.as_str()).collect()),
            simulation: opts.simulate.as_ref(),
            partitions: partition_names,
            outputs,
            summary: &summary,
            first_rejects: &all.rejects[..all.rejects.len().min(10)],
        });
    pending.push((summary_path, doc.to_json()?.into_bytes()));
    for (path, bytes) in &pending {
        write_atomic(path, bytes)?;
    }

    // The terminal.
    print_rejects(&all.rejects);
    println!("{}", summary_line(&summary, &a.out));
    Ok(())
}

fn print_rejects(rejects: &[Reject]) {
    for r in rejects.iter().take(10) {
        let col = if r.column.is_empty() {
            String::new()
        } else {
            format!(", column {}", r.column)
        };
        let val = if r.value.is_empty() {
            String::new()
        } else {
            format!(" = \"{}\"", r.value)
        };
        eprintln!("reject: {}, row {}{col}{val}: {}", r.file, r.row, r.reason);
    }
    if rejects.len() > 10 {
        eprintln!("… {} more rejects in rejects.csv", rejects.len() - 10);
    }
}

fn summary_line(s: &portfolio::PortfolioSummary, out: &Path) -> String {
    format!(
        "portfolio: {} rows read, {} valued, {} rejected; total value {}, pledge-eligible {}; outputs in {}",
        s.rows_read,
        s.rows_valued,
        s.rows_rejected,
        s.total_value.display_yuan(),
        s.total_pledge_value.display_yuan(),
        out.display()
    )
}
