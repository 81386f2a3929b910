//! The cell checks of the deal loader: per column a typed expression and a reason-code
//! expression (numbers, dates, ranges), the per-distinct-value normalisation of the categorical
//! columns, and the numbered reasons of the rejects report.

use super::load::NULL_TEXTS;
use super::schema::{ColKind, ColumnSpec};
use crate::error::{Error, Result};
use polars::prelude::*;

pub(super) fn map_typed(c: &str) -> String {
    format!("__map_{c}")
}
pub(super) fn map_why(c: &str) -> String {
    format!("__mapwhy_{c}")
}
pub(super) fn map_miss(c: &str) -> String {
    format!("__mapmiss_{c}")
}
pub(super) fn map_key(c: &str) -> String {
    format!("__mapkey_{c}")
}
pub(super) fn raw_name(c: &str) -> String {
    format!("__raw_{c}")
}
pub(super) fn code_name(c: &str) -> String {
    format!("__why_{c}")
}

/// The messages of the rejects report, numbered: a cell's check yields a `UInt32` code (0 =
/// fine), so that no per-row text is built; texts are looked up for the rejected rows only.
#[derive(Debug, Default)]
pub(super) struct Reasons {
    texts: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl Reasons {
    pub(super) fn code(&mut self, text: &str) -> u32 {
        if let Some(c) = self.index.get(text) {
            return *c;
        }
        self.texts.push(text.to_string());
        let c = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.index.insert(text.to_string(), c);
        c
    }
    pub(super) fn text(&self, code: u32) -> &str {
        code.checked_sub(1)
            .and_then(|i| self.texts.get(i as usize))
            .map_or("invalid value", String::as_str)
    }
}

pub(super) fn lit_code(c: u32) -> Expr {
    lit(c).cast(DataType::UInt32)
}

/// `when(c1) then code1 … otherwise 0` (a null condition counts as false).
pub(super) fn chain(conds: Vec<(Expr, u32)>) -> Expr {
    let mut e = lit_code(0);
    for (c, k) in conds.into_iter().rev() {
        e = when(c).then(lit_code(k)).otherwise(e);
    }
    e
}

/// Normalises one distinct value of a categorical column: `Ok(Some(v))` valid, `Ok(None)`
/// an empty cell, `Err(reason)` invalid.
pub(super) fn normalize_value(
    spec: &ColumnSpec,
    raw: &str,
) -> std::result::Result<Option<String>, String> {
    let t = raw.trim();
    if NULL_TEXTS.contains(&t) {
        return Ok(None);
    }
    match spec.kind {
        ColKind::Enum(names) => {
            let l = t.to_lowercase();
            if names.contains(&l.as_str()) {
                Ok(Some(l))
            } else {
                Err(format!(
                    "{}: must be one of {}",
                    spec.doc,
                    names.join(" | ")
                ))
            }
        }
        ColKind::Industry => {
            let u = t.to_uppercase();
            let mut ch = u.chars();
            let ok = (1..=5).contains(&u.chars().count())
                && ch.next().is_some_and(|c| ('A'..='T').contains(&c))
                && ch.all(|c| c.is_ascii_digit());
            if ok {
                Ok(Some(u))
            } else {
                Err(format!("not an industry code: {}", spec.doc))
            }
        }
        ColKind::Region => crate::subject::normalize_region(t)
            .map(|en| Some(en.to_string()))
            .ok_or_else(|| format!("not a {}", spec.doc)),
        _ => Ok(Some(t.to_string())),
    }
}

/// How a categorical column's cells map to typed values.
pub(super) enum Lookup {
    /// Every distinct value is already valid and normalised: the column is used as it is.
    Identity,
    /// A table from each distinct raw value to its normalised value, reason code and "empty"
    /// flag, joined back to the rows.
    Join(DataFrame),
}

/// Normalises the distinct values of a categorical column (work per distinct value, not per
/// row).
pub(super) fn lookup(
    raw_df: &DataFrame,
    spec: &ColumnSpec,
    reasons: &mut Reasons,
) -> PolarsResult<Lookup> {
    let uniq = raw_df.column(&raw_name(spec.name))?.unique()?;
    let uniq = uniq.str()?;
    let mut keys = Vec::new();
    let mut typed: Vec<Option<String>> = Vec::new();
    let mut why: Vec<u32> = Vec::new();
    let mut miss = Vec::new();
    let mut identity = true;
    for u in uniq.iter().flatten() {
        keys.push(u.to_string());
        match normalize_value(spec, u) {
            Ok(Some(v)) => {
                identity &= v == u;
                typed.push(Some(v));
                why.push(0);
                miss.push(false);
            }
            Ok(None) => {
                identity = false;
                typed.push(None);
                why.push(0);
                miss.push(true);
            }
            Err(r) => {
                identity = false;
                typed.push(None);
                why.push(reasons.code(&r));
                miss.push(false);
            }
        }
    }
    if identity {
        return Ok(Lookup::Identity);
    }
    Ok(Lookup::Join(DataFrame::new_infer_height(vec![
        Column::new(map_key(spec.name).into(), keys),
        Column::new(map_typed(spec.name).into(), typed),
        Column::new(map_why(spec.name).into(), why),
        Column::new(map_miss(spec.name).into(), miss),
    ])?))
}

pub(super) fn is_null_text(e: Expr) -> Expr {
    let mut m = e.clone().is_null();
    for t in NULL_TEXTS {
        m = m.or(e.clone().eq(lit(t)));
    }
    m
}

/// The typed value of a column and its reason code.
pub(super) struct ColPlan {
    pub(super) typed: Expr,
    pub(super) code: Expr,
}

/// Refuses a file column whose type cannot hold the schema column.
pub(super) fn check_type(spec: &ColumnSpec, src: &DataType, label: &str) -> Result<()> {
    let want = match spec.kind {
        ColKind::Id | ColKind::Text
            if matches!(src, DataType::String | DataType::Null) || src.is_primitive_numeric() =>
        {
            return Ok(())
        }
        ColKind::Id | ColKind::Text => "text",
        ColKind::Enum(_) | ColKind::Industry | ColKind::Region
            if matches!(src, DataType::String) =>
        {
            return Ok(())
        }
        ColKind::Enum(_) | ColKind::Industry | ColKind::Region => "text",
        ColKind::Date { .. }
            if matches!(
                src,
                DataType::String | DataType::Date | DataType::Datetime(_, _)
            ) =>
        {
            return Ok(())
        }
        ColKind::Date { .. } => "a date",
        ColKind::Float { .. } | ColKind::Int { .. }
            if matches!(src, DataType::String | DataType::Null) || src.is_primitive_numeric() =>
        {
            return Ok(())
        }
        ColKind::Float { .. } => "a number",
        ColKind::Int { .. } => "a whole number",
    };
    Err(Error::InFile {
        file: label.to_string(),
        detail: format!(
            "column {} has type {src}: expected {want} ({})",
            spec.name, spec.doc
        ),
    })
}

pub(super) fn plan_column(
    spec: &ColumnSpec,
    src: &DataType,
    factor: f64,
    lookup: Option<&Lookup>,
    reasons: &mut Reasons,
) -> ColPlan {
    let raw = col(raw_name(spec.name));
    let is_text = matches!(src, DataType::String);
    // The cell as trimmed text (text sources) and "missing".
    let text = raw.clone().str().strip_chars(lit(NULL));
    let missing = if is_text {
        is_null_text(text.clone())
    } else {
        raw.clone().is_null()
    };
    let required = reasons.code(&format!("missing value: {} is required", spec.name));
    let mut v: Vec<(Expr, u32)> = Vec::new();
    if !spec.nullable {
        v.push((missing.clone(), required));
    }
    match spec.kind {
        ColKind::Id | ColKind::Text => {
            // Ids are trimmed; free text (provenance) is kept as written (no copy of long text).
            // A row with a missing id is rejected, so its typed value does not matter.
            let typed = match (is_text, spec.kind) {
                (true, ColKind::Id) => text,
                (true, _) => raw,
                (false, _) => raw.cast(DataType::String),
            };
            ColPlan {
                typed,
                code: chain(v),
            }
        }
        ColKind::Enum(_) | ColKind::Industry | ColKind::Region => match lookup {
            Some(Lookup::Join(_)) => {
                let missing = raw
                    .is_null()
                    .or(col(map_miss(spec.name)).fill_null(lit(false)));
                let why = col(map_why(spec.name)).fill_null(lit_code(0));
                let code = when(missing.and(lit(!spec.nullable)))
                    .then(lit_code(required))
                    .otherwise(why);
                ColPlan {
                    typed: col(map_typed(spec.name)),
                    code,
                }
            }
            _ => ColPlan {
                typed: raw.clone(),
                code: chain(if spec.nullable {
                    Vec::new()
                } else {
                    vec![(raw.is_null(), required)]
                }),
            },
        },
        ColKind::Date { min_days, max_days } => {
            let parsed = match src {
                DataType::String => text.str().to_date(StrptimeOptions {
                    format: Some("%Y-%m-%d".into()),
                    strict: false,
                    exact: true,
                    cache: true,
                }),
                DataType::Datetime(_, _) => raw.cast(DataType::Date),
                _ => raw,
            };
            let days = parsed.clone().cast(DataType::Int32);
            v.push((
                missing.not().and(parsed.clone().is_null()),
                reasons.code("not a date: write YYYY-MM-DD, e.g. 2023-06-30"),
            ));
            v.push((
                days.clone().lt(lit(min_days)).or(days.gt(lit(max_days))),
                reasons.code(&format!("out of range: {}", spec.doc)),
            ));
            ColPlan {
                typed: parsed,
                code: chain(v),
            }
        }
        ColKind::Float {
            min,
            min_exclusive,
            max,
        } => {
            let parsed = if is_text {
                text.cast(DataType::Float64)
            } else {
                raw.cast(DataType::Float64)
            };
            // A column given under its alias (price_wan): into the schema's unit.
            let parsed = if factor == 1.0 {
                parsed
            } else {
                parsed * lit(factor)
            };
            let low = if min_exclusive {
                parsed.clone().lt_eq(lit(min))
            } else {
                parsed.clone().lt(lit(min))
            };
            v.push((
                missing.not().and(parsed.clone().is_null()),
                reasons.code(&format!("not a number: {}", spec.doc)),
            ));
            v.push((
                parsed.clone().is_nan().or(parsed.clone().is_infinite()),
                reasons.code(&format!("not a finite number: {}", spec.doc)),
            ));
            v.push((
                low.or(parsed.clone().gt(lit(max))),
                reasons.code(&format!("out of range: {}", spec.doc)),
            ));
            ColPlan {
                typed: parsed,
                code: chain(v),
            }
        }
        ColKind::Int { min, max } => {
            let parsed = if is_text {
                text.cast(DataType::Float64)
            } else {
                raw.cast(DataType::Float64)
            };
            v.push((
                missing.not().and(parsed.clone().is_null()),
                reasons.code(&format!("not a number: {}", spec.doc)),
            ));
            v.push((
                parsed.clone().is_nan().or(parsed.clone().is_infinite()),
                reasons.code(&format!("not a finite number: {}", spec.doc)),
            ));
            v.push((
                parsed
                    .clone()
                    .lt(lit(min as f64))
                    .or(parsed.clone().gt(lit(max as f64))),
                reasons.code(&format!("out of range: {}", spec.doc)),
            ));
            v.push((
                parsed.clone().floor().neq(parsed.clone()),
                reasons.code(&format!("not a whole number: {}", spec.doc)),
            ));
            ColPlan {
                typed: parsed.cast(DataType::Int64),
                code: chain(v),
            }
        }
    }
}
