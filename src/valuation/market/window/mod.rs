//! The candidates of a relaxation level found by search, not by a key join.
//!
//! **Why a hand loop** (the project's rule is polars expressions, no loops over rows, unless
//! measured): each level used to be an inner join on the level's key followed by the date
//! window, so every (subject, deal) pair sharing the key was materialised first. For 100,000
//! subjects against 1,000,000 deals (`techval bench-market`) that was 87 M pairs of which
//! 14.5 M passed the window (50 s, 3.9 GiB, 8 M page faults); at the coarsest level (kind only)
//! every subject met ~460,000 deals, and the portfolio of 100,000 rows ran out of 23 GiB. Polars
//! 0.55 with techval's feature set has no as-of or range join (the `asof_join` / `iejoin`
//! features would rebuild polars), and no per-group partial top-k.
//!
//! Here the deals are grouped by their full key (kind, industry, division, section, transaction
//! type, province), each group sorted by date. A level's key picks a set of groups; in each the
//! subject's date window is a binary search, and `n_found` a sum of position differences. The
//! most similar deals are then found by branch and bound: the similarity of a deal is a sum of
//! one term per attribute, each term largest where the deal's attribute is nearest the
//! subject's, so a group (or a block of [`BLOCK`] deals of it, by date) has an upper bound from
//! its attributes' ranges; groups are visited best bound first and a group or block whose bound
//! is below the current `max_comparables`-th best is skipped.
//!
//! What leaves here is a **superset** of the level's top `max_comparables`: every candidate
//! whose approximate similarity (this module's f64 arithmetic) is within 2·[`EPS`] of the cut.
//! The exact similarity, the ranking (ties by deal row) and the cut stay the polars query of
//! `run_batch`, so the comparables selected are those of the join. A subject or group with a
//! value no bound covers (NaN, a non-positive life or scale) sends all its candidates on.

use super::*;
use crate::error::Result;
use polars::prelude::*;
use rayon::prelude::*;

mod bound;
use bound::*;

/// Deals per block of a group (by date) with its own bounds.
const BLOCK: usize = 32;
/// The key attributes, deal side, in the order of [`Key`].
const ATTRS: [&str; 6] = [
    "ip_kind",
    "industry",
    "ind3",
    "ind1",
    "transaction_type",
    "region",
];

type Key = [Option<String>; 6];

/// The subject columns of a level's pairs besides the compared attributes.
const SUBJECT_PAIR_NUMBERS: [&str; 6] =
    ["s_id", "s_days", "s_max_n", "s_score", "s_life", "s_scale"];
/// The deal columns of a level's pairs besides the compared attributes.
const DEAL_PAIR_NUMBERS: [&str; 5] = ["__d", "days", "score", "remaining_life_years", "scale"];

/// Id of a null attribute.
const NULL: u32 = u32::MAX;
/// Id of a subject's attribute that no deal has.
const UNKNOWN: u32 = u32::MAX - 1;

/// The groups of one level's key that share transaction type and province: at the coarse
/// levels (kind only: ~4,600 groups of invention patents in a million deals) a subject's
/// count, bounds and pruning go cluster by cluster (~190), and only the clusters that can
/// still beat the cut are opened group by group.
#[derive(Debug)]
struct Cluster {
    groups: Vec<u32>,
    /// The groups with a value no bound covers.
    unbounded: Vec<u32>,
    /// Dates of all the cluster's deals, sorted (for the count and the time bound).
    days: Vec<i32>,
    /// Attribute ranges over the bounded groups.
    spans: Spans,
    /// Transaction type and province ids (shared by the groups).
    ttype: u32,
    region: u32,
    /// Distinct (industry, division, section) ids of the groups.
    inds: Vec<[u32; 3]>,
}

#[derive(Debug)]
struct Group {
    /// The key's attributes as interned ids ([`NULL`] for a null).
    ids: [u32; 6],
    start: usize,
    end: usize,
    /// Some value no bound covers: every candidate of the group goes on.
    unbounded: bool,
    whole: Spans,
    /// Index of the group's first block in [`DealIndex::blocks`].
    first_block: usize,
}

/// One subject's selection inputs.
#[derive(Debug)]
struct Subj {
    /// The key's attributes as the deals' ids ([`NULL`], or [`UNKNOWN`] when no deal has it).
    ids: [u32; 6],
    days: Option<i32>,
    window: Option<f64>,
    exclude: Option<u32>,
    k: Option<u32>,
    max_n: Option<u32>,
    score: Option<f64>,
    life: Option<f64>,
    scale: Option<f64>,
}

/// The deals grouped by full key and sorted by date within a group.
#[derive(Debug)]
pub(super) struct DealIndex {
    groups: Vec<Group>,
    /// Row in the narrow deal frame, by group then date.
    row: Vec<u32>,
    /// Group of each row of the narrow deal frame ([`NULL`]: not indexed).
    group_of: Vec<u32>,
    days: Vec<i32>,
    score: Vec<Option<f64>>,
    life: Vec<Option<f64>>,
    scale: Vec<Option<f64>>,
    blocks: Vec<Spans>,
    /// Interned attribute values, by attribute.
    names: Vec<PlHashMap<String, u32>>,
    /// The set (index into `sets[level]`) of each level's key.
    by_level: Vec<PlHashMap<[u32; 6], u32>>,
    /// Level → set → clusters.
    sets: Vec<Vec<Vec<Cluster>>>,
    /// Level → group → its set.
    set_of: Vec<Vec<u32>>,
    /// `__d` → (group, position), for `s_exclude_d` (`u32::MAX`: not indexed).
    at_d: Vec<(u32, u32)>,
    w: W,
    /// False when a weight is negative (no bound holds): every candidate goes on.
    bounded: bool,
}

fn col_f64(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(pe)?;
    Ok(c.f64().map_err(pe)?.iter().collect())
}

fn col_u32(df: &DataFrame, name: &str) -> Result<Vec<Option<u32>>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt32))
        .map_err(pe)?;
    Ok(c.u32().map_err(pe)?.iter().collect())
}

fn col_i32(df: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(pe)?;
    Ok(c.i32().map_err(pe)?.iter().collect())
}

fn col_str<'a>(df: &'a DataFrame, name: &str) -> Result<&'a StringChunked> {
    df.column(name).and_then(|c| c.str()).map_err(pe)
}

/// A level's key as interned ids, in the level's order (unused places [`NULL`]); `None` when
/// one of its attributes is null. Ids, not text: a subject's key is looked up once per level
/// without allocating.
fn level_key(level: &Level, ids: &[u32; 6]) -> Option<[u32; 6]> {
    let mut out = [NULL; 6];
    for (slot, (_, d)) in out.iter_mut().zip(level.keys.iter()) {
        let i = ATTRS.iter().position(|a| a == d)?;
        if ids[i] == NULL {
            return None;
        }
        *slot = ids[i];
    }
    Some(out)
}

impl DealIndex {
    /// Groups the narrow deal frame (`DEAL_NARROW` columns); deals of a kind no subject has
    /// (`kinds`, when given) are left out, as no level would pair them.
    pub(super) fn new(
        narrow: &DataFrame,
        model: &MarketModel,
        kinds: Option<&[String]>,
    ) -> Result<DealIndex> {
        let d = col_u32(narrow, "__d")?;
        let days = col_i32(narrow, "days")?;
        let score = col_f64(narrow, "score")?;
        let life = col_f64(narrow, "remaining_life_years")?;
        let scale = col_f64(narrow, "scale")?;
        let strs = ATTRS
            .iter()
            .map(|a| col_str(narrow, a))
            .collect::<Result<Vec<_>>>()?;
        // Division and section are functions of the industry code: the group key hashes the
        // kind, code, type and province only, and takes the two from the group's first row.
        let mut ids: PlHashMap<[Option<&str>; 4], u32> = PlHashMap::default();
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut keys: Vec<Key> = Vec::new();
        for (r, day) in days.iter().enumerate() {
            if day.is_none() {
                continue; // a null date passes no window
            }
            let kind = strs[0].get(r);
            if let Some(ks) = kinds {
                if !kind.is_some_and(|k| ks.iter().any(|x| x == k)) {
                    continue;
                }
            }
            let k = [kind, strs[1].get(r), strs[4].get(r), strs[5].get(r)];
            let g = *ids.entry(k).or_insert_with(|| {
                members.push(Vec::new());
                keys.push(std::array::from_fn(|i| strs[i].get(r).map(str::to_string)));
                (members.len() - 1) as u32
            });
            members[g as usize].push(r as u32);
        }
        let n = members.iter().map(Vec::len).sum();
        let mut ix = DealIndex {
            groups: Vec::with_capacity(members.len()),
            row: Vec::with_capacity(n),
            group_of: vec![NULL; narrow.height()],
            days: Vec::with_capacity(n),
            score: Vec::with_capacity(n),
            life: Vec::with_capacity(n),
            scale: Vec::with_capacity(n),
            blocks: Vec::new(),
            names: vec![PlHashMap::default(); ATTRS.len()],
            by_level: Vec::with_capacity(LEVELS.len()),
            sets: Vec::new(),
            set_of: Vec::new(),
            at_d: vec![(u32::MAX, 0); d.iter().flatten().max().map_or(0, |m| *m as usize + 1)],
            w: weights(model),
            bounded: true,
        };
        let w = &ix.w;
        ix.bounded = [
            w.time, w.tech, w.life, w.region, w.industry, w.terms, w.scale,
        ]
        .iter()
        .all(|x| *x >= 0.0)
            && w.sum > 0.0
            && w.tau > 0.0;
        for (gi, (mut rows, key)) in members.into_iter().zip(keys).enumerate() {
            // Rows are in frame order: a stable sort keeps ties by row.
            rows.sort_by_key(|r| days[*r as usize]);
            let start = ix.row.len();
            let first_block = ix.blocks.len();
            let mut whole = Spans::EMPTY;
            let mut unbounded = false;
            for (j, r) in rows.iter().enumerate() {
                let r = *r as usize;
                if j % BLOCK == 0 {
                    ix.blocks.push(Spans::EMPTY);
                }
                let b = ix.blocks.last_mut().expect("a block was pushed");
                for (span, v) in [
                    (&mut b.score, score[r]),
                    (&mut b.life, life[r]),
                    (&mut b.scale, scale[r]),
                ] {
                    span.add(v);
                }
                whole.score.add(score[r]);
                whole.life.add(life[r]);
                whole.scale.add(scale[r]);
                unbounded |=
                    !(plain(score[r], false) && plain(life[r], true) && plain(scale[r], true));
                if let Some(dd) = d[r] {
                    ix.at_d[dd as usize] = (gi as u32, ix.row.len() as u32);
                }
                ix.row.push(r as u32);
                ix.group_of[r] = gi as u32;
                ix.days.push(days[r].unwrap_or_default());
                ix.score.push(score[r]);
                ix.life.push(life[r]);
                ix.scale.push(scale[r]);
            }
            let ids = std::array::from_fn(|i| match &key[i] {
                None => NULL,
                Some(v) => {
                    let n = ix.names[i].len() as u32;
                    *ix.names[i].entry(v.clone()).or_insert(n)
                }
            });
            ix.groups.push(Group {
                ids,
                start,
                end: ix.row.len(),
                unbounded,
                whole,
                first_block,
            });
        }
        ix.build_levels();
        Ok(ix)
    }

    /// The sets of each level's keys and their clusters (levels in parallel).
    fn build_levels(&mut self) {
        let per: Vec<_> = (0..LEVELS.len())
            .into_par_iter()
            .map(|li| {
                let mut by_key: PlHashMap<[u32; 6], u32> = PlHashMap::default();
                let mut members: Vec<Vec<u32>> = Vec::new();
                let mut set_of = vec![NULL; self.groups.len()];
                for (gi, g) in self.groups.iter().enumerate() {
                    if let Some(lk) = level_key(&LEVELS[li], &g.ids) {
                        let n = members.len() as u32;
                        let si = *by_key.entry(lk).or_insert(n);
                        if si == n {
                            members.push(Vec::new());
                        }
                        members[si as usize].push(gi as u32);
                        set_of[gi] = si;
                    }
                }
                let sets: Vec<Vec<Cluster>> = members.iter().map(|gs| self.clusters(gs)).collect();
                (by_key, sets, set_of)
            })
            .collect();
        for (by_key, sets, set_of) in per {
            self.by_level.push(by_key);
            self.sets.push(sets);
            self.set_of.push(set_of);
        }
    }

    /// The groups of one set, clustered by transaction type and province.
    fn clusters(&self, gs: &[u32]) -> Vec<Cluster> {
        let mut at: PlHashMap<(u32, u32), usize> = PlHashMap::default();
        let mut out: Vec<Cluster> = Vec::new();
        for &g in gs {
            let gr = &self.groups[g as usize];
            let k = (gr.ids[4], gr.ids[5]);
            let n = out.len();
            let ci = *at.entry(k).or_insert(n);
            if ci == n {
                out.push(Cluster {
                    groups: Vec::new(),
                    unbounded: Vec::new(),
                    days: Vec::new(),
                    spans: Spans::EMPTY,
                    ttype: k.0,
                    region: k.1,
                    inds: Vec::new(),
                });
            }
            let c = &mut out[ci];
            c.groups.push(g);
            c.days.extend_from_slice(&self.days[gr.start..gr.end]);
            if gr.unbounded {
                c.unbounded.push(g);
            } else {
                c.spans.score.merge(&gr.whole.score);
                c.spans.life.merge(&gr.whole.life);
                c.spans.scale.merge(&gr.whole.scale);
            }
            let ind = [gr.ids[1], gr.ids[2], gr.ids[3]];
            if !c.inds.contains(&ind) {
                c.inds.push(ind);
            }
        }
        for c in &mut out {
            c.days.sort_unstable();
        }
        out
    }
}

/// A float ordered by `total_cmp` (for the heap of the best similarities).
#[derive(Debug, Clone, Copy, PartialEq)]
struct F(f64);
impl Eq for F {}
impl PartialOrd for F {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for F {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

impl DealIndex {
    /// The window `[lo, hi]` (days) of a subject at a level, or None when nothing passes.
    fn window(s: &Subj, level: &Level, mode: WindowMode) -> Option<(i32, i32)> {
        let sd = s.days?;
        let (mut lo, mut hi) = (i32::MIN, i32::MAX);
        if mode == WindowMode::Before {
            hi = sd;
        }
        if let Some(mult) = level.window {
            // |Δdays| ≤ w on whole days is |Δdays| ≤ ⌊w⌋ (the query's f64 comparison).
            let w = s.window? * mult;
            if w.is_nan() || w < 0.0 {
                return None;
            }
            let fw = w.floor().min(f64::from(i32::MAX)) as i64;
            lo = (i64::from(sd) - fw).max(i64::from(i32::MIN)) as i32;
            hi = hi.min((i64::from(sd) + fw).min(i64::from(i32::MAX)) as i32);
        }
        Some((lo, hi))
    }

    /// `n_found` and the candidate rows (of the narrow deal frame) of one subject at a level;
    /// no rows when the subject stays short of `k` at a level before the last.
    fn candidates(&self, s: &Subj, li: usize, mode: WindowMode) -> (u32, Vec<u32>) {
        let level = &LEVELS[li];
        let none = (0, Vec::new());
        let Some(&si) = level_key(level, &s.ids).and_then(|k| self.by_level[li].get(&k)) else {
            return none;
        };
        let Some((lo, hi)) = Self::window(s, level, mode) else {
            return none;
        };
        let clusters = &self.sets[li][si as usize];
        let in_window = |days: &[i32]| {
            (
                days.partition_point(|d| *d < lo),
                days.partition_point(|d| *d <= hi),
            )
        };
        let mut open = Vec::with_capacity(clusters.len());
        let mut count = 0usize;
        for (ci, c) in clusters.iter().enumerate() {
            let (a, b) = in_window(&c.days);
            if a < b {
                count += b - a;
                open.push((ci, a, b));
            }
        }
        let excluded = s
            .exclude
            .and_then(|d| self.at_d.get(d as usize))
            .filter(|(g, _)| *g != NULL && self.set_of[li][*g as usize] == si)
            .map(|(g, i)| (*g, *i as usize))
            .filter(|(_, i)| (lo..=hi).contains(&self.days[*i]));
        if excluded.is_some() {
            count -= 1;
        }
        let count32 = count as u32;
        let last = li + 1 == LEVELS.len();
        if !last && s.k.is_none_or(|k| count32 < k) {
            return none;
        }
        let max_n = s.max_n.unwrap_or(0) as usize;
        if max_n == 0 || count == 0 {
            // Nothing would be ranked in: as the query, no rows.
            return (count32, Vec::new());
        }
        let skip = |i: usize| excluded.is_some_and(|(_, ei)| ei == i);
        let group_range = |g: u32| {
            let gr = &self.groups[g as usize];
            let (a, b) = in_window(&self.days[gr.start..gr.end]);
            (gr, gr.start + a, gr.start + b)
        };
        let mut out = Vec::new();
        let all = |out: &mut Vec<u32>, g: u32| {
            let (_, a, b) = group_range(g);
            out.extend((a..b).filter(|i| !skip(*i)).map(|i| self.row[i]));
        };
        let sd = s.days.unwrap_or_default();
        let prunable =
            self.bounded && plain(s.score, false) && plain(s.life, true) && plain(s.scale, true);
        if count <= max_n || !prunable {
            for (ci, _, _) in open {
                for &g in &clusters[ci].groups {
                    all(&mut out, g);
                }
            }
            return (count32, out);
        }
        let w = &self.w;
        let mut order = Vec::with_capacity(open.len());
        for (ci, a, b) in open {
            let c = &clusters[ci];
            for &g in &c.unbounded {
                all(&mut out, g);
            }
            if c.unbounded.len() < c.groups.len() {
                let disc = w.cluster_discrete(&s.ids, c);
                let ub = w.bound(s, disc, &c.spans, c.days[a], c.days[b - 1], sd);
                order.push((ub, ci));
            }
        }
        order.sort_by(|x, y| y.0.total_cmp(&x.0));
        let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<F>> =
            std::collections::BinaryHeap::with_capacity(max_n + 1);
        let cut = |heap: &std::collections::BinaryHeap<std::cmp::Reverse<F>>| {
            if heap.len() < max_n {
                f64::NEG_INFINITY
            } else {
                heap.peek()
                    .map_or(f64::NEG_INFINITY, |m| m.0 .0 - 2.0 * EPS)
            }
        };
        let mut seen: Vec<(f64, usize)> = Vec::new();
        for (ub, ci) in order {
            if ub < cut(&heap) {
                break;
            }
            for &g in &clusters[ci].groups {
                let (gr, a, b) = group_range(g);
                if gr.unbounded || a == b {
                    continue;
                }
                let disc = w.group_discrete(&s.ids, gr);
                if w.bound(s, disc, &gr.whole, self.days[a], self.days[b - 1], sd) < cut(&heap) {
                    continue;
                }
                // Latest blocks first: in a window before the valuation date they score highest.
                for bi in ((a - gr.start) / BLOCK..=(b - 1 - gr.start) / BLOCK).rev() {
                    let i0 = (gr.start + bi * BLOCK).max(a);
                    let i1 = (gr.start + (bi + 1) * BLOCK).min(b);
                    let sp = &self.blocks[gr.first_block + bi];
                    if w.bound(s, disc, sp, self.days[i0], self.days[i1 - 1], sd) < cut(&heap) {
                        continue;
                    }
                    for i in (i0..i1).filter(|i| !skip(*i)) {
                        let v = w.approx(s, disc, self, i, sd);
                        seen.push((v, i));
                        if heap.len() < max_n {
                            heap.push(std::cmp::Reverse(F(v)));
                        } else if heap.peek().is_some_and(|m| v > m.0 .0) {
                            heap.pop();
                            heap.push(std::cmp::Reverse(F(v)));
                        }
                    }
                }
            }
        }
        let c = cut(&heap);
        out.extend(
            seen.into_iter()
                .filter(|(v, _)| *v >= c)
                .map(|(_, i)| self.row[i]),
        );
        (count32, out)
    }

    /// The candidate pairs of the `remaining` subjects (`SUBJECT_NARROW` columns) at level
    /// `li`, as the level's join and window filter gave them — restricted to a superset of each
    /// subject's most similar: what `similarity_expr` and the ranking read
    /// ([`SUBJECT_PAIR_NUMBERS`], [`DEAL_PAIR_NUMBERS`], the compared attributes as ids) and
    /// `n_found`.
    pub(super) fn pairs(
        &self,
        remaining: &DataFrame,
        narrow: &DataFrame,
        li: usize,
        mode: WindowMode,
    ) -> Result<DataFrame> {
        let s_attrs = ATTRS
            .iter()
            .map(|a| col_str(remaining, &format!("s_{a}")))
            .collect::<Result<Vec<_>>>()?;
        let days = col_i32(remaining, "s_days")?;
        let window = col_f64(remaining, "s_window_days")?;
        let exclude = col_u32(remaining, "s_exclude_d")?;
        let k = col_u32(remaining, "s_k")?;
        let max_n = col_u32(remaining, "s_max_n")?;
        let score = col_f64(remaining, "s_score")?;
        let life = col_f64(remaining, "s_life")?;
        let scale = col_f64(remaining, "s_scale")?;
        let per: Vec<(u32, Vec<u32>, [u32; 6])> = (0..remaining.height())
            .into_par_iter()
            .map(|r| {
                let key: [Option<&str>; 6] = std::array::from_fn(|i| s_attrs[i].get(r));
                let s = Subj {
                    ids: std::array::from_fn(|i| {
                        key[i].map_or(NULL, |v| self.names[i].get(v).copied().unwrap_or(UNKNOWN))
                    }),
                    days: days[r],
                    window: window[r],
                    exclude: exclude[r],
                    k: k[r],
                    max_n: max_n[r],
                    score: score[r],
                    life: life[r],
                    scale: scale[r],
                };
                let (n, rows) = self.candidates(&s, li, mode);
                (n, rows, s.ids)
            })
            .collect();
        let total = per.iter().map(|(_, v, _)| v.len()).sum();
        let mut s_rows = Vec::with_capacity(total);
        let mut d_rows = Vec::with_capacity(total);
        let mut found = Vec::with_capacity(total);
        // The attributes the similarity compares (all but the kind), as interned ids: equal ids
        // are equal text (a subject's value no deal has is UNKNOWN, equal to no deal's id), so
        // the similarity is the same number, and a pair carries ten `u32`s instead of ten
        // strings (the string gathers were a third of the selection's time).
        let compared = 1..ATTRS.len();
        let id = |v: u32| (v != NULL).then_some(v);
        let mut s_ids: Vec<Vec<Option<u32>>> = compared
            .clone()
            .map(|_| Vec::with_capacity(total))
            .collect();
        let mut d_ids: Vec<Vec<Option<u32>>> = compared
            .clone()
            .map(|_| Vec::with_capacity(total))
            .collect();
        for (r, (n, rows, ids)) in per.into_iter().enumerate() {
            s_rows.extend(std::iter::repeat_n(r as IdxSize, rows.len()));
            found.extend(std::iter::repeat_n(n, rows.len()));
            for (col, a) in s_ids.iter_mut().zip(compared.clone()) {
                col.extend(std::iter::repeat_n(id(ids[a]), rows.len()));
            }
            for d in &rows {
                let g = &self.groups[self.group_of[*d as usize] as usize];
                for (col, a) in d_ids.iter_mut().zip(compared.clone()) {
                    col.push(id(g.ids[a]));
                }
            }
            d_rows.extend(rows.into_iter().map(|x| x as IdxSize));
        }
        let subj = remaining
            .select(SUBJECT_PAIR_NUMBERS)
            .and_then(|f| f.take(&IdxCa::from_vec("".into(), s_rows)))
            .map_err(pe)?;
        let deal = narrow
            .select(DEAL_PAIR_NUMBERS)
            .and_then(|f| f.take(&IdxCa::from_vec("".into(), d_rows)))
            .map_err(pe)?;
        let mut cols = subj.into_columns();
        cols.extend(deal.into_columns());
        for ((s, d), a) in s_ids.into_iter().zip(d_ids).zip(compared) {
            cols.push(Column::new(format!("s_{}", ATTRS[a]).into(), s));
            cols.push(Column::new(ATTRS[a].into(), d));
        }
        cols.push(Column::new("n_found".into(), found));
        DataFrame::new_infer_height(cols).map_err(pe)
    }
}
