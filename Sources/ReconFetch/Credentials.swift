import Crypto
import Foundation
import Reconciliation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An input's API key, secret and passphrase, read when the fetch starts and held only in memory. Printing one shows
/// no secret; every message a fetch writes is also passed through ``redact(_:)``.
package struct Credentials: Sendable, CustomStringConvertible {
    let key: String
    let secret: String
    let passphrase: String?

    /// Credentials held in memory.
    package init(key: String, secret: String, passphrase: String?) {
        self.key = key
        self.secret = secret
        self.passphrase = passphrase
    }

    package var description: String { "credentials (redacted)" }

    /// The strings that must never be written anywhere.
    var secrets: [String] { [key, secret, passphrase].compactMap { $0 }.filter { $0.count >= 4 } }

    /// `text` with every secret (and its lines, for PEM keys) replaced by `[redacted]`.
    package func redact(_ text: String) -> String {
        var result = text
        let pieces = secrets + secrets.flatMap { $0.split(whereSeparator: \.isNewline).map(String.init) }
        for piece in Set(pieces).sorted(by: { $0.count > $1.count }) where piece.count >= 4 {
            result = result.replacingOccurrences(of: piece, with: "[redacted]")
        }
        return result
    }

    /// Reads the credentials `source` names. Errors name the variable or file, never a value.
    static func load(
        _ source: CredentialSource, api: VenueAPI, environment: [String: String]
    ) throws(FetchFailure) -> Credentials {
        let key: String?
        let secret: String?
        let passphrase: String?
        let origin: String
        switch source {
        case .environment(let prefix):
            func value(_ suffix: String) -> String? {
                environment["\(prefix)_\(suffix)"].flatMap { $0.isEmpty ? nil : $0 }
            }
            key = value("API_KEY")
            secret = value("API_SECRET")
            passphrase = value("API_PASSPHRASE")
            origin = "environment variable \(prefix)_"
            for (name, present) in [("API_KEY", key != nil), ("API_SECRET", secret != nil)] where !present {
                throw FetchFailure("environment variable \(prefix)_\(name) is not set (credentials: env:\(prefix))")
            }
            if api.needsPassphrase && passphrase == nil {
                throw FetchFailure(
                    "environment variable \(prefix)_API_PASSPHRASE is not set (the \(api.rawValue) API needs one)")
            }
        case .file(let path):
            origin = "\(path): "
            // The file opened is the file checked: its mode and owner come from the open descriptor.
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
            guard descriptor >= 0 else {
                let reason =
                    errno == ELOOP ? "is a symbolic link; name the file itself" : String(cString: strerror(errno))
                throw FetchFailure("cannot read credentials file \(path): \(reason)")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw FetchFailure("credentials file \(path) is not a regular file")
            }
            guard info.st_mode & 0o077 == 0 else {
                throw FetchFailure(
                    "credentials file \(path) can be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); "
                        + "run `chmod 600 \(path)`")
            }
            guard info.st_uid == geteuid() else {
                throw FetchFailure(
                    "credentials file \(path) belongs to user \(info.st_uid), not to the user running recon (\(geteuid()))"
                )
            }
            guard let data = try? handle.read(upToCount: 1 << 20), data.count < 1 << 20,
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else {
                throw FetchFailure(
                    "credentials file \(path) is not a JSON object {\"api_key\", \"api_secret\", \"passphrase\"}")
            }
            key = object["api_key"] as? String
            secret = object["api_secret"] as? String
            passphrase = object["passphrase"] as? String
            for (name, present) in [("api_key", key != nil), ("api_secret", secret != nil)] where !present {
                throw FetchFailure("credentials file \(path) has no string \"\(name)\"")
            }
            if api.needsPassphrase && passphrase == nil {
                throw FetchFailure("credentials file \(path) has no \"passphrase\" (the \(api.rawValue) API needs one)")
            }
        }
        let credentials = Credentials(key: key ?? "", secret: secret ?? "", passphrase: passphrase)
        // The secret's shape is checked now, so a wrong key fails before any request, and without showing it.
        switch api {
        case .coinbaseAdvanced:
            guard (try? CoinbaseJWT.signingKey(credentials.secret)) != nil else {
                throw FetchFailure(
                    "\(origin)API_SECRET is neither an EC P-256 private key (PEM) nor an Ed25519 key (base64)")
            }
        case .coinbaseExchange, .kraken:
            guard Data(base64Encoded: credentials.secret) != nil else {
                throw FetchFailure("\(origin)API_SECRET is not base64 (the \(api.rawValue) secret is)")
            }
        case .binance, .dydx:
            break
        }
        return credentials
    }
}

/// Why a fetch (or one request of it) failed: a message for people, naming the venue and the request.
package struct FetchFailure: Error, Sendable {
    /// What went wrong.
    package let message: String
    /// The failed request as `fetch.json` records it (URL, attempts), when one was sent.
    var request: [String: JSONValue]?
    /// Whether the input was refused before any request was sent (nothing of an earlier fetch is touched then).
    var beforeAnyRequest = false
    init(_ message: String) { self.message = message }
}
