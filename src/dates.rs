//! Dates in input files: TOML native dates (`2025-06-30`) and strings (`"2025-06-30"`, JSON).

use chrono::NaiveDate;
use serde::de::{self, MapAccess, Visitor};
use serde::Deserializer;
use std::fmt;

struct DateVisitor;

fn parse<E: de::Error>(s: &str) -> Result<NaiveDate, E> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        E::custom(format!(
            "`{s}` is not a date: write YYYY-MM-DD, e.g. 2025-06-30"
        ))
    })
}

impl<'de> Visitor<'de> for DateVisitor {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date YYYY-MM-DD")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
        parse(v)
    }
    /// TOML hands native dates over as a one-entry map holding the date's text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NaiveDate, A::Error> {
        let entry: Option<(String, String)> = map.next_entry()?;
        match entry {
            Some((_, text)) => parse(&text),
            None => Err(de::Error::custom("expected a date YYYY-MM-DD")),
        }
    }
}

/// Deserialises a required date.
pub fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_any(DateVisitor)
}

/// Deserialises an optional date (use with `#[serde(default)]`).
pub fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    d.deserialize_any(DateVisitor).map(Some)
}
