//! The deal-history schema (documented for users in `datasets/README.md`).
//!
//! One row is one concluded technology transaction. Columns (names exact, any order, extra
//! columns ignored; a column marked "alias" may instead be given under the other name, its
//! numbers multiplied by the factor):
//!
//! | column | type | allowed |
//! |---|---|---|
//! | `deal_id` | text | non-empty, unique |
//! | `date` | date `YYYY-MM-DD` | 1985-01-01 … 2100-12-31 |
//! | `region` (alias `seller_region`) | text, may be empty | a province-level region (`广东`, `广东省`, `Guangdong`) |
//! | `industry` | text, may be empty | GB/T 4754-2017 code: section letter A–T and up to 4 digits (`C39`) |
//! | `ip_kind` | text | `invention_patent` `utility_model` `design_patent` `software_copyright` `know_how` `achievement` `trademark` |
//! | `transaction_type` | text | `assignment` `exclusive_licence` `sole_licence` `non_exclusive_licence` `licence` (exclusivity not stated) `equity_contribution` |
//! | `price_yuan` (alias `price_wan` × 10,000) | number | lump-sum equivalent price in 元, > 0 and ≤ 10^15 |
//! | `royalty_rate` (optional) | number, may be empty | running royalty on sales, 0 … 1 |
//! | `remaining_life_years` (optional) | number, may be empty | remaining economic life at the deal date, > 0 and ≤ 100 |
//! | `claims`, `family_size` (optional) | whole number, may be empty | 0 … 10,000 |
//! | `citations` (optional) | whole number, may be empty | 0 … 1,000,000 (forward citations) |
//! | `trl` (optional) | whole number, may be empty | technology readiness level 1 … 9 |
//! | `tech_score` (optional) | number, may be empty | technology score 0 … 100 |
//! | `seller_type` (optional) | text, may be empty | `university` `institute` `hospital` `enterprise` `individual` |
//! | `scale` (optional) | number, may be empty | scale of exploitation, e.g. annual sales of the products, 元, > 0 |
//! | `n_patents` (optional) | whole number, may be empty | patents in the deal, 1 … 100,000 |
//! | `buyer_type` (optional) | text, may be empty | `enterprise` `listed_company` `university` `institute` `government` `individual` `unknown` |
//! | `price_basis` (optional) | text, may be empty | `lump_sum` `upfront_only` `total_contract` `cap` `equity_value` |
//! | `aggregate` (optional) | `true` / `false`, may be empty | one price for several deals |
//! | `appraised_yuan` (optional; alias `appraised_wan` × 10,000) | number, may be empty | appraised value before the deal, 元 |
//! | `seller`, `buyer`, `source_title`, `source_url`, `quote`, `provenance` (optional) | text | where the row comes from; the shipped synthetic rows say `synthetic …` |
//!
//! An attribute left empty is not adjusted for (its factor is 1, its similarity term neutral)
//! and the comparable's audit says so.
//!
//! Prices stay `f64` 元 inside polars for speed. A market statistic becomes money only when it is
//! the concluded value of a valuation, through `Money::from_f64_boundary` (rounded to the fen,
//! half away from zero) in `valuation::market`.

use crate::data::stats::MarketIndices;
use polars::prelude::{col, lit, DataFrame, DataType, Expr, IntoLazy};
use serde::Serialize;

pub use crate::vocab::{SellerType, TransactionType};

/// How a column is typed and checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColKind {
    /// Free text, non-empty (`deal_id`, also checked for uniqueness).
    Id,
    /// A date `YYYY-MM-DD` within `[min, max]` (days since 1970-01-01).
    Date {
        /// Earliest allowed, days since the epoch.
        min_days: i32,
        /// Latest allowed, days since the epoch.
        max_days: i32,
    },
    /// A province-level region, normalised to its English name.
    Region,
    /// A GB/T 4754-2017 industry code.
    Industry,
    /// One of a fixed list of names.
    Enum(&'static [&'static str]),
    /// A float within bounds.
    Float {
        /// Lower bound.
        min: f64,
        /// True when the lower bound itself is not allowed.
        min_exclusive: bool,
        /// Upper bound (inclusive).
        max: f64,
    },
    /// A whole number within bounds (stored as `Int64`).
    Int {
        /// Lower bound (inclusive).
        min: i64,
        /// Upper bound (inclusive).
        max: i64,
    },
    /// Free text, may be empty (`provenance`).
    Text,
}

/// One column of the schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnSpec {
    /// Column name.
    pub name: &'static str,
    /// Type and check.
    pub kind: ColKind,
    /// True when an empty cell is allowed.
    pub nullable: bool,
    /// True when the column must be present in the file.
    pub required: bool,
    /// What the column means (and its allowed values), for errors and docs.
    pub doc: &'static str,
    /// Another name the column may have in a file, and the factor its numbers are multiplied
    /// by (`price_wan` for `price_yuan`: × 10,000; `seller_region` for `region`: × 1).
    pub alias: Option<(&'static str, f64)>,
}

/// IP kind names (as [`crate::IpKind::as_str`]).
pub const IP_KINDS: [&str; 7] = [
    "invention_patent",
    "utility_model",
    "design_patent",
    "software_copyright",
    "know_how",
    "achievement",
    "trademark",
];
/// Transaction type names.
pub const TRANSACTION_TYPES: [&str; 6] = [
    "assignment",
    "exclusive_licence",
    "sole_licence",
    "non_exclusive_licence",
    "licence",
    "equity_contribution",
];
/// Seller type names.
pub const SELLER_TYPES: [&str; 5] = [
    "university",
    "institute",
    "hospital",
    "enterprise",
    "individual",
];
/// Buyer type names.
pub const BUYER_TYPES: [&str; 7] = [
    "enterprise",
    "listed_company",
    "university",
    "institute",
    "government",
    "individual",
    "unknown",
];
/// What a price is.
pub const PRICE_BASES: [&str; 5] = [
    "lump_sum",
    "upfront_only",
    "total_contract",
    "cap",
    "equity_value",
];
/// `true` / `false`.
pub const BOOLS: [&str; 2] = ["true", "false"];

/// 1985-01-01 (China's Patent Law in force) as days since 1970-01-01.
pub const MIN_DATE_DAYS: i32 = 5479;
/// 2100-12-31 as days since 1970-01-01.
pub const MAX_DATE_DAYS: i32 = 47846;

/// The deal-history columns, in the order of the validated frame.
pub const COLUMNS: [ColumnSpec; 27] = [
    ColumnSpec {
        name: "deal_id",
        kind: ColKind::Id,
        nullable: false,
        required: true,
        alias: None,
        doc: "deal identifier, non-empty and unique",
    },
    ColumnSpec {
        name: "date",
        kind: ColKind::Date {
            min_days: MIN_DATE_DAYS,
            max_days: MAX_DATE_DAYS,
        },
        nullable: false,
        required: true,
        alias: None,
        doc: "date of the deal, YYYY-MM-DD from 1985-01-01 to 2100-12-31",
    },
    ColumnSpec {
        name: "region",
        kind: ColKind::Region,
        nullable: true,
        required: true,
        alias: Some(("seller_region", 1.0)),
        doc: "province-level region of mainland China (广东, 广东省 or Guangdong), or empty",
    },
    ColumnSpec {
        name: "industry",
        kind: ColKind::Industry,
        nullable: true,
        required: true,
        alias: None,
        doc: "GB/T 4754-2017 code: a section letter A–T and up to 4 digits, e.g. C39, or empty",
    },
    ColumnSpec {
        name: "ip_kind",
        kind: ColKind::Enum(&IP_KINDS),
        nullable: false,
        required: true,
        alias: None,
        doc: "kind of IP",
    },
    ColumnSpec {
        name: "transaction_type",
        kind: ColKind::Enum(&TRANSACTION_TYPES),
        nullable: false,
        required: true,
        alias: None,
        doc: "kind of transaction",
    },
    ColumnSpec {
        name: "price_yuan",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: true,
            max: 1e15,
        },
        nullable: false,
        required: true,
        alias: Some(("price_wan", 10_000.0)),
        doc: "lump-sum equivalent price in 元 (or price_wan in 万元), above 0 and at most 10^15 元",
    },
    ColumnSpec {
        name: "royalty_rate",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: false,
            max: 1.0,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "running royalty on sales as a fraction from 0 to 1, or empty",
    },
    ColumnSpec {
        name: "remaining_life_years",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: true,
            max: 100.0,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "remaining economic life at the deal date in years, above 0 and at most 100, or empty",
    },
    ColumnSpec {
        name: "claims",
        kind: ColKind::Int {
            min: 0,
            max: 10_000,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "number of claims, a whole number from 0 to 10000, or empty",
    },
    ColumnSpec {
        name: "citations",
        kind: ColKind::Int {
            min: 0,
            max: 1_000_000,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "forward citations, a whole number from 0 to 1000000, or empty",
    },
    ColumnSpec {
        name: "family_size",
        kind: ColKind::Int {
            min: 0,
            max: 10_000,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "patent family size, a whole number from 0 to 10000, or empty",
    },
    ColumnSpec {
        name: "trl",
        kind: ColKind::Int { min: 1, max: 9 },
        nullable: true,
        required: false,
        alias: None,
        doc: "technology readiness level, a whole number from 1 to 9, or empty",
    },
    ColumnSpec {
        name: "tech_score",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: false,
            max: 100.0,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "technology score from 0 to 100, or empty",
    },
    ColumnSpec {
        name: "seller_type",
        kind: ColKind::Enum(&SELLER_TYPES),
        nullable: true,
        required: false,
        alias: None,
        doc: "who sold or licensed, or empty",
    },
    ColumnSpec {
        name: "scale",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: true,
            max: 1e15,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "scale of exploitation (e.g. annual sales of the products, 元), above 0, or empty",
    },
    ColumnSpec {
        name: "n_patents",
        kind: ColKind::Int {
            min: 1,
            max: 100_000,
        },
        nullable: true,
        required: false,
        alias: None,
        doc: "number of patents in the deal, a whole number from 1 to 100000, or empty",
    },
    ColumnSpec {
        name: "buyer_type",
        kind: ColKind::Enum(&BUYER_TYPES),
        nullable: true,
        required: false,
        alias: None,
        doc: "who bought or took the licence, or empty",
    },
    ColumnSpec {
        name: "price_basis",
        kind: ColKind::Enum(&PRICE_BASES),
        nullable: true,
        required: false,
        alias: None,
        doc: "what the price is, or empty (= lump_sum)",
    },
    ColumnSpec {
        name: "aggregate",
        kind: ColKind::Enum(&BOOLS),
        nullable: true,
        required: false,
        alias: None,
        doc: "true when one price covers several deals (a package or a year total), or empty",
    },
    ColumnSpec {
        name: "appraised_yuan",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: true,
            max: 1e15,
        },
        nullable: true,
        required: false,
        alias: Some(("appraised_wan", 10_000.0)),
        doc: "appraised value before the deal in 元 (or appraised_wan in 万元), above 0, or empty",
    },
    ColumnSpec {
        name: "seller",
        kind: ColKind::Text,
        nullable: true,
        required: false,
        alias: None,
        doc: "seller name",
    },
    ColumnSpec {
        name: "buyer",
        kind: ColKind::Text,
        nullable: true,
        required: false,
        alias: None,
        doc: "buyer name",
    },
    ColumnSpec {
        name: "source_title",
        kind: ColKind::Text,
        nullable: true,
        required: false,
        alias: None,
        doc: "title of the public record",
    },
    ColumnSpec {
        name: "source_url",
        kind: ColKind::Text,
        nullable: true,
        required: false,
        alias: None,
        doc: "address of the public record",
    },
    ColumnSpec {
        name: "quote",
        kind: ColKind::Text,
        nullable: true,
        required: false,
        alias: None,
        doc: "the words of the record that state the price",
    },
    ColumnSpec {
        name: "provenance",
        kind: ColKind::Text,
        nullable: true,
        required: false,
        alias: None,
        doc: "where the row comes from",
    },
];

/// Names of the required columns, in schema order.
pub fn required_columns() -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter(|c| c.required)
        .map(|c| c.name)
        .collect()
}

/// One rejected cell of a deal file: the row is left out, the rest of the file is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The file as the user named it.
    pub file: String,
    /// Data row, 1-based, header not counted (in a CSV without multi-line cells: line row + 1).
    pub row: u64,
    /// The column.
    pub column: String,
    /// The value as read (empty when missing).
    pub value: String,
    /// What is wrong and what is allowed.
    pub reason: String,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: row {}, column {} = \"{}\": {}",
            self.file, self.row, self.column, self.value, self.reason
        )
    }
}

/// A validated deal history: the typed rows, where they came from, and the rows set aside.
///
/// `frame` has exactly the columns of [`COLUMNS`] in that order: `deal_id` String, `date` Date,
/// `region` String (English province name), `industry` String, `ip_kind` String,
/// `transaction_type` String, `price_yuan` Float64, `royalty_rate` and
/// `remaining_life_years` Float64, `claims` / `citations` / `family_size` / `trl` Int64,
/// `tech_score` Float64, `seller_type` String, `scale` Float64, `n_patents` Int64, `buyer_type`
/// / `price_basis` / `aggregate` String, `appraised_yuan` Float64, and the texts; every column
/// but `deal_id`, `date`, `ip_kind`, `transaction_type` and `price_yuan` may hold nulls.
#[derive(Debug, Clone)]
pub struct DealHistory {
    /// The valid rows, typed.
    pub frame: DataFrame,
    /// The file as the user named it (or the shipped file's name).
    pub source: String,
    /// Where the data comes from, in one line (`synthetic …` for the shipped data).
    pub provenance: String,
    /// True when the rows are synthetic (generated, not real deals).
    pub synthetic: bool,
    /// Data rows read from the file (valid + rejected).
    pub rows_read: usize,
    /// Rows left out, one entry per bad cell (a row may have several).
    pub rejects: Vec<Reject>,
    /// Number of distinct rows left out.
    pub rows_rejected: usize,
    /// The time and region indices used as adjustment factors.
    pub indices: MarketIndices,
    /// Why this history was chosen, when techval chose it (the default data), else `None`.
    pub note: Option<String>,
}

impl DealHistory {
    /// Number of valid deals.
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    /// True when no deal is valid.
    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// Deals with a [`single_fixed_price`] of IP kind `kind` (the deals that can be comparables
    /// of a subject of that kind).
    pub fn comparable_count(&self, kind: &str) -> usize {
        self.frame
            .clone()
            .lazy()
            .filter(single_fixed_price().and(col("ip_kind").eq(lit(kind))))
            .select([col("deal_id").count().cast(DataType::UInt64)])
            .collect()
            .ok()
            .and_then(|d| d.column("deal_id").ok()?.u64().ok()?.get(0))
            .map_or(0, |n| n as usize)
    }
}

/// True for a deal whose price is the price of one right: not a total of several contracts
/// (`aggregate`), and a fixed price (`price_basis` empty, `lump_sum` or `equity_value`; not a
/// cap, an upfront payment alone or a contract total with milestones).
pub fn single_fixed_price() -> Expr {
    let basis = col("price_basis");
    col("aggregate").neq(lit("true")).fill_null(lit(true)).and(
        basis
            .clone()
            .is_null()
            .or(basis.clone().eq(lit("lump_sum")))
            .or(basis.eq(lit("equity_value"))),
    )
}
