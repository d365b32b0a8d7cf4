import Foundation
import Logging
import Reconciliation

/// Writes log lines to standard error: `2026-11-24T18:30:00Z info recon: message key=value` or, for log shippers,
/// one JSON object per line. Never given a credential or a statement's content: callers log names, counts, paths.
struct StandardErrorLogHandler: LogHandler {
    enum Format: String {
        case text
        case json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = ISO8601DateFormatter().string(from: Date())
        let line: String
        switch format {
        case .text:
            // One log line per event: values are escaped, so a name holding a line break cannot forge another line.
            let fields = merged.keys.sorted().map { "\($0)=\(TerminalText.escape(merged[$0].map { "\($0)" } ?? ""))" }
                .joined(separator: " ")
            line =
                "\(time) \(event.level) \(label): \(TerminalText.escape("\(event.message)"))"
                + (fields.isEmpty ? "" : " " + fields)
        case .json:
            var object: [String: JSONValue] = [
                "time": .string(time), "level": .string(event.level.rawValue), "logger": .string(label),
                "message": .string("\(event.message)"),
            ]
            for (key, value) in merged { object[key] = Self.json(value) }
            line = JSONValue.object(object).encoded()
        }
        printError(line)
    }

    /// A metadata value as JSON: counts and durations as numbers, everything else as text.
    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible):
            convertible is any BinaryInteger || convertible is LogNumber
                ? .number(convertible.description) : .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.mapValues(json))
        }
    }

    /// One line for stderr in `format`: the text as is, or a JSON object with the level and message.
    static func line(_ text: String, level: Logger.Level, format: Format) -> String {
        guard format == .json else { return text }
        return JSONValue.object([
            "time": .string(ISO8601DateFormatter().string(from: Date())), "level": .string(level.rawValue),
            "logger": .string("recon"), "message": .string(text),
        ]).encoded()
    }
}

/// A number for log metadata that JSON logs write as a number (`0.125` seconds).
struct LogNumber: CustomStringConvertible, Sendable {
    let description: String

    /// Seconds with millisecond precision.
    init(seconds: Double) {
        description = String(format: "%.3f", seconds)
    }
}

/// Sets up logging once for the process.
enum Logs {
    nonisolated(unsafe) private static var bootstrapped = false

    static func bootstrap(level: String, format: StandardErrorLogHandler.Format) {
        guard !bootstrapped else { return }
        bootstrapped = true
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, format: format, logLevel: parsed) }
    }
}
