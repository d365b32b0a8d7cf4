#!/usr/bin/env python3
"""Writes the bundled samples: our ledger export (gzipped entries) and every venue's statement for 2026-11-24, in
each venue's own format, with deliberate breaks of every classification.

Deterministic (fixed seed, fixed gzip mtime): running it again yields the same bytes. Run from anywhere:
    python3 scripts/make-samples.py
"""
import gzip
import io
import json
import os
import random
from decimal import Decimal as D

random.seed(20261124)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples")
AS_OF = "2026-11-24"


def write(path, text, gz=False):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    data = text.encode()
    if gz:
        with open(full, "wb") as raw:
            with gzip.GzipFile(filename=os.path.basename(path)[:-3], mode="wb", fileobj=raw, mtime=1764000000) as out:
                out.write(data)
    else:
        with open(full, "wb") as out:
            out.write(data)


def fmt(value, decimals):
    return f"{value:.{decimals}f}"


# The ledger's view: (venue, ledger account, asset) -> (balance, decimals). Statements below say the same except
# where a break is deliberate.
ledger = {
    ("coinbase", "ops-main", "BTC"): (D("0.49211540"), 8),
    ("coinbase", "ops-main", "ETH"): (D("12.345678901234567890"), 18),
    ("coinbase", "ops-main", "USDC"): (D("251123.407713"), 6),
    ("coinbase", "ops-main", "USD"): (D("18234.11"), 2),
    ("coinbase", "treasury", "BTC"): (D("3.14159265"), 8),
    ("coinbase", "treasury", "USD"): (D("100000.00"), 2),
    ("coinbase", "desk", "ETH"): (D("3.7475"), 16),
    ("coinbase", "desk", "USDC"): (D("1000"), 16),
    ("coinbase", "retail-1", "BTC"): (D("0.25"), 8),
    ("coinbase", "retail-1", "XRP"): (D("1750.5"), 6),
    ("coinbase", "retail-1", "XLM"): (D("12.5"), 7),
    ("kraken", "AA11-BB22", "BTC"): (D("20.0485414715"), 10),  # statement +0.0000000004: within asset BTC absolute
    ("kraken", "AA11-BB22", "ETH"): (D("399.6111758101"), 10),  # statement +0.0000000399: within venue kraken relative
    ("kraken", "AA11-BB22", "EUR"): (D("303156.1652"), 4),
    ("kraken", "AA11-BB22", "DOT"): (D("42.5000000000"), 10),  # not in the kraken export: missing_in_statement
    ("binance", "spot-1", "BTC"): (D("31.28349437"), 8),
    ("binance", "spot-1", "ETH"): (D("629.33696642"), 8),
    ("binance", "spot-1", "USDT"): (D("355446.63228007"), 8),
    ("binance", "spot-1", "SOL"): (D("4603.90125338"), 8),  # binance says 0.25 less: a fee not booked (mismatch)
    ("binance", "spot-1", "DOGE"): (D("0"), 8),  # bought and sold the same day: zero on both sides
    ("dydx", "dydx1q2w3e4r5t6y7u8i9o0p/0", "USDC"): (D("-1500.25"), 6),
    ("dydx", "dydx1q2w3e4r5t6y7u8i9o0p/0", "ETH-USD-PERP"): (D("-2.5"), 4),
    ("okx", "main", "BTC"): (D("12.5"), 8),
    ("okx", "main", "USDT"): (D("50000.5"), 6),
    ("okx", "main", "ADA"): (D("0.000004"), 6),  # dust CCXT leaves out: zero by policy, within asset ADA absolute
    ("ing", "ing-eur-main", "EUR"): (D("322688.6625"), 4),  # the bank prints 2 decimals: within inferred tolerance
    ("ing", "ing-usd", "USD"): (D("-1520.40"), 2),  # overdrawn: a debit closing balance
    ("otc", "desk-7", "USDC"): (D("227236.158627"), 6),  # the desk reports 125 more: an unbooked deposit (mismatch)
    ("otc", "desk-7", "USD"): (D("376163.18"), 2),
    ("bitstamp", "main", "BTC"): (D("1.20000000"), 8),
    ("bitstamp", "main", "EUR"): (D("15040.77"), 2),
    ("sygnum", "CH9300762011623852957", "CHF"): (D("1250000.00"), 2),
    ("sygnum", "CH9300762011623852957", "USD"): (D("88000.00"), 2),
}

# Entries: an opening balance carried forward plus the day's movements, summing exactly to the ledger balance.
entries = []
entry_id = 100000
for (venue, account, asset), (balance, decimals) in ledger.items():
    unit = D(1).scaleb(-decimals)
    count = random.randint(3, 9)
    movements = []
    for _ in range(count - 1):
        size = max(abs(balance) / 10, D(1))
        movements.append((D(random.randint(-1000, 1000)) / 1000 * size).quantize(unit))
    opening = balance - sum(movements)
    if (venue, account, asset) == ("binance", "spot-1", "DOGE"):
        opening, movements = D("0"), [D("1500"), D("-1500")]
    for index, amount in enumerate([opening] + movements):
        entry_id += 1
        memo = "opening balance" if index == 0 else random.choice(["trade", "fee", "deposit", "withdrawal", "transfer, internal"])
        time = "00:00:00" if index == 0 else f"{random.randint(1, 23):02d}:{random.randint(0, 59):02d}:00"
        entries.append((f"E{entry_id}", f"{AS_OF}T{time}Z", venue, account, asset, fmt(amount, decimals), memo))
entries.sort(key=lambda e: (e[1], e[0]))
out = io.StringIO()
out.write("entry_id,booked_at,venue,account,asset,amount,memo\r\n")
for e in entries:
    memo = f'"{e[6]}"' if "," in e[6] else e[6]
    out.write(",".join(e[:6]) + "," + memo + "\r\n")
write("ledger/entries.csv.gz", out.getvalue(), gz=True)


def balance(venue, account, asset):
    return ledger[(venue, account, asset)][0]


# Coinbase Advanced Trade: two pages; page 2 repeats the ETH wallet of page 1 (overlapping pages): a conflict.
def advanced_account(uuid, currency, available, hold, kind="ACCOUNT_TYPE_CRYPTO", deleted=None):
    return {
        "uuid": uuid, "name": f"{currency} Wallet", "currency": currency,
        "available_balance": {"value": available, "currency": currency}, "default": currency == "BTC",
        "active": deleted is None, "created_at": "2023-02-01T10:00:00Z", "updated_at": f"{AS_OF}T22:59:12Z",
        "deleted_at": deleted, "type": kind, "ready": True, "hold": {"value": hold, "currency": currency},
        "retail_portfolio_id": "4f9e-ops",
    }


eth = advanced_account("8bfc20d7-0002", "ETH", "12.300000000000000000", "0.045678901234567890")
page1 = {
    "accounts": [
        advanced_account("8bfc20d7-0001", "BTC", "0.48211540", "0.01000000"), eth,
        advanced_account("8bfc20d7-0009", "LUNA", "0", "0", deleted="2022-06-01T00:00:00Z"),
    ],
    "has_next": True, "cursor": "8bfc20d7-0009", "size": 3,
}
page2 = {
    "accounts": [
        eth, advanced_account("8bfc20d7-0003", "USDC", "250123.407713", "1000.000000"),
        advanced_account("8bfc20d7-0004", "USD", "18234.11", "0.00", kind="ACCOUNT_TYPE_FIAT"),
    ],
    "has_next": False, "cursor": "", "size": 3,
}
write("statements/coinbase/advanced-accounts-page-1.json", json.dumps(page1, indent=2) + "\n")
write("statements/coinbase/advanced-accounts-page-2.json", json.dumps(page2, indent=2) + "\n")

# Coinbase Exchange accounts (the treasury profile).
exchange = [
    {"id": "71452118-efc7-4cc4-8780-a5e22d4baa53", "currency": "BTC", "balance": "3.1415926500000000",
     "available": "3.1000000000000000", "hold": "0.0415926500000000", "profile_id": "prof-treasury", "trading_enabled": True},
    {"id": "e316cb9a-0808-4fd7-8914-97829c1925de", "currency": "USD", "balance": "100000.0000000000000000",
     "available": "100000.0000000000000000", "hold": "0.0000000000000000", "profile_id": "prof-treasury", "trading_enabled": True},
]
write("statements/coinbase/exchange-accounts.json", json.dumps(exchange, indent=2) + "\n")

# Coinbase Exchange account statement (the desk portfolio): running balances; two rows share the last ETH timestamp.
write("statements/coinbase/exchange-statement-desk.csv", """portfolio,type,time,amount,balance,amount/balance unit,transfer id,trade id,order id
desk,deposit,2026-11-24T08:00:00.000Z,5.0000000000000000,5.0000000000000000,ETH,6b1d2e3f-0001,,
desk,withdrawal,2026-11-24T10:00:00.000Z,-1.2500000000000000,3.7500000000000000,ETH,6b1d2e3f-0002,,
desk,match,2026-11-24T09:00:00.000Z,1000.0000000000000000,1000.0000000000000000,USDC,,899,a9f0c1d2-0001
desk,match,2026-11-24T12:00:00.000Z,-0.0012500000000000,3.7487500000000000,ETH,,900,a9f0c1d2-0002
desk,fee,2026-11-24T12:00:00.000Z,-0.0012500000000000,3.7475000000000000,ETH,,900,a9f0c1d2-0002
""")

# Coinbase retail transaction history (entries): 2021 header, unsigned quantities, a conversion.
write("statements/coinbase/transactions-retail.csv", """You can use this transaction report to inform your likely tax obligations.
Transactions
User,Acme Retail Desk,5c2f6a7e-0000-4000-8000-000000000001
Timestamp,Transaction Type,Asset,Quantity Transacted,Spot Price Currency,Spot Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes
2026-11-24T08:00:00Z,Buy,BTC,0.50000000,USD,98000.00,49000.00,49100.00,100.00,Bought 0.5 BTC for $49100.00 USD
2026-11-24T09:00:00Z,Sell,BTC,0.10000000,USD,98500.00,9850.00,9800.00,50.00,Sold 0.1 BTC for $9800.00 USD
2026-11-24T10:00:00Z,Send,BTC,0.05000000,USD,98200.00,,,,Sent 0.05 BTC to an external wallet
2026-11-24T11:00:00Z,Convert,BTC,0.10000000,USD,98000.00,9800.00,9800.00,0.00,"Converted 0.10000000 BTC to 1,750.5 XRP"
2026-11-24T12:00:00Z,Rewards Income,XLM,12.5000000,USD,0.25,3.13,3.13,0.00,Received 12.5 XLM from Coinbase Earn
""")

# Kraken ledgers: legacy codes, running balances; BTC and ETH a hair off the ledger (within tolerance); no DOT.
rows = [
    ("2026-11-24 01:00:00", "deposit", "ZEUR", "303156.1652", "0.0000", "303156.1652"),
    ("2026-11-24 02:00:00", "deposit", "XXBT", "20.0485414719", "0.0000000000", "20.0485414719"),
    ("2026-11-24 03:00:00", "deposit", "XETH", "399.6111758600", "0.0000000000", "399.6111758600"),
    ("2026-11-24 04:00:00", "trade", "XETH", "-0.0000000100", "0.0000000000", "399.6111758500"),
]
kraken = ['"txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance"']
for index, (time, kind, asset, amount, fee, bal) in enumerate(rows):
    kraken.append(f'"L4XQ2M-{index:05d}","R{index:05d}","{time}","{kind}","","currency","{asset}","spot / main",{amount},{fee},{bal}')
write("statements/kraken/ledgers.csv", "\n".join(kraken) + "\n")

# Binance spot account: the uid is mapped to our account in the job; SOL short by a fee; BNB dust we never booked.
binance = {
    "makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0, "canTrade": True,
    "canWithdraw": True, "canDeposit": True, "brokered": False, "updateTime": 1795564799000, "accountType": "SPOT",
    "balances": [
        {"asset": "BTC", "free": "31.00000000", "locked": "0.28349437"},
        {"asset": "ETH", "free": "629.33696642", "locked": "0.00000000"},
        {"asset": "USDT", "free": "355000.00000000", "locked": "446.63228007"},
        {"asset": "SOL", "free": "4603.65125338", "locked": "0.00000000"},
        {"asset": "DOGE", "free": "0.00000000", "locked": "0.00000000"},
        {"asset": "BNB", "free": "0.04210000", "locked": "0.00000000"},
    ],
    "permissions": ["SPOT"], "uid": 354937868,
}
write("statements/binance/account.json", json.dumps(binance, indent=2) + "\n")

# dYdX subaccount, wrapped as the live indexer answers: a short perpetual and borrowed USDC (SHORT).
dydx = {"subaccount": {
    "address": "dydx1q2w3e4r5t6y7u8i9o0p", "subaccountNumber": 0, "equity": "6234.75", "freeCollateral": "5100.00",
    "openPerpetualPositions": {"ETH-USD": {
        "market": "ETH-USD", "status": "OPEN", "side": "SHORT", "size": "2.5", "maxSize": "2.5", "entryPrice": "3100",
        "realizedPnl": "0", "createdAt": "2026-11-20T00:00:00Z", "createdAtHeight": "41000000", "sumOpen": "2.5",
        "sumClose": "0", "netFunding": "-0.78841244600000000000001", "unrealizedPnl": "12.5", "subaccountNumber": 0}},
    "assetPositions": {"USDC": {"size": "1500.25", "symbol": "USDC", "side": "SHORT", "assetId": "0", "subaccountNumber": 0}},
    "marginEnabled": True, "updatedAtHeight": "63049869", "latestProcessedBlockHeight": "66624141"}}
write("statements/dydx/subaccount-0.json", json.dumps(dydx, indent=2) + "\n")

# A CCXT fetch_balance() dump of an OKX account: floats as CCXT writes them; ADA left out (missing means zero).
write("statements/okx/ccxt-balance.json", """{
  "info": {"code": "0", "data": [{"details": [{"ccy": "BTC", "cashBal": "12.5"}]}]},
  "timestamp": 1795564799000,
  "datetime": "2026-11-24T23:59:59.000Z",
  "BTC": {"free": 12.5, "used": 0.0, "total": 12.5},
  "USDT": {"free": 49000.5, "used": 1000.0, "total": 50000.5},
  "free": {"BTC": 12.5, "USDT": 49000.5},
  "used": {"BTC": 0.0, "USDT": 1000.0},
  "total": {"BTC": 12.5, "USDT": 50000.5}
}
""")

# ING camt.053 (gzipped, as banks deliver them): EUR closing, and an overdrawn USD account (DBIT).
camt = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>INGBNL2A-20261124-0001</MsgId>
      <CreDtTm>2026-11-24T22:05:00+01:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>20261124-NL91INGB0002445588</Id>
      <ElctrncSeqNb>327</ElctrncSeqNb>
      <CreDtTm>2026-11-24T22:05:00+01:00</CreDtTm>
      <Acct>
        <Id><IBAN>NL91INGB0002445588</IBAN></Id>
        <Ccy>EUR</Ccy>
        <Ownr><Nm>Acme Digital Assets B.V.</Nm></Ownr>
      </Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">321488.66</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-11-23</Dt></Dt>
      </Bal>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">322688.66</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-11-24</Dt></Dt>
      </Bal>
      <Ntry>
        <Amt Ccy="EUR">1200.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-11-24</Dt></BookgDt>
        <ValDt><Dt>2026-11-24</Dt></ValDt>
        <AcctSvcrRef>INGB-20261124-000327-01</AcctSvcrRef>
      </Ntry>
    </Stmt>
    <Stmt>
      <Id>20261124-INGB-USD-7781</Id>
      <CreDtTm>2026-11-24T22:05:00+01:00</CreDtTm>
      <Acct>
        <Id><Othr><Id>INGB-USD-7781</Id></Othr></Id>
        <Ccy>USD</Ccy>
      </Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="USD">1520.40</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Dt><Dt>2026-11-24</Dt></Dt>
      </Bal>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""
write("statements/ing/camt053-20261124.xml.gz", camt, gz=True)

# An OTC desk's plain balances CSV (generic format), with a BOM and CRLF as spreadsheet exports have.
write("statements/otc/balances.csv", "\ufeffvenue,account,asset,balance\r\n"
      f"otc,desk-7,USDC,{fmt(balance('otc', 'desk-7', 'USDC') + 125, 6)}\r\n"
      f"otc,desk-7,USD,{fmt(balance('otc', 'desk-7', 'USD'), 2)}\r\n")

# A venue without a reader of its own, mapped through the generic JSON format.
write("statements/bitstamp/balances.json", json.dumps({"account": "main", "balances": [
    {"currency": "btc", "total": "1.20000000", "available": "1.10000000", "reserved": "0.10000000"},
    {"currency": "eur", "total": "15040.77", "available": "15040.77", "reserved": "0.00"},
]}, indent=2) + "\n")

# A bank without camt, mapped through the generic XML format.
write("statements/sygnum/positions.xml", """<?xml version="1.0" encoding="UTF-8"?>
<Positions xmlns="urn:example:sygnum:positions:1" asOf="2026-11-24">
  <Account iban="CH9300762011623852957">
    <Position currency="CHF"><Booked>1250000.00</Booked></Position>
    <Position currency="USD"><Booked>88000.00</Booked></Position>
  </Account>
</Positions>
""")

# An intraday camt.052 for the intraday job: an interim balance (ITBD), no closing one.
write("statements/ing/camt052-20261124-1200.xml", """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">
  <BkToCstmrAcctRpt>
    <GrpHdr><MsgId>INGBNL2A-20261124-1200</MsgId><CreDtTm>2026-11-24T12:00:00+01:00</CreDtTm></GrpHdr>
    <Rpt>
      <Id>20261124-1200-NL91INGB0002445588</Id>
      <Acct><Id><IBAN>NL91INGB0002445588</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>ITBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">322688.66</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><DtTm>2026-11-24T12:00:00+01:00</DtTm></Dt>
      </Bal>
    </Rpt>
  </BkToCstmrAcctRpt>
</Document>
""")
print(f"{len(entries)} ledger entries over {len(ledger)} keys")

# The position manager's intraday snapshot (a balances export) for the intraday job.
write("ledger/positions-1200.csv", "venue,account,asset,balance,as_of\n"
      "ing,ing-eur-main,EUR,322688.66,2026-11-24T12:00:00+01:00\n")

# A dated day for jobs/eod-dated.yaml (run with --as-of 2026-11-24): files under a folder per business day, a ledger
# with booking times, statements that run past the 17:00 New York cutoff, paged API dumps found by a glob, and a bank
# balances CSV holding two days.
DAY = "dated/2026-11-24/"
write(DAY + "ledger-20261124.csv", "venue,account,asset,amount,booked_at\n"
      "kraken,AA11-BB22,BTC,1.0000000000,2026-11-23T09:00:00Z\n"
      "kraken,AA11-BB22,BTC,0.5000000000,2026-11-23T20:00:00Z\n"
      "kraken,AA11-BB22,BTC,-0.2500000000,2026-11-24T14:30:00Z\n"
      "kraken,AA11-BB22,BTC,-0.2000000000,2026-11-24T22:00:00Z\n"
      "kraken,AA11-BB22,BTC,0.1000000000,2026-11-24T23:10:00Z\n"
      "coinbase,ops,BTC,0.75000000,2026-11-20T10:00:00Z\n"
      "coinbase,ops,USD,18234.11,2026-11-20T10:00:00Z\n"
      "coinbase,ops,USD,-1000.00,2026-11-24T21:30:00Z\n"
      "coinbase,ops,USD,-500.00,2026-11-24T22:30:00Z\n"
      "db,treasury,EUR,1250.40,2026-11-24T08:00:00+01:00\n")
write(DAY + "kraken-ledgers.csv",
      '"txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance"\n'
      '"LA1","R1","2026-11-23 09:00:00","deposit","","currency","XXBT","spot / main",1.0000000000,0.0000000000,1.0000000000\n'
      '"LA2","R2","2026-11-23 20:00:00","trade","","currency","XXBT","spot / main",0.5000000000,0.0000000000,1.5000000000\n'
      '"LA3","R3","2026-11-24 14:30:00","trade","","currency","XXBT","spot / main",-0.2500000000,0.0000000000,1.2500000000\n'
      '"LA4","R4","2026-11-24 22:00:00","withdrawal","","currency","XXBT","spot / main",-0.2000000000,0.0000000000,1.0500000000\n'
      '"LA5","R5","2026-11-24 23:10:00","trade","","currency","XXBT","spot / main",0.1000000000,0.0000000000,1.1500000000\n')
dated_page1 = {"accounts": [advanced_account("a1", "BTC", "0.74000000", "0.01000000")],
               "has_next": True, "cursor": "dated-2", "size": 1}
dated_page2 = {"accounts": [advanced_account("a2", "USD", "17234.11", "0.00", kind="ACCOUNT_TYPE_FIAT")],
               "has_next": False, "cursor": "", "size": 1}
write(DAY + "coinbase-page-1.json", json.dumps(dated_page1, indent=2) + "\n")
write(DAY + "coinbase-page-2.json", json.dumps(dated_page2, indent=2) + "\n")
write(DAY + "bank-balances.csv", "date,account,currency,balance\n"
      "2026-11-23,treasury,EUR,1100.00\n"
      "2026-11-24,treasury,EUR,1250.40\n")
