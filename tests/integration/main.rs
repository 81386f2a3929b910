//! techval's integration tests, in one test binary: each file below was its own binary, and
//! every binary links polars again (one link instead of six saves minutes of a fresh build).
//! Run one group with `cargo test --test integration market::`.

mod corrections;
mod cost;
mod finance;
mod finance_stages;
mod income;
mod income_cli;
mod market;
mod peer_vectors;
mod pipeline_downside;
mod portfolio;
mod real_deals;
mod report;
mod report_workbook;
mod report_zh;
mod scoring;
mod uncertainty;
mod uncertainty_income;
