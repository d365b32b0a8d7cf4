import ReconWorkload
import Testing

@testable import Reconciliation

@Suite struct ReportWriterTests {
    func report(accounts: [String], ledger: String = "-12.5", statement: String = "-10") -> ReconciliationReport {
        let lines = accounts.map { account in
            ReconciliationLine(
                key: BalanceKey(venue: "kraken", account: account, asset: "BTC"), ledger: amount(ledger),
                statement: amount(statement), difference: try? amount(statement).subtracting(amount(ledger)),
                tolerance: AppliedTolerance(value: .zero, source: "default absolute"), classification: .mismatch,
                notes: ["=HYPERLINK(\"http://evil\")"])
        }
        return ReconciliationReport(
            runID: "r1", job: "eod", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z", toolVersion: "0.1.0",
            maxBreaks: 0, result: ReconciliationResult(lines: lines), inputs: [])
    }

    /// The venues' counts, made once a run of a venue's lines, are the counts of a lookup per line — two spellings of
    /// one venue (apart in byte order, one venue to a dictionary) included; the break count is the counts' sum.
    @Test func venueCountsAndBreakCountAreThoseOfEveryLine() {
        let venues = ["cafe\u{301}", "caff", "caf\u{E9}", "kraken", "é"]
        let classes: [Classification] = [
            .matched, .mismatch, .missingInLedger, .acknowledged, .conflict, .unreconciled,
        ]
        var generator = SplitMix64(seed: 0x7E5)
        for _ in 0..<50 {
            let lines = (0..<Int.random(in: 0...200, using: &generator)).map { position in
                ReconciliationLine(
                    key: BalanceKey(venue: venues.randomElement()!, account: "a\(position)", asset: "BTC"),
                    ledger: Amount(1), statement: Amount(1), difference: .zero, tolerance: nil,
                    classification: classes.randomElement()!)
            }
            let report = ReconciliationReport(
                runID: "r1", job: "eod", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z", toolVersion: "0.1.0",
                maxBreaks: 0, result: ReconciliationResult(lines: lines), inputs: [])
            var expected: [String: [Classification: Int]] = [:]
            for line in report.result.lines {
                expected[line.key.venue, default: [:]][line.classification, default: 0] += 1
            }
            let order = expected.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            #expect(report.countsByVenue.map(\.venue) == order)
            #expect(report.countsByVenue.map(\.counts) == order.map { expected[$0] ?? [:] })
            #expect(report.breakCount == lines.count { $0.classification.isBreak })
            #expect(report.rankedBreaks == ReconciliationReport.ranked(report.result.breaks))
        }
    }

    /// The page's tolerance table, counted by a scan over the few sources, is the count of a dictionary keyed by
    /// the source's text — two spellings of one source (one key to a dictionary) included, sorted as texts.
    @Test func htmlToleranceTableIsTheCountOfEverySource() {
        let sources = [
            "venue caf\u{E9} absolute", "venue cafe\u{301} absolute", "asset BTC absolute", "default absolute",
        ]
        let classes: [Classification] = [.matched, .withinTolerance, .mismatch, .missingInLedger]
        var generator = SplitMix64(seed: 0x70_1E)
        for _ in 0..<30 {
            let lines = (0..<Int.random(in: 0...120, using: &generator)).map { position in
                let source = Bool.random(using: &generator) ? sources.randomElement(using: &generator) : nil
                return ReconciliationLine(
                    key: BalanceKey(venue: "v", account: "a\(position)", asset: "BTC"), ledger: Amount(1),
                    statement: Amount(1), difference: .zero,
                    tolerance: source.map { AppliedTolerance(value: .zero, source: $0) },
                    classification: classes.randomElement(using: &generator)!)
            }
            let report = ReconciliationReport(
                runID: "r1", job: "eod", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z", toolVersion: "0.1.0",
                maxBreaks: 0, result: ReconciliationResult(lines: lines), inputs: [])
            var expected: [String: (lines: Int, within: Int)] = [:]
            for line in lines {
                guard let source = line.tolerance?.source else { continue }
                expected[source, default: (0, 0)].lines += 1
                if line.classification == .withinTolerance { expected[source, default: (0, 0)].within += 1 }
            }
            let rows = expected.keys.sorted().map { source in
                let counts = expected[source] ?? (0, 0)
                return "<tr><td>\(source)</td><td class=\"num\">\(counts.lines)</td><td class=\"num\">"
                    + (counts.within == 0 ? "·" : String(counts.within)) + "</td></tr>"
            }
            let html = HTMLReportWriter().render(report)
            let table = html.split(separator: "id=\"tolerances\"")[1].split(separator: "</table>")[0]
            let body = table.split(separator: "<tbody>")[1].split(separator: "</tbody>").first ?? ""
            #expect(String(body) == rows.joined(), "\(lines.count) lines")
        }
    }

    @Test func csvCellsThatWouldRunAsFormulasAreNeutralizedButAmountsStayNumbers() {
        let csv = CSVReportWriter().render(
            report(accounts: ["=1+1", "+44", "-sub", "@SUM(A1)", "\tx", "\rx", "plain, with comma"]))
        let rows = csv.split(separator: "\r\n").map(String.init)
        #expect(rows[0].hasPrefix("venue,account,asset,classification,ledger,statement,difference"))
        let accounts = rows.dropFirst().map { $0.split(separator: ",", maxSplits: 2)[1] }
        #expect(
            accounts.contains("'=1+1") && accounts.contains("'+44") && accounts.contains("'-sub")
                && accounts.contains("'@SUM(A1)"))
        #expect(csv.contains("\"'\tx\"") || csv.contains("'\tx"))
        #expect(csv.contains("\"'\rx\""))
        #expect(csv.contains("\"plain, with comma\""))
        // Amounts are plain numbers, negative ones included.
        #expect(rows[1].contains(",mismatch,-12.5,-10,2.5,"))
        // Notes are text: neutralized and quoted.
        #expect(rows[1].hasSuffix(",\"'=HYPERLINK(\"\"http://evil\"\")\""))
    }

    @Test func htmlLinesTableShowsBreaksLargestFirstThenAcknowledgedThenUnreconciledAndCapsTheRest() throws {
        func line(_ account: String, _ ledger: Int, _ statement: Int, _ classification: Classification)
            -> ReconciliationLine
        {
            let difference = try? Amount(statement).subtracting(Amount(ledger))
            return ReconciliationLine(
                key: BalanceKey(venue: "kraken", account: account, asset: "BTC"), ledger: Amount(ledger),
                statement: Amount(statement), difference: difference,
                relativeDifferenceBasisPoints: Reconciler.basisPoints(difference!, Amount(ledger), Amount(statement)),
                tolerance: .exact, classification: classification)
        }
        let lines = [
            line("a-matched", 5, 5, .matched), line("b-unreconciled", 5, 5, .unreconciled),
            line("c-small", 100, 101, .mismatch), line("d-large", 100, 150, .mismatch),
            line("e-acknowledged", 5, 6, .acknowledged), line("f-matched", 7, 7, .matched),
        ]
        let report = ReconciliationReport(
            runID: "r1", job: "eod", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z", toolVersion: "0.1.0",
            maxBreaks: 0, result: ReconciliationResult(lines: lines), inputs: [])
        func rows(_ maxTableLines: Int) -> (accounts: [String], html: String) {
            var writer = HTMLReportWriter()
            writer.maxTableLines = maxTableLines
            let html = writer.render(report)
            let accounts = html.split(separator: "<tr class=\"").dropFirst().compactMap { row -> String? in
                guard row.contains("data-break=") else { return nil }
                return row.split(separator: "<td>")[2].split(separator: "<")[0].description
            }
            return (accounts, html)
        }
        let capped = rows(4)
        #expect(capped.accounts == ["d-large", "c-small", "e-acknowledged", "b-unreconciled"])
        #expect(capped.html.contains("Showing 4 of 6 lines"))
        let all = rows(10)
        #expect(
            all.accounts == ["d-large", "c-small", "e-acknowledged", "b-unreconciled", "a-matched", "f-matched"])
        #expect(!all.html.contains("lines-capped"))
        #expect(rows(1).accounts == ["d-large"])
    }

    @Test func htmlEscapesALessThanSignJoinedToACombiningMark() {
        // One Character to Swift, two scalars to a browser: the template library's own escaping would let it through.
        let hostile = "<\u{301}img src=x onerror=alert(1)>\"'&"
        let html = HTMLReportWriter().render(report(accounts: [hostile]))
        #expect(!html.contains("<\u{301}img"))
        #expect(html.contains("&lt;\u{301}img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"))
    }

    @Test func htmlEscapesEverythingFromTheData() {
        let html = HTMLReportWriter().render(report(accounts: ["<script>alert(1)</script>"]))
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("id=\"count-mismatch\" data-count=\"1\""))
        #expect(!html.contains("http://evil\""))  // only escaped
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))  // no external assets
    }

    @Test func markdownCellsCannotBreakTheTable() {
        let markdown = MarkdownReportWriter().render(report(accounts: ["a|b"]))
        #expect(markdown.contains("| kraken | a\\|b | BTC |"))
    }

    @Test func prometheusMetricsInTextFormat() {
        let text = PrometheusMetrics.render(
            report(accounts: ["m"]), durationSeconds: 1.2345, finishedAtSeconds: 1_764_000_000)
        #expect(text.contains("# TYPE recon_run_status gauge\n"))
        #expect(text.contains("recon_run_status{job=\"eod\",status=\"breaks\"} 1\n"))
        #expect(text.contains("recon_run_status{job=\"eod\",status=\"reconciled\"} 0\n"))
        #expect(text.contains("recon_run_exit_status{job=\"eod\"} 1\n"))
        #expect(text.contains("recon_run_duration_seconds{job=\"eod\"} 1.235\n"))
        #expect(text.contains("recon_lines{job=\"eod\",classification=\"mismatch\"} 1\n"))
        #expect(text.contains("recon_breaks{job=\"eod\"} 1\n"))
        #expect(PrometheusMetrics.label("a\"b\\c") == "a\\\"b\\\\c")
    }

    @Test func terminalSummarySaysWhereTheRestOfALongListIsAndEscapesNames() {
        let files = [
            WrittenFile(path: "/o/report.json", displayPath: "out/eod/report.json", sha256: "x"),
            WrittenFile(path: "/o/report.md", displayPath: "out/eod/report.md", sha256: "y"),
        ]
        let text = TerminalSummary(maxListedBreaks: 2).render(report(accounts: ["a", "b", "c\u{1B}[2J"]), files: files)
        #expect(text.contains("  … and 1 more in out/eod/report.md\n"))
        #expect(
            text.hasPrefix("eod 2026-11-24: breaks (3 lines, 3 breaks)\nrun r1 · cutoff: the end of 2026-11-24 UTC\n"))
        let escaped = TerminalSummary(maxListedBreaks: 5).render(report(accounts: ["c\u{1B}[2J\u{202E}"]))
        #expect(escaped.contains("kraken/c\\u{1b}[2J\\u{202e}/BTC"))
        #expect(!escaped.contains("\u{1B}[2J"))
    }

    @Test func terminalSummaryUsesColourOnlyWhenAsked() {
        let plain = TerminalSummary(color: false).render(report(accounts: ["m"]))
        #expect(!plain.contains("\u{1B}["))
        // Plurals are right, and the run id is on the second line.
        #expect(plain.hasPrefix("eod 2026-11-24: breaks (1 line, 1 break)\nrun "))
        #expect(TerminalSummary(color: true).render(report(accounts: ["m"])).contains("\u{1B}[1;33mbreaks\u{1B}[0m"))
    }
}
