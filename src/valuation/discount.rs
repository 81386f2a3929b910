//! Discount rates (given, build-up 风险累加法, CAPM) and discount factors (end-year, mid-year).
