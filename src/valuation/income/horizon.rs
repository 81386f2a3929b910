//! The horizon rule: the remaining legal term of a subject at the valuation date
//! (statutory years from filing, `models/legal_terms.toml`), so that n = min(remaining legal
//! term, economic life).

use crate::error::{Error, Result};
use crate::models::ModelBook;
use crate::models::{TermEnd, TermStart};
use crate::subject::Subject;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

/// The statutory term of a subject and what is left of it at the valuation date.
#[derive(Debug, Clone, PartialEq)]
pub struct LegalTerm {
    /// Statutory years.
    pub years: u32,
    /// The date the term runs from (the filing date; the first publication for software).
    pub start: NaiveDate,
    /// The case field of that date (`subject.filing_date` or `subject.publication_date`).
    pub start_field: &'static str,
    /// Expiry: the anniversary `years` after the start, or the 1 January after 31 December of
    /// the `years`-th year (software copyright).
    pub expiry: NaiveDate,
    /// True for a term ending on 31 December of its last year.
    pub year_end: bool,
    /// Remaining years at the valuation date (0 when expired): whole years plus the rest as
    /// days over the days of the partial year.
    pub remaining: Decimal,
}

fn add_years(d: NaiveDate, y: u32) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(y.checked_mul(12)?))
}

/// The remaining legal term of the subject (`None`: the kind has no statutory term).
pub fn legal_term(s: &Subject, m: &ModelBook) -> Result<Option<LegalTerm>> {
    let Some(years) = m.legal.years(s.kind, s.filing_date) else {
        return Ok(None);
    };
    let term = m.legal.term(s.kind).cloned().unwrap_or_default();
    let (field, date) = match term.from {
        TermStart::Filing => ("subject.filing_date", s.filing_date),
        TermStart::FirstPublication => ("subject.publication_date", s.publication_date),
    };
    let start = date.ok_or_else(|| {
        Error::field(
            field,
            "",
            format!(
                "is required for kind {} (its {years}-year legal term runs from it)",
                s.kind.as_str()
            ),
        )
    })?;
    let bad_date = || {
        Error::field(
            field,
            start,
            "the legal term from this date falls outside the calendar",
        )
    };
    let year_end = term.ends == TermEnd::YearEnd;
    let expiry = match term.ends {
        TermEnd::Anniversary => add_years(start, years),
        TermEnd::YearEnd => NaiveDate::from_ymd_opt(start.year() + years as i32 + 1, 1, 1),
    }
    .ok_or_else(bad_date)?;
    let v = s.valuation_date;
    let remaining = if expiry <= v {
        Decimal::ZERO
    } else {
        let mut whole = 0u32;
        while let Some(next) = add_years(v, whole + 1) {
            if next > expiry {
                break;
            }
            whole += 1;
        }
        let from = add_years(v, whole).ok_or_else(bad_date)?;
        let to = add_years(v, whole + 1).ok_or_else(bad_date)?;
        let rest = (expiry - from).num_days();
        let len = (to - from).num_days().max(1);
        Decimal::from(whole) + Decimal::from(rest) / Decimal::from(len)
    };
    Ok(Some(LegalTerm {
        years,
        start,
        start_field: field,
        expiry,
        year_end,
        remaining,
    }))
}
