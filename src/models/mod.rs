//! The model book: priors and tables from `models/*.toml` (royalty ranges, discount-rate building
//! blocks, legal terms, cost index, scoring weights).
//!
//! The shipped files are compiled in ([`ModelBook::builtin`]); `--models DIR` reads a user's
//! edited copies instead ([`ModelBook::from_dir`]), so appraisers change assumptions without
//! recompiling. The computing core receives a `&ModelBook`; only this module reads files.

pub mod market;
pub mod reconcile;

use crate::error::{Error, Result};
use crate::input::{parse_str, Format};
use crate::money::de_decimal;
use crate::subject::IpKind;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One industry's royalty-on-sales range.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    /// Identifier (`pharmaceuticals`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// Lowest royalty on sales (fraction).
    #[serde(deserialize_with = "de_decimal")]
    pub min: Decimal,
    /// Highest royalty on sales (fraction).
    #[serde(deserialize_with = "de_decimal")]
    pub max: Decimal,
    /// GB/T 4754-2017 code prefixes in this sector.
    pub gbt4754: Vec<String>,
}

/// `models/royalty_ranges.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoyaltyRanges {
    /// Citation.
    pub source: String,
    /// The sectors.
    pub sector: Vec<Sector>,
}

impl RoyaltyRanges {
    /// The sector for a GB/T 4754 code: the longest matching prefix.
    pub fn for_industry(&self, code: &str) -> Option<&Sector> {
        self.sector
            .iter()
            .flat_map(|s| s.gbt4754.iter().map(move |p| (p, s)))
            .filter(|(p, _)| code.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, s)| s)
    }

    /// A sector by id.
    pub fn by_id(&self, id: &str) -> Option<&Sector> {
        self.sector.iter().find(|s| s.id == id)
    }
}

/// A statutory term.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Years from filing; `None` means no statutory limit.
    pub years: Option<u32>,
    /// Older term for filings before `before`.
    pub years_before: Option<u32>,
    /// Cut-over date for `years_before`.
    #[serde(default, deserialize_with = "crate::dates::de_opt_date")]
    pub before: Option<NaiveDate>,
    /// The date the term runs from: the filing date (patents) or the first publication
    /// (software copyright).
    #[serde(default)]
    pub from: TermStart,
    /// Where it ends: the anniversary of the start (patents) or 31 December of the last year
    /// (software copyright).
    #[serde(default)]
    pub ends: TermEnd,
}

/// The date a statutory term runs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermStart {
    /// `subject.filing_date` (申请日).
    #[default]
    Filing,
    /// `subject.publication_date` (首次发表日).
    FirstPublication,
}

/// Where a statutory term ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermEnd {
    /// On the anniversary of the start, `years` later.
    #[default]
    Anniversary,
    /// On 31 December of the `years`-th year after the start.
    YearEnd,
}

/// `models/legal_terms.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalTerms {
    /// Terms by kind.
    pub terms: BTreeMap<IpKind, Term>,
}

impl LegalTerms {
    /// The term of a kind (`None`: no statutory limit).
    pub fn term(&self, kind: IpKind) -> Option<&Term> {
        self.terms.get(&kind).filter(|t| t.years.is_some())
    }

    /// Statutory term in years for a kind filed on `filing` (`None`: no statutory limit).
    pub fn years(&self, kind: IpKind, filing: Option<NaiveDate>) -> Option<u32> {
        let t = self.terms.get(&kind)?;
        match (t.years_before, t.before, filing) {
            (Some(old), Some(cut), Some(f)) if f < cut => Some(old),
            _ => t.years,
        }
    }
}

/// A premium with its default and usual range.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Premium {
    /// Default (middle of the range).
    #[serde(deserialize_with = "de_decimal")]
    pub default: Decimal,
    /// Usual minimum.
    #[serde(deserialize_with = "de_decimal")]
    pub min: Decimal,
    /// Usual maximum.
    #[serde(deserialize_with = "de_decimal")]
    pub max: Decimal,
}

/// Risk-free rate by year.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFree {
    /// Citation.
    pub source: String,
    /// Year → rate.
    pub by_year: BTreeMap<String, crate::param::DecimalValue>,
}

/// Build-up premia defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildUp {
    /// Citation.
    pub source: String,
    /// Technology risk premium.
    pub technology: Premium,
    /// Market risk premium.
    pub market: Premium,
    /// Capital (financial) risk premium.
    pub capital: Premium,
    /// Management risk premium.
    pub management: Premium,
}

/// CAPM defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capm {
    /// Citation.
    pub source: String,
    /// Equity risk premium.
    #[serde(deserialize_with = "de_decimal")]
    pub equity_risk_premium: Decimal,
    /// Beta.
    #[serde(deserialize_with = "de_decimal")]
    pub beta: Decimal,
    /// Size premium.
    #[serde(deserialize_with = "de_decimal")]
    pub size_premium: Decimal,
    /// Company-specific premium.
    #[serde(deserialize_with = "de_decimal")]
    pub specific_premium: Decimal,
}

/// `models/discount.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountModel {
    /// Risk-free rates.
    pub risk_free: RiskFree,
    /// Build-up premia.
    pub build_up: BuildUp,
    /// CAPM defaults.
    pub capm: Capm,
}

impl DiscountModel {
    /// Risk-free rate for a valuation date: the row of its year, else the latest earlier row,
    /// else the earliest row. Returns the rate and the year used.
    pub fn risk_free_for(&self, date: NaiveDate) -> Option<(Decimal, i32)> {
        let rows: Vec<(i32, Decimal)> = self
            .risk_free
            .by_year
            .iter()
            .filter_map(|(y, v)| y.parse::<i32>().ok().map(|y| (y, v.0)))
            .collect();
        let y = date.year();
        rows.iter()
            .rev()
            .find(|(ry, _)| *ry <= y)
            .or_else(|| rows.first())
            .map(|(ry, v)| (*v, *ry))
    }
}

/// `models/cost_index.toml`: yearly change of the cost level (previous year = 100).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostIndex {
    /// Citation.
    pub source: String,
    /// What a missing year inside the chain means: an error naming the years (`error`, the
    /// default) or geometric interpolation between the years on either side (`interpolate`).
    #[serde(default)]
    pub gaps: IndexGaps,
    /// Year → index (previous year = 100).
    pub chain: BTreeMap<String, crate::param::DecimalValue>,
}

impl CostIndex {
    /// Yearly chain as (year, index) pairs, sorted.
    pub fn rows(&self) -> Vec<(i32, Decimal)> {
        let mut v: Vec<(i32, Decimal)> = self
            .chain
            .iter()
            .filter_map(|(y, d)| y.parse::<i32>().ok().map(|y| (y, d.0)))
            .collect();
        v.sort_by_key(|r| r.0);
        v
    }
}

/// A scoring factor group of the 综合评价法.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringFactor {
    /// Identifier (`legal`, `technical`, `economic`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// Weight (weights sum to 1).
    #[serde(deserialize_with = "de_decimal")]
    pub weight: Decimal,
}

/// `models/split_scoring.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitScoring {
    /// Citation.
    pub source: String,
    /// Factor groups.
    pub factor: Vec<ScoringFactor>,
}

/// How a cost-index chain treats a year missing between two years it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexGaps {
    /// A missing year is an error naming it.
    #[default]
    Error,
    /// A missing year takes the geometric mean of the nearest years before and after it.
    Interpolate,
}

/// `models/tax.toml`: the tax rules the valuation applies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxModel {
    /// Jurisdiction (`CN`).
    pub jurisdiction: String,
    /// The shortest tax amortisation life of an intangible, years (the default TAB life N).
    pub amortisation_min_years: u32,
    /// Citation.
    pub source: String,
}

/// Everything under `models/` that the valuation methods read.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelBook {
    /// Royalty ranges by industry.
    pub royalty: RoyaltyRanges,
    /// Market-approach settings (`models/market.toml`).
    pub market: market::MarketModel,
    /// Legal terms by kind.
    pub legal: LegalTerms,
    /// Discount-rate building blocks.
    pub discount: DiscountModel,
    /// Cost index.
    pub cost_index: CostIndex,
    /// Scoring weights.
    pub scoring: SplitScoring,
    /// Reconciliation weights by purpose.
    pub reconcile: reconcile::ReconcileWeights,
    /// Tax rules (the TAB life).
    pub tax: TaxModel,
    /// Scoring trees by id (`models/scoring/*.toml`).
    pub trees: BTreeMap<String, crate::scoring::ScoringTree>,
    /// Where the book came from (`builtin` or a folder), for the audit trail.
    pub origin: String,
}

/// The files of the model book, by name, as compiled in.
pub const BUILTIN_FILES: [(&str, &str); 12] = [
    ("market.toml", include_str!("../../models/market.toml")),
    (
        "royalty_ranges.toml",
        include_str!("../../models/royalty_ranges.toml"),
    ),
    (
        "legal_terms.toml",
        include_str!("../../models/legal_terms.toml"),
    ),
    ("discount.toml", include_str!("../../models/discount.toml")),
    (
        "cost_index.toml",
        include_str!("../../models/cost_index.toml"),
    ),
    (
        "split_scoring.toml",
        include_str!("../../models/split_scoring.toml"),
    ),
    (
        "reconcile_weights.toml",
        include_str!("../../models/reconcile_weights.toml"),
    ),
    ("tax.toml", include_str!("../../models/tax.toml")),
    (
        "scoring/gbt42748.toml",
        include_str!("../../models/scoring/gbt42748.toml"),
    ),
    (
        "scoring/cnipa.toml",
        include_str!("../../models/scoring/cnipa.toml"),
    ),
    (
        "scoring/ipscore.toml",
        include_str!("../../models/scoring/ipscore.toml"),
    ),
    (
        "scoring/concept.toml",
        include_str!("../../models/scoring/concept.toml"),
    ),
];

/// The shipped scoring trees, by file under `models/`.
pub const TREE_FILES: [&str; 4] = [
    "scoring/gbt42748.toml",
    "scoring/cnipa.toml",
    "scoring/ipscore.toml",
    "scoring/concept.toml",
];

impl ModelBook {
    /// The shipped model book (compiled in).
    pub fn builtin() -> Result<ModelBook> {
        Self::from_texts("models", |name| {
            BUILTIN_FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| Ok(t.to_string()))
                .unwrap_or_else(|| Err(Error::Internal(format!("no builtin model {name}"))))
        })
        .map(|mut b| {
            b.origin = "builtin (models/ compiled in)".into();
            b
        })
    }

    /// Reads `royalty_ranges.toml`, … from `dir`; a file missing there falls back to the
    /// compiled-in copy.
    pub fn from_dir(dir: &Path) -> Result<ModelBook> {
        let mut b = Self::from_texts(&dir.display().to_string(), |name| {
            let p = dir.join(name);
            if p.exists() {
                let bytes = crate::input::read_bytes(&p)?;
                Ok(crate::input::as_text(&p.display().to_string(), &bytes)?.to_string())
            } else {
                Ok(BUILTIN_FILES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| t.to_string())
                    .unwrap_or_default())
            }
        })?;
        b.origin = dir.display().to_string();
        Ok(b)
    }

    fn from_texts(dir: &str, get: impl Fn(&str) -> Result<String>) -> Result<ModelBook> {
        fn one<T: serde::de::DeserializeOwned>(
            dir: &str,
            name: &str,
            get: &impl Fn(&str) -> Result<String>,
        ) -> Result<T> {
            let text = get(name)?;
            parse_str(&format!("{dir}/{name}"), &text, Format::Toml)
        }
        let book = ModelBook {
            royalty: one(dir, "royalty_ranges.toml", &get)?,
            market: one(dir, "market.toml", &get)?,
            legal: one(dir, "legal_terms.toml", &get)?,
            discount: one(dir, "discount.toml", &get)?,
            cost_index: one(dir, "cost_index.toml", &get)?,
            scoring: one(dir, "split_scoring.toml", &get)?,
            reconcile: one(dir, "reconcile_weights.toml", &get)?,
            tax: one(dir, "tax.toml", &get)?,
            trees: {
                let mut m = BTreeMap::new();
                for f in TREE_FILES {
                    let tree: crate::scoring::ScoringTree = one(dir, f, &get)?;
                    tree.check(&format!("{dir}/{f}"))?;
                    m.insert(tree.id.clone(), tree);
                }
                m
            },
            origin: String::new(),
        };
        book.validate(dir)?;
        Ok(book)
    }

    fn validate(&self, dir: &str) -> Result<()> {
        self.reconcile
            .check(&format!("{dir}/reconcile_weights.toml"))?;
        for (i, s) in self.royalty.sector.iter().enumerate() {
            if !(Decimal::ZERO <= s.min && s.min <= s.max && s.max <= Decimal::ONE) {
                return Err(Error::InFile {
                    file: format!("{dir}/royalty_ranges.toml"),
                    detail: format!(
                        "sector[{i}] ({}): min = {}, max = {}: need 0 ≤ min ≤ max ≤ 1",
                        s.id, s.min, s.max
                    ),
                });
            }
        }
        let wsum: Decimal = self.scoring.factor.iter().map(|f| f.weight).sum();
        if (wsum - Decimal::ONE).abs() > Decimal::new(1, 6) {
            return Err(Error::InFile {
                file: format!("{dir}/split_scoring.toml"),
                detail: format!("factor weights sum to {wsum}: they must sum to 1"),
            });
        }
        for (y, v) in &self.cost_index.chain {
            if y.parse::<i32>().is_err() || v.0 <= Decimal::ZERO {
                return Err(Error::InFile {
                    file: format!("{dir}/cost_index.toml"),
                    detail: format!("chain.{y} = {}: need a year and a positive index", v.0),
                });
            }
        }
        self.market.validate(&format!("{dir}/market.toml"))?;
        if !(1..=100).contains(&self.tax.amortisation_min_years) {
            return Err(Error::InFile {
                file: format!("{dir}/tax.toml"),
                detail: format!(
                    "amortisation_min_years = {}: need a number of years from 1 to 100",
                    self.tax.amortisation_min_years
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_book_loads_and_answers() {
        let b = ModelBook::builtin().unwrap();
        let pharma = b.royalty.for_industry("C2710").unwrap();
        assert_eq!(pharma.id, "pharmaceuticals");
        assert_eq!(pharma.min, Decimal::new(25, 3));
        assert_eq!(
            b.royalty.for_industry("C39").unwrap().max,
            Decimal::new(10, 2)
        );
        assert_eq!(b.legal.years(IpKind::InventionPatent, None), Some(20));
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            b.legal.years(IpKind::DesignPatent, d("2020-01-01")),
            Some(10)
        );
        assert_eq!(
            b.legal.years(IpKind::DesignPatent, d("2022-01-01")),
            Some(15)
        );
        assert_eq!(b.legal.years(IpKind::KnowHow, None), None);
        let (rf, y) = b.discount.risk_free_for(d("2025-06-30").unwrap()).unwrap();
        assert_eq!((rf, y), (Decimal::new(168, 4), 2024));
    }
}
