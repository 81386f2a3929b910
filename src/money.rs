//! Money and rates on `rust_decimal`.
//!
//! * [`Money`] is an amount in 元 (CNY). Arithmetic is checked: an overflow is a
//!   [`MoneyError`], never a panic. Amounts keep full precision while a method computes and are
//!   rounded to the fen (0.01 元), half away from zero (四舍五入), at the documented points:
//!   a method's concluded value, every schedule line, every amount shown to a user.
//! * [`Rate`] is a dimensionless fraction (`0.05` = 5 %), parsed from `"0.05"`, `0.05` or `"5%"`.
//!
//! Display helpers write 元 / 万元 / 亿元 with thousands separators: `1,234,567.89 元`,
//! `123.46 万元`, `1.23 亿元`.
//!
//! Monte Carlo works in `f64` and crosses into money only through [`Money::from_f64_boundary`],
//! which rounds to the fen and refuses non-finite or out-of-range numbers.

use rust_decimal::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The largest amount techval accepts as an input: 10^15 元 (one thousand trillion 元).
/// Far above any real deal, far below the point where `Decimal` arithmetic could overflow.
pub const MAX_INPUT_YUAN: i64 = 1_000_000_000_000_000;

/// Errors from money arithmetic and parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// A string that is not a decimal amount.
    #[error("`{0}` is not a number (write an amount like \"1250000.00\")")]
    NotANumber(String),
    /// An amount beyond [`MAX_INPUT_YUAN`].
    #[error("{0} is too large (at most 1,000,000,000,000,000 元)")]
    TooLarge(String),
    /// Checked arithmetic overflowed.
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// Division by zero.
    #[error("division by zero in {0}")]
    DivisionByZero(&'static str),
    /// A float that is NaN or infinite reached the money boundary.
    #[error("non-finite number {0} cannot become money")]
    NonFinite(String),
}

/// Rounds half away from zero (四舍五入) to `dp` decimal places.
pub fn round_half_away(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Parses a decimal from user text: plain (`"1250000.00"`), with thousands separators
/// (`"1,250,000"`), or in scientific notation (`"1.25e6"`).
pub fn parse_decimal(s: &str) -> Result<Decimal, MoneyError> {
    let t = s.trim().replace(['_', ','], "");
    if t.is_empty() {
        return Err(MoneyError::NotANumber(s.to_string()));
    }
    Decimal::from_str(&t)
        .or_else(|_| Decimal::from_scientific(&t))
        .map_err(|_| {
            // from_str fails on magnitudes beyond Decimal's 28 digits: say "too large" then.
            if t.trim_start_matches(['-', '+'])
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
            {
                MoneyError::TooLarge(s.to_string())
            } else {
                MoneyError::NotANumber(s.to_string())
            }
        })
}

/// Converts an `f64` to `Decimal` through its shortest round-trip text, so that `0.1` becomes
/// exactly `0.1` (what the user typed), not the binary approximation.
pub fn decimal_from_f64(x: f64) -> Result<Decimal, MoneyError> {
    if !x.is_finite() {
        return Err(MoneyError::NonFinite(x.to_string()));
    }
    let s = format!("{x}");
    Decimal::from_str(&s)
        .or_else(|_| Decimal::from_scientific(&s))
        .map_err(|_| MoneyError::TooLarge(s))
}

/// An amount of money in 元 (CNY) with checked arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero 元.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wraps a decimal amount in 元 (no rounding).
    pub fn new(d: Decimal) -> Money {
        Money(d)
    }

    /// Whole 元.
    pub fn from_yuan(y: i64) -> Money {
        Money(Decimal::from(y))
    }

    /// Parses an amount from text and checks it against [`MAX_INPUT_YUAN`].
    pub fn parse(s: &str) -> Result<Money, MoneyError> {
        let d = parse_decimal(s)?;
        Money::checked_input(d, s)
    }

    fn checked_input(d: Decimal, shown: &str) -> Result<Money, MoneyError> {
        if d.abs() > Decimal::from(MAX_INPUT_YUAN) {
            return Err(MoneyError::TooLarge(shown.to_string()));
        }
        Ok(Money(d))
    }

    /// The one boundary where Monte Carlo (f64) results become money: rounded to the fen,
    /// half away from zero. NaN, infinities and magnitudes beyond [`MAX_INPUT_YUAN`] are errors.
    pub fn from_f64_boundary(x: f64) -> Result<Money, MoneyError> {
        if !x.is_finite() {
            return Err(MoneyError::NonFinite(x.to_string()));
        }
        if x.abs() > MAX_INPUT_YUAN as f64 {
            return Err(MoneyError::TooLarge(x.to_string()));
        }
        // Decimal::from_f64_retain keeps the exact binary value; rounding then is exact.
        let d = Decimal::from_f64_retain(x).ok_or_else(|| MoneyError::NonFinite(x.to_string()))?;
        Ok(Money(round_half_away(d, 2)))
    }

    /// The amount as a `Decimal` in 元.
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// The amount as `f64`, for statistics and charts only (never back into a money path).
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// Rounded to the fen (0.01 元), half away from zero.
    pub fn round_fen(self) -> Money {
        Money(round_half_away(self.0, 2))
    }

    /// True when exactly zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// True when below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// `self + other`, or an overflow error.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or(MoneyError::Overflow("addition"))
    }

    /// `self - other`, or an overflow error.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Money)
            .ok_or(MoneyError::Overflow("subtraction"))
    }

    /// `self × factor`, or an overflow error.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, MoneyError> {
        self.0
            .checked_mul(factor)
            .map(Money)
            .ok_or(MoneyError::Overflow("multiplication"))
    }

    /// `self ÷ divisor`, or an error for zero or overflow.
    pub fn checked_div(self, divisor: Decimal) -> Result<Money, MoneyError> {
        if divisor.is_zero() {
            return Err(MoneyError::DivisionByZero("money division"));
        }
        self.0
            .checked_div(divisor)
            .map(Money)
            .ok_or(MoneyError::Overflow("division"))
    }

    /// Sum of amounts with overflow checking.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(items: I) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Money) -> Money {
        if self <= other {
            self
        } else {
            other
        }
    }

    /// The larger of two amounts.
    pub fn max(self, other: Money) -> Money {
        if self >= other {
            self
        } else {
            other
        }
    }

    /// `1,234,567.89 元` (rounded to the fen).
    pub fn display_yuan(self) -> String {
        format!("{} 元", group_thousands(round_half_away(self.0, 2), 2))
    }

    /// `123.46 万元` (rounded to 0.01 万元).
    pub fn display_wan(self) -> String {
        format!(
            "{} 万元",
            group_thousands(round_half_away(self.0 / Decimal::from(10_000), 2), 2)
        )
    }

    /// `1.23 亿元` (rounded to 0.01 亿元).
    pub fn display_yi(self) -> String {
        format!(
            "{} 亿元",
            group_thousands(round_half_away(self.0 / Decimal::from(100_000_000), 2), 2)
        )
    }

    /// The unit a reader expects for this size: 元 below 10 万, 万元 below 1 亿, else 亿元.
    pub fn display_auto(self) -> String {
        let a = self.0.abs();
        if a < Decimal::from(100_000) {
            self.display_yuan()
        } else if a < Decimal::from(100_000_000) {
            self.display_wan()
        } else {
            self.display_yi()
        }
    }
}

/// Writes `d` with `dp` decimals and `,` between thousands: `-1,234,567.80`.
pub fn group_thousands(d: Decimal, dp: u32) -> String {
    let mut d = round_half_away(d, dp);
    d.rescale(dp);
    let s = d.abs().to_string();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if d.is_sign_negative() && !d.is_zero() {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

impl fmt::Display for Money {
    /// Plain decimal in 元, full precision (`1234567.8912`); use the `display_*` helpers for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    /// Money is written as a string (`"1250000.00"`) so that no reader loses precision.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.normalize().to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    /// Accepts a string (`"1250000.00"`, preferred), an integer, or a float (read through its
    /// shortest decimal text).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor(
            "an amount in 元, written as a string like \"1250000.00\"",
        ))
        .and_then(|v| Money::checked_input(v, &v.to_string()).map_err(serde::de::Error::custom))
    }
}

/// A dimensionless fraction: `0.05` is 5 %. Parsed from `0.05`, `"0.05"` or `"5%"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(Decimal);

impl Rate {
    /// Zero.
    pub const ZERO: Rate = Rate(Decimal::ZERO);
    /// One (100 %).
    pub const ONE: Rate = Rate(Decimal::ONE);

    /// Wraps a fraction.
    pub fn new(d: Decimal) -> Rate {
        Rate(d)
    }

    /// Parses `"0.05"`, `"5%"` or `"5 %"`.
    pub fn parse(s: &str) -> Result<Rate, MoneyError> {
        let t = s.trim();
        if let Some(p) = t.strip_suffix('%') {
            let d = parse_decimal(p)?;
            return Ok(Rate(d / Decimal::ONE_HUNDRED));
        }
        parse_decimal(t).map(Rate)
    }

    /// The fraction as a `Decimal`.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The fraction as `f64` (statistics only).
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// `12.35%` with `dp` decimals of the percentage.
    pub fn display_pct(self, dp: u32) -> String {
        let mut p = round_half_away(self.0 * Decimal::ONE_HUNDRED, dp);
        p.rescale(dp);
        format!("{p}%")
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Rate {
    /// Written as a decimal string (`"0.05"`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.normalize().to_string())
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor("a rate such as 0.05 or \"5%\""))
            .map(Rate)
    }
}

/// Deserialises a `Decimal` from a number or a string (strings may end in `%`).
pub fn de_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(NumVisitor("a number"))
}

/// serde visitor reading a decimal from an integer, a float or a string.
struct NumVisitor(&'static str);

impl serde::de::Visitor<'_> for NumVisitor {
    type Value = Decimal;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::from_i128(v).ok_or_else(|| E::custom(format!("{v} is too large")))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
        decimal_from_f64(v).map_err(E::custom)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
        let t = v.trim();
        if let Some(p) = t.strip_suffix('%') {
            return parse_decimal(p)
                .map(|d| d / Decimal::ONE_HUNDRED)
                .map_err(E::custom);
        }
        parse_decimal(t).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        /// Tiny stand-in for the `dec!` macro (keeps the dependency list short).
        macro_rules! dec {
            ($s:expr) => {
                rust_decimal::Decimal::from_str_exact(stringify!($s)).unwrap()
            };
        }
        pub(crate) use dec;
    }

    #[test]
    fn rounds_half_away_from_zero_to_the_fen() {
        assert_eq!(Money::new(dec!(2.345)).round_fen().amount(), dec!(2.35));
        assert_eq!(Money::new(dec!(-2.345)).round_fen().amount(), dec!(-2.35));
        assert_eq!(Money::new(dec!(2.344999)).round_fen().amount(), dec!(2.34));
        // Banker's rounding would give 0.12 here.
        assert_eq!(Money::new(dec!(0.125)).round_fen().amount(), dec!(0.13));
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            Money::parse("1,250,000.00").unwrap(),
            Money::from_yuan(1_250_000)
        );
        assert_eq!(Money::parse("1.25e6").unwrap(), Money::from_yuan(1_250_000));
        assert!(matches!(
            Money::parse("12ab"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(Money::parse(""), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse("1e16"), Err(MoneyError::TooLarge(_))));
        assert!(matches!(
            Money::parse("99999999999999999999999999999999"),
            Err(MoneyError::TooLarge(_))
        ));
        assert_eq!(Rate::parse("5%").unwrap().value(), dec!(0.05));
        assert_eq!(Rate::parse("0.153846").unwrap().value(), dec!(0.153846));
    }

    #[test]
    fn displays_with_units_and_separators() {
        let m = Money::new(dec!(1234567.891));
        assert_eq!(m.display_yuan(), "1,234,567.89 元");
        assert_eq!(m.display_wan(), "123.46 万元");
        assert_eq!(Money::from_yuan(123_456_789).display_yi(), "1.23 亿元");
        assert_eq!(Money::new(dec!(-1000.5)).display_yuan(), "-1,000.50 元");
        assert_eq!(Money::from_yuan(999).display_yuan(), "999.00 元");
        assert_eq!(Rate::new(dec!(0.153846)).display_pct(2), "15.38%");
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        let big = Money::new(Decimal::MAX);
        assert_eq!(
            big.checked_add(Money::from_yuan(1)),
            Err(MoneyError::Overflow("addition"))
        );
        assert_eq!(
            big.checked_mul(dec!(2)),
            Err(MoneyError::Overflow("multiplication"))
        );
        assert!(Money::from_yuan(1).checked_div(Decimal::ZERO).is_err());
    }

    #[test]
    fn f64_boundary_rounds_and_refuses_nan() {
        assert_eq!(
            Money::from_f64_boundary(2.675).unwrap().amount(),
            // 2.675 in binary is 2.67499999…, so it rounds down: the exact value decides.
            dec!(2.67)
        );
        assert_eq!(
            Money::from_f64_boundary(0.125).unwrap().amount(),
            dec!(0.13)
        );
        assert!(Money::from_f64_boundary(f64::NAN).is_err());
        assert!(Money::from_f64_boundary(f64::INFINITY).is_err());
    }

    #[test]
    fn serde_round_trip_keeps_strings() {
        #[derive(Serialize, Deserialize)]
        struct W {
            m: Money,
            r: Rate,
        }
        let w: W = serde_json::from_str(r#"{"m":"1250000.00","r":"5%"}"#).unwrap();
        assert_eq!(w.m, Money::from_yuan(1_250_000));
        assert_eq!(w.r.value(), dec!(0.05));
        let w: W = serde_json::from_str(r#"{"m":1250000,"r":0.1}"#).unwrap();
        assert_eq!(w.r.value(), dec!(0.1));
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"m":"1250000","r":"0.1"}"#
        );
        assert!(serde_json::from_str::<W>(r#"{"m":"1e20","r":0.1}"#).is_err());
    }
}
