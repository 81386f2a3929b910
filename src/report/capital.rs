//! Amounts in Chinese capital numerals (大写金额), as written on appraisal reports and bank
//! documents.
//!
//! Rules (《支付结算办法》附件《正确填写票据和结算凭证的基本规定》, PBOC 1997, and common
//! appraisal practice):
//! * digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, section units 万 and 亿; `壹拾` is written in full;
//! * one 零 stands for any run of zeros inside the number (`1,005` → 壹仟零伍元整,
//!   `100,100` → 壹拾万零壹佰元整), none for trailing zeros of a section (`1,000,000` → 壹佰万元整);
//! * an amount that ends at 元 or 角 is closed with 整; one with 分 is not;
//!   a zero 角 before a non-zero 分 is written 零 (`325.04` → 叁佰贰拾伍元零肆分);
//! * below one 元 the 元 is left out (`0.50` → 伍角整), zero is 零元整, negatives take 负.
//!
//! The amount is first rounded to the fen, half away from zero.

use crate::error::{Error, Result};
use crate::money::{round_half_away, Money};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];

/// A number below 10,000 (no leading 零; inner zero runs become one 零).
fn below_10k(n: u64, out: &mut String) {
    let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
    let mut started = false;
    let mut zero = false;
    for (i, d) in digits.iter().enumerate() {
        if *d == 0 {
            zero = started;
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push(DIGITS[*d as usize]);
        out.push_str(UNITS[3 - i]);
        started = true;
    }
}

/// A whole number below 10^16 (n > 0).
fn whole(n: u64, out: &mut String) {
    const YI: u64 = 100_000_000;
    const WAN: u64 = 10_000;
    if n >= YI {
        whole(n / YI, out);
        out.push('亿');
        let lo = n % YI;
        if lo > 0 {
            if lo < YI / 10 {
                out.push('零');
            }
            whole(lo, out);
        }
    } else if n >= WAN {
        below_10k(n / WAN, out);
        out.push('万');
        let lo = n % WAN;
        if lo > 0 {
            if lo < WAN / 10 {
                out.push('零');
            }
            below_10k(lo, out);
        }
    } else {
        below_10k(n, out);
    }
}

/// The amount in capital numerals, e.g. `2,483,646.93` → `贰佰肆拾捌万叁仟陆佰肆拾陆元玖角叁分`.
/// Amounts of 10^16 元 or more are an error (money inputs stop at 10^15).
pub fn capital_yuan(m: Money) -> Result<String> {
    let d = round_half_away(m.amount(), 2);
    let neg = d.is_sign_negative() && !d.is_zero();
    let a = d.abs();
    let fen_total = (a * Decimal::ONE_HUNDRED)
        .to_u64()
        .filter(|f| *f < 1_000_000_000_000_000_000)
        .ok_or_else(|| {
            Error::Unsupported(format!(
                "amount {a} is too large to write in capital numerals (below 10^16 元)"
            ))
        })?;
    let yuan = fen_total / 100;
    let jiao = (fen_total / 10 % 10) as usize;
    let fen = (fen_total % 10) as usize;
    let mut out = String::new();
    if neg {
        out.push('负');
    }
    if yuan == 0 && jiao == 0 && fen == 0 {
        out.push_str("零元整");
        return Ok(out);
    }
    if yuan > 0 {
        whole(yuan, &mut out);
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(s: &str) -> String {
        capital_yuan(Money::parse(s).unwrap()).unwrap()
    }

    #[test]
    fn worked_examples() {
        // The brief's example and the PBOC filling rules' own examples.
        assert_eq!(cap("2483646.93"), "贰佰肆拾捌万叁仟陆佰肆拾陆元玖角叁分");
        assert_eq!(cap("1409.50"), "壹仟肆佰零玖元伍角整");
        assert_eq!(cap("6007.14"), "陆仟零柒元壹角肆分");
        assert_eq!(cap("1680.32"), "壹仟陆佰捌拾元叁角贰分");
        assert_eq!(cap("107000.53"), "壹拾万柒仟元伍角叁分");
        assert_eq!(cap("325.04"), "叁佰贰拾伍元零肆分");
        assert_eq!(cap("16"), "壹拾陆元整");
    }

    #[test]
    fn zeros_inside_and_across_sections() {
        assert_eq!(cap("0"), "零元整");
        assert_eq!(cap("0.5"), "伍角整");
        assert_eq!(cap("0.05"), "伍分");
        assert_eq!(cap("1005"), "壹仟零伍元整");
        assert_eq!(cap("1050"), "壹仟零伍拾元整");
        assert_eq!(cap("10005"), "壹万零伍元整");
        assert_eq!(cap("100100"), "壹拾万零壹佰元整");
        assert_eq!(cap("1000000"), "壹佰万元整");
        assert_eq!(cap("100000000"), "壹亿元整");
        assert_eq!(cap("100000001"), "壹亿零壹元整");
        assert_eq!(cap("101000000"), "壹亿零壹佰万元整");
        assert_eq!(cap("110000100"), "壹亿壹仟万零壹佰元整");
        assert_eq!(cap("1000000000000000"), "壹仟万亿元整");
        assert_eq!(cap("-12.3"), "负壹拾贰元叁角整");
    }

    #[test]
    fn rounds_to_the_fen_half_away_from_zero() {
        assert_eq!(cap("0.005"), "壹分");
        assert_eq!(cap("9.995"), "壹拾元整");
    }
}
