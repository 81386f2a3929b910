//! Deal data and market statistics: the schema of a deal history, its polars loader (lazy CSV
//! or Parquet, validated with expressions, bad rows set aside in a rejects report), the shipped
//! technology-market statistics with the time and region indices built from them (the seeded
//! generator of the shipped synthetic deal history is `crate::synth`).
//!
//! This module does I/O (it reads files); the computing core (`valuation::market`) receives the
//! validated [`DealHistory`] and never touches a file.

mod cells;
pub mod load;
pub mod provenance;
pub mod schema;
pub mod sheet;
pub mod stats;

pub use load::{load_deals, load_deals_frame, public_deals, shipped_deals};
pub use provenance::{frame_bytes, DataProvenance};
pub use schema::{DealHistory, Reject, SellerType, TransactionType};
pub use stats::{MarketIndices, MarketStats};
