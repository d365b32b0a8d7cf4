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
package struct CamtStatementReader: StatementReader {
    /// Which message: camt.053 or camt.052.
    package let message: String
    package let format: String
    package let inherentKind: InputKind? = .balances
    package let mayNameVenue = true

    /// The reader for camt.053 (`053`) or camt.052 (`052`).
    package init(message: String) {
        self.message = message
        format = "camt\(message)"
    }

    package var summary: String {
        message == "052"
            ? "ISO 20022 camt.052 intraday report XML: the `balance_type` balance of the latest report at the cutoff"
            : "ISO 20022 camt.053 bank statement XML: the `balance_type` balance (CLBD) of the as-of day's statement"
    }

    static let namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:camt."
    static let versions = (2...13).map { $0 < 10 ? "0\($0)" : "\($0)" }

    private var statementElement: String { message == "052" ? "Rpt" : "Stmt" }
    private var groupElement: String { message == "052" ? "BkToCstmrAcctRpt" : "BkToCstmrStmt" }

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.contains(Self.namespacePrefix + message + ".001.")
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let reader = try XMLEventReader(source: source, displayPath: path, maxTextBytes: options.limits.maxRecordBytes)
        var stack: [String] = []
        var builder = XMLTreeBuilder(skipping: ["Ntry", "TxsSummry"])
        var entries = EntrySums()
        var statements: [StatementFacts] = []
        var balances = 0
        var venues = VenuesFromBIC()
        var groupCreated: String?
        var groupText = ""
        try reader.readEvents { event throws(ReconciliationError) in
            if builder.isBuilding {
                entries.observe(event)
                if let statement = builder.feed(event) {
                    stack.removeLast()
                    balances += statement.children("Bal").count
                    let facts = read(
                        statement, number: statements.count + 1, created: groupCreated, entries: entries, path: path,
                        options: options, venues: &venues, into: collector)
                    statements.append(facts)
                    entries = EntrySums()
                }
                return
            }
            switch event {
            case .start(let name, let namespace, let attributes, let line):
                if stack.isEmpty {
                    try checkRoot(name: name, namespace: namespace, path: path, line: line)
                }
                stack.append(name)
                groupText = ""
                if stack.count == 3 && stack[1] == groupElement && name == statementElement {
                    builder.begin(name: name, attributes: attributes, line: line)
                }
            case .end(let name):
                if name == "CreDtTm" && stack.count == 4 && stack[2] == "GrpHdr" { groupCreated = groupText }
                stack.removeLast()
            case .text(let text):
                groupText += text
            }
        }
        if statements.isEmpty {
            throw ReconciliationError(
                .ingest,
                "no \(statementElement) in the file: a camt.\(message) document holds at least one "
                    + "(\(groupElement)/\(statementElement))", at: SourceLocation(file: path))
        } else if balances == 0 {
            collector.diagnose(
                .warning, "the file has no balance (no `Bal` element): nothing to reconcile from it",
                at: SourceLocation(file: path))
        }
        for statement in select(statements, options: options, path: path, into: collector) {
            for record in statement.records { collector.add(record) }
        }
    }

    /// What one statement (or report) yields before the run's day and cutoff choose among them.
    struct StatementFacts {
        let account: String
        let number: Int
        let location: SourceLocation
        /// The day of its closing booked balance (`CLBD`), when it has one.
        let closingDay: String?
        /// When it was created (`CreDtTm` of the report, else of the group header).
        let created: Timestamp?
        let records: [RawRecord]
        /// Why `created` could not be read (a time without an offset and no `time_zone:`), when it could not.
        var createdProblem: String?
    }

    /// The statements that are the run's: for camt.053, per account the one whose closing balance is dated the as-of
    /// day (none → an error naming the days the file has); for camt.052, per account the latest report created at or
    /// before the cutoff. Without a cutoff (an inspect), all of them.
    private func select(
        _ statements: [StatementFacts], options: InputOptions, path: String, into collector: RecordCollector
    ) -> [StatementFacts] {
        guard let cutoff = options.cutoff else { return statements }
        var chosen: [StatementFacts] = []
        var accounts: [String] = []
        var byAccount: [String: [StatementFacts]] = [:]
        for statement in statements {
            if byAccount[statement.account] == nil { accounts.append(statement.account) }
            byAccount[statement.account, default: []].append(statement)
        }
        var window = RowWindow(cutoff: cutoff)
        window.unit = "report"
        for account in accounts {
            let all = byAccount[account] ?? []
            if message == "052" {
                if let problem = all.compactMap(\.createdProblem).first {
                    collector.diagnose(
                        .error,
                        "which report of \(account) is the latest at the cutoff cannot be told: \(problem)",
                        at: all.first?.location)
                    continue
                }
                let timed = all.filter { $0.created != nil }
                let inTime = timed.filter { $0.created.map { window.admits($0) } ?? false }
                chosen += all.filter { $0.created == nil }
                let epoch = Timestamp(seconds: 0, nanoseconds: 0)
                if let latest = inTime.max(by: {
                    ($0.created ?? epoch, $0.number) < ($1.created ?? epoch, $1.number)
                }) {
                    chosen.append(latest)
                } else if !timed.isEmpty {
                    collector.diagnose(
                        .error,
                        "no report of \(account) was created at or before the cutoff (\(cutoff)); the file has reports "
                            + "created at " + timed.compactMap { $0.created?.iso8601 }.joined(separator: ", "),
                        at: all.first?.location)
                }
            } else {
                let dated = all.filter { $0.closingDay != nil }
                chosen += all.filter { $0.closingDay == nil }
                let ofDay = dated.filter { $0.closingDay == cutoff.asOf }
                if !ofDay.isEmpty {
                    chosen += ofDay
                    let others = dated.count - ofDay.count
                    if others > 0 {
                        collector.diagnose(
                            .note,
                            "\(others) statement\(others == 1 ? "" : "s") of \(account) for other days left out",
                            at: all.first?.location)
                    }
                } else if !dated.isEmpty {
                    let days = Set(dated.compactMap(\.closingDay)).sorted()
                    collector.diagnose(
                        .error,
                        "no statement of \(account) closes on \(cutoff.asOf); the file has statements closing on "
                            + days.joined(separator: ", ") + " — is it the right day's file?",
                        at: all.first?.location)
                }
            }
        }
        window.report(file: path, into: collector)
        return chosen.sorted { $0.number < $1.number }
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

    /// The chosen balances of one statement, checked for continuity (opening + booked entries = closing).
    private func read(
        _ statement: XMLNode, number: Int, created groupCreated: String?, entries: EntrySums, path: String,
        options: InputOptions, venues: inout VenuesFromBIC, into collector: RecordCollector
    ) -> StatementFacts {
        let location = SourceLocation(file: path, line: statement.line)
        // ISO 20022 allows a local CreDtTm without an offset: read it in the input's `time_zone`, or refuse it.
        var created: Timestamp?
        var createdProblem: String?
        if let text = statement.value(at: "CreDtTm") ?? groupCreated {
            switch (try? TimeParser(format: nil, zone: options.timeZone))?.instant(text.trimmingWhitespace) {
            case .success(let time)?: created = time
            case .failure(let error)?: createdProblem = "CreDtTm: " + error.message
            case nil: createdProblem = "CreDtTm '\(text)': unknown time_zone"
            }
        }
        guard let account = statement.value(at: "Acct/Id/IBAN") ?? statement.value(at: "Acct/Id/Othr/Id") else {
            collector.diagnose(
                .error, "\(statementElement) \(number) names no account (Acct/Id/IBAN or Acct/Id/Othr/Id)", at: location
            )
            return StatementFacts(
                account: "", number: number, location: location, closingDay: nil, created: created, records: [],
                createdProblem: createdProblem)
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
                        + "(Acct/Svcr/FinInstnId/BIC or BICFI): set \(options.setting("venue"))",
                    at: location)
                return StatementFacts(
                    account: account, number: number, location: location, closingDay: nil, created: created,
                    records: [], createdProblem: createdProblem)
            }
            venue = bic.trimmingSpaces.lowercased()
            if let venue, venues.said.insert(venue).inserted {
                collector.diagnose(
                    .note,
                    "venue '\(venue)' is the servicing institution's BIC (Acct/Svcr/FinInstnId); set "
                        + "\(options.setting("venue")) to name it otherwise", at: location)
            }
        }
        let accountCurrency = statement.value(at: "Acct/Ccy")
        let balances = statement.children("Bal")
        var types: [String] = []
        var ofType = 0
        var records: [RawRecord] = []
        var closingDay: String?
        // Opening and closing booked balances per currency, for the continuity check.
        var openings: [String: Amount] = [:]
        var closings: [String: (Amount, SourceLocation)] = [:]
        for balance in balances {
            let balanceLocation = SourceLocation(file: path, line: balance.line)
            let type = balance.value(at: "Tp/CdOrPrtry/Cd") ?? balance.value(at: "Tp/CdOrPrtry/Prtry") ?? ""
            types.append(type)
            let date = balance.value(at: "Dt/Dt") ?? balance.value(at: "Dt/DtTm").map { String($0.prefix(10)) }
            if type == "CLBD" { closingDay = date }
            if ["OPBD", "PRCD", "CLBD"].contains(type), type != options.balanceType,
                let currency = balance.child("Amt")?.attributes["Ccy"] ?? accountCurrency,
                let figure = Self.signedAmount(balance)
            {
                if type == "CLBD" {
                    closings[currency] = (figure, balanceLocation)
                } else {
                    openings[currency] = figure
                }
            }
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
                // `-100.00` with DBIT reads two ways (a debit of 100, or minus a debit): refuse, never guess.
                collector.diagnose(
                    .error,
                    "\(type) balance of \(account) has a negative Amt (\(magnitude)) with CdtDbtInd \(indicator); camt "
                        + "amounts are unsigned and the sign is CdtDbtInd, so the balance cannot be told",
                    at: balanceLocation)
                continue
            }
            if let asOf = options.asOf, let date, date != asOf, type != "CLBD" || options.cutoff == nil {
                collector.diagnose(
                    .warning, "\(type) balance of \(account) \(currency) is dated \(date), not the job's as-of \(asOf)",
                    at: balanceLocation)
            }
            if type == "CLBD" {
                closings[currency] = (signed, balanceLocation)
            } else if type == "OPBD" || type == "PRCD" {
                openings[currency] = signed
            }
            records.append(
                RawRecord(venue: venue, account: account, asset: currency, total: signed, location: balanceLocation))
        }
        // Continuity: opening + booked entries = closing, per currency that has both balances.
        for (index, record) in records.enumerated() {
            guard let opening = openings[record.asset] else { continue }
            records[index].opening = opening
            guard let (closing, closingLocation) = closings[record.asset] else { continue }
            let booked = entries.booked[record.asset] ?? .zero
            guard let expected = try? opening.adding(booked), expected != closing else { continue }
            let finding =
                "\(account) \(record.asset): opening \(opening) + booked entries \(booked) "
                + "(\(entries.count[record.asset] ?? 0)) = \(expected), but the closing balance is \(closing)"
            if index == records.firstIndex(where: { $0.asset == record.asset }) {
                collector.diagnose(.warning, finding + "; are entries missing?", at: closingLocation)
            }
            records[index].notes.append("statement does not add up: " + finding)
        }
        if !balances.isEmpty && ofType == 0 {
            collector.diagnose(
                .warning,
                "\(statementElement) \(number) (\(account)) has no \(options.balanceType) balance; it has "
                    + types.map { $0.isEmpty ? "?" : $0 }.joined(separator: ", ")
                    + " (set `balance_type:` to choose one)",
                at: location)
        }
        return StatementFacts(
            account: account, number: number, location: location, closingDay: closingDay, created: created,
            records: records, createdProblem: createdProblem)
    }

    /// A balance's amount signed by its `CdtDbtInd`, or `nil` when either is missing or unreadable.
    static func signedAmount(_ balance: XMLNode) -> Amount? {
        guard let text = balance.value(at: "Amt"), let magnitude = try? Amount.parse(text), !magnitude.isNegative
        else { return nil }
        switch balance.value(at: "CdtDbtInd") {
        case "CRDT": return magnitude
        case "DBIT": return magnitude.negated()
        default: return nil
        }
    }

    /// Booked entries (`Ntry` with status `BOOK`) summed per currency while a statement streams past, without
    /// building them: `CRDT` adds, `DBIT` subtracts.
    struct EntrySums {
        private(set) var booked: [String: Amount] = [:]
        private(set) var count: [String: Int] = [:]
        private var path: [String] = []
        private var amount = ""
        private var currency: String?
        private var indicator = ""
        private var status = ""
        private var depth = 0

        mutating func observe(_ event: XMLEvent) {
            switch event {
            case .start(let name, _, let attributes, _):
                depth += 1
                if path.isEmpty {
                    // Entries sit directly in the statement.
                    guard name == "Ntry", depth == 1 else { return }
                    (amount, currency, indicator, status) = ("", nil, "", "")
                }
                path.append(name)
                if path == ["Ntry", "Amt"] { currency = attributes["Ccy"] }
            case .text(let text):
                switch path {
                case ["Ntry", "Amt"]: amount += text
                case ["Ntry", "CdtDbtInd"]: indicator += text
                case ["Ntry", "Sts"], ["Ntry", "Sts", "Cd"]: status += text
                default: break
                }
            case .end:
                depth -= 1
                guard !path.isEmpty else { return }
                path.removeLast()
                guard path.isEmpty else { return }
                let trimmedStatus = status.trimmingWhitespace
                guard trimmedStatus == "BOOK", let currency,
                    let magnitude = try? Amount.parse(amount.trimmingWhitespace)
                else { return }
                let signed: Amount
                switch indicator.trimmingWhitespace {
                case "CRDT": signed = magnitude
                case "DBIT": signed = magnitude.negated()
                default: return
                }
                if let sum = try? (booked[currency] ?? .zero).adding(signed) { booked[currency] = sum }
                count[currency, default: 0] += 1
            }
        }
    }
}
