//! The seeded generator of synthetic deal histories (`techval datasets synth`).
//!
//! No public row-level data of Chinese technology deals exists, so the project ships deals made
//! by this generator, labelled synthetic in every row (`provenance`), in `datasets/README.md`,
//! in JSON output (`data_provenance`) and in table footers. The same seed gives the same rows.
//!
//! Calibration (documented in `datasets/README.md`):
//! * **year** ∝ national registered contracts of the year (2012–2023, outflow statistics); the
//!   day is uniform within the year;
//! * **province** ∝ the province's registered contracts (outflow, by seller) that year;
//! * **price level**: the expected price of a deal in province p and year y equals the
//!   registered average value per contract there, `value / contracts` (万元 × 10,000 元) —
//!   deal multipliers are normalised to mean 1 over the generated rows;
//! * **industry**: GB/T 4754 codes of `models/royalty_ranges.toml` with sector weights (below);
//!   the industry price multiplier is the sector's royalty midpoint over the mean midpoint, and
//!   licences with a running royalty draw `royalty_rate` uniformly within the sector's range;
//! * **deal multipliers** follow the market approach's own factors, so the adjustments undo
//!   them: technology score / 50, transaction terms of `models/market.toml`,
//!   AF(r, n) / AF(r, 8), (scale / 5,000 万元)^ε; plus kind and seller multipliers;
//! * **heavy tail**: idiosyncratic lognormal noise σ = 0.5, and with probability 4 % an extra
//!   lognormal shock σ = 1.5 (strategic or distressed deals), normalised to mean 1.
//!
//! Shares and multipliers of kinds, types, sellers and sectors are techval's assumptions (no
//! public statistic splits registered contracts that way); they are constants below.

use crate::data::stats::{MarketIndices, MarketStats};
use crate::error::{Error, Result};
use crate::models::ModelBook;
use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Geometric, Normal};
use rand_pcg::Pcg64Mcg;

/// (kind, share, price multiplier, remaining-life range in years).
const KINDS: [(&str, f64, f64, (f64, f64)); 7] = [
    ("invention_patent", 0.46, 1.0, (3.0, 17.0)),
    ("utility_model", 0.22, 0.35, (1.0, 8.0)),
    ("design_patent", 0.04, 0.2, (1.0, 12.0)),
    ("software_copyright", 0.12, 0.5, (3.0, 15.0)),
    ("know_how", 0.07, 0.8, (2.0, 10.0)),
    ("achievement", 0.07, 0.6, (2.0, 10.0)),
    ("trademark", 0.02, 0.4, (5.0, 15.0)),
];

/// (transaction type, share).
const TYPES: [(&str, f64); 5] = [
    ("assignment", 0.52),
    ("exclusive_licence", 0.10),
    ("sole_licence", 0.06),
    ("non_exclusive_licence", 0.20),
    ("equity_contribution", 0.12),
];

/// (seller type, share, price multiplier, TRL range).
const SELLERS: [(&str, f64, f64, (u32, u32)); 4] = [
    ("university", 0.28, 0.85, (2, 6)),
    ("institute", 0.14, 0.95, (3, 7)),
    ("enterprise", 0.50, 1.1, (5, 9)),
    ("individual", 0.08, 0.7, (3, 8)),
];

/// (sector id of `models/royalty_ranges.toml`, weight).
const SECTOR_WEIGHTS: [(&str, f64); 9] = [
    ("optics_electronics", 0.25),
    ("machinery", 0.15),
    ("pharmaceuticals", 0.12),
    ("electrical", 0.10),
    ("chemicals", 0.10),
    ("precision_instruments", 0.07),
    ("automotive", 0.07),
    ("consumer_goods", 0.08),
    ("petrochemical", 0.06),
];

/// First and last year of generated deals.
pub const YEARS: (i32, i32) = (2012, 2023);
/// Reference scale (元) of the scale multiplier: 5,000 万元 of annual sales.
pub const SCALE_REF: f64 = 5.0e7;
/// Reference remaining life (years) of the life multiplier.
pub const LIFE_REF: f64 = 8.0;
/// σ of the idiosyncratic lognormal noise.
pub const SIGMA: f64 = 0.5;
/// Probability and σ of the extra shock.
pub const SHOCK: (f64, f64) = (0.04, 1.5);

/// Options of the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthOptions {
    /// Rows to generate.
    pub rows: usize,
    /// Seed of the PCG generator.
    pub seed: u64,
}

/// One line of the calibration check: generated vs statistics, by year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CalibrationRow {
    /// Year.
    pub year: i32,
    /// Generated deals.
    pub deals: u32,
    /// Share of generated deals.
    pub share: f64,
    /// Share of registered contracts (target).
    pub target_share: f64,
    /// Mean generated price, 万元.
    pub mean_price_wan: f64,
    /// Contract-weighted average value per contract of the statistics (target), 万元.
    pub target_mean_wan: f64,
}

/// Provinces of one year: ((English name, average value per contract in 元), weight).
type ProvinceWeights = Vec<((&'static str, f64), f64)>;

fn pick<T: Copy>(rng: &mut Pcg64Mcg, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|x| x.1).sum();
    let mut u = rng.random::<f64>() * total;
    for (v, w) in items {
        if u < *w {
            return *v;
        }
        u -= w;
    }
    items[items.len() - 1].0
}

/// The provenance label written in every generated row.
pub fn provenance_label(o: SynthOptions) -> String {
    format!(
        "synthetic (techval datasets synth --seed {}): not real deals",
        o.seed
    )
}

/// Generates `o.rows` synthetic deals in the deal-history schema.
pub fn synthesize(o: SynthOptions, models: &ModelBook) -> Result<DataFrame> {
    if o.rows == 0 || o.rows > 50_000_000 {
        return Err(Error::field(
            "--rows",
            o.rows,
            "must be from 1 to 50,000,000",
        ));
    }
    let stats = MarketStats::shipped()?;
    let out = stats.direction_rows("outflow")?;
    // Year weights and per-year province weights with the province average (元).
    let mut year_w: Vec<(i32, f64)> = Vec::new();
    let mut cells: Vec<(i32, ProvinceWeights)> = Vec::new();
    for y in YEARS.0..=YEARS.1 {
        let nat = out
            .iter()
            .find(|r| r.0 == "China" && r.1 == y)
            .and_then(|r| r.2)
            .ok_or_else(|| Error::Internal(format!("no national statistics for {y}")))?;
        let mut prov = Vec::new();
        for (_, en) in crate::subject::REGIONS {
            if let Some((c, v)) = out
                .iter()
                .find(|r| r.0 == en && r.1 == y)
                .and_then(|r| Some((r.2?, r.3?)))
            {
                if c > 0 && v > 0.0 {
                    prov.push(((en, v / c as f64 * 10_000.0), c as f64));
                }
            }
        }
        if !prov.is_empty() {
            year_w.push((y, nat as f64));
            cells.push((y, prov));
        }
    }
    if year_w.is_empty() {
        return Err(Error::Internal(
            "the market statistics have no province figures for the generated years".into(),
        ));
    }
    let m = &models.market;
    let sectors: Vec<(&crate::models::Sector, f64)> = SECTOR_WEIGHTS
        .iter()
        .filter_map(|(id, w)| models.royalty.by_id(id).map(|s| (s, *w)))
        .filter(|(s, _)| !s.gbt4754.is_empty())
        .collect();
    if sectors.is_empty() {
        return Err(Error::Internal(
            "models/royalty_ranges.toml has none of the generator's sectors".into(),
        ));
    }
    let mid = |s: &crate::models::Sector| {
        use rust_decimal::prelude::ToPrimitive;
        ((s.min + s.max) / rust_decimal::Decimal::TWO)
            .to_f64()
            .unwrap_or(0.0)
    };
    let mean_mid: f64 = sectors.iter().map(|(s, w)| mid(s) * w).sum::<f64>()
        / sectors.iter().map(|(_, w)| w).sum::<f64>();
    let std_normal = Normal::new(0.0, 1.0).map_err(|e| Error::Internal(e.to_string()))?;
    let geo = |p: f64| Geometric::new(p).map_err(|e| Error::Internal(e.to_string()));
    let (g_claims_inv, g_claims_um, g_cit, g_fam) =
        (geo(1.0 / 9.0)?, geo(1.0 / 7.0)?, geo(0.25)?, geo(0.6)?);
    let mut rng = Pcg64Mcg::seed_from_u64(o.seed);
    let n = o.rows;
    let mut ids = Vec::with_capacity(n);
    let mut days = Vec::with_capacity(n);
    let mut regions = Vec::with_capacity(n);
    let mut industries = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut types = Vec::with_capacity(n);
    let mut base = Vec::with_capacity(n);
    let mut mult = Vec::with_capacity(n);
    let mut royalty = Vec::with_capacity(n);
    let mut life = Vec::with_capacity(n);
    let mut claims = Vec::with_capacity(n);
    let mut cits = Vec::with_capacity(n);
    let mut fams = Vec::with_capacity(n);
    let mut trls = Vec::with_capacity(n);
    let mut scores = Vec::with_capacity(n);
    let mut sellers = Vec::with_capacity(n);
    let mut scales = Vec::with_capacity(n);
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let kind_items: Vec<(usize, f64)> = KINDS.iter().enumerate().map(|(i, k)| (i, k.1)).collect();
    let type_items: Vec<(&str, f64)> = TYPES.to_vec();
    let seller_items: Vec<(usize, f64)> =
        SELLERS.iter().enumerate().map(|(i, s)| (i, s.1)).collect();
    let sector_items: Vec<(usize, f64)> =
        sectors.iter().enumerate().map(|(i, s)| (i, s.1)).collect();
    for i in 0..n {
        let y = pick(&mut rng, &year_w);
        let Some((_, prov)) = cells.iter().find(|c| c.0 == y) else {
            continue;
        };
        let (region, avg_yuan) = pick(&mut rng, prov);
        let start = chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
        let len = if chrono::NaiveDate::from_ymd_opt(y, 2, 29).is_some() {
            366
        } else {
            365
        };
        let d = (start - epoch).num_days() as i32 + rng.random_range(0..len);
        let (kname, _, kmult, (l0, l1)) = KINDS[pick(&mut rng, &kind_items)];
        let t = pick(&mut rng, &type_items);
        let (sname, _, smult, (t0, t1)) = SELLERS[pick(&mut rng, &seller_items)];
        let (sector, _) = sectors[pick(&mut rng, &sector_items)];
        let code = &sector.gbt4754[rng.random_range(0..sector.gbt4754.len())];
        let patent = matches!(
            kname,
            "invention_patent" | "utility_model" | "design_patent"
        );
        let c = match kname {
            "invention_patent" => 1 + g_claims_inv.sample(&mut rng).min(200) as i64,
            "utility_model" => 1 + g_claims_um.sample(&mut rng).min(200) as i64,
            "design_patent" => 1,
            _ => 0,
        };
        let ci = if patent {
            g_cit.sample(&mut rng).min(10_000) as i64
        } else {
            0
        };
        let fa = match kname {
            "invention_patent" => 1 + g_fam.sample(&mut rng).min(100) as i64,
            "utility_model" | "design_patent" => 1,
            _ => 0,
        };
        let trl = rng.random_range(t0..=t1);
        let composite = m
            .technology_score
            .composite(Some(trl), c as u32, ci as u32, fa as u32);
        let score = (composite + 8.0 * std_normal.sample(&mut rng)).clamp(1.0, 100.0);
        let n_life = l0 + (l1 - l0) * rng.random::<f64>();
        let n_life = (n_life * 10.0).round() / 10.0;
        let scale = SCALE_REF * (std_normal.sample(&mut rng)).exp();
        let tt = crate::data::schema::TransactionType::parse(t)
            .map_or(1.0, |tt| m.transaction_terms.get(tt));
        let r = m.adjustment.discount_rate;
        let mlt = kmult
            * smult
            * (mid(sector) / mean_mid)
            * tt
            * (score.max(m.adjustment.score_floor) / 50.0)
            * (crate::tvm::annuity_factor_f64(r, n_life)
                / crate::tvm::annuity_factor_f64(r, LIFE_REF))
            * (scale / SCALE_REF).powf(m.adjustment.scale_exponent);
        let licence = matches!(
            t,
            "exclusive_licence" | "sole_licence" | "non_exclusive_licence"
        );
        let roy = if licence && rng.random::<f64>() < 0.6 {
            let (lo, hi) = {
                use rust_decimal::prelude::ToPrimitive;
                (
                    sector.min.to_f64().unwrap_or(0.0),
                    sector.max.to_f64().unwrap_or(0.0),
                )
            };
            Some(((lo + (hi - lo) * rng.random::<f64>()) * 10_000.0).round() / 10_000.0)
        } else {
            None
        };
        let shock = if rng.random::<f64>() < SHOCK.0 {
            SHOCK.1 * std_normal.sample(&mut rng)
        } else {
            0.0
        };
        let noise = (SIGMA * std_normal.sample(&mut rng) + shock).exp();
        ids.push(format!("SYN-{:07}", i + 1));
        days.push(d);
        regions.push(region);
        industries.push(code.clone());
        kinds.push(kname);
        types.push(t);
        base.push(avg_yuan * noise);
        mult.push(mlt);
        royalty.push(roy);
        life.push(n_life);
        claims.push(c);
        cits.push(ci);
        fams.push(fa);
        // 10 % of rows carry TRL only (the composite score is used), the rest carry both.
        let hide_score = rng.random::<f64>() < 0.10;
        trls.push(Some(trl as i64));
        scores.push(if hide_score {
            None
        } else {
            Some((score * 10.0).round() / 10.0)
        });
        sellers.push(sname);
        // 35 % of rows do not report scale.
        scales.push(if rng.random::<f64>() < 0.35 {
            None
        } else {
            Some((scale / 1000.0).round() * 1000.0)
        });
    }
    // Normalise multipliers and noise to mean 1 so that E[price | p, y] = statistics average.
    let mean_mult = mult.iter().sum::<f64>() / n as f64;
    let noise_mean =
        (SIGMA * SIGMA / 2.0).exp() * ((1.0 - SHOCK.0) + SHOCK.0 * (SHOCK.1 * SHOCK.1 / 2.0).exp());
    let prices: Vec<f64> = base
        .iter()
        .zip(&mult)
        .map(|(b, m)| {
            let p = b * m / mean_mult / noise_mean;
            ((p / 100.0).round() * 100.0).max(1000.0)
        })
        .collect();
    let prov = provenance_label(o);
    let df = DataFrame::new_infer_height(vec![
        Column::new("deal_id".into(), ids),
        Column::new("date".into(), days)
            .cast(&DataType::Date)
            .map_err(|e| Error::Internal(e.to_string()))?,
        Column::new("region".into(), regions),
        Column::new("industry".into(), industries),
        Column::new("ip_kind".into(), kinds),
        Column::new("transaction_type".into(), types),
        Column::new("price_yuan".into(), prices),
        Column::new("royalty_rate".into(), royalty),
        Column::new("remaining_life_years".into(), life),
        Column::new("claims".into(), claims),
        Column::new("citations".into(), cits),
        Column::new("family_size".into(), fams),
        Column::new("trl".into(), trls),
        Column::new("tech_score".into(), scores),
        Column::new("seller_type".into(), sellers),
        Column::new("scale".into(), scales),
        Column::new("provenance".into(), vec![prov.as_str(); n]),
    ])
    .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(df)
}

/// Generated vs statistics by year: deal share and mean price against the registered figures.
pub fn calibration(df: &DataFrame, indices: &MarketIndices) -> Result<Vec<CalibrationRow>> {
    let g = df
        .clone()
        .lazy()
        .group_by([col("date").dt().year().alias("year")])
        .agg([
            len().cast(DataType::UInt32).alias("deals"),
            col("price_yuan").mean().alias("mean"),
        ])
        .sort_by_exprs([col("year")], SortMultipleOptions::default())
        .collect()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let years: Vec<i32> = g
        .column("year")
        .and_then(|c| c.i32().cloned())
        .map_err(|e| Error::Internal(e.to_string()))?
        .into_no_null_iter()
        .collect();
    let deals: Vec<u32> = g
        .column("deals")
        .and_then(|c| c.u32().cloned())
        .map_err(|e| Error::Internal(e.to_string()))?
        .into_no_null_iter()
        .collect();
    let means: Vec<f64> = g
        .column("mean")
        .and_then(|c| c.f64().cloned())
        .map_err(|e| Error::Internal(e.to_string()))?
        .into_no_null_iter()
        .collect();
    let total_deals: u32 = deals.iter().sum();
    let total_contracts: i64 = indices
        .time
        .iter()
        .filter(|r| (YEARS.0..=YEARS.1).contains(&r.year))
        .filter_map(|r| r.contracts)
        .sum();
    Ok(years
        .iter()
        .zip(&deals)
        .zip(&means)
        .map(|((y, d), m)| {
            let row = indices.time.iter().find(|r| r.year == *y);
            CalibrationRow {
                year: *y,
                deals: *d,
                share: f64::from(*d) / f64::from(total_deals.max(1)),
                target_share: row.and_then(|r| r.contracts).unwrap_or(0) as f64
                    / total_contracts.max(1) as f64,
                mean_price_wan: m / 10_000.0,
                // Contract-weighted national average = the time index.
                target_mean_wan: row.map_or(f64::NAN, |r| r.index_wan),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_rows_and_shares_follow_the_statistics() {
        let models = ModelBook::builtin().unwrap();
        let o = SynthOptions {
            rows: 20_000,
            seed: 7,
        };
        let a = synthesize(o, &models).unwrap();
        let b = synthesize(o, &models).unwrap();
        assert!(a.equals_missing(&b));
        let c = synthesize(SynthOptions { seed: 8, ..o }, &models).unwrap();
        assert!(!a.equals_missing(&c));
        let ix = MarketIndices::shipped().unwrap();
        let cal = calibration(&a, &ix).unwrap();
        assert_eq!(cal.len(), 12);
        for r in &cal {
            // 20,000 draws: each year's share within 1 percentage point of the target.
            assert!((r.share - r.target_share).abs() < 0.01, "{r:?}");
        }
    }
}
