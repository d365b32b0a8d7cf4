package import Reconciliation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a deterministic reconciliation workload: a ledger of N entries spread over venues × accounts × assets
/// (18-decimal assets and amounts of up to 24 digits included), the venues' balances with injected breaks of every
/// classification, the job file that reconciles them, and the expected classification of every key.
///
/// The same configuration always writes the same bytes. Used by `recon generate`, the benchmarks and the tests.
package struct WorkloadGenerator: Sendable {
    /// An asset of the workload: its code, its decimals and how many integer digits its amounts may have.
    package struct Asset: Sendable, Hashable {
        /// The code.
        package let code: String
        /// Decimal places of every amount.
        package let decimals: Int
        /// Integer digits of the largest amount.
        package let integerDigits: Int
    }

    /// The default assets: fiat, stablecoins, 8/9/18-decimal tokens, one with 24-digit amounts.
    package static let standardAssets: [Asset] = [
        Asset(code: "BTC", decimals: 8, integerDigits: 2), Asset(code: "ETH", decimals: 18, integerDigits: 3),
        Asset(code: "USD", decimals: 2, integerDigits: 6), Asset(code: "EUR", decimals: 2, integerDigits: 6),
        Asset(code: "USDC", decimals: 6, integerDigits: 6), Asset(code: "USDT", decimals: 6, integerDigits: 6),
        Asset(code: "SOL", decimals: 9, integerDigits: 4), Asset(code: "PEPE", decimals: 18, integerDigits: 6),
        Asset(code: "SHIB", decimals: 18, integerDigits: 5), Asset(code: "DOGE", decimals: 8, integerDigits: 5),
        Asset(code: "XRP", decimals: 6, integerDigits: 5), Asset(code: "ADA", decimals: 6, integerDigits: 5),
        Asset(code: "DOT", decimals: 10, integerDigits: 4), Asset(code: "LINK", decimals: 18, integerDigits: 4),
        Asset(code: "AVAX", decimals: 18, integerDigits: 4), Asset(code: "MATIC", decimals: 18, integerDigits: 5),
        Asset(code: "LTC", decimals: 8, integerDigits: 3), Asset(code: "ATOM", decimals: 6, integerDigits: 4),
        Asset(code: "GBP", decimals: 2, integerDigits: 6), Asset(code: "JPY", decimals: 0, integerDigits: 8),
    ]

    /// How many ledger entries.
    package var entries: Int
    /// How many venues.
    package var venues: Int
    /// Accounts per venue.
    package var accountsPerVenue: Int
    /// The assets every account holds.
    package var assets: [Asset]
    /// The random seed.
    package var seed: UInt64
    /// Whether the ledger is gzipped.
    package var gzip: Bool
    /// zlib level for a gzipped ledger.
    package var compressionLevel: Int32
    /// How many files the statement balances are split into (by key), each its own input in the job.
    package var statementFiles: Int

    /// Creates a configuration: 6 venues × 50 accounts × 20 assets = 6,000 keys by default.
    package init(
        entries: Int, venues: Int = 6, accountsPerVenue: Int = 50, assets: [Asset] = standardAssets,
        seed: UInt64 = 20_261_124, gzip: Bool = true, compressionLevel: Int32 = 6, statementFiles: Int = 1
    ) {
        self.statementFiles = max(1, statementFiles)
        self.entries = entries
        self.venues = venues
        self.accountsPerVenue = accountsPerVenue
        self.assets = assets
        self.seed = seed
        self.gzip = gzip
        self.compressionLevel = compressionLevel
    }

    /// What was written.
    package struct Summary: Sendable {
        /// The ledger file.
        package let ledgerPath: String
        /// The statement file.
        package let statementPath: String
        /// The expected classification per key (`venue,account,asset,classification`).
        package let expectedPath: String
        /// The job file.
        package let jobPath: String
        /// The expected classification of every key.
        package let expected: [BalanceKey: Classification]
        /// Bytes of ledger CSV before compression.
        package let ledgerBytes: Int64
    }

    private static let venueNames = ["coinbase", "kraken", "binance", "dydx", "okx", "bank"]

    /// The break injected for a key, decided by its position (deterministic, about 1 key in 16).
    enum Injection {
        case none, mismatch, withinTolerance, missingInStatement, missingInLedger, conflict
    }

    static func injection(forKey index: Int) -> Injection {
        switch index % 97 {
        case 1, 50: .mismatch
        case 2, 51: .withinTolerance
        case 3: .missingInStatement
        case 4: .missingInLedger
        case 5: .conflict
        default: .none
        }
    }

    /// Writes the workload into `directory` (created when missing).
    package func write(to directory: String) throws(ReconciliationError) -> Summary {
        try FileOutput.makeDirectory(directory)
        let keyCount = venues * accountsPerVenue * assets.count
        var sums = [Int128](repeating: 0, count: keyCount)
        var counts = [Int](repeating: 0, count: keyCount)
        var random = SplitMix64(seed: seed)

        let ledgerName = gzip ? "ledger.csv.gz" : "ledger.csv"
        let ledgerPath = directory + "/" + ledgerName
        let sink = try LedgerSink(path: ledgerPath, gzip: gzip, level: compressionLevel)
        sink.append("entry_id,venue,account,asset,amount\n")
        let venueNames = (0..<venues).map { $0 < Self.venueNames.count ? Self.venueNames[$0] : "venue\($0)" }
        let accountNames = (0..<accountsPerVenue).map { "acct-\(1000 + $0)" }
        let keyParts: [[UInt8]] = (0..<keyCount).map { key in
            let asset = assets[key % assets.count]
            let account = accountNames[(key / assets.count) % accountsPerVenue]
            let venue = venueNames[key / (assets.count * accountsPerVenue)]
            return Array(",\(venue),\(account),\(asset.code),".utf8)
        }
        let limits = assets.map { asset in
            // Up to integerDigits + decimals digits, at most 24.
            Amount.powerOfTen[min(24, asset.integerDigits + asset.decimals)] - 1
        }
        for entry in 0..<entries {
            let key = Int(random.next() % UInt64(keyCount))
            let assetIndex = key % assets.count
            let magnitude = random.next(below: limits[assetIndex])
            let negative = random.next() % 3 == 0
            let value = negative ? -magnitude : magnitude
            sums[key] += value
            counts[key] += 1
            sink.appendEntry(
                id: entry, keyPart: keyPart(keyParts, key), value: value, decimals: assets[assetIndex].decimals)
            try sink.flushIfFull()
        }
        try sink.finish()

        // Statement (split by key into `statementFiles` files, a key's rows always in one), expected answer.
        let statementHeader = "venue,account,asset,balance\n"
        var statements = [String](repeating: statementHeader, count: statementFiles)
        var expected: [BalanceKey: Classification] = [:]
        for key in 0..<keyCount where counts[key] > 0 {
            let file = key * statementFiles / keyCount
            var statement = ""
            defer { statements[file] += statement }
            let asset = assets[key % assets.count]
            let venue = venueNames[key / (assets.count * accountsPerVenue)]
            let account = accountNames[(key / assets.count) % accountsPerVenue]
            let balanceKey = BalanceKey(venue: venue, account: account, asset: asset.code)
            let sum = sums[key]
            func row(_ value: Int128) -> String {
                "\(venue),\(account),\(asset.code),\(Amount(uncheckedSignificand: value, scale: asset.decimals))\n"
            }
            switch Self.injection(forKey: key) {
            case .none:
                statement += row(sum)
                expected[balanceKey] = .matched
            case .mismatch:
                statement += row(sum + 1000)
                expected[balanceKey] = .mismatch
            case .withinTolerance:
                statement += row(sum - 5)
                expected[balanceKey] = .withinTolerance
            case .missingInStatement:
                expected[balanceKey] = sum == 0 ? .matched : .missingInStatement
            case .missingInLedger:
                statement += row(sum)
                expected[balanceKey] = .matched
                let extra = BalanceKey(venue: venue, account: account, asset: "NEW" + asset.code)
                statement +=
                    "\(venue),\(account),NEW\(asset.code),\(Amount(uncheckedSignificand: 1 + Int128(key), scale: asset.decimals))\n"
                expected[extra] = .missingInLedger
            case .conflict:
                statement += row(sum) + row(sum)
                expected[balanceKey] = .conflict
            }
        }
        let statementNames =
            statementFiles == 1
            ? ["statement.csv"]
            : (1...statementFiles).map {
                "statements/statement-\(String(repeating: "0", count: max(0, 5 - "\($0)".count)))\($0).csv"
            }
        if statementFiles > 1 { try FileOutput.makeDirectory(directory + "/statements") }
        for (name, text) in zip(statementNames, statements) {
            try FileOutput.writeAtomically(text, to: directory + "/" + name)
        }
        let statementPath = directory + "/" + (statementFiles == 1 ? statementNames[0] : "statements")

        var expectedText = "venue,account,asset,classification\n"
        for key in expected.keys.sorted() {
            expectedText += "\(key.venue),\(key.account),\(key.asset),\(expected[key]?.rawValue ?? "")\n"
        }
        let expectedPath = directory + "/expected.csv"
        try FileOutput.writeAtomically(expectedText, to: expectedPath)

        // Tolerance: ten units of each asset's last digit, so −5 units is within and +1000 is not.
        var job = """
            # Generated by `recon generate`: \(entries) entries, seed \(seed).
            job: generated-\(entries)
            as_of: 2026-11-24
            ledger:
              - path: \(ledgerName)
                format: csv
                kind: entries
                columns: {venue: venue, account: account, asset: asset, amount: amount}
            statements:

            """
        for (index, name) in statementNames.enumerated() {
            // Named inputs when split: one input per file, as a custodian with a statement per account has.
            job += statementFiles == 1 ? "  - path: \(name)\n" : "  - name: statement-\(index + 1)\n    path: \(name)\n"
            job += """
                    format: csv
                    kind: balances
                    columns: {venue: venue, account: account, asset: asset, amount: balance}

                """
        }
        job += """
            tolerance:
              default: {absolute: "0"}
              assets:

            """
        for asset in assets {
            job += "    \(asset.code): {absolute: \"\(Amount(uncheckedSignificand: 10, scale: asset.decimals))\"}\n"
        }
        if statementFiles + 1 > IngestLimits().maxInputs {
            // Past the default cap on inputs per job: raised here, in the job, where a reader sees it.
            job += "limits: {max_inputs: \(statementFiles + 1)}\n"
        }
        job += """
            report:
              dir: out
              formats: [json]

            """
        let jobPath = directory + "/job.yaml"
        try FileOutput.writeAtomically(job, to: jobPath)
        return Summary(
            ledgerPath: ledgerPath, statementPath: statementPath, expectedPath: expectedPath, jobPath: jobPath,
            expected: expected, ledgerBytes: sink.uncompressedBytes)
    }

    private func keyPart(_ parts: [[UInt8]], _ key: Int) -> [UInt8] { parts[key] }
}

/// SplitMix64: small, fast, and the same sequence on every machine.
package struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    package init(seed: UInt64) {
        state = seed
    }

    /// The next value.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A value in `1...limit` (limit below 10^24).
    mutating func next(below limit: Int128) -> Int128 {
        let wide = (Int128(next()) << 64 | Int128(next())) & Int128(UInt128.max >> 1)
        return wide % limit + 1
    }
}

/// Buffers ledger lines and writes them plain or gzipped.
private final class LedgerSink {
    private var buffer: [UInt8] = []
    private let gzip: GzipWriter?
    private let descriptor: Int32
    private let path: String
    private(set) var uncompressedBytes: Int64 = 0

    init(path: String, gzip: Bool, level: Int32) throws(ReconciliationError) {
        self.path = path
        buffer.reserveCapacity(1 << 21)
        if gzip {
            self.gzip = try GzipWriter(path: path, level: level)
            descriptor = -1
        } else {
            self.gzip = nil
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw ReconciliationError(
                    .report, "cannot create: \(systemErrorMessage(errno))", at: SourceLocation(file: path))
            }
        }
    }

    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    /// `E<id>,venue,account,asset,<amount>\n` with the amount written digit by digit (no String per row).
    func appendEntry(id: Int, keyPart: [UInt8], value: Int128, decimals: Int) {
        buffer.append(UInt8(ascii: "E"))
        appendDigits(UInt128(id), minimumDigits: 1)
        buffer.append(contentsOf: keyPart)
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        let divisor = UInt128(Amount.powerOfTen[decimals])
        appendDigits(magnitude / divisor, minimumDigits: 1)
        if decimals > 0 {
            buffer.append(UInt8(ascii: "."))
            appendDigits(magnitude % divisor, minimumDigits: decimals)
        }
        buffer.append(0x0A)
    }

    private func appendDigits(_ value: UInt128, minimumDigits: Int) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(truncatingIfNeeded: rest % 10) + 0x30)
            rest /= 10
        } while rest > 0
        if digits.count < minimumDigits {
            digits.append(contentsOf: repeatElement(0x30, count: minimumDigits - digits.count))
        }
        buffer.append(contentsOf: digits.reversed())
    }

    func flushIfFull() throws(ReconciliationError) {
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(ReconciliationError) {
        uncompressedBytes += Int64(buffer.count)
        if let gzip {
            let failure: ReconciliationError? = buffer.withUnsafeBytes { bytes in
                do throws(ReconciliationError) {
                    try gzip.write(bytes)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
        } else {
            let failed = buffer.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count, let base = bytes.baseAddress {
                    let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
                    if written <= 0 { return true }
                    offset += written
                }
                return false
            }
            if failed {
                throw ReconciliationError(
                    .report, "write failed: \(systemErrorMessage(errno))", at: SourceLocation(file: path))
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(ReconciliationError) {
        try flush()
        if let gzip { try gzip.close() } else { close(descriptor) }
    }
}
