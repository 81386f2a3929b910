//! The audit workbook (XLSX): the inputs, the income and cost tables with live formulas, and
//! every audit step.
//!
//! Sheets:
//! * `概要 Summary` — subject, value by approach, the conclusion, provenance;
//! * `输入 Inputs` — every field of the case file (flattened path → value);
//! * `收益法 Income` — the period table: attributable = base × rate and PV = attributable ×
//!   discount factor as formulas, the value as `=ROUND(SUM(PV), 2)`;
//! * `成本法 Cost` — items (restated = amount × index factor), replacement cost, 成新率,
//!   obsolescence and the value, each a formula over the cells above;
//! * `市场法 Market` — the comparables: adjusted = price × the six factors, the median of the
//!   kept ones and the value `=ROUND(MEDIAN(…), 2)`;
//! * `综合 Reconciliation` — weighted = value × weight, the concluded value `=ROUND(SUM, 2)`;
//! * `蒙特卡洛 Monte Carlo` — the settings (seed, samples), every statistic, the histogram;
//! * `还款计划 Schedule` — opening = last balance, interest = ROUND(opening × period rate, 2),
//!   payment = interest + principal, balance = opening − principal, totals;
//! * `审计轨迹 Audit` — every audit step of every approach.
//!
//! Every formula is written with its cached result, taken from the audit trail (the numbers of
//! the JSON results), so a reader that does not recalculate shows the same figures; a test
//! re-reads the file and re-evaluates each formula against the cached values. Where a method's
//! stream does not follow a formula (e.g. relief from royalty after tax), the cell holds the
//! audited value and says so.

use super::{ConcludedDistribution, Conclusion, Lang, Provenance};
use crate::case::Case;
use crate::error::{Error, Result};
use crate::finance::lend::LoanOffer;
use crate::valuation::market::MarketOutcome;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::{Approach, Valuation};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook, Worksheet};

fn xe(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Internal(format!("xlsx: {e}"))
}

/// `A1` notation of a 0-based cell.
pub fn a1(row: u32, col: u16) -> String {
    let mut c = u32::from(col) + 1;
    let mut s = Vec::new();
    while c > 0 {
        let r = (c - 1) % 26;
        s.push(char::from(b'A' + r as u8));
        c = (c - 1) / 26;
    }
    s.reverse();
    format!("{}{}", s.into_iter().collect::<String>(), row + 1)
}

struct Fmt {
    bold: Format,
    money: Format,
    rate: Format,
    title: Format,
    note: Format,
}

impl Fmt {
    fn new() -> Fmt {
        Fmt {
            bold: Format::new().set_bold(),
            money: Format::new().set_num_format("#,##0.00"),
            rate: Format::new().set_num_format("0.000000"),
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic().set_font_color("#666666"),
        }
    }
}

fn dec(s: &str) -> Option<Decimal> {
    s.parse::<Decimal>().ok()
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// The value of a step, as a decimal.
fn step_value(v: &Valuation, step: &str) -> std::result::Result<Decimal, String> {
    v.audit
        .find(step)
        .and_then(|s| dec(&s.value.value))
        .ok_or_else(|| format!("audit step `{step}` not found or not a number"))
}

/// The value of an input of a step, as a decimal.
fn step_input(v: &Valuation, step: &str, input: &str) -> std::result::Result<Decimal, String> {
    v.audit
        .find(step)
        .and_then(|s| s.inputs.iter().find(|i| i.name == input))
        .and_then(|i| dec(&i.value))
        .ok_or_else(|| format!("audit step `{step}` has no numeric input `{input}`"))
}

fn formula(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    f: &str,
    cached: Decimal,
    fmt: &Format,
) -> Result<()> {
    ws.write_formula_with_format(
        r,
        c,
        Formula::new(f).set_result(cached.normalize().to_string()),
        fmt,
    )
    .map_err(xe)?;
    Ok(())
}

fn num(ws: &mut Worksheet, r: u32, c: u16, d: Decimal, fmt: &Format) -> Result<()> {
    ws.write_number_with_format(r, c, f64_of(d), fmt)
        .map_err(xe)?;
    Ok(())
}

fn text(ws: &mut Worksheet, r: u32, c: u16, s: &str) -> Result<()> {
    ws.write_string(r, c, s).map_err(xe)?;
    Ok(())
}

/// What the workbook holds.
#[derive(Debug, Clone, Copy)]
pub struct WorkbookInput<'a> {
    /// The case (inputs sheet).
    pub case: &'a Case,
    /// The approaches performed.
    pub valuations: &'a [Valuation],
    /// The concluded value.
    pub conclusion: &'a Conclusion,
    /// The reconciliation, when more than one approach ran.
    pub reconciliation: Option<&'a Reconciliation>,
    /// Monte Carlo of the concluded value.
    pub distribution: Option<ConcludedDistribution<'a>>,
    /// The market approach's comparables.
    pub market: Option<&'a MarketOutcome>,
    /// The loan offer (schedule sheet).
    pub offer: Option<&'a LoanOffer>,
    /// Provenance.
    pub provenance: &'a Provenance,
    /// Language of the summary labels.
    pub lang: Lang,
}

/// Builds the workbook.
pub fn workbook(inp: &WorkbookInput<'_>) -> Result<Vec<u8>> {
    let (case, vals, prov) = (inp.case, inp.valuations, inp.provenance);
    let f = Fmt::new();
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(chrono::Datelike::year(&case.subject.valuation_date)).unwrap_or(2000),
        chrono::Datelike::month(&case.subject.valuation_date) as u8,
        chrono::Datelike::day(&case.subject.valuation_date) as u8,
    )
    .map_err(xe)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("techval workbook: {}", case.subject.id))
            .set_author(format!("techval {}", prov.techval_version))
            .set_creation_datetime(&created),
    );
    wb.push_worksheet(summary_sheet(
        case,
        vals,
        inp.conclusion,
        prov,
        inp.lang,
        &f,
    )?);
    wb.push_worksheet(inputs_sheet(case, &f)?);
    for v in vals {
        match v.approach {
            Approach::Income => wb.push_worksheet(income_sheet(v, &f)?),
            Approach::Cost => wb.push_worksheet(cost_sheet(case, v, &f)?),
            Approach::Market => match inp.market {
                Some(m) => wb.push_worksheet(market_sheet(m, &f)?),
                None => continue,
            },
        };
    }
    if let Some(r) = inp.reconciliation {
        wb.push_worksheet(reconcile_sheet(r, &f)?);
    }
    if let Some(d) = &inp.distribution {
        wb.push_worksheet(simulation_sheet(d, &f)?);
    }
    if let Some(o) = inp.offer {
        wb.push_worksheet(schedule_sheet(o, &f)?);
    }
    wb.push_worksheet(audit_sheet(vals, &f)?);
    wb.save_to_buffer().map_err(xe)
}

fn head(ws: &mut Worksheet, r: u32, cols: &[(&str, f64)], f: &Fmt) -> Result<()> {
    for (c, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &f.bold)
            .map_err(xe)?;
        ws.set_column_width(c as u16, *w).map_err(xe)?;
    }
    Ok(())
}

/// The first data row of the market, reconciliation and schedule sheets.
pub const TABLE_FIRST_ROW: u32 = 3;

pub mod portfolio;
mod results;
#[cfg(test)]
mod tests;
mod valuation;

use results::*;
use valuation::*;
