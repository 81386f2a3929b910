//! The portfolio workbook (`techval portfolio --format xlsx`): sheet `组合 Portfolio` with one
//! row per valued subject (the columns of `portfolio::result_frame`; money as numbers with two
//! decimals, taken from the fen-rounded decimal text), and sheet `概要 Summary` with the totals
//! and the groups of the summary.

use super::xe;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::portfolio::{GroupTotal, PortfolioSummary};
use crate::report::Lang;
use polars::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

/// Data rows an XLSX sheet holds (1,048,576 rows, one of them the header).
pub const MAX_ROWS: usize = 1_048_575;

fn num(m: Money) -> f64 {
    m.amount().to_f64().unwrap_or(f64::NAN)
}

fn rows_sheet(df: &DataFrame, money: &Format, bold: &Format) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("组合 Portfolio").map_err(xe)?;
    for (c, col) in df.columns().iter().enumerate() {
        let c16 = u16::try_from(c).map_err(|_| Error::Internal("too many columns".into()))?;
        let name = col.name().as_str();
        ws.write_string_with_format(0, c16, name, bold)
            .map_err(xe)?;
        ws.set_column_width(c16, (name.len() as f64 + 2.0).clamp(8.0, 28.0))
            .map_err(xe)?;
        let s = col.as_materialized_series();
        let pe = |e: PolarsError| Error::Internal(format!("portfolio workbook: {e}"));
        match s.dtype() {
            DataType::String => {
                let is_money = name.ends_with("_yuan") || name == "pledge_rate";
                for (r, v) in s.str().map_err(pe)?.iter().enumerate() {
                    let r = r as u32 + 1;
                    match (v, is_money) {
                        (None, _) => {}
                        (Some(t), true) => match t.parse::<Decimal>() {
                            Ok(d) => {
                                let x = d.to_f64().unwrap_or(f64::NAN);
                                if name == "pledge_rate" {
                                    ws.write_number(r, c16, x).map_err(xe)?;
                                } else {
                                    ws.write_number_with_format(r, c16, x, money).map_err(xe)?;
                                }
                            }
                            Err(_) => {
                                ws.write_string(r, c16, t).map_err(xe)?;
                            }
                        },
                        (Some(t), false) => {
                            ws.write_string(r, c16, t).map_err(xe)?;
                        }
                    }
                }
            }
            DataType::Boolean => {
                for (r, v) in s.bool().map_err(pe)?.iter().enumerate() {
                    if let Some(b) = v {
                        ws.write_boolean(r as u32 + 1, c16, b).map_err(xe)?;
                    }
                }
            }
            _ => {
                let f = s.cast(&DataType::Float64).map_err(pe)?;
                for (r, v) in f.f64().map_err(pe)?.iter().enumerate() {
                    if let Some(x) = v {
                        ws.write_number(r as u32 + 1, c16, x).map_err(xe)?;
                    }
                }
            }
        }
    }
    ws.set_freeze_panes(1, 2).map_err(xe)?;
    Ok(ws)
}

fn groups(
    ws: &mut Worksheet,
    row: &mut u32,
    title: &str,
    g: &[GroupTotal],
    lang: Lang,
    f: (&Format, &Format),
) -> Result<()> {
    *row += 1;
    ws.write_string_with_format(*row, 0, title, f.0)
        .map_err(xe)?;
    *row += 1;
    for (c, k) in [
        "portfolio.col.group",
        "portfolio.col.rows",
        "portfolio.col.value",
        "portfolio.col.pledge_value",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(*row, c as u16, lang.t(k), f.0)
            .map_err(xe)?;
    }
    for x in g {
        *row += 1;
        ws.write_string(*row, 0, &x.key).map_err(xe)?;
        ws.write_number(*row, 1, x.rows as f64).map_err(xe)?;
        ws.write_number_with_format(*row, 2, num(x.value), f.1)
            .map_err(xe)?;
        ws.write_number_with_format(*row, 3, num(x.pledge_value), f.1)
            .map_err(xe)?;
    }
    *row += 1;
    Ok(())
}

/// The portfolio workbook: the rows and the summary (`provenance`: the footer line).
pub fn workbook(
    df: &DataFrame,
    s: &PortfolioSummary,
    provenance: &str,
    lang: Lang,
) -> Result<Vec<u8>> {
    if df.height() > MAX_ROWS {
        return Err(Error::Unsupported(format!(
            "an XLSX sheet holds at most {MAX_ROWS} rows and the portfolio has {}: use --format parquet or csv",
            df.height()
        )));
    }
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let mut wb = Workbook::new();
    let mut sum = Worksheet::new();
    sum.set_name("概要 Summary").map_err(xe)?;
    sum.set_column_width(0, 36).map_err(xe)?;
    sum.set_column_width(1, 20).map_err(xe)?;
    sum.set_column_width(2, 20).map_err(xe)?;
    sum.set_column_width(3, 20).map_err(xe)?;
    sum.write_string_with_format(0, 0, lang.t("portfolio.title"), &bold)
        .map_err(xe)?;
    let mut row = 1;
    let counts = [
        ("portfolio.sum.rows_read", s.rows_read),
        ("portfolio.sum.rows_valued", s.rows_valued),
        ("portfolio.sum.rows_rejected", s.rows_rejected),
        ("portfolio.sum.disagree", s.approaches_disagree),
        ("portfolio.sum.low_confidence", s.market_low_confidence),
        ("portfolio.sum.synthetic", s.synthetic_data),
    ];
    for (k, v) in counts {
        row += 1;
        sum.write_string(row, 0, lang.t(k)).map_err(xe)?;
        sum.write_number(row, 1, v as f64).map_err(xe)?;
    }
    let p = &s.value_p10_p50_p90;
    for (k, v) in [
        ("portfolio.sum.total_value", s.total_value),
        ("portfolio.sum.total_pledge", s.total_pledge_value),
    ] {
        row += 1;
        sum.write_string(row, 0, lang.t(k)).map_err(xe)?;
        sum.write_number_with_format(row, 1, num(v), &money)
            .map_err(xe)?;
    }
    row += 1;
    sum.write_string(row, 0, lang.t("portfolio.sum.p10_p50_p90"))
        .map_err(xe)?;
    for (j, v) in p.iter().enumerate() {
        sum.write_number_with_format(row, 1 + j as u16, num(*v), &money)
            .map_err(xe)?;
    }
    row += 1;
    for (k, g) in [
        ("portfolio.h.by_kind", &s.by_kind),
        ("portfolio.h.by_industry", &s.by_industry),
        ("portfolio.h.by_region", &s.by_region),
    ] {
        groups(&mut sum, &mut row, lang.t(k), g, lang, (&bold, &money))?;
    }
    row += 1;
    sum.write_string(row, 0, provenance).map_err(xe)?;
    wb.push_worksheet(sum);
    wb.push_worksheet(rows_sheet(df, &money, &bold)?);
    wb.save_to_buffer().map_err(xe)
}
