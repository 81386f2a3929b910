#!/usr/bin/env python3
# Independent reference for techval's schedules: Python decimal at 50 significant digits.
from decimal import Decimal as D, getcontext, ROUND_HALF_UP
getcontext().prec = 50
def r2(x): return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)  # half away from zero for these positive values
P = D("1000000"); i = D("0.0435")/12; n = 36
pmt = P*i/(1-(1+i)**-n)
print("PMT exact", pmt, "rounded", r2(pmt))
# annuity: fixed rounded payment; interest rounded per line; last line takes the remaining balance
bal = P; rows=[]
for k in range(1,n+1):
    it = r2(bal*i)
    pr = bal if k==n else r2(pmt)-it
    rows.append((k, r2(pmt) if k<n else pr+it, it, pr, bal-pr)); bal -= pr
print("annuity sum principal", sum(r[3] for r in rows), "sum interest", sum(r[2] for r in rows))
for r in rows: print("A", *r)
bal = P; rows=[]
q = r2(P/n)
for k in range(1,n+1):
    it = r2(bal*i); pr = bal if k==n else q
    rows.append((k, pr+it, it, pr, bal-pr)); bal -= pr
print("equal principal sum principal", sum(r[3] for r in rows), "sum interest", sum(r[2] for r in rows))
for r in rows: print("E", *r)
# VC method worked example
tv = D(2500000)*15; post = tv/(D("1.5")**5); print("VC post", post, r2(post))
