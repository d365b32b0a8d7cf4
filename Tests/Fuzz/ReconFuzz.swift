import Foundation
import FuzzTargets

// The libFuzzer entry points (built by scripts/fuzz with `--sanitize fuzzer`, which supplies `main`).
// `RECON_FUZZ_TARGET` picks the target: csv, json, camt, gzip, amount, job or audit.

nonisolated(unsafe) var target = FuzzTarget.csv
nonisolated(unsafe) var scratchDirectory = ""

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>>
) -> CInt {
    let name = ProcessInfo.processInfo.environment["RECON_FUZZ_TARGET"] ?? ""
    guard let chosen = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("set RECON_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(64)
    }
    target = chosen
    scratchDirectory = NSTemporaryDirectory() + "/recon-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: scratchDirectory, withIntermediateDirectories: true)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = target.run(Array(UnsafeBufferPointer(start: data, count: size)), scratch: scratchDirectory) {
        FileHandle.standardError.write(Data("invariant violated: \(violation)\n".utf8))
        abort()
    }
    return 0
}
