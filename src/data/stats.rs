//! Technology-market statistics shipped in `datasets/` and the indices built from them.
//!
//! * `datasets/tech_market_by_province.csv`: registered technology contracts (count, value in
//!   万元) by province and year (2000, 2005, 2010, 2012–2023), inflow and outflow. Source: China
//!   Statistical Yearbook on Science and Technology (中国科技统计年鉴), as compiled in the
//!   MIT-licensed R package `techme` by Hu Huaping.
//! * `datasets/ip_pledge_financing.csv`: IP-pledge financing registered nationwide by year
//!   (CNIPA press figures).
//!
//! From the contract statistics:
//! * **time index** `I(y)` = national registered contract value ÷ national contract count in
//!   year `y`, in 万元 per contract (2023: 614,756,578 / 945,946 = 649.89 万元). Years between two
//!   statistical years (2001–2004, 2006–2009, 2011) are interpolated log-linearly and flagged.
//!   The time factor of the market approach is `I(subject year) / I(deal year)`; years outside
//!   2000–2023 are held at the nearest end (a warning says so).
//! * **region index** `R(p, y)` = the province's average value per contract ÷ the national
//!   average, by the seller's region (outflow, 技术输出: technology contracts are registered
//!   where the seller is). A province-year without data takes the nearest year with data (the
//!   later on a tie) and records which year it used. The region factor is
//!   `R(subject region, subject year) / R(deal region, deal year)`.

use crate::error::{Error, Result};
use crate::subject::REGIONS;
use polars::prelude::*;
use rust_decimal::Decimal;
use std::io::Cursor;

/// The shipped contract statistics (compiled in).
pub const TECH_MARKET_CSV: (&str, &str) = (
    "datasets/tech_market_by_province.csv",
    include_str!("../../datasets/tech_market_by_province.csv"),
);

/// The shipped IP-pledge financing totals (compiled in).
pub const PLEDGE_CSV: (&str, &str) = (
    "datasets/ip_pledge_financing.csv",
    include_str!("../../datasets/ip_pledge_financing.csv"),
);

/// Attribution of the contract statistics, for tables and JSON.
pub const TECH_MARKET_SOURCE: &str = "China Statistical Yearbook on Science and Technology \
(中国科技统计年鉴), technology-market tables, as compiled in the MIT-licensed R package `techme` \
by Hu Huaping";

/// One year of the time index.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimeRow {
    /// Year.
    pub year: i32,
    /// National registered contracts (None for an interpolated year).
    pub contracts: Option<i64>,
    /// National registered value, 万元 (None for an interpolated year).
    pub value_wan: Option<f64>,
    /// Average value per contract, 万元: the index.
    pub index_wan: f64,
    /// True when the year is interpolated between statistical years.
    pub interpolated: bool,
}

/// One province-year of the region index.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RegionRow {
    /// Province, English name.
    pub region: String,
    /// Province, Chinese name.
    pub region_zh: String,
    /// Year.
    pub year: i32,
    /// Province average value per contract (outflow), 万元, of the year used.
    pub avg_wan: f64,
    /// National average of the year used, 万元.
    pub national_avg_wan: f64,
    /// `avg_wan / national_avg_wan`.
    pub index: f64,
    /// The statistical year the figures come from (differs from `year` when filled).
    pub from_year: i32,
}

/// One year of IP-pledge financing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PledgeRow {
    /// Year.
    pub year: i32,
    /// Amount registered nationwide, 亿元.
    pub amount_yi_yuan: Decimal,
    /// Source.
    pub source: String,
}

/// One statistics row: (region_en, year, contracts, value in 万元).
pub type StatRow = (String, i32, Option<i64>, Option<f64>);

/// The raw contract statistics as a typed frame.
#[derive(Debug, Clone)]
pub struct MarketStats {
    /// Columns `region_zh, region_en, year (Int32), direction, contracts (Int64, nullable),
    /// value_wan_yuan (Float64, nullable)`.
    pub frame: DataFrame,
    /// Where the table comes from.
    pub source: String,
}

/// The time and region indices used as adjustment factors, and the pledge totals.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketIndices {
    /// Time index, one row per year from the first to the last statistical year.
    pub time: Vec<TimeRow>,
    /// Region index, one row per province and year (same years as `time`).
    pub region: Vec<RegionRow>,
    /// IP-pledge financing totals.
    pub pledge: Vec<PledgeRow>,
    /// Citation of the statistics.
    pub source: String,
}

fn pe(label: &str) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::InFile {
        file: label.to_string(),
        detail: one_line(&e.to_string()),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl MarketStats {
    /// The shipped statistics.
    pub fn shipped() -> Result<MarketStats> {
        Self::parse(TECH_MARKET_CSV.0, TECH_MARKET_CSV.1)
    }

    /// Parses a statistics CSV with the columns of the shipped file.
    pub fn parse(label: &str, text: &str) -> Result<MarketStats> {
        let schema = Schema::from_iter([
            Field::new("region_zh".into(), DataType::String),
            Field::new("region_en".into(), DataType::String),
            Field::new("year".into(), DataType::Int32),
            Field::new("direction".into(), DataType::String),
            Field::new("contracts".into(), DataType::Int64),
            Field::new("value_wan_yuan".into(), DataType::Float64),
        ]);
        let frame = CsvReadOptions::default()
            .with_has_header(true)
            .with_schema(Some(Arc::new(schema)))
            .into_reader_with_file_handle(Cursor::new(text.as_bytes().to_vec()))
            .finish()
            .map_err(pe(label))?;
        Ok(MarketStats {
            frame,
            source: label.to_string(),
        })
    }

    /// Rows of one direction (`inflow` or `outflow`) as (region_en, year, contracts, value 万元),
    /// national total included as `China`.
    pub fn direction_rows(&self, direction: &str) -> Result<Vec<StatRow>> {
        let df = self
            .frame
            .clone()
            .lazy()
            .filter(col("direction").eq(lit(direction)))
            .select([
                col("region_en"),
                col("year"),
                col("contracts"),
                col("value_wan_yuan"),
            ])
            .collect()
            .map_err(pe(&self.source))?;
        let reg = df.column("region_en").and_then(|c| c.str().cloned());
        let yr = df.column("year").and_then(|c| c.i32().cloned());
        let ct = df.column("contracts").and_then(|c| c.i64().cloned());
        let vl = df.column("value_wan_yuan").and_then(|c| c.f64().cloned());
        let (reg, yr, ct, vl) = match (reg, yr, ct, vl) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            _ => {
                return Err(Error::Internal(
                    "statistics frame has unexpected types".into(),
                ))
            }
        };
        Ok(reg
            .iter()
            .zip(yr.iter())
            .zip(ct.iter())
            .zip(vl.iter())
            .filter_map(|(((r, y), c), v)| Some((r?.to_string(), y?, c, v)))
            .collect())
    }

    /// Builds the time and region indices (and reads the shipped pledge totals).
    pub fn indices(&self) -> Result<MarketIndices> {
        let out = self.direction_rows("outflow")?;
        let national: Vec<(i32, i64, f64)> = out
            .iter()
            .filter(|r| r.0 == "China")
            .filter_map(|r| match (r.2, r.3) {
                (Some(c), Some(v)) if c > 0 && v > 0.0 => Some((r.1, c, v)),
                _ => None,
            })
            .collect();
        if national.is_empty() {
            return Err(Error::InFile {
                file: self.source.clone(),
                detail: "no national (region_en = China) outflow rows with contracts and value"
                    .into(),
            });
        }
        let mut years: Vec<i32> = national.iter().map(|r| r.0).collect();
        years.sort_unstable();
        years.dedup();
        let (y0, y1) = (years[0], years[years.len() - 1]);
        let nat_avg = |y: i32| {
            national
                .iter()
                .find(|r| r.0 == y)
                .map(|r| (r.1, r.2, r.2 / r.1 as f64))
        };
        let mut time = Vec::new();
        for y in y0..=y1 {
            match nat_avg(y) {
                Some((c, v, a)) => time.push(TimeRow {
                    year: y,
                    contracts: Some(c),
                    value_wan: Some(v),
                    index_wan: a,
                    interpolated: false,
                }),
                None => {
                    // Log-linear between the neighbouring statistical years.
                    let lo = years.iter().rev().find(|&&s| s < y).copied().unwrap_or(y0);
                    let hi = years.iter().find(|&&s| s > y).copied().unwrap_or(y1);
                    let (a_lo, a_hi) = (
                        nat_avg(lo).map_or(f64::NAN, |r| r.2),
                        nat_avg(hi).map_or(f64::NAN, |r| r.2),
                    );
                    let w = f64::from(y - lo) / f64::from((hi - lo).max(1));
                    let a = (a_lo.ln() * (1.0 - w) + a_hi.ln() * w).exp();
                    time.push(TimeRow {
                        year: y,
                        contracts: None,
                        value_wan: None,
                        index_wan: a,
                        interpolated: true,
                    });
                }
            }
        }
        let mut region = Vec::new();
        for (zh, en) in REGIONS {
            let avail: Vec<(i32, f64, f64)> = out
                .iter()
                .filter(|r| r.0 == en)
                .filter_map(|r| match (r.2, r.3, nat_avg(r.1)) {
                    (Some(c), Some(v), Some(n)) if c > 0 && v > 0.0 => {
                        Some((r.1, v / c as f64, n.2))
                    }
                    _ => None,
                })
                .collect();
            for y in y0..=y1 {
                // The nearest statistical year with data; the later one on a tie.
                let best = avail
                    .iter()
                    .min_by_key(|r| ((r.0 - y).abs(), -r.0))
                    .copied();
                match best {
                    Some((fy, avg, nat)) => region.push(RegionRow {
                        region: en.to_string(),
                        region_zh: zh.to_string(),
                        year: y,
                        avg_wan: avg,
                        national_avg_wan: nat,
                        index: avg / nat,
                        from_year: fy,
                    }),
                    None => {
                        return Err(Error::InFile {
                            file: self.source.clone(),
                            detail: format!(
                                "region {en}: no outflow year with contracts and value"
                            ),
                        })
                    }
                }
            }
        }
        Ok(MarketIndices {
            time,
            region,
            pledge: pledge_rows()?,
            source: TECH_MARKET_SOURCE.to_string(),
        })
    }
}

/// Parses the shipped pledge totals.
pub fn pledge_rows() -> Result<Vec<PledgeRow>> {
    let (label, text) = PLEDGE_CSV;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, ',');
        let (y, a, s) = (parts.next(), parts.next(), parts.next());
        let bad = || Error::InFile {
            file: label.to_string(),
            detail: format!("line {}: expected year,amount_yi_yuan,source", i + 1),
        };
        let year = y
            .and_then(|y| y.trim().parse::<i32>().ok())
            .ok_or_else(bad)?;
        let amount = a
            .and_then(|a| a.trim().parse::<Decimal>().ok())
            .ok_or_else(bad)?;
        rows.push(PledgeRow {
            year,
            amount_yi_yuan: amount,
            source: s.unwrap_or("").trim().to_string(),
        });
    }
    Ok(rows)
}

impl MarketIndices {
    /// The indices from the shipped statistics.
    pub fn shipped() -> Result<MarketIndices> {
        MarketStats::shipped()?.indices()
    }

    /// First and last year of the indices.
    pub fn year_range(&self) -> (i32, i32) {
        (
            self.time.first().map_or(0, |r| r.year),
            self.time.last().map_or(0, |r| r.year),
        )
    }

    /// The time index for a year, clamped to the covered range: (index, year used).
    pub fn time_index(&self, year: i32) -> (f64, i32) {
        let (lo, hi) = self.year_range();
        let y = year.clamp(lo, hi);
        let v = self
            .time
            .iter()
            .find(|r| r.year == y)
            .map_or(f64::NAN, |r| r.index_wan);
        (v, y)
    }

    /// The region index of a province (English name) for a year, clamped to the covered range:
    /// (index, statistical year the figure comes from).
    pub fn region_index(&self, region: &str, year: i32) -> Option<(f64, i32)> {
        let (lo, hi) = self.year_range();
        let y = year.clamp(lo, hi);
        self.region
            .iter()
            .find(|r| r.region == region && r.year == y)
            .map(|r| (r.index, r.from_year))
    }

    /// The time index as a frame: `year` (Int32), `time_index` (Float64).
    pub fn time_frame(&self) -> Result<DataFrame> {
        let years: Vec<i32> = self.time.iter().map(|r| r.year).collect();
        let ix: Vec<f64> = self.time.iter().map(|r| r.index_wan).collect();
        DataFrame::new_infer_height(vec![
            Column::new("year".into(), years),
            Column::new("time_index".into(), ix),
        ])
        .map_err(|e| Error::Internal(e.to_string()))
    }

    /// The region index as a frame: `region` (String), `year` (Int32), `region_index` (Float64).
    pub fn region_frame(&self) -> Result<DataFrame> {
        let reg: Vec<&str> = self.region.iter().map(|r| r.region.as_str()).collect();
        let years: Vec<i32> = self.region.iter().map(|r| r.year).collect();
        let ix: Vec<f64> = self.region.iter().map(|r| r.index).collect();
        DataFrame::new_infer_height(vec![
            Column::new("region".into(), reg),
            Column::new("year".into(), years),
            Column::new("region_index".into(), ix),
        ])
        .map_err(|e| Error::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_index_reproduces_the_2023_national_average() {
        let ix = MarketIndices::shipped().unwrap();
        let (v, y) = ix.time_index(2023);
        assert_eq!(y, 2023);
        // 614,756,578 万元 / 945,946 contracts = 649.885… 万元.
        assert!((v - 614_756_578.0 / 945_946.0).abs() < 1e-9, "{v}");
        assert_eq!((v * 100.0).round() / 100.0, 649.89);
        assert_eq!(ix.year_range(), (2000, 2023));
        // 2011 is interpolated between 2010 and 2012, inside their range.
        let r2011 = ix.time.iter().find(|r| r.year == 2011).unwrap();
        assert!(r2011.interpolated);
        let (a, b) = (ix.time_index(2010).0, ix.time_index(2012).0);
        assert!(r2011.index_wan > a.min(b) && r2011.index_wan < a.max(b));
        // Held flat past the end.
        assert_eq!(ix.time_index(2030), (v, 2023));
    }

    #[test]
    fn region_index_is_province_over_national_and_fills_gaps() {
        let ix = MarketIndices::shipped().unwrap();
        // Beijing 2023 outflow: 85,369,394 万元 / 106,552 contracts, national 649.885….
        let (b, fy) = ix.region_index("Beijing", 2023).unwrap();
        assert_eq!(fy, 2023);
        let want = (85_369_394.0 / 106_552.0) / (614_756_578.0 / 945_946.0);
        assert!((b - want).abs() < 1e-12, "{b} vs {want}");
        // Tibet has no outflow figures before 2017: 2014 takes 2017's.
        let (_, fy) = ix.region_index("Tibet", 2014).unwrap();
        assert_eq!(fy, 2017);
        assert_eq!(ix.region.len(), 31 * 24);
        assert_eq!(ix.pledge.len(), 5);
        assert_eq!(ix.pledge[4].amount_yi_yuan, Decimal::new(85399, 1));
    }
}
