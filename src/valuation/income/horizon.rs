//! The horizon rule: the remaining legal term of a subject at the valuation date
//! (statutory years from filing, `models/legal_terms.toml`), so that n = min(remaining legal
//! term, economic life).

use crate::error::{Error, Result};
use crate::models::ModelBook;
use crate::subject::Subject;
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

/// The statutory term of a subject and what is left of it at the valuation date.
#[derive(Debug, Clone, PartialEq)]
pub struct LegalTerm {
    /// Statutory years from filing.
    pub years: u32,
    /// Filing date.
    pub filing: NaiveDate,
    /// Expiry: filing date + `years` (calendar anniversary).
    pub expiry: NaiveDate,
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
    let filing = s.filing_date.ok_or_else(|| {
        Error::field(
            "subject.filing_date",
            "",
            format!(
                "is required for kind {} (its {years}-year legal term runs from it)",
                s.kind.as_str()
            ),
        )
    })?;
    let bad_date = || {
        Error::field(
            "subject.filing_date",
            filing,
            "the legal term from this date falls outside the calendar",
        )
    };
    let expiry = add_years(filing, years).ok_or_else(bad_date)?;
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
        filing,
        expiry,
        remaining,
    }))
}
