//! [`Rulebook::validate`]: shares sum to 1, rates within bounds, parties consistent; errors
//! name the field path.

use super::*;
use crate::error::FieldError;
use crate::subject::IpKind;
use rust_decimal::Decimal;

impl Rulebook {
    /// The bank party.
    pub fn bank(&self) -> Option<&Party> {
        self.risk_sharing
            .parties
            .iter()
            .find(|p| p.role == Role::Bank)
    }

    /// A party by id.
    pub fn party(&self, id: &str) -> Option<&Party> {
        self.risk_sharing.parties.iter().find(|p| p.id == id)
    }

    /// The pledge rate for a kind (`None`: not accepted as collateral).
    pub fn pledge_rate(&self, kind: IpKind) -> Option<Decimal> {
        self.pledge.rates.get(&kind).map(|d| d.0)
    }

    /// The pledge rate for a kind and score grade: rates[kind] × rate_by_grade[grade] when the
    /// rulebook tiers by grade (the factor is returned too), else rates[kind].
    pub fn pledge_rate_graded(
        &self,
        kind: IpKind,
        grade: Option<crate::scoring::Grade>,
    ) -> Option<(Decimal, Option<Decimal>)> {
        let base = self.pledge_rate(kind)?;
        Some(match &self.pledge.rate_by_grade {
            Some(t) => {
                let f = t.factor(grade);
                (base * f, Some(f))
            }
            None => (base, None),
        })
    }

    /// Checks values and their relations; errors name the field path.
    pub fn validate(&self) -> Result<(), FieldError> {
        let one = Decimal::ONE;
        if self.id.trim().is_empty() {
            return Err(FieldError::new("id", "\"\"", "must not be empty"));
        }
        if let Some(q) = &self.pledge.quantile {
            if !(q.0 > Decimal::ZERO && q.0 < one) {
                return Err(FieldError::new(
                    "pledge.quantile",
                    q.0.normalize(),
                    "must be a quantile strictly between 0 and 1 (0.10 = P10)",
                ));
            }
        }
        for (k, r) in &self.pledge.rates {
            frac(
                &format!("pledge.rates.{}", k.as_str()),
                r.0,
                one,
                "a pledge rate",
            )?;
        }
        if let Some(g) = &self.pledge.rate_by_grade {
            let tiers = [("A", g.a.0), ("B", g.b.0), ("C", g.c.0), ("D", g.d.0)];
            for (name, f) in tiers.iter().copied().chain([("ungraded", g.ungraded.0)]) {
                frac(
                    &format!("pledge.rate_by_grade.{name}"),
                    f,
                    one,
                    "a factor on the pledge rate",
                )?;
            }
            for w in tiers.windows(2) {
                if w[1].1 > w[0].1 {
                    return Err(FieldError::new(
                        format!("pledge.rate_by_grade.{}", w[1].0),
                        w[1].1.normalize(),
                        format!(
                            "must not exceed grade {}'s factor {} (a lower grade never lends more)",
                            w[0].0,
                            w[0].1.normalize()
                        ),
                    ));
                }
            }
        }
        if let Some(m) = self.loan.max_amount {
            if m.is_negative() || m.is_zero() {
                return Err(FieldError::new(
                    "loan.max_amount",
                    m,
                    "must be an amount in 元 above 0 (leave it out for no cap)",
                ));
            }
        }
        if !(1..=360).contains(&self.loan.max_tenor_months) {
            return Err(FieldError::new(
                "loan.max_tenor_months",
                self.loan.max_tenor_months,
                "must be from 1 to 360 months",
            ));
        }
        if self.loan.dscr_min <= Decimal::ZERO || self.loan.dscr_min > Decimal::TEN {
            return Err(FieldError::new(
                "loan.dscr_min",
                self.loan.dscr_min.normalize(),
                "must be above 0 and at most 10 (e.g. 1.25)",
            ));
        }
        let rr = &self.loan.rate;
        let band = Decimal::new(2, 1);
        if rr.spread.abs() > band {
            return Err(FieldError::new(
                "loan.rate.spread",
                rr.spread.normalize(),
                "must be a spread from -0.2 to 0.2 (0.015 = 150 bp)",
            ));
        }
        if let Some(m) = rr.max_spread {
            if m.abs() > band {
                return Err(FieldError::new(
                    "loan.rate.max_spread",
                    m.normalize(),
                    "must be a spread from -0.2 to 0.2",
                ));
            }
            if rr.spread > m {
                return Err(FieldError::new(
                    "loan.rate.spread",
                    rr.spread.normalize(),
                    format!("must not exceed loan.rate.max_spread = {}", m.normalize()),
                ));
            }
        }
        frac(
            "liquidation.haircut",
            self.liquidation.haircut,
            one,
            "a haircut",
        )?;
        frac(
            "liquidation.disposal_cost",
            self.liquidation.disposal_cost,
            one,
            "a disposal cost",
        )?;
        if let Some(s) = &self.subsidy {
            frac("subsidy.rate", s.rate, band, "a subsidy rate")?;
        }
        self.validate_sharing()?;
        self.validate_guarantee()
    }

    pub(super) fn validate_sharing(&self) -> Result<(), FieldError> {
        let rs = &self.risk_sharing;
        if rs.parties.is_empty() {
            return Err(FieldError::new(
                "risk_sharing.parties",
                "[]",
                "list at least the bank (role = \"bank\")",
            ));
        }
        let mut sum = Decimal::ZERO;
        for (i, p) in rs.parties.iter().enumerate() {
            frac(
                &format!("risk_sharing.parties[{i}].share"),
                p.share,
                Decimal::ONE,
                "a share",
            )?;
            if p.id.trim().is_empty() {
                return Err(FieldError::new(
                    format!("risk_sharing.parties[{i}].id"),
                    "\"\"",
                    "must not be empty",
                ));
            }
            if rs.parties[..i].iter().any(|q| q.id == p.id) {
                return Err(FieldError::new(
                    format!("risk_sharing.parties[{i}].id"),
                    format!("\"{}\"", p.id),
                    "is used by an earlier party: ids must be unique",
                ));
            }
            sum += p.share;
        }
        if (sum - Decimal::ONE).abs() > SUM_TOL {
            let shown: Vec<String> = rs
                .parties
                .iter()
                .map(|p| p.share.normalize().to_string())
                .collect();
            return Err(FieldError::new(
                "risk_sharing.parties[*].share",
                format!("[{}]", shown.join(", ")),
                format!(
                    "shares sum to {} ({}%); they must sum to 1 (100%)",
                    sum.normalize(),
                    (sum * Decimal::ONE_HUNDRED).normalize()
                ),
            ));
        }
        let banks = rs.parties.iter().filter(|p| p.role == Role::Bank).count();
        if banks != 1 {
            return Err(FieldError::new(
                "risk_sharing.parties[*].role",
                format!("{banks} parties with role = \"bank\""),
                "exactly one party must have role = \"bank\"",
            ));
        }
        let bank_share = self.bank().map_or(Decimal::ZERO, |b| b.share);
        let bank_path = format!(
            "risk_sharing.parties[{}].share",
            rs.parties
                .iter()
                .position(|p| p.role == Role::Bank)
                .unwrap_or(0)
        );
        if let Some(m) = rs.bank_share_min {
            frac("risk_sharing.bank_share_min", m, Decimal::ONE, "a share")?;
            if bank_share < m {
                return Err(FieldError::new(
                    bank_path.as_str(),
                    bank_share.normalize(),
                    format!(
                        "the programme requires the bank to bear at least risk_sharing.bank_share_min = {}",
                        m.normalize()
                    ),
                ));
            }
        }
        if let Some(m) = rs.bank_share_max {
            frac("risk_sharing.bank_share_max", m, Decimal::ONE, "a share")?;
            if bank_share > m {
                return Err(FieldError::new(
                    bank_path.as_str(),
                    bank_share.normalize(),
                    format!(
                        "the programme limits the bank to at most risk_sharing.bank_share_max = {}",
                        m.normalize()
                    ),
                ));
            }
        }
        if let Some(pool) = &rs.pool {
            frac(
                "risk_sharing.pool.rate",
                pool.rate,
                Decimal::ONE,
                "a compensation rate",
            )?;
            frac(
                "risk_sharing.pool.cap_share_of_loss",
                pool.cap_share_of_loss,
                Decimal::ONE,
                "a cap share",
            )?;
            if let Some(c) = pool.cap_amount {
                if c.is_negative() {
                    return Err(FieldError::new(
                        "risk_sharing.pool.cap_amount",
                        c,
                        "must not be negative",
                    ));
                }
            }
            match pool.timing {
                PoolTiming::BeforeSplit if !pool.covers.is_empty() => {
                    return Err(FieldError::new(
                        "risk_sharing.pool.covers",
                        format!("{:?}", pool.covers),
                        "is only used with timing = \"after_split\" (before the split the pool pays first, for everyone)",
                    ));
                }
                PoolTiming::AfterSplit if pool.covers.is_empty() => {
                    return Err(FieldError::new(
                        "risk_sharing.pool.covers",
                        "[]",
                        "with timing = \"after_split\" list the party ids the pool reimburses",
                    ));
                }
                _ => {}
            }
            for (i, c) in pool.covers.iter().enumerate() {
                if self.party(c).is_none() {
                    return Err(FieldError::new(
                        format!("risk_sharing.pool.covers[{i}]"),
                        format!("\"{c}\""),
                        "is not the id of a party in risk_sharing.parties",
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) fn validate_guarantee(&self) -> Result<(), FieldError> {
        let others = self
            .risk_sharing
            .parties
            .iter()
            .filter(|p| p.role != Role::Bank)
            .count();
        match &self.guarantee {
            None => {
                if others > 0 {
                    return Err(FieldError::new(
                        "guarantee",
                        "",
                        "risk_sharing lists parties besides the bank, so a [guarantee] section (coverage, fees) is required",
                    ));
                }
            }
            Some(g) => {
                if others == 0 {
                    return Err(FieldError::new(
                        "risk_sharing.parties",
                        "",
                        "a [guarantee] needs at least one party besides the bank to share losses",
                    ));
                }
                frac(
                    "guarantee.coverage",
                    g.coverage,
                    Decimal::ONE,
                    "a coverage share",
                )?;
                if g.coverage.is_zero() {
                    return Err(FieldError::new(
                        "guarantee.coverage",
                        0,
                        "must be above 0 (leave out [guarantee] for an unguaranteed loan)",
                    ));
                }
                for (i, f) in g.fees.iter().enumerate() {
                    let p = format!("guarantee.fees[{i}]");
                    frac(
                        &format!("{p}.rate"),
                        f.rate,
                        Decimal::new(2, 1),
                        "a fee rate",
                    )?;
                    if let Some(r) = &f.reduced {
                        frac(
                            &format!("{p}.reduced.rate"),
                            r.rate,
                            Decimal::new(2, 1),
                            "a fee rate",
                        )?;
                        if r.up_to.is_negative() {
                            return Err(FieldError::new(
                                format!("{p}.reduced.up_to"),
                                r.up_to,
                                "must not be negative",
                            ));
                        }
                    }
                    match self.party(&f.recipient) {
                        None => {
                            return Err(FieldError::new(
                                format!("{p}.recipient"),
                                format!("\"{}\"", f.recipient),
                                "is not the id of a party in risk_sharing.parties",
                            ))
                        }
                        Some(r) if r.role == Role::Bank => {
                            return Err(FieldError::new(
                                format!("{p}.recipient"),
                                format!("\"{}\"", f.recipient),
                                "a guarantee fee goes to a guarantor or re-guarantor, not the bank",
                            ))
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}
