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
use crate::audit::Unit;
use crate::case::Case;
use crate::error::{Error, Result};
use crate::finance::lend::LoanOffer;
use crate::money::{round_half_away, Money};
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

fn market_sheet(m: &MarketOutcome, f: &Fmt) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("市场法 Market").map_err(xe)?;
    ws.write_string_with_format(
        0,
        0,
        "市场法 Market approach — adjusted price = price × Π factors; value = ROUND(MEDIAN(kept), 2)",
        &f.title,
    )
    .map_err(xe)?;
    head(
        &mut ws,
        2,
        &[
            ("deal", 16.0),
            ("date", 11.0),
            ("region", 12.0),
            ("type", 20.0),
            ("price (元)", 16.0),
            ("f_tech", 9.0),
            ("f_time", 9.0),
            ("f_region", 9.0),
            ("f_terms", 9.0),
            ("f_scale", 9.0),
            ("f_life", 9.0),
            ("adjusted (元)", 16.0),
            ("similarity", 10.0),
            ("kept", 6.0),
        ],
        f,
    )?;
    let mut kept = Vec::new();
    let mut notes = false;
    for (i, c) in m.comparables.iter().enumerate() {
        let r = TABLE_FIRST_ROW + i as u32;
        text(&mut ws, r, 0, &c.deal_id)?;
        text(&mut ws, r, 1, &c.date)?;
        text(&mut ws, r, 2, &c.region)?;
        text(&mut ws, r, 3, &c.transaction_type)?;
        ws.write_number_with_format(r, 4, c.price_yuan, &f.money)
            .map_err(xe)?;
        let fs = [
            c.f_tech, c.f_time, c.f_region, c.f_terms, c.f_scale, c.f_life,
        ];
        for (j, x) in fs.iter().enumerate() {
            ws.write_number_with_format(r, 5 + j as u16, *x, &f.rate)
                .map_err(xe)?;
        }
        let product = fs.iter().fold(c.price_yuan, |a, b| a * b);
        if (product - c.adjusted_yuan).abs() <= 1e-6 * c.adjusted_yuan.abs().max(1.0) {
            let cells: Vec<String> = (4..=10).map(|k| a1(r, k)).collect();
            ws.write_formula_with_format(
                r,
                11,
                Formula::new(format!("={}", cells.join("*")))
                    .set_result(format!("{}", c.adjusted_yuan)),
                &f.money,
            )
            .map_err(xe)?;
        } else {
            ws.write_number_with_format(r, 11, c.adjusted_yuan, &f.money)
                .map_err(xe)?;
            text(
                &mut ws,
                r,
                14,
                "adjusted as computed (factors shown rounded)",
            )?;
            notes = true;
        }
        ws.write_number_with_format(r, 12, c.similarity, &f.rate)
            .map_err(xe)?;
        text(&mut ws, r, 13, if c.kept { "yes" } else { "no" })?;
        if c.kept {
            kept.push(a1(r, 11));
        }
    }
    let r = TABLE_FIRST_ROW + m.comparables.len() as u32 + 1;
    if let (Some(med), false) = (m.summary.median, kept.is_empty()) {
        text(&mut ws, r, 10, "median")?;
        ws.write_formula_with_format(
            r,
            11,
            Formula::new(format!("=MEDIAN({})", kept.join(","))).set_result(format!("{med}")),
            &f.money,
        )
        .map_err(xe)?;
        text(&mut ws, r + 1, 10, "value (元)")?;
        let rounded = crate::money::Money::from_f64_boundary(med).ok();
        if rounded == Some(m.valuation.value) {
            formula(
                &mut ws,
                r + 1,
                11,
                &format!("=ROUND({},2)", a1(r, 11)),
                m.valuation.value.amount(),
                &f.money,
            )?;
        } else {
            num(&mut ws, r + 1, 11, m.valuation.value.amount(), &f.money)?;
        }
    }
    if notes {
        ws.write_string_with_format(
            1,
            0,
            "cells marked in column O hold computed values",
            &f.note,
        )
        .map_err(xe)?;
    }
    Ok(ws)
}

fn reconcile_sheet(rec: &Reconciliation, f: &Fmt) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("综合 Reconciliation").map_err(xe)?;
    ws.write_string_with_format(
        0,
        0,
        format!("综合 Reconciliation — weights: {}", rec.weights_source),
        &f.title,
    )
    .map_err(xe)?;
    head(
        &mut ws,
        2,
        &[
            ("approach", 16.0),
            ("value (元)", 18.0),
            ("stated weight", 14.0),
            ("weight", 14.0),
            ("weighted (元)", 18.0),
        ],
        f,
    )?;
    let mut sum = Decimal::ZERO;
    for (i, a) in rec.approaches.iter().enumerate() {
        let r = TABLE_FIRST_ROW + i as u32;
        text(
            &mut ws,
            r,
            0,
            &format!("{} {}", a.approach.name_zh(), a.approach.as_str()),
        )?;
        num(&mut ws, r, 1, a.value.amount(), &f.money)?;
        num(&mut ws, r, 2, a.stated_weight, &f.rate)?;
        num(&mut ws, r, 3, a.weight, &f.rate)?;
        let w = a.value.amount() * a.weight;
        formula(
            &mut ws,
            r,
            4,
            &format!("={}*{}", a1(r, 1), a1(r, 3)),
            w,
            &f.money,
        )?;
        sum += w;
    }
    let last = TABLE_FIRST_ROW + rec.approaches.len() as u32 - 1;
    let r = last + 2;
    text(&mut ws, r, 3, "Σ")?;
    formula(
        &mut ws,
        r,
        4,
        &format!("=SUM({}:{})", a1(TABLE_FIRST_ROW, 4), a1(last, 4)),
        sum,
        &f.money,
    )?;
    text(&mut ws, r + 1, 3, "concluded (元)")?;
    if round_half_away(sum, 2) == rec.concluded_value.amount() {
        formula(
            &mut ws,
            r + 1,
            4,
            &format!("=ROUND({},2)", a1(r, 4)),
            rec.concluded_value.amount(),
            &f.money,
        )?;
    } else {
        num(&mut ws, r + 1, 4, rec.concluded_value.amount(), &f.money)?;
        text(&mut ws, r + 1, 5, "as reconciled (weights shown rounded)")?;
    }
    Ok(ws)
}

fn simulation_sheet(d: &ConcludedDistribution<'_>, f: &Fmt) -> Result<Worksheet> {
    let dist = d.dist;
    let s = &dist.stats;
    let mut ws = Worksheet::new();
    ws.set_name("蒙特卡洛 Monte Carlo").map_err(xe)?;
    ws.write_string_with_format(0, 0, format!("蒙特卡洛 Monte Carlo — {}", d.of), &f.title)
        .map_err(xe)?;
    ws.set_column_width(0, 34).map_err(xe)?;
    for c in 1..4 {
        ws.set_column_width(c, 18).map_err(xe)?;
    }
    let mut r = 2;
    for (k, v) in [
        ("samples", dist.samples as f64),
        ("seed", dist.seed as f64),
        ("chunk size", dist.chunk_size as f64),
    ] {
        text(&mut ws, r, 0, k)?;
        ws.write_number(r, 1, v).map_err(xe)?;
        r += 1;
    }
    text(&mut ws, r, 0, "quantile definition")?;
    text(&mut ws, r, 1, &s.quantile_definition)?;
    r += 2;
    ws.write_string_with_format(r, 0, "statistic", &f.bold)
        .map_err(xe)?;
    ws.write_string_with_format(r, 1, "元", &f.bold)
        .map_err(xe)?;
    r += 1;
    let mut stat = |ws: &mut Worksheet, name: &str, v: f64| -> Result<()> {
        text(ws, r, 0, name)?;
        ws.write_number_with_format(r, 1, v, &f.money).map_err(xe)?;
        r += 1;
        Ok(())
    };
    stat(&mut ws, "mean", s.mean)?;
    stat(&mut ws, "standard deviation", s.sd)?;
    stat(&mut ws, "standard error", s.std_error)?;
    stat(&mut ws, "min", s.min)?;
    for p in &s.percentiles {
        stat(&mut ws, &p.label, p.value)?;
    }
    stat(&mut ws, "max", s.max)?;
    stat(
        &mut ws,
        &format!("pledge value ({})", s.pledge.label),
        s.pledge.value,
    )?;
    text(&mut ws, r, 0, "pledge value as money (元)")?;
    num(&mut ws, r, 1, dist.money.pledge_value.amount(), &f.money)?;
    r += 2;
    head(
        &mut ws,
        r,
        &[
            ("bin from (元)", 34.0),
            ("bin to (元)", 18.0),
            ("paths", 18.0),
            ("share", 18.0),
        ],
        f,
    )?;
    let samples_cell = a1(2, 1);
    for (i, b) in s.histogram.iter().enumerate() {
        let rr = r + 1 + i as u32;
        ws.write_number_with_format(rr, 0, b.lo, &f.money)
            .map_err(xe)?;
        ws.write_number_with_format(rr, 1, b.hi, &f.money)
            .map_err(xe)?;
        ws.write_number(rr, 2, b.count as f64).map_err(xe)?;
        let share = b.count as f64 / dist.samples.max(1) as f64;
        ws.write_formula_with_format(
            rr,
            3,
            Formula::new(format!("={}/{}", a1(rr, 2), samples_cell)).set_result(format!("{share}")),
            &f.rate,
        )
        .map_err(xe)?;
    }
    Ok(ws)
}

fn schedule_sheet(o: &LoanOffer, f: &Fmt) -> Result<Worksheet> {
    let sch = &o.schedule;
    let mut ws = Worksheet::new();
    ws.set_name("还款计划 Schedule").map_err(xe)?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "还款计划 Schedule — {} {}, {} 元 at {} a year, {} periods a year",
            sch.method.name_zh(),
            sch.method.as_str(),
            sch.principal.amount(),
            sch.annual_rate.normalize(),
            sch.periods_per_year
        ),
        &f.title,
    )
    .map_err(xe)?;
    text(&mut ws, 1, 0, "period rate")?;
    num(&mut ws, 1, 1, sch.period_rate, &f.rate)?;
    let rate_cell = "$B$2";
    head(
        &mut ws,
        2,
        &[
            ("period", 10.0),
            ("opening (元)", 18.0),
            ("payment (元)", 18.0),
            ("interest (元)", 18.0),
            ("principal (元)", 18.0),
            ("balance (元)", 18.0),
        ],
        f,
    )?;
    let mut notes = false;
    for (i, l) in sch.lines.iter().enumerate() {
        let r = TABLE_FIRST_ROW + i as u32;
        ws.write_number(r, 0, f64::from(l.period)).map_err(xe)?;
        if i == 0 {
            num(&mut ws, r, 1, l.opening.amount(), &f.money)?;
        } else {
            formula(
                &mut ws,
                r,
                1,
                &format!("={}", a1(r - 1, 5)),
                l.opening.amount(),
                &f.money,
            )?;
        }
        let computed = round_half_away(l.opening.amount() * sch.period_rate, 2);
        if computed == l.interest.amount() {
            formula(
                &mut ws,
                r,
                3,
                &format!("=ROUND({}*{rate_cell},2)", a1(r, 1)),
                l.interest.amount(),
                &f.money,
            )?;
        } else {
            num(&mut ws, r, 3, l.interest.amount(), &f.money)?;
            text(&mut ws, r, 6, "interest as scheduled (broken first period)")?;
            notes = true;
        }
        num(&mut ws, r, 4, l.principal.amount(), &f.money)?;
        formula(
            &mut ws,
            r,
            2,
            &format!("={}+{}", a1(r, 3), a1(r, 4)),
            l.payment.amount(),
            &f.money,
        )?;
        formula(
            &mut ws,
            r,
            5,
            &format!("={}-{}", a1(r, 1), a1(r, 4)),
            l.balance.amount(),
            &f.money,
        )?;
    }
    if let Some(last) = (TABLE_FIRST_ROW + sch.lines.len() as u32).checked_sub(1) {
        let r = last + 2;
        text(&mut ws, r, 0, "Σ")?;
        let principal_sum: Decimal = sch.lines.iter().map(|l| l.principal.amount()).sum();
        for (c, v) in [
            (2u16, sch.total_payment.amount()),
            (3, sch.total_interest.amount()),
            (4, principal_sum),
        ] {
            formula(
                &mut ws,
                r,
                c,
                &format!("=SUM({}:{})", a1(TABLE_FIRST_ROW, c), a1(last, c)),
                v,
                &f.money,
            )?;
        }
    }
    if notes {
        ws.write_string_with_format(
            1,
            3,
            "cells marked in column G hold scheduled values",
            &f.note,
        )
        .map_err(xe)?;
    }
    Ok(ws)
}

fn summary_sheet(
    case: &Case,
    vals: &[Valuation],
    conclusion: &Conclusion,
    prov: &Provenance,
    lang: Lang,
    f: &Fmt,
) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("概要 Summary").map_err(xe)?;
    ws.set_column_width(0, 28).map_err(xe)?;
    ws.set_column_width(1, 48).map_err(xe)?;
    ws.write_string_with_format(0, 0, "techval", &f.title)
        .map_err(xe)?;
    let s = &case.subject;
    let mut r = 2;
    for (k, v) in [
        ("subject.id", s.id.clone()),
        ("subject.name", s.name.clone()),
        ("subject.kind", s.kind.as_str().to_string()),
        ("subject.owner", s.owner.clone()),
        ("subject.valuation_date", s.valuation_date.to_string()),
    ] {
        text(&mut ws, r, 0, k)?;
        text(&mut ws, r, 1, &v)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "approach", &f.bold)
        .map_err(xe)?;
    ws.write_string_with_format(r, 1, "method", &f.bold)
        .map_err(xe)?;
    ws.write_string_with_format(r, 2, "value (元)", &f.bold)
        .map_err(xe)?;
    r += 1;
    for v in vals {
        text(
            &mut ws,
            r,
            0,
            &format!("{} {}", v.approach.name_zh(), v.approach.as_str()),
        )?;
        text(&mut ws, r, 1, &v.method)?;
        num(&mut ws, r, 2, v.value.amount(), &f.money)?;
        r += 1;
    }
    text(&mut ws, r, 0, lang.t("workbook.concluded_value"))?;
    num(&mut ws, r, 2, conclusion.value.amount(), &f.money)?;
    r += 2;
    for (k, v) in [
        ("techval", prov.techval_version.clone()),
        ("case file", prov.case_file.clone()),
        ("models", prov.models.clone()),
    ] {
        text(&mut ws, r, 0, k)?;
        text(&mut ws, r, 1, &v)?;
        r += 1;
    }
    if let Some(seed) = prov.seed {
        text(&mut ws, r, 0, "seed")?;
        ws.write_number(r, 1, seed as f64).map_err(xe)?;
        r += 1;
    }
    for d in &prov.data {
        text(&mut ws, r, 0, "data")?;
        text(&mut ws, r, 1, d)?;
        r += 1;
    }
    Ok(ws)
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        serde_json::Value::Null => {}
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn inputs_sheet(case: &Case, f: &Fmt) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("输入 Inputs").map_err(xe)?;
    ws.set_column_width(0, 44).map_err(xe)?;
    ws.set_column_width(1, 40).map_err(xe)?;
    ws.write_string_with_format(0, 0, "field", &f.bold)
        .map_err(xe)?;
    ws.write_string_with_format(0, 1, "value", &f.bold)
        .map_err(xe)?;
    let json = serde_json::to_value(case).map_err(|e| Error::Internal(format!("case: {e}")))?;
    let mut rows = Vec::new();
    flatten("", &json, &mut rows);
    for (i, (k, v)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        text(&mut ws, r, 0, k)?;
        match v {
            serde_json::Value::Number(n) => {
                ws.write_number(r, 1, n.as_f64().unwrap_or(f64::NAN))
                    .map_err(xe)?;
            }
            serde_json::Value::String(s) => text(&mut ws, r, 1, s)?,
            other => text(&mut ws, r, 1, &other.to_string())?,
        }
    }
    Ok(ws)
}

/// The income sheet's first data row (0-based) and columns.
pub const INCOME_FIRST_ROW: u32 = 3;

fn income_sheet(v: &Valuation, f: &Fmt) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("收益法 Income").map_err(xe)?;
    ws.write_string_with_format(
        0,
        0,
        format!("收益法 Income approach — {}", v.method),
        &f.title,
    )
    .map_err(xe)?;
    let head = [
        "期次 period",
        "折现期 t",
        "收益基数 base (元)",
        "分成率 rate",
        "归属收益 attributable (元)",
        "折现系数 discount factor",
        "现值 PV (元)",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &f.bold)
            .map_err(xe)?;
        ws.set_column_width(c as u16, 20).map_err(xe)?;
    }
    if v.periods.is_empty() {
        text(
            &mut ws,
            3,
            0,
            "this method has no period table: see the audit sheet",
        )?;
        return Ok(ws);
    }
    let fen = Decimal::new(5, 3);
    let mut sum = Decimal::ZERO;
    let mut notes = false;
    for (i, p) in v.periods.iter().enumerate() {
        let r = INCOME_FIRST_ROW + i as u32;
        ws.write_number(r, 0, f64::from(p.period)).map_err(xe)?;
        num(&mut ws, r, 1, dec(&p.t).unwrap_or_default(), &f.rate)?;
        num(&mut ws, r, 2, p.base.amount(), &f.money)?;
        let rate = dec(&p.rate).unwrap_or_default();
        num(&mut ws, r, 3, rate, &f.rate)?;
        if (p.base.amount() * rate - p.attributable.amount()).abs() <= fen {
            formula(
                &mut ws,
                r,
                4,
                &format!("={}*{}", a1(r, 2), a1(r, 3)),
                p.attributable.amount(),
                &f.money,
            )?;
        } else {
            num(&mut ws, r, 4, p.attributable.amount(), &f.money)?;
            text(
                &mut ws,
                r,
                7,
                "attributable as audited (not base × rate for this method)",
            )?;
            notes = true;
        }
        let df = dec(&p.discount_factor).unwrap_or_default();
        num(&mut ws, r, 5, df, &f.rate)?;
        if (p.attributable.amount() * df - p.pv.amount()).abs() <= fen {
            formula(
                &mut ws,
                r,
                6,
                &format!("={}*{}", a1(r, 4), a1(r, 5)),
                p.pv.amount(),
                &f.money,
            )?;
        } else {
            num(&mut ws, r, 6, p.pv.amount(), &f.money)?;
            text(&mut ws, r, 7, "PV as audited")?;
            notes = true;
        }
        sum += p.pv.amount();
    }
    let last = INCOME_FIRST_ROW + v.periods.len() as u32 - 1;
    let rs = last + 2;
    text(&mut ws, rs, 5, "Σ PV")?;
    formula(
        &mut ws,
        rs,
        6,
        &format!("=SUM({}:{})", a1(INCOME_FIRST_ROW, 6), a1(last, 6)),
        sum,
        &f.money,
    )?;
    text(&mut ws, rs + 1, 5, "评估值 value (元)")?;
    if round_half_away(sum, 2) == v.value.amount() {
        formula(
            &mut ws,
            rs + 1,
            6,
            &format!("=ROUND({},2)", a1(rs, 6)),
            v.value.amount(),
            &f.money,
        )?;
    } else {
        num(&mut ws, rs + 1, 6, v.value.amount(), &f.money)?;
        ws.write_string_with_format(
            rs + 1,
            7,
            "value as audited: the method adjusts Σ PV (e.g. tax amortisation benefit); see the audit sheet",
            &f.note,
        )
        .map_err(xe)?;
    }
    if notes {
        ws.write_string_with_format(
            1,
            0,
            "cells marked in column H hold audited values, not formulas",
            &f.note,
        )
        .map_err(xe)?;
    }
    Ok(ws)
}

fn cost_sheet(case: &Case, v: &Valuation, f: &Fmt) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("成本法 Cost").map_err(xe)?;
    ws.write_string_with_format(
        0,
        0,
        format!("成本法 Cost approach — {}", v.method),
        &f.title,
    )
    .map_err(xe)?;
    ws.set_column_width(0, 30).map_err(xe)?;
    for c in 1..6 {
        ws.set_column_width(c, 18).map_err(xe)?;
    }
    if let Err(e) = cost_body(&mut ws, case, v, f)? {
        ws.write_string_with_format(
            2,
            0,
            format!("layout not recognised ({e}); see the audit sheet"),
            &f.note,
        )
        .map_err(xe)?;
    }
    Ok(ws)
}

/// Writes the cost table; the inner error says which audit step was missing.
fn cost_body(
    ws: &mut Worksheet,
    case: &Case,
    v: &Valuation,
    f: &Fmt,
) -> Result<std::result::Result<(), String>> {
    let Some(c) = &case.cost else {
        return Ok(Err("the case has no [cost] section".into()));
    };
    let historical = v.method == "historical_indexed";
    let head = [
        "项目 item",
        "类别 category",
        "年份 year",
        "金额 amount (元)",
        "指数系数 index factor",
        "重置金额 restated (元)",
    ];
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(2, i as u16, *h, &f.bold)
            .map_err(xe)?;
    }
    let first = 3u32;
    let n = c.items.len() as u32;
    let mut labour = Vec::new();
    let mut other = Vec::new();
    for (i, it) in c.items.iter().enumerate() {
        let r = first + i as u32;
        text(ws, r, 0, &it.name)?;
        let cat = match it.category {
            crate::valuation::cost::CostCategory::Labour => "labour",
            crate::valuation::cost::CostCategory::Material => "material",
            crate::valuation::cost::CostCategory::Other => "other",
        };
        text(ws, r, 1, cat)?;
        if let Some(y) = it.year {
            ws.write_number(r, 2, f64::from(y)).map_err(xe)?;
        }
        if historical {
            let step = format!("restated[{i}]");
            let amount = match step_input(v, &step, "amount") {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            let factor = match step_input(v, &step, "index_factor") {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            let restated = match step_value(v, &step) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            num(ws, r, 3, amount, &f.money)?;
            num(ws, r, 4, factor, &f.rate)?;
            formula(
                ws,
                r,
                5,
                &format!("={}*{}", a1(r, 3), a1(r, 4)),
                restated,
                &f.money,
            )?;
        } else {
            num(ws, r, 3, it.amount.point, &f.money)?;
        }
        if matches!(it.category, crate::valuation::cost::CostCategory::Labour) {
            labour.push(a1(r, 3));
        } else {
            other.push(a1(r, 3));
        }
    }
    let mut r = first + n + 1;
    macro_rules! tryv {
        ($e:expr) => {
            match $e {
                Ok(x) => x,
                Err(e) => return Ok(Err(e)),
            }
        };
    }
    let vc = 3u16; // value column D
    let rc_row;
    if historical {
        let sum = tryv!(step_input(v, "replacement_cost", "Σ restated"));
        let l = tryv!(step_input(v, "replacement_cost", "L"));
        let rc = tryv!(step_value(v, "replacement_cost"));
        text(ws, r, 0, "Σ 重置金额 Σ restated")?;
        formula(
            ws,
            r,
            vc,
            &format!("=SUM({}:{})", a1(first, 5), a1(first + n - 1, 5)),
            sum,
            &f.money,
        )?;
        text(ws, r + 1, 0, "L 合理利润率 return on cost")?;
        num(ws, r + 1, vc, l, &f.rate)?;
        text(ws, r + 2, 0, "RC 重置成本 = Σ × (1 + L)")?;
        formula(
            ws,
            r + 2,
            vc,
            &format!("={}*(1+{})", a1(r, vc), a1(r + 1, vc)),
            rc,
            &f.money,
        )?;
        rc_row = r + 2;
        r += 3;
    } else {
        let cc = tryv!(step_input(v, "replacement_cost", "C"));
        let vv = tryv!(step_input(v, "replacement_cost", "V"));
        let b1 = tryv!(step_input(v, "replacement_cost", "β1"));
        let b2 = tryv!(step_input(v, "replacement_cost", "β2"));
        let l = tryv!(step_input(v, "replacement_cost", "L"));
        let rc = tryv!(step_value(v, "replacement_cost"));
        let sum_of = |cells: &[String]| {
            if cells.is_empty() {
                "=0".to_string()
            } else {
                format!("={}", cells.join("+"))
            }
        };
        text(ws, r, 0, "C 材料及其他 material and other")?;
        formula(ws, r, vc, &sum_of(&other), cc, &f.money)?;
        text(ws, r + 1, 0, "V 人工 labour")?;
        formula(ws, r + 1, vc, &sum_of(&labour), vv, &f.money)?;
        text(ws, r + 2, 0, "β1 创造性劳动倍加系数")?;
        num(ws, r + 2, vc, b1, &f.rate)?;
        text(ws, r + 3, 0, "β2 科研平均风险系数")?;
        num(ws, r + 3, vc, b2, &f.rate)?;
        text(ws, r + 4, 0, "L 投资报酬率 return on cost")?;
        num(ws, r + 4, vc, l, &f.rate)?;
        text(ws, r + 5, 0, "RC = (C + β1·V) / (1 − β2) × (1 + L)")?;
        formula(
            ws,
            r + 5,
            vc,
            &format!(
                "=({c}+{b1}*{v})/(1-{b2})*(1+{l})",
                c = a1(r, vc),
                v = a1(r + 1, vc),
                b1 = a1(r + 2, vc),
                b2 = a1(r + 3, vc),
                l = a1(r + 4, vc)
            ),
            rc,
            &f.money,
        )?;
        rc_row = r + 5;
        r += 6;
    }
    let used = tryv!(step_input(v, "newness_rate", "used"));
    let rem = tryv!(step_input(v, "newness_rate", "remaining"));
    let nr = tryv!(step_value(v, "newness_rate"));
    let fo = tryv!(step_input(v, "value_unrounded", "functional"));
    let eo = tryv!(step_input(v, "value_unrounded", "economic"));
    let raw = tryv!(step_value(v, "value_unrounded"));
    let val = tryv!(step_value(v, "value"));
    if Money::new(val) != v.value {
        return Ok(Err(
            "audit step `value` differs from the valuation's value".into()
        ));
    }
    text(ws, r, 0, "已使用年限 used years")?;
    num(ws, r, vc, used, &f.rate)?;
    text(ws, r + 1, 0, "剩余经济寿命 remaining years")?;
    num(ws, r + 1, vc, rem, &f.rate)?;
    text(ws, r + 2, 0, "成新率 = remaining / (used + remaining)")?;
    formula(
        ws,
        r + 2,
        vc,
        &format!(
            "={rem}/({used}+{rem})",
            rem = a1(r + 1, vc),
            used = a1(r, vc)
        ),
        nr,
        &f.rate,
    )?;
    text(ws, r + 3, 0, "功能性贬值率 functional obsolescence")?;
    num(ws, r + 3, vc, fo, &f.rate)?;
    text(ws, r + 4, 0, "经济性贬值率 economic obsolescence")?;
    num(ws, r + 4, vc, eo, &f.rate)?;
    text(
        ws,
        r + 5,
        0,
        "V = RC × 成新率 × (1 − functional) × (1 − economic)",
    )?;
    formula(
        ws,
        r + 5,
        vc,
        &format!(
            "={rc}*{n}*(1-{fo})*(1-{eo})",
            rc = a1(rc_row, vc),
            n = a1(r + 2, vc),
            fo = a1(r + 3, vc),
            eo = a1(r + 4, vc)
        ),
        raw,
        &f.money,
    )?;
    ws.write_string_with_format(r + 6, 0, "评估值 value (元, rounded to the fen)", &f.bold)
        .map_err(xe)?;
    formula(
        ws,
        r + 6,
        vc,
        &format!("=ROUND({},2)", a1(r + 5, vc)),
        val,
        &f.money,
    )?;
    Ok(Ok(()))
}

fn audit_sheet(vals: &[Valuation], f: &Fmt) -> Result<Worksheet> {
    let mut ws = Worksheet::new();
    ws.set_name("审计轨迹 Audit").map_err(xe)?;
    let head = [
        "approach", "#", "step", "formula", "inputs", "result", "value", "unit", "source",
    ];
    let widths = [12, 5, 22, 50, 60, 14, 20, 8, 40];
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &f.bold)
            .map_err(xe)?;
        ws.set_column_width(i as u16, widths[i]).map_err(xe)?;
    }
    let mut r = 1;
    for v in vals {
        for (i, s) in v.audit.steps.iter().enumerate() {
            text(&mut ws, r, 0, v.approach.as_str())?;
            ws.write_number(r, 1, (i + 1) as f64).map_err(xe)?;
            text(&mut ws, r, 2, &s.name)?;
            text(&mut ws, r, 3, &s.formula)?;
            let inputs = s
                .inputs
                .iter()
                .map(|x| format!("{} = {}", x.name, x.value))
                .collect::<Vec<_>>()
                .join("; ");
            text(&mut ws, r, 4, &inputs)?;
            text(&mut ws, r, 5, &s.value.name)?;
            match (s.value.unit, dec(&s.value.value)) {
                (Unit::Text, _) | (_, None) => text(&mut ws, r, 6, &s.value.value)?,
                (Unit::Yuan, Some(d)) => num(&mut ws, r, 6, d, &f.money)?,
                (_, Some(d)) => num(&mut ws, r, 6, d, &f.rate)?,
            }
            let unit = match s.value.unit {
                Unit::Yuan => "元",
                Unit::Rate => "rate",
                Unit::Years => "years",
                Unit::Number => "number",
                Unit::Text => "text",
            };
            text(&mut ws, r, 7, unit)?;
            if let Some(src) = &s.source {
                text(&mut ws, r, 8, src)?;
            }
            r += 1;
        }
    }
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::a1;

    #[test]
    fn a1_notation() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(9, 25), "Z10");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(1, 701), "ZZ2");
        assert_eq!(a1(1, 702), "AAA2");
    }
}
