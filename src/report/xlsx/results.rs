//! The sheets of the stage results: market comparables, reconciliation, Monte Carlo, the
//! repayment schedule and the summary.

use super::*;
use crate::case::Case;
use crate::error::Result;
use crate::finance::lend::LoanOffer;
use crate::money::round_half_away;
use crate::report::{ConcludedDistribution, Conclusion, Lang, Provenance};
use crate::valuation::market::MarketOutcome;
use crate::valuation::reconcile::Reconciliation;
use crate::valuation::Valuation;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Formula, Worksheet};

pub(super) fn market_sheet(m: &MarketOutcome, f: &Fmt) -> Result<Worksheet> {
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

pub(super) fn reconcile_sheet(rec: &Reconciliation, f: &Fmt) -> Result<Worksheet> {
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

pub(super) fn simulation_sheet(d: &ConcludedDistribution<'_>, f: &Fmt) -> Result<Worksheet> {
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

pub(super) fn schedule_sheet(o: &LoanOffer, f: &Fmt) -> Result<Worksheet> {
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

pub(super) fn summary_sheet(
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

pub(super) fn flatten(
    prefix: &str,
    v: &serde_json::Value,
    out: &mut Vec<(String, serde_json::Value)>,
) {
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
