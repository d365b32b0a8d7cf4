import Crypto
import Foundation
import Reconciliation

/// One HTTP request to a venue, signed: what is sent, and what is recorded (the URL without secrets).
struct VenueRequest: Sendable {
    var method: String
    /// The full URL sent.
    var url: String
    /// The URL as `fetch.json` records it: no signature, no key.
    var recordedURL: String
    var headers: [(String, String)]
    var body: [UInt8]
    /// Whether sending it twice is harmless (every balance request is a read).
    var idempotent: Bool
}

extension VenueRequest {
    /// A GET that carries no secret in its URL.
    static func read(_ url: String, headers: [(String, String)]) -> VenueRequest {
        VenueRequest(method: "GET", url: url, recordedURL: url, headers: headers, body: [], idempotent: true)
    }
}

/// The parts of a base URL the signatures need.
struct BaseURL: Sendable {
    /// `https://host:port`.
    let origin: String
    /// `host` or `host:port` (Coinbase's JWT `uri` claim).
    let authority: String
    /// A path prefix (`""` for the venues' own hosts).
    let prefix: String

    init(_ text: String) {
        let schemeEnd = text.range(of: "://")?.upperBound ?? text.startIndex
        let rest = text[schemeEnd...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        origin = String(text[..<authorityEnd])
        authority = String(rest[..<authorityEnd])
        prefix = String(rest[authorityEnd...])
    }
}

/// What each API asks for and how it signs. `cursor` is the previous page's cursor (Coinbase Advanced), `wallTime`
/// the current time in milliseconds since 1970 (the clock is injected so signatures can be tested), `nonce` a
/// strictly increasing number for Kraken.
enum VenueRequests {
    static let userAgent = "recon"

    static func make(
        _ spec: FetchSpec, credentials: Credentials?, cursor: String?, wallTime: Int64, nonce: UInt64
    ) throws(FetchFailure) -> VenueRequest {
        let base = BaseURL(spec.baseURL)
        var headers = [("User-Agent", userAgent), ("Accept", "application/json")]
        switch spec.api {
        case .coinbaseAdvanced:
            guard let credentials else { throw FetchFailure("no credentials") }
            let path = base.prefix + "/api/v3/brokerage/accounts"
            var query = "limit=\(spec.pageSize)"
            if let cursor { query += "&cursor=" + percentEncoded(cursor) }
            let token = try CoinbaseJWT.token(
                keyName: credentials.key, secret: credentials.secret, uri: "GET \(base.authority)\(path)",
                now: wallTime / 1000)
            headers.append(("Authorization", "Bearer \(token)"))
            let url = base.origin + path + "?" + query
            return .read(url, headers: headers)
        case .coinbaseExchange:
            guard let credentials, let secret = Data(base64Encoded: credentials.secret) else {
                throw FetchFailure("no credentials")
            }
            let path = base.prefix + "/accounts"
            let timestamp = String(wallTime / 1000)
            let signature = HMAC<SHA256>.authenticationCode(
                for: Data((timestamp + "GET" + path).utf8), using: SymmetricKey(data: secret))
            headers += [
                ("CB-ACCESS-KEY", credentials.key), ("CB-ACCESS-SIGN", Data(signature).base64EncodedString()),
                ("CB-ACCESS-TIMESTAMP", timestamp), ("CB-ACCESS-PASSPHRASE", credentials.passphrase ?? ""),
            ]
            let url = base.origin + path
            return .read(url, headers: headers)
        case .dydx:
            let path =
                base.prefix
                + "/v4/addresses/\(percentEncoded(spec.address ?? ""))/subaccountNumber/\(spec.subaccount ?? 0)"
            let url = base.origin + path
            return .read(url, headers: headers)
        case .kraken:
            guard let credentials, let secret = Data(base64Encoded: credentials.secret) else {
                throw FetchFailure("no credentials")
            }
            let path = base.prefix + (spec.krakenLedgers ? "/0/private/Ledgers" : "/0/private/Balance")
            var body = "nonce=\(nonce)"
            if spec.krakenLedgers {
                body += "&ofs=\(cursor ?? "0")"
                if let end = spec.ledgerEndSeconds { body += "&end=\(end)" }
            }
            let digest = SHA256.hash(data: Data((String(nonce) + body).utf8))
            let signature = HMAC<SHA512>.authenticationCode(
                for: Data(path.utf8) + Data(digest), using: SymmetricKey(data: secret))
            headers += [
                ("API-Key", credentials.key), ("API-Sign", Data(signature).base64EncodedString()),
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ]
            // Every Kraken private call is a POST; Balance and Ledgers only read, so they are safe to send again (with
            // a new nonce). The page's offset is in the body: the recorded URL says it.
            let url = base.origin + path
            let recorded =
                spec.krakenLedgers
                ? url + " (" + body.split(separator: "&").dropFirst().joined(separator: "&") + ")" : url
            return VenueRequest(
                method: "POST", url: url, recordedURL: recorded, headers: headers, body: Array(body.utf8),
                idempotent: true)
        case .binance:
            guard let credentials else { throw FetchFailure("no credentials") }
            let path = base.prefix + "/api/v3/account"
            let query = "recvWindow=\(spec.receiveWindowMilliseconds)&timestamp=\(wallTime)"
            let signature = HMAC<SHA256>.authenticationCode(
                for: Data(query.utf8), using: SymmetricKey(data: Data(credentials.secret.utf8)))
            headers.append(("X-MBX-APIKEY", credentials.key))
            let url = base.origin + path + "?" + query + "&signature=" + hex(Data(signature))
            return VenueRequest(
                method: "GET", url: url, recordedURL: base.origin + path + "?" + query + "&signature=[redacted]",
                headers: headers, body: [], idempotent: true)
        }
    }

    /// RFC 3986 unreserved characters kept, everything else percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80,
                scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))
                    || "-._~".unicodeScalars.contains(scalar)
            {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return result
    }

    static func hex(_ data: Data) -> String {
        data.map { String($0, radix: 16).leftPadded(2) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Coinbase Developer Platform JWTs: one per request, valid for two minutes, signed ES256 (EC P-256 key in PEM) or
/// EdDSA (Ed25519 key, base64 of the 32-byte seed or of seed and public key).
package enum CoinbaseJWT {
    enum Key {
        case es256(P256.Signing.PrivateKey)
        case eddsa(Curve25519.Signing.PrivateKey)
    }

    /// The signing key a secret holds; PEM text may arrive with `\n` written out (as in Coinbase's key files).
    static func signingKey(_ secret: String) throws -> Key {
        let text = secret.replacingOccurrences(of: "\\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("-----BEGIN") {
            return .es256(try P256.Signing.PrivateKey(pemRepresentation: text))
        }
        guard let raw = Data(base64Encoded: text), raw.count == 32 || raw.count == 64 else {
            throw FetchFailure("not a key")
        }
        return .eddsa(try Curve25519.Signing.PrivateKey(rawRepresentation: raw.prefix(32)))
    }

    package static func token(keyName: String, secret: String, uri: String, now: Int64) throws(FetchFailure) -> String {
        let key: Key
        do {
            key = try signingKey(secret)
        } catch {
            throw FetchFailure("the API secret is neither an EC P-256 private key (PEM) nor an Ed25519 key (base64)")
        }
        var nonceBytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in nonceBytes.indices { nonceBytes[index] = generator.next() }
        let algorithm: String
        switch key {
        case .es256: algorithm = "ES256"
        case .eddsa: algorithm = "EdDSA"
        }
        let header = JSONValue.object([
            "alg": .string(algorithm), "kid": .string(keyName), "nonce": .string(VenueRequests.hex(Data(nonceBytes))),
            "typ": .string("JWT"),
        ])
        let claims = JSONValue.object([
            "sub": .string(keyName), "iss": .string("cdp"), "nbf": .integer(now), "exp": .integer(now + 120),
            "uri": .string(uri),
        ])
        let signingInput = base64URL(Data(header.encodedBytes())) + "." + base64URL(Data(claims.encodedBytes()))
        let signature: Data
        do {
            switch key {
            case .es256(let key): signature = try key.signature(for: Data(signingInput.utf8)).rawRepresentation
            case .eddsa(let key): signature = try key.signature(for: Data(signingInput.utf8))
            }
        } catch {
            throw FetchFailure("signing the request failed: \(error)")
        }
        return signingInput + "." + base64URL(signature)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
