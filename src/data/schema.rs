//! The deal-history schema (documented for users in `datasets/README.md`).
//!
//! One row is one concluded technology transaction. Columns (names exact, any order, extra
//! columns ignored):
//!
//! | column | type | allowed |
//! |---|---|---|
//! | `deal_id` | text | non-empty, unique |
//! | `date` | date `YYYY-MM-DD` | 1985-01-01 … 2100-12-31 |
//! | `region` | text | a province-level region (`广东`, `广东省`, `Guangdong`) |
//! | `industry` | text | GB/T 4754-2017 code: section letter A–T and up to 4 digits (`C39`) |
//! | `ip_kind` | text | `invention_patent` `utility_model` `design_patent` `software_copyright` `know_how` `achievement` `trademark` |
//! | `transaction_type` | text | `assignment` `exclusive_licence` `sole_licence` `non_exclusive_licence` `equity_contribution` |
//! | `price_yuan` | number | lump-sum equivalent price in 元, > 0 and ≤ 10^15 |
//! | `royalty_rate` | number, may be empty | running royalty on sales, 0 … 1 |
//! | `remaining_life_years` | number | remaining economic life at the deal date, > 0 and ≤ 100 |
//! | `claims` | whole number | 0 … 10,000 |
//! | `citations` | whole number | 0 … 1,000,000 (forward citations) |
//! | `family_size` | whole number | 0 … 10,000 |
//! | `trl` | whole number, may be empty | technology readiness level 1 … 9 |
//! | `tech_score` | number, may be empty | technology score 0 … 100 (one of `trl`, `tech_score` needed) |
//! | `seller_type` | text | `university` `institute` `enterprise` `individual` |
//! | `scale` (optional column) | number, may be empty | scale of exploitation, e.g. annual sales of the products, 元, > 0 |
//! | `provenance` (optional column) | text | where the row comes from; the shipped rows say `synthetic …` |
//!
//! Prices stay `f64` 元 inside polars for speed. A market statistic becomes money only when it is
//! the concluded value of a valuation, through `Money::from_f64_boundary` (rounded to the fen,
//! half away from zero) in `valuation::market`.

use crate::data::stats::MarketIndices;
use polars::prelude::DataFrame;
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
pub const TRANSACTION_TYPES: [&str; 5] = [
    "assignment",
    "exclusive_licence",
    "sole_licence",
    "non_exclusive_licence",
    "equity_contribution",
];
/// Seller type names.
pub const SELLER_TYPES: [&str; 4] = ["university", "institute", "enterprise", "individual"];

/// 1985-01-01 (China's Patent Law in force) as days since 1970-01-01.
pub const MIN_DATE_DAYS: i32 = 5479;
/// 2100-12-31 as days since 1970-01-01.
pub const MAX_DATE_DAYS: i32 = 47846;

/// The deal-history columns, in the order of the validated frame.
pub const COLUMNS: [ColumnSpec; 17] = [
    ColumnSpec {
        name: "deal_id",
        kind: ColKind::Id,
        nullable: false,
        required: true,
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
        doc: "date of the deal, YYYY-MM-DD from 1985-01-01 to 2100-12-31",
    },
    ColumnSpec {
        name: "region",
        kind: ColKind::Region,
        nullable: false,
        required: true,
        doc: "province-level region of mainland China (广东, 广东省 or Guangdong)",
    },
    ColumnSpec {
        name: "industry",
        kind: ColKind::Industry,
        nullable: false,
        required: true,
        doc: "GB/T 4754-2017 code: a section letter A–T and up to 4 digits, e.g. C39",
    },
    ColumnSpec {
        name: "ip_kind",
        kind: ColKind::Enum(&IP_KINDS),
        nullable: false,
        required: true,
        doc: "kind of IP",
    },
    ColumnSpec {
        name: "transaction_type",
        kind: ColKind::Enum(&TRANSACTION_TYPES),
        nullable: false,
        required: true,
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
        doc: "lump-sum equivalent price in 元, above 0 and at most 10^15",
    },
    ColumnSpec {
        name: "royalty_rate",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: false,
            max: 1.0,
        },
        nullable: true,
        required: true,
        doc: "running royalty on sales as a fraction from 0 to 1, or empty",
    },
    ColumnSpec {
        name: "remaining_life_years",
        kind: ColKind::Float {
            min: 0.0,
            min_exclusive: true,
            max: 100.0,
        },
        nullable: false,
        required: true,
        doc: "remaining economic life at the deal date in years, above 0 and at most 100",
    },
    ColumnSpec {
        name: "claims",
        kind: ColKind::Int {
            min: 0,
            max: 10_000,
        },
        nullable: false,
        required: true,
        doc: "number of claims, a whole number from 0 to 10000",
    },
    ColumnSpec {
        name: "citations",
        kind: ColKind::Int {
            min: 0,
            max: 1_000_000,
        },
        nullable: false,
        required: true,
        doc: "forward citations, a whole number from 0 to 1000000",
    },
    ColumnSpec {
        name: "family_size",
        kind: ColKind::Int {
            min: 0,
            max: 10_000,
        },
        nullable: false,
        required: true,
        doc: "patent family size, a whole number from 0 to 10000",
    },
    ColumnSpec {
        name: "trl",
        kind: ColKind::Int { min: 1, max: 9 },
        nullable: true,
        required: true,
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
        required: true,
        doc: "technology score from 0 to 100, or empty (then trl is needed)",
    },
    ColumnSpec {
        name: "seller_type",
        kind: ColKind::Enum(&SELLER_TYPES),
        nullable: false,
        required: true,
        doc: "who sold or licensed",
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
        doc: "scale of exploitation (e.g. annual sales of the products, 元), above 0, or empty",
    },
    ColumnSpec {
        name: "provenance",
        kind: ColKind::Text,
        nullable: true,
        required: false,
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
/// `transaction_type` String, `price_yuan` Float64, `royalty_rate` Float64 (nullable),
/// `remaining_life_years` Float64, `claims` / `citations` / `family_size` Int64, `trl` Int64
/// (nullable), `tech_score` Float64 (nullable), `seller_type` String, `scale` Float64
/// (nullable), `provenance` String (nullable).
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
}
