//! Unit tests of the workbook helpers (A1 cell names).

use super::a1;

#[test]
fn a1_notation() {
    assert_eq!(a1(0, 0), "A1");
    assert_eq!(a1(9, 25), "Z10");
    assert_eq!(a1(0, 26), "AA1");
    assert_eq!(a1(1, 701), "ZZ2");
    assert_eq!(a1(1, 702), "AAA2");
}
