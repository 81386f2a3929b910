//! The sheets of the valuation inputs and methods: inputs, the income and cost tables with live
//! formulas, and every audit step.

use super::*;
use crate::audit::Unit;
use crate::case::Case;
use crate::error::{Error, Result};
use crate::money::{round_half_away, Money};
use crate::valuation::Valuation;
use rust_decimal::Decimal;
use rust_xlsxwriter::Worksheet;

pub(super) fn inputs_sheet(case: &Case, f: &Fmt) -> Result<Worksheet> {
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

pub(super) fn income_sheet(v: &Valuation, f: &Fmt) -> Result<Worksheet> {
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

pub(super) fn cost_sheet(case: &Case, v: &Valuation, f: &Fmt) -> Result<Worksheet> {
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
pub(super) fn cost_body(
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

pub(super) fn audit_sheet(vals: &[Valuation], f: &Fmt) -> Result<Worksheet> {
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
