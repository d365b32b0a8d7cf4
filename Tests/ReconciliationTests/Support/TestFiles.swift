import Foundation
import ReconWorkload

@testable import Reconciliation

/// A fresh directory for one test, removed when the value goes away.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/recon-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes bytes to a file in the directory and returns its path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) -> String {
        let file = path + "/" + name
        let parent = (file as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    /// Writes text to a file in the directory and returns its path.
    @discardableResult
    func write(_ text: String, to name: String) -> String {
        write(Array(text.utf8), to: name)
    }

    /// Writes text gzip-compressed (as `members` concatenated members) and returns the path.
    @discardableResult
    func writeGzip(_ text: String, to name: String, members: Int = 1) throws -> String {
        let bytes = Array(text.utf8)
        let size = (bytes.count + members - 1) / max(members, 1)
        var parts: [[UInt8]] = []
        for member in 0..<members {
            let slice = Array(bytes[min(bytes.count, member * size)..<min(bytes.count, (member + 1) * size)])
            let part = path + "/.member-\(member)"
            let writer = try GzipWriter(path: part)
            try slice.withUnsafeBytes { try writer.write($0) }
            try writer.close()
            parts.append(Array(FileManager.default.contents(atPath: part) ?? Data()))
            try? FileManager.default.removeItem(atPath: part)
        }
        return write(parts.flatMap { $0 }, to: name)
    }

    /// The bytes of a file in the directory.
    func read(_ name: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: path + "/" + name) ?? Data())
    }
}

/// Reads a byte source to the end in chunks of `chunk` bytes.
func readAll(_ source: any ByteSource, chunk: Int = 4096) throws(ReconciliationError) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
    defer { buffer.deallocate() }
    var result: [UInt8] = []
    while true {
        let count = try source.read(into: buffer)
        if count == 0 { return result }
        result.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}

/// The error a throwing call raised, for exact-message assertions.
func caught<T>(_ body: () throws -> T) -> (any Error)? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The path of a fixture file.
func fixture(_ name: String) -> String {
    Bundle.module.path(forResource: "Fixtures/" + name, ofType: nil) ?? "missing-fixture/\(name)"
}

/// The shared real-world files (`../shared/real-world/` beside the project).
func realWorld(_ name: String) -> String {
    realWorldDirectory + "/" + name
}

/// `../shared/real-world` beside the project's folder.
let realWorldDirectory: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/real-world").path

/// Whether the real-world tests run: when the folder is there, and always under CI (`CI` set), where its absence
/// must fail rather than pass unnoticed. A user's clone has no `../shared`, so there they are skipped, saying why.
///
/// The files stay outside the repository on purpose: they are other projects' test data under their own licences
/// (MIT, LGPL and others), which the product's repository should not take on.
let realWorldFilesAvailable =
    FileManager.default.fileExists(atPath: realWorldDirectory) || ProcessInfo.processInfo.environment["CI"] != nil

/// Reads one file with a reader into a collector (plain or gzipped), the way an input is read.
func readRecords(
    _ path: String, format: String, options: InputOptions = InputOptions()
) throws(ReconciliationError) -> RecordCollector {
    guard let reader = StatementFormats.reader(named: format) else {
        throw ReconciliationError(.usage, "no reader \(format)")
    }
    let input = try InputBytes(path: path, displayPath: (path as NSString).lastPathComponent)
    let collector = RecordCollector(kind: options.kind, maxErrors: options.limits.maxErrors)
    try reader.read(input.bytes, path: (path as NSString).lastPathComponent, options: options, into: collector)
    return collector
}
