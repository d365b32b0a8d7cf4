/// A collected finding about an input that does not stop it: a skipped row, an unknown code, a suspicious figure.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Comparable, Codable {
        /// Worth knowing.
        case note
        /// Probably worth acting on.
        case warning
        /// Data could not be used as written.
        case error

        private var rank: Int {
            switch self {
            case .note: 0
            case .warning: 1
            case .error: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// How serious it is.
    public let severity: Severity
    /// What was found, in words.
    public let message: String
    /// Where, when it has a place.
    public let location: SourceLocation?

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `file:line:column: warning: message`, the shape compilers use.
    public var description: String {
        if let location { return "\(location): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}
