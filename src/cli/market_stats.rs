//! `techval market-stats`: print or export the time index, region index and IP-pledge totals.

use super::output::{emit, Align, Table};
use crate::data::stats::{PledgeRow, RegionRow, TimeRow, TECH_MARKET_CSV};
use crate::data::MarketIndices;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum StatsFormat {
    /// Tables for the terminal.
    #[default]
    Table,
    /// CSV (one table: choose it with --what).
    Csv,
    /// JSON with every table and the sources.
    Json,
}

/// Which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum StatsWhat {
    /// Every table (table and json formats; csv needs one table).
    #[default]
    All,
    /// Time index by year.
    Time,
    /// Region index by province and year.
    Region,
    /// IP-pledge financing by year.
    Pledge,
}

/// Arguments of `techval market-stats`.
#[derive(Debug, Args)]
pub struct MarketStatsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
    /// Which table.
    #[arg(long, value_enum, default_value_t = StatsWhat::All)]
    pub what: StatsWhat,
    /// Region index for this year only (default: the last statistics year; `--year all` is not
    /// needed: CSV and JSON carry every year).
    #[arg(long)]
    pub year: Option<i32>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Serialize)]
struct StatsDoc<'a> {
    source_file: &'static str,
    source: &'a str,
    time_index_definition: &'static str,
    region_index_definition: &'static str,
    time_index: &'a [TimeRow],
    region_index: &'a [RegionRow],
    ip_pledge_financing: &'a [PledgeRow],
}

const TIME_DEF: &str = "national registered technology-contract value / contracts, 万元 per contract (outflow totals); years between statistical years interpolated log-linearly";
const REGION_DEF: &str = "province average value per contract (outflow, by seller region) / national average of the year; a province-year without data takes the nearest year with data";

/// Runs `techval market-stats`.
pub fn run(a: MarketStatsArgs, models: &crate::ModelBook) -> anyhow::Result<()> {
    let ix = MarketIndices::shipped()?;
    let (_, last) = ix.year_range();
    let text = match a.format {
        StatsFormat::Json => {
            let doc = StatsDoc {
                source_file: TECH_MARKET_CSV.0,
                source: &ix.source,
                time_index_definition: TIME_DEF,
                region_index_definition: REGION_DEF,
                time_index: if matches!(a.what, StatsWhat::All | StatsWhat::Time) {
                    &ix.time
                } else {
                    &[]
                },
                region_index: if matches!(a.what, StatsWhat::All | StatsWhat::Region) {
                    &ix.region
                } else {
                    &[]
                },
                ip_pledge_financing: if matches!(a.what, StatsWhat::All | StatsWhat::Pledge) {
                    &ix.pledge
                } else {
                    &[]
                },
            };
            crate::envelope::Envelope::new("market-stats", &models.origin)
                .wrap(doc)
                .to_json()?
        }
        StatsFormat::Csv => match a.what {
            StatsWhat::Time => {
                let mut s = String::from(
                    "year,contracts,value_wan_yuan,time_index_wan_per_contract,interpolated\n",
                );
                for r in &ix.time {
                    s.push_str(&format!(
                        "{},{},{},{},{}\n",
                        r.year,
                        r.contracts.map_or(String::new(), |c| c.to_string()),
                        r.value_wan.map_or(String::new(), |v| v.to_string()),
                        r.index_wan,
                        r.interpolated
                    ));
                }
                s
            }
            StatsWhat::Region => {
                let mut s = String::from("region,region_zh,year,avg_wan_per_contract,national_avg_wan,region_index,from_year\n");
                for r in ix
                    .region
                    .iter()
                    .filter(|r| a.year.is_none_or(|y| r.year == y))
                {
                    s.push_str(&format!(
                        "{},{},{},{},{},{},{}\n",
                        r.region,
                        r.region_zh,
                        r.year,
                        r.avg_wan,
                        r.national_avg_wan,
                        r.index,
                        r.from_year
                    ));
                }
                s
            }
            StatsWhat::Pledge => {
                let mut s = String::from("year,amount_yi_yuan,source\n");
                for r in &ix.pledge {
                    s.push_str(&format!(
                        "{},{},\"{}\"\n",
                        r.year, r.amount_yi_yuan, r.source
                    ));
                }
                s
            }
            StatsWhat::All => {
                return Err(crate::Error::field(
                    "--what",
                    "all",
                    "--format csv writes one table: choose --what time, region or pledge",
                )
                .into())
            }
        },
        StatsFormat::Table => {
            let mut out = String::new();
            if matches!(a.what, StatsWhat::All | StatsWhat::Time) {
                out.push_str(
                    "time index — national average value per registered technology contract\n",
                );
                let mut t = Table::new(
                    &[
                        "year",
                        "contracts",
                        "value (万元)",
                        "index (万元/contract)",
                        "note",
                    ],
                    &[
                        Align::Right,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                        Align::Left,
                    ],
                );
                for r in &ix.time {
                    t.row([
                        r.year.to_string(),
                        r.contracts.map_or(String::new(), |c| c.to_string()),
                        r.value_wan.map_or(String::new(), |v| format!("{v:.0}")),
                        format!("{:.2}", r.index_wan),
                        if r.interpolated {
                            "interpolated".into()
                        } else {
                            String::new()
                        },
                    ]);
                }
                out.push_str(&t.render());
                out.push('\n');
            }
            if matches!(a.what, StatsWhat::All | StatsWhat::Region) {
                let y = a.year.unwrap_or(last);
                out.push_str(&format!(
                    "region index {y} — province average per contract (outflow) / national average\n"
                ));
                let mut t = Table::new(
                    &[
                        "province",
                        "省份",
                        "avg (万元/contract)",
                        "index",
                        "from year",
                    ],
                    &[
                        Align::Left,
                        Align::Left,
                        Align::Right,
                        Align::Right,
                        Align::Right,
                    ],
                );
                let mut rows: Vec<&RegionRow> = ix.region.iter().filter(|r| r.year == y).collect();
                rows.sort_by(|p, q| q.index.total_cmp(&p.index));
                if rows.is_empty() {
                    return Err(crate::Error::field(
                        "--year",
                        y,
                        format!("the region index covers {}–{last}", ix.year_range().0),
                    )
                    .into());
                }
                for r in rows {
                    t.row([
                        r.region.clone(),
                        r.region_zh.clone(),
                        format!("{:.2}", r.avg_wan),
                        format!("{:.4}", r.index),
                        r.from_year.to_string(),
                    ]);
                }
                out.push_str(&t.render());
                out.push('\n');
            }
            if matches!(a.what, StatsWhat::All | StatsWhat::Pledge) {
                out.push_str("IP-pledge financing registered nationwide\n");
                let mut t = Table::new(&["year", "amount (亿元)"], &[Align::Right, Align::Right]);
                for r in &ix.pledge {
                    t.row([
                        r.year.to_string(),
                        crate::money::group_thousands(r.amount_yi_yuan, 1),
                    ]);
                }
                out.push_str(&t.render());
                out.push_str("source: CNIPA (国家知识产权局) press figures\n\n");
            }
            out.push_str(&format!("source: {} ({})\n", ix.source, TECH_MARKET_CSV.0));
            out
        }
    };
    emit(a.out.as_deref(), &text)?;
    Ok(())
}
