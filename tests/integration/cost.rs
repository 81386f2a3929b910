//! Cost approach: the published 倍加系数法 worked case, and a restated-historical-cost case
//! checked against a hand computation.

use rust_decimal::Decimal;
use std::str::FromStr;
use techval::valuation::cost;
use techval::valuation::Valuation;
use techval::{Case, ModelBook};

fn value_of(text: &str) -> Valuation {
    let models = ModelBook::builtin().expect("builtin models");
    let c = Case::parse("test.toml", text).unwrap_or_else(|e| panic!("{e}"));
    c.validate(&models).unwrap_or_else(|e| panic!("{e}"));
    cost::value(c.cost.as_ref().expect("cost section"), &c.subject, &models)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn step(v: &Valuation, name: &str) -> Decimal {
    let st = v
        .audit
        .find(name)
        .unwrap_or_else(|| panic!("no step {name}"));
    Decimal::from_str(&st.value.value).expect("decimal")
}

const SUBJECT: &str = r#"
[subject]
id = "published-b"
name = "倍加系数法 worked case"
kind = "achievement"
industry = "C35"
region = "北京"
valuation_date = 2024-12-31
owner = "textbook"
"#;

/// (b) 倍加系数法: material 150,000 + 200,000 元, labour 300,000 元, β1 = 1.2, β2 = 0.4,
/// L = 20 % → RC = (350,000 + 1.2 × 300,000) / (1 − 0.4) × 1.2 = 1,420,000 元; 3 years used and
/// 5 remaining → 成新率 5/8 → 887,500 元.
#[test]
fn published_multiplier_cost() {
    let v = value_of(&format!(
        r#"{SUBJECT}
[cost]
method = "multiplier"
used_years = 3
remaining_years = 5
beta1 = 1.2
beta2 = 0.4
profit_rate = 0.2
[[cost.items]]
name = "材料一"
amount = "150000"
category = "material"
[[cost.items]]
name = "材料二"
amount = "200000"
category = "material"
[[cost.items]]
name = "人工"
amount = "300000"
category = "labour"
"#
    ));
    assert_eq!(v.method, "multiplier");
    let rc = step(&v, "replacement_cost");
    assert!(
        (rc - Decimal::from(1_420_000)).abs() < Decimal::new(1, 2),
        "RC = {rc}, published 1,420,000 (±0.01)"
    );
    assert_eq!(step(&v, "newness_rate"), Decimal::new(625, 3));
    assert_eq!(
        v.value.amount(),
        Decimal::new(88_750_000, 2),
        "published 887,500.00"
    );
    // Each audit step names its formula and inputs.
    let rc_step = v.audit.find("replacement_cost").unwrap();
    assert!(rc_step.formula.contains("β1") && rc_step.inputs.len() >= 4);
}

/// Obsolescence rates multiply in: V = RC × 成新率 × (1 − functional) × (1 − economic).
#[test]
fn obsolescence_rates_reduce_the_value_as_stated() {
    let base = r#"
[cost]
method = "multiplier"
used_years = 3
remaining_years = 5
beta1 = 1.2
beta2 = 0.4
profit_rate = 0.2
OBS
[[cost.items]]
name = "材料"
amount = "350000"
category = "material"
[[cost.items]]
name = "人工"
amount = "300000"
category = "labour"
"#;
    let plain = value_of(&format!("{SUBJECT}{}", base.replace("OBS", "")));
    let obs = value_of(&format!(
        "{SUBJECT}{}",
        base.replace(
            "OBS",
            "functional_obsolescence = 0.1\neconomic_obsolescence = 0.05"
        )
    ));
    // 887,500 × 0.9 × 0.95 = 758,812.50
    assert_eq!(plain.value.amount(), Decimal::new(88_750_000, 2));
    assert_eq!(obs.value.amount(), Decimal::new(75_881_250, 2));
}
