import ReconWorkload
import Testing

@testable import Reconciliation

/// One hostile corpus, every medium: what a venue or account name can carry never acts on the terminal, the log,
/// the Markdown renderer or the spreadsheet that shows it.
@Suite struct EscapingTests {
    static let corpus = [
        "\u{1B}[2J", "\u{1B}]0;owned\u{07}", "a\u{202E}gpj.exe", "line\nbreak", "cr\rhere", "nel\u{85}x",
        "sep\u{2028}x", "\u{7F}del", "<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](http://x/y.png)",
        "`code`", "*bold* _it_ ~~s~~", "a|b", "=1+2", "+1", "-1", "@SUM(A1)", "\n=1", "\t=1", "\u{A0}=1",
        " =1", "＝1", "＋1", "－1", "＠x", "&amp;", "back\\slash", "plain text",
    ]

    @Test(arguments: corpus) func theTerminalSeesNoControlOrBidiCharacter(text: String) {
        let shown = Escaping.terminal(text)
        #expect(!shown.unicodeScalars.contains(where: Escaping.isUnsafeForTerminal))
        #expect(TerminalText.escape(text) == shown)
    }

    @Test func terminalEscapesAreReadable() {
        #expect(Escaping.terminal("\u{1B}[2J") == "\\u{1b}[2J")
        #expect(Escaping.terminal("a\u{202E}b\nc") == "a\\u{202e}b\\u{a}c")
        #expect(Escaping.terminal("plain ü 中") == "plain ü 中")
    }

    @Test(arguments: corpus) func markdownGetsNoHTMLNoLinkNoNewBlock(text: String) {
        let written = Escaping.markdown(text)
        #expect(!written.contains("<") && !written.contains(">"))
        #expect(!written.unicodeScalars.contains(where: Escaping.isUnsafeForTerminal))
        // Every structural character is escaped: removing the escapes gives back no unescaped one.
        var escaped = false
        for scalar in written.unicodeScalars {
            if escaped {
                escaped = false
                continue
            }
            if scalar == "\\" {
                escaped = true
                continue
            }
            #expect(!["[", "]", "`", "*", "_", "|", "~"].contains(scalar), "\(written)")
        }
    }

    @Test func markdownExamples() {
        #expect(Escaping.markdown("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))")
        #expect(Escaping.markdown("<script>") == "&lt;script&gt;")
        #expect(Escaping.markdown("binance_us|main") == "binance\\_us\\|main")
        #expect(Escaping.markdown("2026-11-24 1.5") == "2026-11-24 1.5")
    }

    @Test(arguments: corpus) func aSpreadsheetNeverSeesAFormula(text: String) {
        var cell = Escaping.csv(text)
        if cell.hasPrefix("\"") { cell = String(cell.dropFirst()) }
        let first = cell.unicodeScalars.first
        let triggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "＝", "＋", "－", "＠"]
        #expect(!(first.map { triggers.contains($0) || $0.properties.isWhitespace } ?? false), "\(cell)")
    }

    /// Every scalar of the first planes and the separators' planes: a cell starting with it is marked exactly when it is
    /// a formula trigger, whitespace by its Unicode property, or unsafe for a terminal; and quoted exactly when it
    /// holds a separator, a quote or a line break.
    @Test func everyFirstScalarIsJudgedByItsProperties() {
        let triggers: Set<UInt32> = [0x3D, 0x2B, 0x2D, 0x40, 0xFF1D, 0xFF0B, 0xFF0D, 0xFF20, 0xFE62, 0xFE63, 0xFE66]
        for value in Array(0..<0x3000) + Array(0xFE00..<0x10000) {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            let expected =
                triggers.contains(scalar.value) || scalar.properties.isWhitespace
                || Escaping.isUnsafeForTerminal(scalar)
            #expect(Escaping.startsFormula(scalar) == expected, "U+\(String(value, radix: 16))")
            let text = String(Character(scalar)) + "x"
            let quoted = [",", "\"", "\n", "\r"].contains(String(Character(scalar)))
            #expect(Escaping.csv(text).hasPrefix("\"") == quoted, "U+\(String(value, radix: 16))")
        }
    }

    /// The byte writer of a cell is the string one: the corpus, every scalar of the same planes first, alone and last,
    /// and random texts of separators, quotes, breaks, formula triggers, whitespace and non-ASCII.
    @Test func aCellAppendedAsBytesIsTheEscapedString() {
        func appended(_ text: String) -> [UInt8] {
            var output: [UInt8] = [0x21]
            Escaping.appendCSV(text, to: &output)
            return output
        }
        var texts = Self.corpus + ["", "'", "x", "\u{A0}", "é=1", "a\"b", "\"", ",", "\r\n"]
        for value in Array(0..<0x3000) + Array(0xFE00..<0x10000) {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            let character = String(Character(scalar))
            texts += [character, character + "x", "x" + character]
        }
        let alphabet = [
            "a", "=", "+", "-", "@", " ", "\t", ",", "\"", "\n", "\r", "é", "＝", "\u{A0}", "\u{1B}", "'", "😀",
        ]
        var generator = SplitMix64(seed: 0xC5F)
        for _ in 0..<20_000 {
            texts.append((0..<Int.random(in: 1...6, using: &generator)).map { _ in alphabet.randomElement()! }.joined())
        }
        for text in texts {
            #expect(appended(text) == [0x21] + Array(Escaping.csv(text).utf8), "\(Array(text.unicodeScalars))")
        }
    }

    @Test func csvExamples() {
        #expect(Escaping.csv("=1+2") == "'=1+2")
        #expect(Escaping.csv("\u{A0}=1") == "'\u{A0}=1")
        #expect(Escaping.csv("＝1") == "'＝1")
        #expect(Escaping.csv("\n=1") == "\"'\n=1\"")
        #expect(Escaping.csv("a,b") == "\"a,b\"")
        #expect(Escaping.csv("kraken") == "kraken")
    }
}
