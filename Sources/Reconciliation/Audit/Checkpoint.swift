// Checkpoint keys are swift-crypto types.
package import Crypto

#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif

/// A statement about an audit file: its first `size` bytes end with record `seq`, whose line hashes to `head`;
/// signed with Ed25519 when a key is configured. Written into the chain at the end of every run and next to the
/// reports, so it can be kept elsewhere and checked with `recon audit verify FILE --checkpoint F`.
package struct Checkpoint: Sendable, Hashable {
    /// Bytes covered.
    package let size: Int64
    /// The last record covered.
    package let seq: Int
    /// The hash of that record's line.
    package let head: String
    /// The Ed25519 signature (base64), when signed.
    package let signature: String?
    /// The signer's public key (base64), when signed.
    package let publicKey: String?

    /// The bytes the signature covers.
    package var signedMessage: Data { Data("recon-audit-checkpoint/1 size=\(size) seq=\(seq) head=\(head)".utf8) }

    /// Creates a checkpoint, signing it when a signer is given.
    package init(size: Int64, seq: Int, head: String, signer: CheckpointSigner? = nil) throws(ReconciliationError) {
        self.size = size
        self.seq = seq
        self.head = head
        guard let signer else {
            signature = nil
            publicKey = nil
            return
        }
        let message = Data("recon-audit-checkpoint/1 size=\(size) seq=\(seq) head=\(head)".utf8)
        do {
            signature = try signer.key.signature(for: message).base64EncodedString()
        } catch {
            throw ReconciliationError(.audit, "cannot sign the checkpoint: \(error)")
        }
        publicKey = signer.key.publicKey.rawRepresentation.base64EncodedString()
    }

    init(size: Int64, seq: Int, head: String, signature: String?, publicKey: String?) {
        self.size = size
        self.seq = seq
        self.head = head
        self.signature = signature
        self.publicKey = publicKey
    }

    /// The checkpoint's fields.
    package var fields: [String: JSONValue] {
        [
            "size": .integer(size), "covers_seq": .integer(seq), "head": .string(head),
            "signature": .string(signature), "public_key": .string(publicKey),
        ]
    }

    /// Reads the fields written by ``fields`` (a checkpoint record or file).
    static func from(_ element: JSONElement) -> Checkpoint? {
        guard let sizeText = element["size"]?.text, let size = Int64(sizeText),
            let seqText = element["covers_seq"]?.text,
            let seq = Int(seqText), let head = element["head"]?.text
        else { return nil }
        return Checkpoint(
            size: size, seq: seq, head: head, signature: element["signature"]?.text,
            publicKey: element["public_key"]?.text)
    }

    /// Whether the signature verifies under `key`.
    package func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
        guard let signature, let bytes = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(bytes, for: signedMessage)
    }
}

/// The Ed25519 key that signs checkpoints.
package struct CheckpointSigner: Sendable {
    /// The private key.
    package let key: Curve25519.Signing.PrivateKey

    /// A key from text: base64 or hex of the 32-byte private key (surrounding whitespace ignored).
    package init(text: String, source: String) throws(ReconciliationError) {
        guard let bytes = decodeKeyText(text), bytes.count == 32,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes)
        else {
            throw ReconciliationError(
                .audit, "\(source) is not an Ed25519 private key (expected base64 or hex of 32 bytes)")
        }
        self.key = key
    }

    /// A new random key.
    package init() {
        key = Curve25519.Signing.PrivateKey()
    }

    /// The private key as base64, for a key file.
    package var privateKeyBase64: String { key.rawRepresentation.base64EncodedString() }

    /// The public key as base64.
    package var publicKeyBase64: String { key.publicKey.rawRepresentation.base64EncodedString() }
}

/// A public key from text (base64 or hex of 32 bytes).
package func checkpointPublicKey(text: String, source: String) throws(ReconciliationError)
    -> Curve25519.Signing.PublicKey
{
    guard let bytes = decodeKeyText(text), bytes.count == 32,
        let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
    else {
        throw ReconciliationError(.audit, "\(source) is not an Ed25519 public key (expected base64 or hex of 32 bytes)")
    }
    return key
}

/// Base64 or hex text as bytes.
func decodeKeyText(_ text: String) -> Data? {
    let trimmed = text.trimmingWhitespace
    if trimmed.count == 64, trimmed.allSatisfy(\.isHexDigit) {
        var bytes = Data()
        var index = trimmed.startIndex
        while index < trimmed.endIndex {
            let next = trimmed.index(index, offsetBy: 2)
            guard let byte = UInt8(trimmed[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
    return Data(base64Encoded: trimmed)
}
