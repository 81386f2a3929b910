#!/usr/bin/env python3
"""numpy-vectorised reference of techval's Monte Carlo benchmark, and a side-by-side run.

The model (benches/rfr10.toml, which `techval bench simulate` runs on techval's compiled
income model):

    V = scale * k * (1 - T) * sum_{t=1..10} S1 * (1+g)^(t-1) / (1+r)^t
    S1 = 10,000,000 yuan, g = 5 %, T = 25 %
    scale ~ lognormal(mean 1, sd 0.25)   (mean/sd of the variable itself)
    k     ~ triangular(0.03, 0.05, 0.07)
    r     ~ normal(0.12, 0.015) truncated to [0.06, 0.18] (redrawn until inside: exact)

Usage:
    pip install numpy
    python3 benches/mc_reference.py --paths 1000000
    python3 benches/mc_reference.py --paths 1000000 --techval target/release/techval
    python3 benches/mc_reference.py --paths 1000000 --techval target/release/techval --blas-threads 1

With --techval, the script also runs `techval bench simulate --paths N --format json` as a
separate process, times the whole process, and prints both side by side with the ratio.
The two use different random streams, so their statistics agree within Monte Carlo error
(compare the means against the standard errors printed), not digit for digit.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

T0 = time.perf_counter()  # before numpy is imported: "end to end" includes the import
# --blas-threads N caps numpy's BLAS (and OpenMP) threads; it has to be set before the import.
# By default OpenBLAS starts a thread per core for the n x 10 matrix product, and those threads
# spin while they wait, which counts in numpy's CPU time: per CPU-second, numpy then looks about
# half as fast as with one BLAS thread (benches/README.md, issue 11, session 8).
_blas = [
    a.split("=", 1)[1] if a.startswith("--blas-threads=") else nxt
    for a, nxt in zip(sys.argv[1:], sys.argv[2:] + [""])
    if a == "--blas-threads" or a.startswith("--blas-threads=")
]
if _blas and _blas[-1]:
    for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_v] = _blas[-1]
import numpy as np  # noqa: E402

S1, G, TAX, YEARS = 10_000_000.0, 0.05, 0.25, 10


def simulate(n: int, seed: int, block: int = 250_000):
    """Values of n paths, computed in blocks to bound memory (n x 10 matrices)."""
    rng = np.random.default_rng(seed)
    s2 = math.log(1.0 + 0.25**2)  # lognormal from mean 1, sd 0.25
    mu, sigma = -s2 / 2.0, math.sqrt(s2)
    t = np.arange(1, YEARS + 1, dtype=np.float64)
    revenue = S1 * (1.0 + G) ** (t - 1.0)
    out = np.empty(n)
    for lo in range(0, n, block):
        m = min(block, n - lo)
        scale = rng.lognormal(mu, sigma, m)
        k = rng.triangular(0.03, 0.05, 0.07, m)
        r = rng.normal(0.12, 0.015, m)
        out_of_range = (r < 0.06) | (r > 0.18)
        while out_of_range.any():  # truncated normal by rejection (about 6 in 100,000 redrawn)
            r[out_of_range] = rng.normal(0.12, 0.015, int(out_of_range.sum()))
            out_of_range = (r < 0.06) | (r > 0.18)
        df = (1.0 + r)[:, None] ** (-t[None, :])
        out[lo : lo + m] = scale * k * (1.0 - TAX) * (df @ revenue)
    return out


def stats(v):
    n = v.size
    sd = float(v.std(ddof=1))
    p5, p50, p95 = np.percentile(v, [5, 50, 95])  # type 7, as techval
    return {
        "mean": float(v.mean()),
        "std_error": sd / math.sqrt(n),
        "p5": float(p5),
        "p50": float(p50),
        "p95": float(p95),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20250630)
    ap.add_argument("--techval", help="path of the techval binary to run side by side")
    ap.add_argument(
        "--blas-threads",
        type=int,
        help="cap numpy's BLAS threads (read before numpy is imported; default: the library's own)",
    )
    a = ap.parse_args()

    t1, c1 = time.perf_counter(), time.process_time()
    v = simulate(a.paths, a.seed)
    st = stats(v)
    t2, c2 = time.perf_counter(), time.process_time()
    compute, cpu = t2 - t1, c2 - c1
    end_to_end = t2 - T0
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "library default")
    print(f"numpy {np.__version__}: {a.paths} paths (BLAS threads: {blas})")
    print(f"  compute + statistics: {compute:.3f} s wall, {cpu:.3f} s CPU  ({a.paths / compute:,.0f} trials/s; {a.paths / cpu:,.0f} per CPU-second)")
    print(f"  incl. numpy import:   {end_to_end:.3f} s")
    print("  mean {mean:,.2f} ± {std_error:,.2f}  P5 {p5:,.2f}  P50 {p50:,.2f}  P95 {p95:,.2f}".format(**st))

    if a.techval:
        cmd = [a.techval, "bench", "simulate", "--paths", str(a.paths), "--format", "json"]
        t3 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True)
        whole = time.perf_counter() - t3
        if res.returncode != 0:
            sys.exit(f"techval failed: {res.stderr.strip()}")
        rep = json.loads(res.stdout)
        print(f"techval ({rep['threads']} threads): {a.paths} paths")
        print(f"  whole process:        {whole:.3f} s")
        tpc = rep.get("trials_per_cpu_second")
        print(
            f"  simulate + statistics: {rep['simulate_seconds']:.3f} s wall, {rep.get('cpu_seconds', float('nan')):.3f} s CPU  "
            f"({rep['trials_per_second']:,.0f} trials/s; {rep['trials_per_second_per_core']:,.0f} per core by wall clock; "
            f"{(tpc or float('nan')):,.0f} per CPU-second)"
        )
        print("  mean {mean:,.2f} ± {std_error:,.2f}  P5 {p5:,.2f}  P50 {p50:,.2f}  P95 {p95:,.2f}".format(**rep))
        z = (rep["mean"] - st["mean"]) / math.hypot(rep["std_error"], st["std_error"])
        print(f"means differ by {z:+.2f} combined standard errors")
        print(
            f"ratio numpy compute / techval whole process: {compute / whole:.2f}x; "
            f"numpy compute / techval compute: {compute / rep['simulate_seconds']:.2f}x; "
            f"per CPU-second: {((tpc or float('nan')) / (a.paths / cpu)):.2f}x"
        )


if __name__ == "__main__":
    main()
