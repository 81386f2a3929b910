//! Plain input structs of the charts.
//!
//! Each chart takes a small struct of already-computed numbers and already-translated labels, so
//! that any stage can feed it: the Monte Carlo result maps into [`McHistogram`], a sensitivity
//! run into [`Tornado`], the approaches and the reconciliation into [`FootballField`], the market
//! approach's comparables into [`Comparables`], a loan offer's schedule into [`LoanSchedule`], a
//! guarantee plan into [`LossSharing`], technology-market statistics into [`MarketStats`].
//!
//! Amounts are `f64` in 元 (charts are presentation: money crosses to `f64` through
//! [`Money::to_f64`](crate::money::Money::to_f64) and never comes back); the charts show them in
//! 万元 (or 亿元 where said). Non-finite numbers are skipped when drawn; a chart with nothing
//! left to draw is an error naming the chart.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;
use std::path::Path;

/// Monte Carlo distribution of the value: a histogram with P5 / P50 / P95 and the pledge value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McHistogram {
    /// Chart title.
    pub title: String,
    /// X-axis caption, e.g. `评估价值（万元）`.
    pub x_label: String,
    /// Y-axis caption, e.g. `频率（%）`.
    pub y_label: String,
    /// The histogram of the simulated values (元), as the Monte Carlo stage binned them;
    /// drawn as the share of paths in each bin.
    pub bins: Vec<crate::valuation::uncertainty::HistogramBin>,
    /// 5th, 50th and 95th percentiles, 元, as the Monte Carlo stage computed them.
    pub p5: f64,
    /// Median, 元.
    pub p50: f64,
    /// 95th percentile, 元.
    pub p95: f64,
    /// The pledge value (or any reference value) to mark, with its label.
    pub pledge: Option<Marker>,
}

/// A labelled value marked on a chart (元).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marker {
    /// Label, e.g. `质押价值`.
    pub label: String,
    /// Value, 元.
    pub value: f64,
}

/// One input of a tornado chart: the value with the input at its low and at its high end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TornadoBar {
    /// The input, e.g. `折现率 r`.
    pub label: String,
    /// The value with this input at its low end, others at their point values (元).
    pub value_low: f64,
    /// The value with this input at its high end (元).
    pub value_high: f64,
    /// Optional text for the low end, e.g. `10%`.
    pub low_note: Option<String>,
    /// Optional text for the high end.
    pub high_note: Option<String>,
}

/// Tornado of input swings around the base value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tornado {
    /// Chart title.
    pub title: String,
    /// X-axis caption.
    pub x_label: String,
    /// The value with every input at its point value (元).
    pub base: f64,
    /// Legend text of the low and the high end, e.g. (`输入取低值`, `输入取高值`).
    pub legend: (String, String),
    /// One bar per input (drawn sorted by swing, widest on top).
    pub bars: Vec<TornadoBar>,
}

/// One bar of the football field: the range of an approach.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeBar {
    /// The approach, e.g. `收益法`.
    pub label: String,
    /// Low end (e.g. P5), 元.
    pub low: f64,
    /// High end (e.g. P95), 元.
    pub high: f64,
    /// The approach's point value, 元.
    pub point: Option<f64>,
}

/// Football field: the range of each approach and the concluded value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FootballField {
    /// Chart title.
    pub title: String,
    /// X-axis caption.
    pub x_label: String,
    /// One bar per approach, top to bottom.
    pub bars: Vec<RangeBar>,
    /// The concluded value.
    pub concluded: Option<Marker>,
    /// Legend text of the point marker and the range, e.g. (`点估计`, `区间 P5–P95`).
    pub legend: (String, String),
}

/// One bar of a [`Totals`] chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalBar {
    /// The group, e.g. `C27 医药制造业` or `Shandong`.
    pub label: String,
    /// Its total, 元.
    pub value: f64,
    /// Text after the value, e.g. `(118)` for the number of subjects.
    pub note: Option<String>,
}

/// Totals by group as horizontal bars from zero, largest on top (a portfolio's value by
/// industry or by province).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Chart title.
    pub title: String,
    /// X-axis caption.
    pub x_label: String,
    /// The bars, drawn largest on top.
    pub bars: Vec<TotalBar>,
    /// File stem and HTML id (e.g. `portfolio_by_industry`).
    pub name: &'static str,
}

/// One comparable deal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparablePoint {
    /// Deal date.
    pub date: NaiveDate,
    /// Price after all adjustment factors, 元.
    pub adjusted_price: f64,
    /// Region (legend group), already in the report language.
    pub region: String,
}

/// Comparables: adjusted price against deal date, coloured by region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparables {
    /// Chart title.
    pub title: String,
    /// X-axis caption.
    pub x_label: String,
    /// Y-axis caption.
    pub y_label: String,
    /// The deals.
    pub points: Vec<ComparablePoint>,
    /// The market-approach value of the subject, drawn as a line.
    pub subject: Option<Marker>,
}

/// One period of a loan schedule (元).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanPeriod {
    /// Period number, 1-based.
    pub period: u32,
    /// Principal repaid in the period.
    pub principal: f64,
    /// Interest paid in the period.
    pub interest: f64,
    /// Outstanding principal after the period.
    pub balance: f64,
}

/// Loan schedule: principal and interest stacked per period, the balance as a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanSchedule {
    /// Chart title.
    pub title: String,
    /// X-axis caption, e.g. `期次（月）`.
    pub x_label: String,
    /// Left axis caption (payments).
    pub y_label: String,
    /// Right axis caption (balance).
    pub y2_label: String,
    /// Legend texts: principal, interest, balance.
    pub legend: [String; 3],
    /// The periods.
    pub periods: Vec<LoanPeriod>,
}

/// One loss scenario and the share each party bears (元, in the order of `parties`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossScenario {
    /// Scenario label, e.g. `违约损失 100%`.
    pub label: String,
    /// Amount borne by each party, 元.
    pub amounts: Vec<f64>,
}

/// Loss sharing among bank, guarantors and the risk-compensation pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossSharing {
    /// Chart title.
    pub title: String,
    /// X-axis caption.
    pub x_label: String,
    /// The parties, e.g. `银行`, `省担保`, `风险补偿资金池`.
    pub parties: Vec<String>,
    /// The scenarios, top to bottom.
    pub scenarios: Vec<LossScenario>,
}

/// One line of the market statistics chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketSeries {
    /// Region name in the report language.
    pub label: String,
    /// Drawn thicker (the subject's region).
    pub highlight: bool,
    /// (year, technology-contract value in 元).
    pub points: Vec<(i32, f64)>,
}

/// Technology-contract value by province and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketStats {
    /// Chart title.
    pub title: String,
    /// X-axis caption.
    pub x_label: String,
    /// Y-axis caption (the chart shows 亿元).
    pub y_label: String,
    /// One line per region.
    pub series: Vec<MarketSeries>,
    /// Source line under the chart.
    pub source: Option<String>,
}

/// Direction of a technology-market flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// 吸纳: contracts by buyer region.
    Inflow,
    /// 输出: contracts by seller region.
    Outflow,
}

impl Flow {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Inflow => "inflow",
            Flow::Outflow => "outflow",
        }
    }
}

/// One row of the technology-market statistics (`tech_market_by_province.csv`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TechMarketRow {
    /// Region, Chinese (`全国` for the national total).
    pub region_zh: String,
    /// Region, English (`China` for the national total).
    pub region_en: String,
    /// Year.
    pub year: i32,
    /// Inflow or outflow.
    pub direction: Flow,
    /// Registered contracts (empty in the source for some early years).
    pub contracts: Option<u64>,
    /// Contract value, 万元 (empty in the source for some early years).
    pub value_wan_yuan: Option<f64>,
}

/// Reads `tech_market_by_province.csv` (header
/// `region_zh,region_en,year,direction,contracts,value_wan_yuan`). A bad row is an error naming
/// the file, the line, the column and the value. A small loader: the file has under 1,000 rows.
pub fn read_tech_market_csv(path: &Path) -> Result<Vec<TechMarketRow>> {
    let label = path.display().to_string();
    let bytes = crate::input::read_bytes(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::InFile {
        file: label.clone(),
        detail: format!(
            "byte {} is not UTF-8 text: expected a CSV file",
            e.valid_up_to()
        ),
    })?;
    parse_tech_market_csv(&label, text)
}

/// Parses the text of `tech_market_by_province.csv`; `label` names the file in errors.
pub fn parse_tech_market_csv(label: &str, text: &str) -> Result<Vec<TechMarketRow>> {
    const HEADER: [&str; 6] = [
        "region_zh",
        "region_en",
        "year",
        "direction",
        "contracts",
        "value_wan_yuan",
    ];
    let err = |line: usize, detail: String| Error::InFile {
        file: label.to_string(),
        detail: format!("line {line}: {detail}"),
    };
    let mut lines = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .enumerate();
    let (_, head) = lines
        .next()
        .ok_or_else(|| err(1, "file is empty: expected a header".into()))?;
    let cols: Vec<&str> = head.split(',').map(str::trim).collect();
    if cols != HEADER {
        return Err(err(
            1,
            format!("header is `{head}`: expected `{}`", HEADER.join(",")),
        ));
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() != HEADER.len() {
            return Err(err(
                n,
                format!("{} fields: expected {}", f.len(), HEADER.len()),
            ));
        }
        let year = f[2]
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y));
        let year = year.ok_or_else(|| {
            err(
                n,
                format!("column year = {}: must be a year from 1900 to 2200", f[2]),
            )
        })?;
        let direction = match f[3] {
            "inflow" => Flow::Inflow,
            "outflow" => Flow::Outflow,
            other => {
                return Err(err(
                    n,
                    format!("column direction = {other}: must be inflow or outflow"),
                ))
            }
        };
        let contracts = if f[4].is_empty() {
            None
        } else {
            Some(f[4].parse::<u64>().map_err(|_| {
                err(
                    n,
                    format!(
                        "column contracts = {}: must be a whole number of contracts",
                        f[4]
                    ),
                )
            })?)
        };
        let value = if f[5].is_empty() {
            None
        } else {
            let v = f[5]
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0);
            Some(v.ok_or_else(|| {
                err(
                    n,
                    format!(
                        "column value_wan_yuan = {}: must be a number of 万元 ≥ 0 (or empty when missing)",
                        f[5]
                    ),
                )
            })?)
        };
        out.push(TechMarketRow {
            region_zh: f[0].to_string(),
            region_en: f[1].to_string(),
            year,
            direction,
            contracts,
            value_wan_yuan: value,
        });
    }
    if out.is_empty() {
        return Err(err(2, "no data rows".into()));
    }
    Ok(out)
}

/// Builds the series of a [`MarketStats`] chart: the `top` regions by value in the latest year
/// of `direction`, plus `subject_region` (English name, highlighted) when it is not among them.
/// `zh` chooses Chinese region names. The national total is left out (it dwarfs provinces).
pub fn market_series(
    rows: &[TechMarketRow],
    direction: Flow,
    top: usize,
    subject_region: Option<&str>,
    zh: bool,
) -> Vec<MarketSeries> {
    let rows: Vec<&TechMarketRow> = rows
        .iter()
        .filter(|r| r.direction == direction && r.region_en != "China")
        .collect();
    let Some(last) = rows.iter().map(|r| r.year).max() else {
        return Vec::new();
    };
    let mut latest: Vec<(&str, f64)> = rows
        .iter()
        .filter(|r| r.year == last)
        .filter_map(|r| r.value_wan_yuan.map(|v| (r.region_en.as_str(), v)))
        .collect();
    latest.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut chosen: Vec<&str> = latest.iter().take(top).map(|r| r.0).collect();
    if let Some(s) = subject_region {
        if !chosen.contains(&s) && rows.iter().any(|r| r.region_en == s) {
            chosen.push(s);
        }
    }
    chosen
        .iter()
        .map(|en| {
            let mut pts: Vec<(i32, f64)> = rows
                .iter()
                .filter(|r| r.region_en == *en)
                .filter_map(|r| r.value_wan_yuan.map(|v| (r.year, v * 10_000.0)))
                .collect();
            pts.sort_by_key(|p| p.0);
            let label = rows
                .iter()
                .find(|r| r.region_en == *en)
                .map(|r| {
                    if zh {
                        r.region_zh.clone()
                    } else {
                        r.region_en.clone()
                    }
                })
                .unwrap_or_else(|| en.to_string());
            MarketSeries {
                label,
                highlight: Some(*en) == subject_region,
                points: pts,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_errors_name_line_and_column() {
        let h = "region_zh,region_en,year,direction,contracts,value_wan_yuan\n";
        let e = parse_tech_market_csv("t.csv", &format!("{h}北京,Beijing,2020,sideways,1,2\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "t.csv: line 2: column direction = sideways: must be inflow or outflow"
        );
        let e = parse_tech_market_csv("t.csv", &format!("{h}北京,Beijing,20x0,inflow,1,2\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2: column year = 20x0"), "{e}");
        let e = parse_tech_market_csv("t.csv", &format!("{h}北京,Beijing,2020,inflow,1,-2\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2: column value_wan_yuan = -2"), "{e}");
        let ok =
            parse_tech_market_csv("t.csv", &format!("{h}海南,Hainan,2000,outflow,,\n")).unwrap();
        assert_eq!((ok[0].contracts, ok[0].value_wan_yuan), (None, None));
        let e = parse_tech_market_csv("t.csv", "a,b\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.csv: line 1: header is `a,b`"), "{e}");
    }

    #[test]
    fn series_pick_top_regions_and_the_subject() {
        let h = "region_zh,region_en,year,direction,contracts,value_wan_yuan\n";
        let body = "全国,China,2021,inflow,9,900\n北京,Beijing,2021,inflow,1,500\n\
                    上海,Shanghai,2021,inflow,1,300\n广东,Guangdong,2021,inflow,1,100\n\
                    广东,Guangdong,2020,inflow,1,80\n北京,Beijing,2021,outflow,1,999\n";
        let rows = parse_tech_market_csv("t", &format!("{h}{body}")).unwrap();
        let s = market_series(&rows, Flow::Inflow, 1, Some("Guangdong"), true);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].label, "北京");
        assert_eq!(s[0].points, vec![(2021, 5_000_000.0)]);
        assert!(s[1].highlight);
        assert_eq!(s[1].points, vec![(2020, 800_000.0), (2021, 1_000_000.0)]);
    }
}

/// One ring of a radar chart: a value 0–`max` per axis (None: unknown, drawn at the centre
/// with a gap marker).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RadarRing {
    /// Legend label.
    pub label: String,
    /// One value per axis.
    pub values: Vec<Option<f64>>,
}

/// Radar chart: a subject's dimension scores and, on a second ring, the portfolio median.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Radar {
    /// Chart title.
    pub title: String,
    /// Axis labels (the dimensions).
    pub axes: Vec<String>,
    /// The outer value of every axis (100 for scores).
    pub max: f64,
    /// Rings, drawn in order.
    pub rings: Vec<RadarRing>,
}

/// A group of points of a scatter chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScatterGroup {
    /// Legend label (a grade).
    pub label: String,
    /// (x, y) points; y in 元.
    pub points: Vec<(f64, f64)>,
}

/// Scatter of score against value (y on a log scale, 万元).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scatter {
    /// File stem.
    pub name: &'static str,
    /// Chart title.
    pub title: String,
    /// X-axis caption.
    pub x_label: String,
    /// Y-axis caption.
    pub y_label: String,
    /// The groups.
    pub groups: Vec<ScatterGroup>,
}
