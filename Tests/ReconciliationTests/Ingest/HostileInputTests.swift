import Foundation
import Testing

@testable import Reconciliation

/// Hostile and broken inputs: each a fixture in `Fixtures/hostile/`, each a specific error naming the file and the
/// line/column or byte offset. Never a crash, never unbounded memory.
@Suite struct HostileInputTests {
    func failure(_ name: String, format: String, options: InputOptions = InputOptions(venue: "bank")) -> String? {
        let spec = InputSpec(
            side: .statement, name: name, files: [InputFile(path: fixture("hostile/" + name), displayPath: name)],
            format: format, options: options)
        let outcome = InputLoader(prefetch: false).load(spec, index: 0)
        #expect(outcome.failed)
        return outcome.failure?.description
    }

    func rowErrors(_ name: String, options: InputOptions) -> [String] {
        let spec = InputSpec(
            side: .statement, name: name, files: [InputFile(path: fixture("hostile/" + name), displayPath: name)],
            format: "csv", options: options)
        let outcome = InputLoader(prefetch: false).load(spec, index: 0)
        #expect(outcome.failed)
        return outcome.diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    static let doctype =
        "DOCTYPE is not allowed in a statement (entity declarations can expand without bound or reach outside the file)"

    @Test(arguments: [
        ("doctype.xml", "doctype.xml:2:19: error: invalid XML: \(doctype)"),
        ("external-entity.xml", "external-entity.xml:2:20: error: invalid XML: \(doctype)"),
        ("billion-laughs.xml", "billion-laughs.xml:2:16: error: invalid XML: \(doctype)"),
        ("quadratic-blowup.xml", "quadratic-blowup.xml:2:20: error: invalid XML: \(doctype)"),
        (
            "invalid-utf8-name.xml",
            "invalid-utf8-name.xml:2:6: error: invalid XML: Input is not proper UTF-8, indicate encoding !; Bytes: 0xED 0x65 0x6E 0x74"
        ),
        (
            "mismatched-tags.xml",
            "mismatched-tags.xml:5:19: error: invalid XML: Opening and ending tag mismatch: Stmt line 4 and BkToCstmrStmt"
        ),
        (
            "truncated.xml",
            "truncated.xml:5:30: error: invalid XML: the file ends inside <IBAN> with 6 element(s) still open (truncated?)"
        ),
    ])
    func hostileXMLIsRefusedWithItsPlace(name: String, message: String) {
        #expect(failure(name, format: "camt053") == message)
    }

    @Test func deepNestingStopsAtTheCap() {
        let options = InputOptions(
            venue: "v", account: "a", fields: FieldMapping(asset: "x", amount: "y"), records: "a/b")
        #expect(
            failure("deep-nesting.xml.gz", format: "xml", options: options)
                == "deep-nesting.xml.gz:2:603: error: invalid XML: elements nested deeper than 200 levels")
    }

    static let csv = InputOptions(
        fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount"))

    @Test func gzipBombIsRefusedBeforeItInflates() {
        // 65 KB inflating to 64 MiB of one line: the line cap (4 MiB) is met before 200 × the file's size.
        #expect(
            failure("bomb.csv.gz", format: "csv", options: Self.csv)
                == "bomb.csv.gz:2: error: record is longer than 4194304 bytes (limit `limits.max_line_bytes`); is this "
                + "a CSV file?")
    }

    @Test func truncatedAndTrailingGzip() {
        #expect(
            failure("truncated.csv.gz", format: "csv", options: Self.csv)
                == "truncated.csv.gz: error: truncated gzip stream: the file ends at byte 525 inside a member")
        #expect(
            failure("trailing-garbage.csv.gz", format: "csv", options: Self.csv)
                == "trailing-garbage.csv.gz: error: trailing garbage after the gzip stream at byte 1051")
    }

    @Test func tenMegabyteLineHitsTheLineCap() {
        var options = Self.csv
        options.limits.inflate.maxRatio = 1_000_000
        options.limits.maxRecordBytes = 1 << 20
        #expect(
            failure("long-line.csv.gz", format: "csv", options: options)
                == "long-line.csv.gz:3: error: record is longer than 1048576 bytes (limit `limits.max_line_bytes`); is this a CSV file?"
        )
    }

    @Test func nulBytesAndRaggedRows() {
        #expect(
            failure("nul.csv", format: "csv", options: Self.csv)
                == "nul.csv:3:10: error: NUL byte in the data (a binary or UTF-16 file?)")
        #expect(
            rowErrors("ragged.csv", options: Self.csv) == [
                "ragged.csv:3: error: expected 4 fields as in the header, found 3",
                "ragged.csv:4: error: expected 4 fields as in the header, found 5",
            ])
    }

    @Test func badAmounts() {
        #expect(
            rowErrors("amounts.csv", options: Self.csv) == [
                "amounts.csv:2:7: error: invalid amount '1e400' (column amount): exponent out of range",
                "amounts.csv:3:7: error: invalid amount 'NaN' (column amount): not a number",
                "amounts.csv:4:7: error: invalid amount '123abc' (column amount): unexpected character 'a'",
                "amounts.csv:5:7: error: invalid amount '1,5' (column amount): unexpected ',' (set `decimal_separator: \",\"` or `thousands_separator: \",\"` if the source writes them)",
                "amounts.csv:6:7: error: invalid amount '1234567890123456789012345678901234567890' (column amount): more than 38 significant digits",
            ])
    }
}

@Suite struct JSONStreamParserTests {
    func parse(_ text: String, path: String = "") throws(ReconciliationError) -> [String] {
        var parser = JSONStreamParser(source: memorySource(text, chunk: 3), displayPath: "t.json")
        var found: [String] = []
        guard let steps = JSONStreamParser.path(path) else { return ["bad path"] }
        try parser.forEachRecord(at: steps) { record in
            found.append(
                "\(record.keyPath)=\(record.element.text ?? record.element.kindName)@\(record.element.line):\(record.element.column)"
            )
        }
        return found
    }

    @Test func recordsAtAPathWithPositions() throws {
        let text = "{\"skip\": [1, {\"a\": null}],\n \"data\": {\"rows\": [\"x\", 12.50e-1,\n  true]}}"
        #expect(
            try parse(text, path: "data.rows[*]") == [
                "data.rows[0]=x@2:20", "data.rows[1]=12.50e-1@2:25", "data.rows[2]=a boolean@3:3",
            ])
        #expect(
            try parse("{\"total\": {\"BTC\": 1, \"ETH\": 2}}", path: "total.*") == [
                "total.BTC=1@1:19", "total.ETH=2@1:29",
            ])
        #expect(try parse("{\"a\":1}\n{\"a\":2}\n", path: "a") == ["a=1@1:6", "[1].a=2@2:6"])
    }

    @Test(arguments: [
        ("{\"a\": 1,}", "t.json:1:9: error: invalid JSON: trailing comma before '}'"),
        ("{\"a\": 1, \"a\": 2}", "t.json:1:10: error: invalid JSON: duplicate key \"a\""),
        ("{\"a\": NaN}", "t.json:1:7: error: invalid JSON: NaN and Infinity are not JSON numbers"),
        ("{\"a\": 01}", "t.json:1:7: error: invalid JSON: numbers must not have leading zeros"),
        ("{\"a\": \"x", "t.json:1:7: error: invalid JSON: unterminated string"),
        ("[1 2]", "t.json:1:4: error: invalid JSON: expected ',' or ']' after an array element, found '2'"),
        ("", "t.json:1:1: error: invalid JSON: the file is empty"),
        ("{\"a\": \"\\ud800\"}", "t.json:1:14: error: invalid JSON: unpaired surrogate in a \\u escape"),
    ])
    func malformedJSONIsRejectedWithItsPlace(text: String, message: String) {
        #expect(caught { try parse(text, path: "a") }.map { "\($0)" } == message)
    }

    @Test func nestingIsCapped() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(
            caught { try parse(text) }.map { "\($0)" }
                == "t.json:1:257: error: invalid JSON: nested deeper than 256 levels")
    }

    @Test func recordPaths() {
        #expect(JSONStreamParser.path("accounts[*]") == [.key("accounts"), .anyElement])
        #expect(JSONStreamParser.path("[*]") == [.anyElement])
        #expect(JSONStreamParser.path("$.data.balances[*]") == [.key("data"), .key("balances"), .anyElement])
        #expect(JSONStreamParser.path("total.*") == [.key("total"), .anyMember])
        #expect(JSONStreamParser.path("") == [])
        #expect(JSONStreamParser.path("a..b") == nil)
    }

}

@Suite struct SpecialFileTests {
    /// A device or FIFO as a statement path made a run hang forever (reading /dev/zero, or waiting for a writer).
    @Test func devicesAndFIFOsAreRefusedNotReadForever() throws {
        let directory = TemporaryDirectory()
        let fifo = directory.path + "/statement.csv"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, "/dev/zero", "/dev/urandom"] {
            let spec = InputSpec(
                side: .statement, name: path, files: [InputFile(path: path, displayPath: "s.csv")], format: "csv",
                options: InputOptions(
                    fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount")))
            let outcome = InputLoader(prefetch: true).load(spec, index: 0)
            #expect(
                outcome.failure?.description
                    == "s.csv: error: is not a regular file (a device, FIFO or socket); give the statement as a file")
        }
    }
}
