//! Unit tests of the chart drawing helpers (number formats).

use super::fmt_num;

#[test]
fn numbers_group_thousands() {
    assert_eq!(fmt_num(1234567.891, 2), "1,234,567.89");
    assert_eq!(fmt_num(-1234.5, 0), "-1,235");
    assert_eq!(fmt_num(-0.001, 1), "0.0");
    assert_eq!(fmt_num(999.0, 1), "999.0");
}
