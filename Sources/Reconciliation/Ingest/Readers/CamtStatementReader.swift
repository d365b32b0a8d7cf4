/// ISO 20022 bank statements: camt.053 (`Document/BkToCstmrStmt/Stmt`, end of day) and camt.052
/// (`Document/BkToCstmrAcctRpt/Rpt`, intraday), namespaces `urn:iso:std:iso:20022:tech:xsd:camt.05x.001.NN` for NN
/// 02 through 13. Read with libxml2 as a stream, one statement at a time (entries are skipped, not built).
///
/// Each `Stmt`/`Rpt` holds an account (`Acct/Id/IBAN` or `Acct/Id/Othr/Id`) and balances (`Bal`) of several types;
/// the input's `balance_type` (default `CLBD`, closing booked) chooses the statement balance. `Amt` is always
/// positive: the sign is `CdtDbtInd` (`CRDT` +, `DBIT` −), and a closing balance can be a debit. A statement with no
/// balance of the type is a warning naming the types it has; a file with no `Bal` at all is a warning too, a file with no
/// `Stmt`/`Rpt` an error (the schema requires one), and a balance without `CdtDbtInd` is refused. Without `venue:` the
/// venue is the servicing institution's BIC (`Acct/Svcr/FinInstnId/BIC` or `BICFI`), lowercased, with a note.
public struct CamtStatementReader: StatementReader {
    /// Which message: camt.053 or camt.052.
    public let message: String
    public let format: String
    public let inherentKind: InputKind? = .balances
    public let mayNameVenue = true

    /// The reader for camt.053 (`053`) or camt.052 (`052`).
    public init(message: String) {
        self.message = message
        format = "camt\(message)"
    }

    static let namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:camt."
    static let versions = (2...13).map { $0 < 10 ? "0\($0)" : "\($0)" }

    private var statementElement: String { message == "052" ? "Rpt" : "Stmt" }
    private var groupElement: String { message == "052" ? "BkToCstmrAcctRpt" : "BkToCstmrStmt" }

    public func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.contains(Self.namespacePrefix + message + ".001.")
    }

    public func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let reader = try XMLEventReader(source: source, displayPath: path, maxTextBytes: options.limits.maxRecordBytes)
        var stack: [String] = []
        var builder = XMLTreeBuilder(skipping: ["Ntry", "TxsSummry"])
        var statements = 0
        var balances = 0
        var venues = VenuesFromBIC()
        try reader.readEvents { event throws(ReconciliationError) in
            if builder.isBuilding {
                if let statement = builder.feed(event) {
                    stack.removeLast()
                    statements += 1
                    balances += read(
                        statement, number: statements, path: path, options: options, venues: &venues, into: collector)
                }
                return
            }
            switch event {
            case .start(let name, let namespace, let attributes, let line):
                if stack.isEmpty {
                    try checkRoot(name: name, namespace: namespace, path: path, line: line)
                }
                stack.append(name)
                if stack.count == 3 && stack[1] == groupElement && name == statementElement {
                    builder.begin(name: name, attributes: attributes, line: line)
                }
            case .end:
                stack.removeLast()
            case .text:
                break
            }
        }
        if statements == 0 {
            throw ReconciliationError(
                .ingest,
                "no \(statementElement) in the file: a camt.\(message) document holds at least one "
                    + "(\(groupElement)/\(statementElement))", at: SourceLocation(file: path))
        } else if balances == 0 {
            collector.diagnose(
                .warning, "the file has no balance (no `Bal` element): nothing to reconcile from it",
                at: SourceLocation(file: path))
        }
    }

    private func checkRoot(name: String, namespace: String?, path: String, line: Int) throws(ReconciliationError) {
        let location = SourceLocation(file: path, line: line)
        guard name == "Document", let namespace, namespace.hasPrefix(Self.namespacePrefix) else {
            throw ReconciliationError(
                .ingest, "not an ISO 20022 camt document (root <\(name)> in namespace \(namespace ?? "none"))",
                at: location)
        }
        let rest = namespace.dropFirst(Self.namespacePrefix.count)  // e.g. 053.001.08
        let parts = rest.split(separator: ".")
        guard parts.count == 3, parts[1] == "001" else {
            throw ReconciliationError(.ingest, "unrecognised camt namespace \(namespace)", at: location)
        }
        guard parts[0] == message else {
            throw ReconciliationError(
                .ingest, "this is a camt.\(parts[0]) document; read it with `format: camt\(parts[0])`", at: location)
        }
        guard Self.versions.contains(String(parts[2])) else {
            throw ReconciliationError(
                .ingest,
                "camt.\(message) version \(parts[2]) is not supported (versions \(Self.versions.first ?? "")–\(Self.versions.last ?? ""))",
                at: location)
        }
    }

    /// The venues taken from servicing institutions' BICs, each said once.
    struct VenuesFromBIC {
        var said: Set<String> = []
    }

    /// Records the chosen balances of one statement; returns how many `Bal` elements it had.
    private func read(
        _ statement: XMLNode, number: Int, path: String, options: InputOptions, venues: inout VenuesFromBIC,
        into collector: RecordCollector
    ) -> Int {
        let location = SourceLocation(file: path, line: statement.line)
        guard let account = statement.value(at: "Acct/Id/IBAN") ?? statement.value(at: "Acct/Id/Othr/Id") else {
            collector.diagnose(
                .error, "\(statementElement) \(number) names no account (Acct/Id/IBAN or Acct/Id/Othr/Id)", at: location
            )
            return 0
        }
        // Without `venue:`, the venue is the servicing institution's BIC, lowercased, and the run says so.
        var venue: String?
        if options.venue == nil {
            guard
                let bic = statement.value(at: "Acct/Svcr/FinInstnId/BIC")
                    ?? statement.value(at: "Acct/Svcr/FinInstnId/BICFI")
            else {
                collector.diagnose(
                    .error,
                    "\(statementElement) \(number) (\(account)) names no servicing institution BIC "
                        + "(Acct/Svcr/FinInstnId/BIC or BICFI) and the input sets no venue: set `venue:` on the input",
                    at: location)
                return 0
            }
            venue = bic.trimmingSpaces.lowercased()
            if let venue, venues.said.insert(venue).inserted {
                collector.diagnose(
                    .note,
                    "venue '\(venue)' is the servicing institution's BIC (Acct/Svcr/FinInstnId); set `venue:` to "
                        + "name it otherwise", at: location)
            }
        }
        let accountCurrency = statement.value(at: "Acct/Ccy")
        let balances = statement.children("Bal")
        var types: [String] = []
        var ofType = 0
        for balance in balances {
            let balanceLocation = SourceLocation(file: path, line: balance.line)
            let type = balance.value(at: "Tp/CdOrPrtry/Cd") ?? balance.value(at: "Tp/CdOrPrtry/Prtry") ?? ""
            types.append(type)
            guard type == options.balanceType else { continue }
            ofType += 1
            guard let amountNode = balance.child("Amt") else {
                collector.diagnose(.error, "\(type) balance without Amt", at: balanceLocation)
                continue
            }
            guard let currency = amountNode.attributes["Ccy"] ?? accountCurrency else {
                collector.diagnose(.error, "\(type) balance without a currency (Amt/@Ccy)", at: balanceLocation)
                continue
            }
            guard
                let magnitude = ReaderSupport.amount(
                    amountNode.text, what: "Bal/Amt", at: SourceLocation(file: path, line: amountNode.line),
                    into: collector)
            else { continue }
            guard let indicator = balance.value(at: "CdtDbtInd") else {
                collector.diagnose(
                    .error,
                    "\(type) balance of \(account) has no CdtDbtInd: Amt is unsigned, so whether it is a credit or a "
                        + "debit cannot be told", at: balanceLocation)
                continue
            }
            let signed: Amount
            switch indicator {
            case "CRDT": signed = magnitude
            case "DBIT": signed = magnitude.negated()
            default:
                collector.diagnose(
                    .error, "\(type) balance has CdtDbtInd '\(indicator)' (expected CRDT or DBIT)", at: balanceLocation)
                continue
            }
            if magnitude.isNegative {
                collector.diagnose(
                    .warning,
                    "\(type) balance Amt is negative (\(magnitude)); camt amounts are unsigned, the sign is CdtDbtInd",
                    at: balanceLocation)
            }
            let date = balance.value(at: "Dt/Dt") ?? balance.value(at: "Dt/DtTm").map { String($0.prefix(10)) }
            if let asOf = options.asOf, let date, date != asOf {
                collector.diagnose(
                    .warning, "\(type) balance of \(account) \(currency) is dated \(date), not the job's as-of \(asOf)",
                    at: balanceLocation)
            }
            collector.add(
                RawRecord(venue: venue, account: account, asset: currency, total: signed, location: balanceLocation))
        }
        if !balances.isEmpty && ofType == 0 {
            collector.diagnose(
                .warning,
                "\(statementElement) \(number) (\(account)) has no \(options.balanceType) balance; it has "
                    + types.map { $0.isEmpty ? "?" : $0 }.joined(separator: ", ")
                    + " (set `balance_type:` to choose one)",
                at: location)
        }
        return balances.count
    }
}
