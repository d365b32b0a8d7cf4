#!/usr/bin/env python3
"""Writes the spine samples: a gzipped ledger entries export and a statement of balances with deliberate breaks.

Deterministic (fixed seed, fixed gzip mtime): running it again yields the same bytes.
"""
import gzip
import io
import os
import random
from decimal import Decimal

random.seed(20261124)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples")

accounts = {
    ("coinbase", "ops-main"): {"BTC": 8, "ETH": 18, "USD": 2, "USDC": 6},
    ("coinbase", "treasury"): {"BTC": 8, "USD": 2},
    ("kraken", "AA11-BB22"): {"BTC": 10, "ETH": 10, "EUR": 4, "USD": 4},
    ("binance", "spot-1"): {"BTC": 8, "ETH": 8, "USDT": 8, "SOL": 8},
    ("ing", "NL91INGB0002445588"): {"EUR": 2},
}

entries = []
entry_id = 100000
for (venue, account), assets in accounts.items():
    for asset, decimals in assets.items():
        # The day opens with a carried-forward balance large enough that the day's movements keep it positive.
        entry_id += 1
        size = {"BTC": 40, "ETH": 600, "SOL": 5000, "DOT": 1000}.get(asset, 400000)
        unit = Decimal(10) ** decimals
        opening = Decimal(random.randint(size * 10 ** decimals // 2, size * 10 ** decimals)) / unit
        entries.append((f"E{entry_id}", "2026-11-24T00:00:00Z", venue, account, asset, opening, decimals, "opening balance"))
        for _ in range(random.randint(6, 14)):
            entry_id += 1
            magnitude = Decimal(random.randint(1, size * 10 ** decimals // 20)) / unit
            sign = -1 if random.random() < 0.35 else 1
            amount = magnitude * sign
            hour = random.randint(0, 23)
            entries.append((f"E{entry_id}", f"2026-11-24T{hour:02d}:{random.randint(0,59):02d}:00Z", venue, account,
                            asset, amount, decimals, random.choice(["trade", "fee", "deposit", "withdrawal", "transfer"])))

# A zero-sum key: bought and sold the same amount (the statement still lists it at zero).
entries.append(("E200001", "2026-11-24T10:00:00Z", "binance", "spot-1", "DOGE", Decimal("1500.00000000"), 8, "trade"))
entries.append(("E200002", "2026-11-24T11:00:00Z", "binance", "spot-1", "DOGE", Decimal("-1500.00000000"), 8, "trade"))
# A key only the ledger knows (missing in the statement).
entries.append(("E200003", "2026-11-24T12:00:00Z", "kraken", "AA11-BB22", "DOT", Decimal("42.5000000000"), 10, "deposit"))

entries.sort(key=lambda e: (e[1], e[0]))
sums = {}
for e in entries:
    key = (e[2], e[3], e[4])
    sums[key] = sums.get(key, Decimal(0)) + e[5]

def fmt(amount, decimals):
    return f"{amount:.{decimals}f}"

out = io.StringIO()
out.write("entry_id,booked_at,venue,account,asset,amount,memo\r\n")
for e in entries:
    memo = e[7] if e[7] != "transfer" else '"transfer, internal"'
    out.write(f"{e[0]},{e[1]},{e[2]},{e[3]},{e[4]},{fmt(e[5], e[6])},{memo}\r\n")
os.makedirs(os.path.join(root, "ledger"), exist_ok=True)
with open(os.path.join(root, "ledger", "entries.csv.gz"), "wb") as raw:
    with gzip.GzipFile(filename="entries.csv", mode="wb", fileobj=raw, mtime=1764000000) as gz:
        gz.write(out.getvalue().encode())

decimals_of = {(v, a, s): d for (v, a), assets in accounts.items() for s, d in assets.items()}
decimals_of[("binance", "spot-1", "DOGE")] = 8
rows = []
for key, total in sorted(sums.items()):
    venue, account, asset = key
    if key == ("kraken", "AA11-BB22", "DOT"):
        continue  # missing_in_statement
    d = decimals_of[key]
    balance = total
    if key == ("coinbase", "ops-main", "USDC"):
        balance = total + Decimal("125.000000")  # mismatch: an unbooked deposit
    if key == ("kraken", "AA11-BB22", "BTC"):
        balance = total + Decimal("0.0000000004")  # within the BTC tolerance of 0.00000001
    if key == ("binance", "spot-1", "SOL"):
        balance = total - Decimal("0.25")  # mismatch: a fee not booked
    rows.append((venue, account, asset, fmt(balance, d)))
rows.append(("binance", "spot-1", "BNB", "0.04210000"))  # missing_in_ledger: dust the ledger never booked

os.makedirs(os.path.join(root, "statements"), exist_ok=True)
with open(os.path.join(root, "statements", "balances.csv"), "w", newline="") as f:
    f.write("\ufeffvenue,account,asset,balance\r\n")
    for r in rows:
        f.write(",".join(r) + "\r\n")
print(f"{len(entries)} entries, {len(rows)} statement balances")
