import Crypto

/// SHA-256 over an input's bytes as they stream past, so an input is hashed without a second read.
struct InputHasher {
    private var hash = SHA256()

    /// Feeds bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: bytes)
    }

    /// The lowercase hex digest.
    func finalizeHex() -> String {
        hexString(hash.finalize())
    }
}

/// Lowercase hex of any byte sequence.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var result = [UInt8]()
    result.reserveCapacity(64)
    for byte in bytes {
        result.append(digits[Int(byte >> 4)])
        result.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: result, as: UTF8.self)
}
