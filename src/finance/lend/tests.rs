//! Unit tests of the lending stage: schedules, rate quotes, caps.

use super::*;
use crate::finance::inputs::RepayMethod;
use crate::money::Money;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn bullet_pays_interest_then_principal() {
    let s = schedule(
        Money::from_yuan(1_000_000),
        d("0.045"),
        12,
        12,
        RepayMethod::Bullet,
        None,
    )
    .unwrap();
    assert_eq!(s.lines[0].interest, Money::new(d("3750.00")));
    assert_eq!(s.lines[0].principal, Money::ZERO);
    assert_eq!(s.lines[11].principal, Money::from_yuan(1_000_000));
    assert_eq!(s.total_interest, Money::new(d("45000.00")));
}

#[test]
fn broken_first_period_charges_actual_days() {
    let s = schedule(
        Money::from_yuan(1_000_000),
        d("0.036"),
        12,
        12,
        RepayMethod::EqualPrincipal,
        Some(45),
    )
    .unwrap();
    // 1,000,000 × 3.6% × 45/360 = 4,500.00; principal as scheduled.
    assert_eq!(s.lines[0].interest, Money::new(d("4500.00")));
    assert_eq!(s.lines[0].principal, Money::new(d("83333.33")));
    assert_eq!(s.lines[11].principal, Money::new(d("83333.37")));
}

#[test]
fn zero_rate_and_tiny_loans_still_sum_exactly() {
    for (p, n) in [
        ("0.05", 36u32),
        ("1.00", 3),
        ("0.02", 3),
        ("999999.99", 360),
    ] {
        for m in [
            RepayMethod::Annuity,
            RepayMethod::EqualPrincipal,
            RepayMethod::Bullet,
        ] {
            for r in ["0", "0.0435", "0.2"] {
                let s = schedule(Money::new(d(p)), d(r), n, 12, m, None).unwrap();
                let sum = Money::checked_sum(s.lines.iter().map(|l| l.principal)).unwrap();
                assert_eq!(sum, Money::new(d(p)));
                assert!(s.lines.iter().all(|l| !l.principal.is_negative()));
                assert_eq!(s.lines.last().unwrap().balance, Money::ZERO);
            }
        }
    }
    assert!(schedule(
        Money::from_yuan(1),
        d("-0.01"),
        3,
        12,
        RepayMethod::Annuity,
        None
    )
    .is_err());
    assert!(schedule(
        Money::from_yuan(1),
        d("0.01"),
        0,
        12,
        RepayMethod::Annuity,
        None
    )
    .is_err());
}

#[test]
fn annuity_factor_matches_closed_form() {
    // AF(5%, 10) = 7.721734929…
    let af = annuity_factor(d("0.05"), 10).unwrap();
    assert!((af - d("7.7217349292")).abs() < d("0.0000000001"));
    assert_eq!(annuity_factor(Decimal::ZERO, 7).unwrap(), Decimal::from(7));
}
