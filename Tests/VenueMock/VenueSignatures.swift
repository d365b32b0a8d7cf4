public import Crypto
import Foundation

/// Each venue's signature checked the way the venue checks it, so tests exercise authentication for real. Each
/// returns `nil` when the request is signed correctly, else why not.
public enum VenueSignatures {
    /// Coinbase Advanced Trade: `Authorization: Bearer <JWT>` signed ES256 or EdDSA, claims `sub`/`iss`/`nbf`/`exp`
    /// (two minutes)/`uri`, header `kid` and `nonce`.
    public static func coinbaseAdvanced(
        _ request: MockVenue.Request, keyName: String, p256: P256.Signing.PublicKey? = nil,
        ed25519: Curve25519.Signing.PublicKey? = nil, authority: String
    ) -> String? {
        guard let value = request.header("Authorization"), value.hasPrefix("Bearer ") else {
            return "no bearer token"
        }
        let parts = value.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = base64URL(parts[0]), let claimsData = base64URL(parts[1]),
            let signature = base64URL(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any]
        else { return "malformed JWT" }
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        switch header["alg"] as? String {
        case "ES256":
            guard let p256, let raw = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                p256.isValidSignature(raw, for: signed)
            else { return "bad ES256 signature" }
        case "EdDSA":
            guard let ed25519, ed25519.isValidSignature(signature, for: signed) else { return "bad EdDSA signature" }
        default: return "unknown alg"
        }
        guard header["kid"] as? String == keyName, (header["nonce"] as? String)?.isEmpty == false else {
            return "bad kid or nonce"
        }
        guard claims["sub"] as? String == keyName, claims["iss"] as? String == "cdp",
            let nbf = claims["nbf"] as? Int, let exp = claims["exp"] as? Int, exp - nbf == 120
        else { return "bad claims" }
        let expected = "\(request.method) \(authority)\(request.path)"
        guard claims["uri"] as? String == expected else { return "uri claim is not '\(expected)'" }
        return nil
    }

    /// Coinbase Exchange: base64 HMAC-SHA256 of timestamp + method + path + body with the base64-decoded secret.
    public static func coinbaseExchange(
        _ request: MockVenue.Request, key: String, secret: String, passphrase: String
    ) -> String? {
        guard request.header("CB-ACCESS-KEY") == key, request.header("CB-ACCESS-PASSPHRASE") == passphrase,
            let timestamp = request.header("CB-ACCESS-TIMESTAMP"), let sign = request.header("CB-ACCESS-SIGN"),
            let secretBytes = Data(base64Encoded: secret)
        else { return "missing or wrong CB-ACCESS headers" }
        let message = Data((timestamp + request.method + request.uri).utf8) + Data(request.body)
        let expected = Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secretBytes)))
        return expected.base64EncodedString() == sign ? nil : "bad CB-ACCESS-SIGN"
    }

    /// Kraken: base64 HMAC-SHA512 of path + SHA-256(nonce + body) with the base64-decoded secret. Returns the nonce.
    public static func kraken(_ request: MockVenue.Request, key: String, secret: String) -> (
        nonce: UInt64?, problem: String?
    ) {
        let body = String(decoding: request.body, as: UTF8.self)
        guard request.header("API-Key") == key, let sign = request.header("API-Sign"),
            let secretBytes = Data(base64Encoded: secret),
            let nonceText = body.split(separator: "&").first(where: { $0.hasPrefix("nonce=") })?.dropFirst(6),
            let nonce = UInt64(nonceText)
        else { return (nil, "missing API-Key, API-Sign or nonce") }
        let digest = Data(SHA256.hash(data: Data((String(nonce) + body).utf8)))
        let expected = Data(
            HMAC<SHA512>.authenticationCode(
                for: Data(request.path.utf8) + digest, using: SymmetricKey(data: secretBytes)))
        return (nonce, expected.base64EncodedString() == sign ? nil : "EAPI:Invalid signature")
    }

    /// Binance: hex HMAC-SHA256 of the query before `&signature=`, with the secret's bytes; `X-MBX-APIKEY`.
    public static func binance(_ request: MockVenue.Request, key: String, secret: String) -> String? {
        guard request.header("X-MBX-APIKEY") == key, let range = request.query.range(of: "&signature=") else {
            return "missing X-MBX-APIKEY or signature"
        }
        let payload = String(request.query[..<range.lowerBound])
        let signature = String(request.query[range.upperBound...])
        guard payload.contains("timestamp="), payload.contains("recvWindow=") else { return "no timestamp" }
        let expected = HMAC<SHA256>.authenticationCode(
            for: Data(payload.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return expected.map { String(format: "%02x", $0) }.joined() == signature
            ? nil : "Signature for this request is not valid."
    }

    static func base64URL(_ text: String) -> Data? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base)
    }
}
