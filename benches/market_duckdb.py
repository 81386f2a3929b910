#!/usr/bin/env python3
"""DuckDB peer of `techval bench-market`: the market approach's selection, adjustment factors,
IQR fences and median for many subjects against one deal history, in SQL on the same Parquet
files.

    techval datasets synth --rows 1000000 --seed 1 --out deals1m.parquet
    techval datasets synth --rows 100000 --seed 2 --out subjects100k.parquet   # bench-market's subjects
    python3 benches/market_duckdb.py --deals deals1m.parquet --subjects subjects100k.parquet

It follows src/valuation/market (models/market.toml's defaults, the shipped statistics of
datasets/tech_market_by_province.csv for the time and region indices): relaxation levels 0–7
as equi-joins on the level's key with the date window, `n_found` ≥ k, the similarity score,
the 30 most similar per subject (ties by deal row), the six clipped factors, Tukey fences on
ln P_adj and the median of the kept prices. It prints the figures `techval bench-market`
prints (subjects valued, median comparables used, mean level, comparable rows) so the two can
be checked against each other, and its own wall time in process.
"""

import argparse
import csv
import math
import os
import time

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
STATS = os.path.join(HERE, "..", "datasets", "tech_market_by_province.csv")

# models/market.toml
K, MAX_N, WINDOW_YEARS, MIN_N, IQR = 5, 30, 3.0, 3, 1.5
R, SCALE_EXP, F_MIN, F_MAX, SCORE_FLOOR = 0.10, 0.6, 0.5, 2.0, 1.0
TERMS = {
    "assignment": 1.0,
    "exclusive_licence": 0.8,
    "sole_licence": 0.65,
    "non_exclusive_licence": 0.35,
    "licence": 0.5,
    "equity_contribution": 0.9,
}
W = dict(time=0.20, tech=0.25, life=0.15, region=0.10, industry=0.15, terms=0.10, scale=0.05)
TAU = 3.0
TS = dict(trl=0.4, claims=0.2, citations=0.2, family=0.2, claims_cap=30, citations_cap=50, family_cap=20)

# (keys, window multiple or None): src/valuation/market/select.rs, LEVELS
LEVELS = [
    (["ip_kind", "industry", "transaction_type", "region"], 1.0),
    (["ip_kind", "industry", "transaction_type"], 1.0),
    (["ip_kind", "industry", "transaction_type"], 2.0),
    (["ip_kind", "industry", "transaction_type"], None),
    (["ip_kind", "industry"], None),
    (["ip_kind", "ind3"], None),
    (["ip_kind", "ind1"], None),
    (["ip_kind"], None),
]


def indices():
    """Time index (national outflow value per contract by year) and region index (province
    average / national average, nearest statistical year, the later on a tie), as
    data::stats::MarketStats::indices computes them."""
    rows = [r for r in csv.DictReader(open(STATS, encoding="utf-8")) if r["direction"] == "outflow"]

    def ok(r):
        return r["contracts"] and r["value_wan_yuan"] and int(r["contracts"]) > 0 and float(r["value_wan_yuan"]) > 0

    nat = {int(r["year"]): float(r["value_wan_yuan"]) / int(r["contracts"]) for r in rows if r["region_en"] == "China" and ok(r)}
    years = sorted(nat)
    y0, y1 = years[0], years[-1]
    time_ix = []
    for y in range(y0, y1 + 1):
        if y in nat:
            time_ix.append((y, nat[y]))
        else:
            lo = max([s for s in years if s < y], default=y0)
            hi = min([s for s in years if s > y], default=y1)
            w = (y - lo) / max(hi - lo, 1)
            time_ix.append((y, math.exp(math.log(nat[lo]) * (1 - w) + math.log(nat[hi]) * w)))
    region_ix = []
    for en in sorted({r["region_en"] for r in rows if r["region_en"] != "China"}):
        avail = [(int(r["year"]), float(r["value_wan_yuan"]) / int(r["contracts"])) for r in rows
                 if r["region_en"] == en and ok(r) and int(r["year"]) in nat]
        for y in range(y0, y1 + 1):
            fy, avg = min(avail, key=lambda a: (abs(a[0] - y), -a[0]))
            region_ix.append((en, y, avg / nat[fy]))
    return (y0, y1), time_ix, region_ix


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--deals", required=True)
    ap.add_argument("--subjects", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    (y0, y1), time_ix, region_ix = indices()
    con.execute("CREATE TABLE time_ix (index_year INTEGER, time_index DOUBLE)")
    con.executemany("INSERT INTO time_ix VALUES (?, ?)", time_ix)
    con.execute("CREATE TABLE region_ix (region VARCHAR, index_year INTEGER, region_index DOUBLE)")
    con.executemany("INSERT INTO region_ix VALUES (?, ?, ?)", region_ix)
    terms = " ".join(f"WHEN '{k}' THEN {v}" for k, v in TERMS.items())
    part = lambda c, cap: f"least(ln(1 + CAST({c} AS DOUBLE)) / ln({1 + cap}), 1.0)"
    wsum = TS["trl"] + TS["claims"] + TS["citations"] + TS["family"]
    composite = (f"100.0 * ({TS['trl']} * coalesce((CAST(trl AS DOUBLE) - 1) / 8, 0.5)"
                 f" + {TS['claims']} * {part('claims', TS['claims_cap'])}"
                 f" + {TS['citations']} * {part('citations', TS['citations_cap'])}"
                 f" + {TS['family']} * {part('family_size', TS['family_cap'])}) / {wsum}")

    def prepared(src):
        return f"""
        SELECT file_row_number AS rid, date_diff('day', DATE '1970-01-01', date) AS days, industry, ip_kind, transaction_type,
               region, substr(industry, 1, 3) AS ind3, substr(industry, 1, 1) AS ind1,
               price_yuan, remaining_life_years AS life, scale,
               greatest(coalesce(tech_score, {composite}), {SCORE_FLOOR}) AS score,
               CASE transaction_type {terms} END AS terms, t.time_index, r.region_index
        FROM (SELECT *, least(greatest(year(date), {y0}), {y1}) AS index_year FROM read_parquet('{src}', file_row_number = true)) p
        LEFT JOIN time_ix t USING (index_year)
        LEFT JOIN region_ix r USING (region, index_year)"""

    # Rows numbered in file order (ties of similarity go to the earlier deal).
    con.execute(f"CREATE TABLE deals AS {prepared(a.deals)}")
    con.execute(f"CREATE TABLE subj AS {prepared(a.subjects)}")
    t_load = time.perf_counter() - t0
    con.execute("CREATE TABLE remaining AS SELECT rid AS s_id FROM subj")
    con.execute("CREATE TABLE selected (s_id BIGINT, d BIGINT, n_found BIGINT, similarity DOUBLE, rnk BIGINT, level INTEGER)")
    sim = f"""(
        {W['time']} * exp(-(abs(CAST(d.days - s.days AS DOUBLE)) / 365.25) / {TAU})
      + {W['tech']} * coalesce(1 - least(abs(s.score - d.score) / 100, 1), 0.5)
      + {W['life']} * coalesce(exp(-abs(ln(d.life / s.life))), 0.5)
      + {W['region']} * CASE WHEN d.region IS NULL OR s.region IS NULL THEN 0.5
                             WHEN d.region = s.region THEN 1 ELSE 0 END
      + {W['industry']} * CASE WHEN d.industry = s.industry THEN 1 WHEN d.ind3 = s.ind3 THEN 2.0/3
                               WHEN d.ind1 = s.ind1 THEN 1.0/3 ELSE 0 END
      + {W['terms']} * CASE WHEN d.transaction_type = s.transaction_type THEN 1 ELSE 0 END
      + {W['scale']} * CASE WHEN s.scale IS NOT NULL AND d.scale IS NOT NULL
                            THEN exp(-abs(ln(d.scale / s.scale))) ELSE 0.5 END
      ) / {sum(W.values())}"""
    window_days = WINDOW_YEARS * 365.25
    for li, (keys, mult) in enumerate(LEVELS):
        on = " AND ".join(f"d.{k} = s.{k}" for k in keys)
        win = "d.days <= s.days" + (f" AND s.days - d.days <= {window_days * mult}" if mult else "")
        last = li + 1 == len(LEVELS)
        con.execute(f"""
        INSERT INTO selected
        SELECT s_id, d, n_found, similarity, rnk, {li} FROM (
            SELECT *, row_number() OVER (PARTITION BY s_id ORDER BY similarity DESC, d) AS rnk
            FROM (
                SELECT s.rid AS s_id, d.rid AS d, {sim} AS similarity,
                       count(*) OVER (PARTITION BY s.rid) AS n_found
                FROM (SELECT * FROM subj SEMI JOIN remaining ON subj.rid = remaining.s_id) s
                JOIN deals d ON {on} AND {win}
            ) WHERE {'true' if last else f'n_found >= {K}'}
        ) WHERE rnk <= {MAX_N}""")
        con.execute(f"DELETE FROM remaining WHERE s_id IN (SELECT s_id FROM selected WHERE level = {li})")
    clip = lambda e: f"least(greatest({e}, {F_MIN}), {F_MAX})"
    af = lambda n: f"((1 - pow(1 + {R}, -({n}))) / {R})"
    con.execute(f"""
    CREATE TABLE adjusted AS
    SELECT *, ln(adjusted) AS ln_adj FROM (
        SELECT x.*, d.price_yuan * f_tech * f_time * f_region * f_terms * f_scale * f_life AS adjusted
        FROM (
            SELECT sel.*, d.price_yuan,
                coalesce({clip('s.score / d.score')}, 1) AS f_tech,
                coalesce({clip('s.time_index / d.time_index')}, 1) AS f_time,
                coalesce({clip('s.region_index / d.region_index')}, 1) AS f_region,
                coalesce({clip('s.terms / d.terms')}, 1) AS f_terms,
                CASE WHEN s.scale IS NOT NULL AND d.scale IS NOT NULL
                     THEN {clip(f'pow(s.scale / d.scale, {SCALE_EXP})')} ELSE 1 END AS f_scale,
                coalesce({clip(af('s.life') + ' / ' + af('d.life'))}, 1) AS f_life
            FROM selected sel JOIN subj s ON s.rid = sel.s_id JOIN deals d ON d.rid = sel.d
        ) x JOIN deals d ON d.rid = x.d
    )""")
    summary = con.execute(f"""
    WITH f AS (
        SELECT s_id, quantile_cont(ln_adj, 0.25) AS q1, quantile_cont(ln_adj, 0.75) AS q3
        FROM adjusted GROUP BY s_id
    ), kept AS (
        SELECT a.s_id, a.adjusted FROM adjusted a JOIN f USING (s_id)
        WHERE a.ln_adj BETWEEN q1 - {IQR} * (q3 - q1) AND q3 + {IQR} * (q3 - q1)
    ), per AS (
        SELECT s_id, count(*) AS n_used, median(adjusted) AS median FROM kept GROUP BY s_id
    ), lv AS (SELECT s_id, min(level) AS level FROM selected GROUP BY s_id)
    SELECT (SELECT count(*) FROM subj) AS subjects,
           count(*) FILTER (WHERE per.n_used >= {MIN_N}) AS valued,
           median(per.n_used) AS median_used,
           (SELECT avg(level) FROM lv) AS mean_level,
           (SELECT count(*) FROM selected) AS comparable_rows,
           sum(per.median) AS sum_of_medians
    FROM per""").fetchone()
    total = time.perf_counter() - t0
    names = ["subjects", "valued", "median_used", "mean_level", "comparable_rows", "sum_of_medians"]
    for n, v in zip(names, summary):
        print(f"{n}: {v}")
    print(f"duckdb {duckdb.__version__}, {a.threads} threads: load + prepare {t_load:.2f} s, total in process {total:.2f} s")


if __name__ == "__main__":
    main()
