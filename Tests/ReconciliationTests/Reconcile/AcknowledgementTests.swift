import Foundation
import Testing

@testable import Reconciliation

@Suite struct AcknowledgementTests {
    let dot = BalanceKey(venue: "kraken", account: "AA11-BB22", asset: "DOT")

    /// DOT held in the ledger and absent from the statement (difference −42.5), and BTC matched.
    func result(dotLedger: String = "42.5") -> ReconciliationResult {
        Reconciler().reconcile(
            ledger: book([balance("kraken", "AA11-BB22", "DOT", dotLedger), balance("kraken", "AA11-BB22", "BTC", "1")]
            ),
            statement: book([balance("kraken", "AA11-BB22", "BTC", "1")]))
    }

    func entry(
        _ difference: String, within: String? = nil, by: String = "alice", approvedBy: String? = "bob",
        expires: String? = "2026-12-15", key: BalanceKey? = nil, line: Int = 1
    ) -> Acknowledgement {
        Acknowledgement(
            key: key ?? dot, difference: amount(difference), within: within.map(amount), reason: "staking lock",
            by: by, approvedBy: approvedBy, expires: expires, location: SourceLocation(file: "acks.yaml", line: line))
    }

    func apply(_ entries: [Acknowledgement], to result: ReconciliationResult? = nil, asOf: String = "2026-11-24")
        -> (ReconciliationResult, [Diagnostic])
    {
        Acknowledgements.apply(entries, to: result ?? self.result(), asOf: asOf)
    }

    @Test func anApprovedAcknowledgementOfTheExactDifferenceMakesTheBreakAcknowledged() throws {
        let (result, diagnostics) = apply([entry("-42.5")])
        let line = try #require(result.line("kraken", "AA11-BB22", "DOT"))
        #expect(line.classification == .acknowledged)
        #expect(line.acknowledgement?.by == "alice")
        #expect(line.acknowledgement?.approvedBy == "bob")
        #expect(diagnostics.isEmpty)
        // Not a break: the run reconciles, with acknowledged breaks, and exits 0.
        let report = ReconciliationReport(
            runID: "r", job: "j", asOf: "2026-11-24", startedAt: "t", toolVersion: "v", maxBreaks: 0,
            result: result, inputs: [])
        #expect(report.status == .reconciledWithAcknowledged)
        #expect(report.breakCount == 0)
        #expect(report.exitStatus == 0)
        // Equal numbers written differently are the same difference.
        #expect(apply([entry("-42.50000")]).0.line("kraken", "AA11-BB22", "DOT")?.classification == .acknowledged)
    }

    @Test func withinAcceptsADifferenceThatCloseAndNoCloser() throws {
        let close = apply([entry("-42.0", within: "0.5")]).0
        #expect(close.line("kraken", "AA11-BB22", "DOT")?.classification == .acknowledged)
        let far = apply([entry("-41.9", within: "0.5")]).0
        #expect(far.line("kraken", "AA11-BB22", "DOT")?.classification == .missingInStatement)
    }

    @Test func aChangedDifferenceStaysABreakWithANoteSayingWhatWasAcknowledged() throws {
        let (result, diagnostics) = apply([entry("-42.5")], to: result(dotLedger: "40.0"))
        let line = try #require(result.line("kraken", "AA11-BB22", "DOT"))
        #expect(line.classification == .missingInStatement)
        #expect(line.notes == ["acknowledged -42.5 by alice, now -40.0"])
        #expect(
            diagnostics.map(\.description) == [
                "acks.yaml:1: warning: kraken/AA11-BB22/DOT: acknowledged -42.5 by alice, now -40.0: the difference "
                    + "changed, so it stays a break"
            ])
    }

    @Test func unapprovedSelfApprovedAndExpiredAcknowledgementsExplainNothing() throws {
        let cases: [(Acknowledgement, String)] = [
            (entry("-42.5", approvedBy: nil), "not approved yet (`approved_by` is missing)"),
            (
                entry("-42.5", by: "alice", approvedBy: " Alice "),
                "approved by its own author alice (four eyes: `approved_by` must be someone else)"
            ),
            (entry("-42.5", expires: "2026-11-23"), "expired on 2026-11-23"),
        ]
        for (acknowledgement, problem) in cases {
            let (result, diagnostics) = apply([acknowledgement])
            let line = try #require(result.line("kraken", "AA11-BB22", "DOT"))
            #expect(line.classification == .missingInStatement, "\(problem)")
            #expect(line.notes == ["acknowledged -42.5 by \(acknowledgement.by) is not in force: \(problem)"])
            #expect(diagnostics.map(\.severity) == [.warning])
            #expect(diagnostics.first?.message.contains(problem) == true)
        }
        // On its expiry day it still explains the break.
        let lastDay = apply([entry("-42.5", expires: "2026-11-24")]).0
        #expect(lastDay.line("kraken", "AA11-BB22", "DOT")?.classification == .acknowledged)
    }

    @Test func anUnknownKeyAndAKeyThatReconcilesAgainAreReported() {
        let unknown = entry("1", key: BalanceKey(venue: "kraken", account: "AA11-BB22", asset: "XTZ"), line: 3)
        let btc = entry("0.5", key: BalanceKey(venue: "kraken", account: "AA11-BB22", asset: "BTC"), line: 9)
        let (result, diagnostics) = apply([unknown, btc])
        #expect(result == self.result())
        #expect(
            diagnostics.map(\.description) == [
                "acks.yaml:3: warning: kraken/AA11-BB22/XTZ: unknown key: this run has no line for it (acknowledged 1 "
                    + "by alice)",
                "acks.yaml:9: note: kraken/AA11-BB22/BTC: no longer needed: the key now reconciles (matched; "
                    + "acknowledged 0.5 by alice)",
            ])
    }

    @Test func anEntryInForceWinsAndTheOthersOfTheKeyAreSaidToBeSuperseded() throws {
        let old = entry("-40", expires: "2026-11-20", line: 1)
        let stale = entry("-41", line: 7)
        let current = entry("-42.5", line: 13)
        let (result, diagnostics) = apply([old, stale, current])
        let line = try #require(result.line("kraken", "AA11-BB22", "DOT"))
        #expect(line.classification == .acknowledged)
        #expect(line.acknowledgement?.location.line == 13)
        #expect(line.notes.isEmpty)
        #expect(diagnostics.map { $0.location?.line } == [1, 7])
        #expect(diagnostics.map(\.severity) == [.warning, .note])
        #expect(
            diagnostics[1].message
                == "kraken/AA11-BB22/DOT: acknowledged -41 by alice is superseded: the entry at line 13 explains the "
                + "difference -42.5")
    }

    @Test func aConflictCannotBeAcknowledged() throws {
        let result = Reconciler().reconcile(
            ledger: book([balance("k", "m", "ETH", "1")]),
            statement: book([balance("k", "m", "ETH", "1")], [balance("k", "m", "ETH", "1")]))
        let (after, diagnostics) = apply(
            [entry("0", key: BalanceKey(venue: "k", account: "m", asset: "ETH"))], to: result)
        #expect(after.line("k", "m", "ETH")?.classification == .conflict)
        #expect(diagnostics.first?.message.contains("a conflict cannot be acknowledged") == true)
    }

    @Test func theFileIsParsedWithEveryFieldAndRefusedWithItsLineWhenAnEntryIsWrong() throws {
        let acknowledgements = try Acknowledgements.parse(
            """
            # comment
            - key: {venue: Kraken, account: AA11-BB22, asset: dot}
              difference: -42.5
              within: "0.5"
              reason: "staking lock"
              by: alice
              approved_by: bob
              expires: 2026-12-15
            - key: {venue: otc, account: desk-7, asset: USDC}
              difference: "100"
              reason: fee
              by: carol
              approved_by:
            """, file: "acks.yaml")
        #expect(acknowledgements.count == 2)
        #expect(acknowledgements[0].key == dot)
        #expect(acknowledgements[0].difference == amount("-42.5"))
        #expect(acknowledgements[0].within == amount("0.5"))
        #expect(acknowledgements[0].expires == "2026-12-15")
        #expect(acknowledgements[0].location.line == 2)
        #expect(acknowledgements[1].approvedBy == nil)
        #expect(try Acknowledgements.parse("", file: "acks.yaml").isEmpty)
        #expect(try Acknowledgements.parse("# nothing yet\n", file: "acks.yaml").isEmpty)

        let failures: [(String, String)] = [
            (
                "- key: {venue: k, account: m, asset: X}\n  difference: abc\n  reason: r\n  by: a\n",
                "acks.yaml:2:15: error: at `[0].difference`: expected a decimal, got 'abc'"
            ),
            (
                "- key: {venue: k, account: m, asset: X}\n  difference: 1\n  by: a\n",
                "acks.yaml:1:3: error: at `[0]`: missing required key `reason`"
            ),
            (
                "- key: {venue: k, account: m, asset: X}\n  difference: 1\n  reason: r\n  by: a\n  expires: 2026-13-01\n",
                "acks.yaml:5:12: error: at `[0].expires`: expected a date YYYY-MM-DD, got '2026-13-01'"
            ),
            (
                "- key: {venue: k, account: m, asset: X}\n  difference: 1\n  reason: r\n  by: a\n  approver: b\n",
                "acks.yaml:5:3: error: at `[0]`: unknown key `approver`"
            ),
            ("key: {venue: k}\n", "acks.yaml:1:1: error: at `(top level)`: expected a list, got a mapping"),
        ]
        for (text, message) in failures {
            let error = caught { try Acknowledgements.parse(text, file: "acks.yaml") } as? ReconciliationError
            #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "no error")")
        }
    }
}

@Suite struct AcknowledgementFileTests {
    let directory = TemporaryDirectory()
    let usdc = BalanceKey(venue: "otc", account: "desk-7", asset: "USDC")

    let original = """
        # Known breaks of the eod job.
        # Keep one entry per break.

        - key: {venue: kraken, account: AA11-BB22, asset: DOT}   # staking
          difference: "-42.5"
          reason: "staking lock (OPS-1234)"
          by: alice
          approved_by: bob
        """

    @Test func addAppendsAfterEveryByteOfTheFileAndRecordsAnAuditEvent() throws {
        let path = directory.write(original, to: "acks.yaml")
        let audit = AuditLog(path: directory.path + "/audit.jsonl")
        let file = AcknowledgementFile(path: path, displayPath: "acks.yaml")
        let added = try file.add(
            key: usdc, difference: amount("125.000000"), reason: "fee \"T+1\"\nsee OPS-1260\u{1B}[31m", by: "carol",
            expires: "2026-12-31", runID: "run-1", audit: audit, time: "2026-11-25T08:00:00Z")
        let text = String(decoding: directory.read("acks.yaml"), as: UTF8.self)
        #expect(text.hasPrefix(original + "\n"))
        #expect(added.location.line == 10)
        #expect(added.approvedBy == nil)
        let read = try Acknowledgements.parse(text, file: "acks.yaml")
        #expect(read.count == 2)
        #expect(read[1].reason == "fee \"T+1\"\nsee OPS-1260\u{1B}[31m")
        #expect(read[1].difference.description == "125.000000")
        #expect(read[1].expires == "2026-12-31")
        let verified = try AuditVerifier.verify(path: directory.path + "/audit.jsonl")
        #expect(verified.isIntact)
        let record = String(decoding: directory.read("audit.jsonl"), as: UTF8.self)
        #expect(record.contains("\"action\":\"added\""))
        #expect(record.contains("\"from_run\":\"run-1\""))
        #expect(record.contains("\"key\":\"otc/desk-7/USDC\""))
    }

    @Test func approveAddsOneLineUnderByAndRefusesTheAuthor() throws {
        let path = directory.write(original, to: "acks.yaml")
        let file = AcknowledgementFile(path: path, displayPath: "acks.yaml")
        try file.add(key: usdc, difference: amount("125"), reason: "fee", by: "carol", time: "t")
        let beforeApproval = String(decoding: directory.read("acks.yaml"), as: UTF8.self)
        let refused = caught { try file.approve(key: usdc, by: "Carol", time: "t") } as? ReconciliationError
        #expect(refused?.message == "Carol wrote this acknowledgement; four eyes means someone else approves it")
        #expect(String(decoding: directory.read("acks.yaml"), as: UTF8.self) == beforeApproval)

        let approved = try file.approve(key: usdc, by: "dave", time: "t")
        #expect(approved.approvedBy == "dave")
        let after = String(decoding: directory.read("acks.yaml"), as: UTF8.self)
        var expected = beforeApproval.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let byLine = try #require(expected.lastIndex(of: "  by: \"carol\""))
        expected.insert("  approved_by: \"dave\"", at: byLine + 1)
        #expect(after == expected.joined(separator: "\n"))
        // Nothing waits any more.
        let again = caught { try file.approve(key: usdc, by: "erin", time: "t") } as? ReconciliationError
        #expect(again?.message == "no acknowledgement of otc/desk-7/USDC is waiting for approval")
    }

    @Test func approveSaysWhichLinesWhenSeveralWaitAndRefusesAFlowEntry() throws {
        let path = directory.write(
            """
            - key: {venue: otc, account: desk-7, asset: USDC}
              difference: "1"
              reason: a
              by: carol
            - {key: {venue: otc, account: desk-7, asset: USDC}, difference: "2", reason: b, by: carol}
            """, to: "acks.yaml")
        let file = AcknowledgementFile(path: path, displayPath: "acks.yaml")
        let several = caught { try file.approve(key: usdc, by: "dave", time: "t") } as? ReconciliationError
        #expect(
            several?.message
                == "2 acknowledgements of otc/desk-7/USDC wait for approval (lines 1, 5); say which with --line")
        let flow = caught { try file.approve(key: usdc, by: "dave", line: 5, time: "t") } as? ReconciliationError
        #expect(flow?.message.contains("flow style") == true)
        #expect(try file.approve(key: usdc, by: "dave", line: 1, time: "t").difference == amount("1"))
    }

    @Test func aFileThatDoesNotParseIsNeverEdited() throws {
        let broken = "- key: {venue: otc\n"
        let path = directory.write(broken, to: "acks.yaml")
        let file = AcknowledgementFile(path: path, displayPath: "acks.yaml")
        let error = caught { try file.add(key: usdc, difference: amount("1"), reason: "r", by: "a", time: "t") }
        #expect((error as? ReconciliationError)?.message.hasPrefix("reading the acknowledgements: ") == true)
        #expect(String(decoding: directory.read("acks.yaml"), as: UTF8.self) == broken)
        // A flow list with entries cannot take an appended one: refused, unchanged.
        let flow = "[{key: {venue: k, account: m, asset: X}, difference: \"1\", reason: r, by: a}]\n"
        let flowPath = directory.write(flow, to: "flow.yaml")
        let flowFile = AcknowledgementFile(path: flowPath, displayPath: "flow.yaml")
        #expect(caught { try flowFile.add(key: usdc, difference: amount("1"), reason: "r", by: "a", time: "t") } != nil)
        #expect(String(decoding: directory.read("flow.yaml"), as: UTF8.self) == flow)
    }
}

@Suite struct AcknowledgementFileLineEndTests {
    let directory = TemporaryDirectory()

    @Test func aFileWithCRLFLineEndsKeepsThem() throws {
        let original =
            "# known breaks\r\n- key: {venue: k, account: m, asset: X}\r\n  difference: \"1\"\r\n  reason: r\r\n  by: a\r\n"
        let path = directory.write(original, to: "acks.yaml")
        let file = AcknowledgementFile(path: path, displayPath: "acks.yaml")
        let key = BalanceKey(venue: "k", account: "m", asset: "X")
        try file.approve(key: key, by: "b", time: "t")
        try file.add(key: key, difference: amount("2"), reason: "r2", by: "a", time: "t")
        let text = String(decoding: directory.read("acks.yaml"), as: UTF8.self)
        #expect(text.hasPrefix("# known breaks\r\n- key: {venue: k, account: m, asset: X}\r\n"))
        #expect(text.contains("  by: a\r\n  approved_by: \"b\"\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.contains("approved_by: \"b\"\r\n\r\n- key:"))
        #expect(try Acknowledgements.parse(text, file: "acks.yaml").map(\.approvedBy) == ["b", nil])
    }
}

/// What an adversarial review found, each pinned.
@Suite struct AcknowledgementHardeningTests {
    let directory = TemporaryDirectory()
    let key = BalanceKey(venue: "k", account: "m", asset: "X")

    func entryText(by: String = "alice", extra: String = "") -> String {
        "- key: {venue: k, account: m, asset: X}\n  difference: \"1\"\n  reason: r\n  by: \(by)\n\(extra)"
    }

    @Test func fourEyesCannotBeBypassedWithInvisibleOrLookalikeCharacters() throws {
        for sneaky in ["alice\u{200B}", "alice\u{00AD}", "ali\u{00A0}ce", "alice\u{2028}", "\u{202E}alice"] {
            let yaml = entryText(extra: "  approved_by: \(AcknowledgementFile.quoted(sneaky))\n")
            let error = caught { try Acknowledgements.parse(yaml, file: "a.yaml") } as? ReconciliationError
            #expect(error?.message.contains("a name may hold no") == true, "\(sneaky.unicodeScalars.map(\.value))")
        }
        // Compatibility forms and case are the same person.
        #expect(Acknowledgement.samePerson("ａｌｉｃｅ", "alice"))
        #expect(Acknowledgement.samePerson("Alice  Smith", "alice smith"))
        #expect(!Acknowledgement.samePerson("alice", "alicia"))
        let path = directory.write(entryText(), to: "acks.yaml")
        let file = AcknowledgementFile(path: path, displayPath: "acks.yaml")
        let invisible = caught { try file.approve(key: key, by: "bob\u{200B}", time: "t") } as? ReconciliationError
        #expect(invisible?.room == .usage)
        let fullwidth = caught { try file.approve(key: key, by: "ａｌｉｃｅ", time: "t") } as? ReconciliationError
        #expect(fullwidth?.message.contains("four eyes") == true)
    }

    @Test func anApprovalRecordsTheWholeEntryItApproved() throws {
        let path = directory.write(
            entryText(extra: "  within: \"1000000\"\n  expires: 2026-12-31\n"), to: "acks.yaml")
        let audit = AuditLog(path: directory.path + "/audit.jsonl")
        let approved = try AcknowledgementFile(path: path, displayPath: "acks.yaml").approve(
            key: key, by: "bob", audit: audit, time: "t")
        #expect(approved.summary == "k/m/X difference 1 within 1000000 by alice: r (expires 2026-12-31)")
        let record = String(decoding: directory.read("audit.jsonl"), as: UTF8.self)
        #expect(record.contains("\"within\":\"1000000\""))
        #expect(record.contains("\"reason\":\"r\""))
        #expect(record.contains("\"expires\":\"2026-12-31\""))
    }

    @Test func aSymlinkIsFollowedAndTheFilesPermissionsKept() throws {
        let target = directory.write(entryText(), to: "shared/acks.yaml")
        chmod(target, 0o600)
        try FileManager.default.createDirectory(
            atPath: directory.path + "/job", withIntermediateDirectories: true)
        symlink(target, directory.path + "/job/acks.yaml")
        let file = AcknowledgementFile(path: directory.path + "/job/acks.yaml", displayPath: "job/acks.yaml")
        try file.approve(key: key, by: "bob", time: "t")
        var info = stat()
        lstat(directory.path + "/job/acks.yaml", &info)
        #expect((info.st_mode & S_IFMT) == S_IFLNK)
        stat(target, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(String(decoding: directory.read("shared/acks.yaml"), as: UTF8.self).contains("approved_by: \"bob\""))
        // A read-only file is refused, unchanged.
        chmod(target, 0o444)
        let refused =
            caught {
                try file.add(key: key, difference: amount("2"), reason: "r", by: "carol", time: "t")
            } as? ReconciliationError
        #expect(refused?.message == "the file is read-only; nothing was changed")
        #expect(refused?.room == .ingest)
    }

    @Test func aByteOrderMarkIsSkippedInAcknowledgementsAndCalendars() throws {
        #expect(try Acknowledgements.parse("\u{FEFF}" + entryText(), file: "a.yaml").count == 1)
        let calendar = try BusinessCalendar.parse(Array("\u{FEFF}# holidays\n2026-11-26\n".utf8), file: "c.txt")
        #expect(calendar.holidays == ["2026-11-26"])
    }

    @Test func theFileShapesPeopleWriteAreEditedNotRefused() throws {
        let file = { (name: String, text: String) in
            AcknowledgementFile(path: self.directory.write(text, to: name), displayPath: name)
        }
        // An empty flow list gives way to the first entry.
        let empty = file("empty.yaml", "# none yet\n[]\n")
        try empty.add(key: key, difference: amount("1"), reason: "r", by: "alice", time: "t")
        #expect(
            try Acknowledgements.parse(String(decoding: directory.read("empty.yaml"), as: UTF8.self), file: "e")
                .count == 1)
        // An indented list stays indented.
        let indented = file("indented.yaml", "  " + entryText().replacingOccurrences(of: "\n  ", with: "\n    "))
        try indented.add(key: key, difference: amount("2"), reason: "r", by: "alice", time: "t")
        let indentedText = String(decoding: directory.read("indented.yaml"), as: UTF8.self)
        #expect(indentedText.contains("\n  - key: {venue: \"k\""))
        #expect(try Acknowledgements.parse(indentedText, file: "i").count == 2)
        // A block scalar at the end of the file keeps its text.
        let block = file(
            "block.yaml",
            "- key: {venue: k, account: m, asset: X}\n  difference: \"1\"\n  by: a\n  reason: |\n    in transit")
        try block.add(key: key, difference: amount("2"), reason: "r", by: "alice", time: "t")
        // `-` alone on its line, `by :` with a space, and a commented empty approval are approvable.
        let odd = file(
            "odd.yaml",
            "-\n  key: {venue: k, account: m, asset: X}\n  difference: \"1\"\n  reason: r\n  by : alice\n  approved_by: null  # pending\n"
        )
        try odd.approve(key: key, by: "bob", time: "t")
        #expect(
            try Acknowledgements.parse(String(decoding: directory.read("odd.yaml"), as: UTF8.self), file: "o")
                .first?.approvedBy == "bob")
    }

    @Test func theSameAcknowledgementIsNotWaitingTwice() throws {
        let path = directory.write(entryText(), to: "acks.yaml")
        let file = AcknowledgementFile(path: path, displayPath: "acks.yaml")
        let twice = caught { try file.add(key: key, difference: amount("1.0"), reason: "r2", by: "carol", time: "t") }
        #expect(
            (twice as? ReconciliationError)?.message
                == "k/m/X difference 1.0 is acknowledged by alice already, waiting for approval at line 1; nothing was changed"
        )
    }

    @Test func aValueOutOfRangeIsNotClampedToAWrongFigure() throws {
        let valuation = Valuation(currency: "USD", decimals: 2, prices: ["ETH": amount("3000")])
        let result = Reconciler(valuation: valuation).reconcile(
            ledger: book([balance("k", "m", "ETH", "1")]),
            statement: book([balance("k", "m", "ETH", "99999999999999999999999999999999999998")]))
        let line = try #require(result.line("k", "m", "ETH"))
        #expect(line.differenceValue == nil)
        #expect(line.notes == ["the difference's value in USD has more than 38 digits: not valued"])
    }
}

/// What a second adversarial review found, each pinned.
@Suite struct AcknowledgementSecondReviewTests {
    let directory = TemporaryDirectory()
    let key = BalanceKey(venue: "k", account: "m", asset: "X")

    @Test func namesDrawnAsAnotherNameAreRefusedOrTheSamePerson() {
        for invisible in [
            "\u{034F}", "\u{FE0F}", "\u{E0100}", "\u{3164}", "\u{115F}", "\u{180B}", "\u{17B4}", "\u{2800}",
        ] {
            #expect(
                Acknowledgements.nameProblem("alice" + invisible) != nil, "\(invisible.unicodeScalars.first!.value)")
        }
        // One Cyrillic letter among Latin ones.
        #expect(Acknowledgements.nameProblem("\u{0430}lice")?.contains("Cyrillic and Latin") == true)
        // Case folding, not lowercasing; and letters of another alphabet drawn like Latin ones.
        #expect(Acknowledgement.samePerson("Straße", "STRASSE"))
        #expect(Acknowledgement.samePerson("ALEXIΣ", "alexiς"))
        #expect(Acknowledgement.samePerson("\u{0430}\u{04CF}\u{0456}\u{0441}\u{0435}", "alice"))
        #expect(Acknowledgements.nameProblem("Zoë Müller") == nil)
        #expect(!Acknowledgement.samePerson("alice", "alicia"))
    }

    @Test func aValueToleranceTooLargeForTheAssetsDigitsStillApplies() throws {
        let valuation = Valuation(
            currency: "USD", decimals: 2, prices: ["DOT": amount("0.000000000000000000000000000000000001")])
        let policy = TolerancePolicy(defaultRule: ToleranceRule(absolute: .zero, value: amount("5.00")))
        let result = Reconciler(tolerance: policy, valuation: valuation).reconcile(
            ledger: book([balance("k", "m", "DOT", "1")]), statement: book([balance("k", "m", "DOT", "1.5")]))
        let line = try #require(result.line("k", "m", "DOT"))
        #expect(line.classification == .withinTolerance)
        #expect(line.tolerance?.source == "default value 5.00 USD")
    }

    @Test func theFileShapesOfTheSecondReviewAreEdited() throws {
        // Several spaces after the dash: the appended entry lines up with the list, not with the key.
        let wide = directory.write(
            "-   key: {venue: k, account: m, asset: X}\n    difference: \"1\"\n    reason: r\n    by: a\n",
            to: "wide.yaml")
        try AcknowledgementFile(path: wide, displayPath: "wide.yaml").add(
            key: key, difference: amount("2"), reason: "r", by: "b", time: "t")
        let wideText = String(decoding: directory.read("wide.yaml"), as: UTF8.self)
        #expect(try Acknowledgements.parse(wideText, file: "w").count == 2)
        // A quoted "null" approval is waiting, and can be approved.
        let quoted = directory.write(
            "- key: {venue: k, account: m, asset: X}\n  difference: \"1\"\n  reason: r\n  by: a\n  approved_by: \"null\"\n",
            to: "quoted.yaml")
        try AcknowledgementFile(path: quoted, displayPath: "quoted.yaml").approve(key: key, by: "b", time: "t")
        #expect(
            try Acknowledgements.parse(String(decoding: directory.read("quoted.yaml"), as: UTF8.self), file: "q")
                .first?.approvedBy == "b")
        // An empty `within:` is no `within`, like an empty `expires:`.
        #expect(
            try Acknowledgements.parse(
                "- key: {venue: k, account: m, asset: X}\n  difference: \"1\"\n  within:\n  reason: r\n  by: a\n",
                file: "e"
            ).first?.within == nil)
        // A link to a file not there yet: the file is created where the link points, and the link stays.
        try FileManager.default.createDirectory(atPath: directory.path + "/shared", withIntermediateDirectories: true)
        symlink("shared/new.yaml", directory.path + "/link.yaml")
        try AcknowledgementFile(path: directory.path + "/link.yaml", displayPath: "link.yaml").add(
            key: key, difference: amount("1"), reason: "r", by: "a", time: "t")
        var info = stat()
        lstat(directory.path + "/link.yaml", &info)
        #expect((info.st_mode & S_IFMT) == S_IFLNK)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/shared/new.yaml"))
    }
}
