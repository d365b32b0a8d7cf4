import Foundation

/// The package's root directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The `recon` executable built next to the test bundle.
func reconExecutable() -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("recon").path,
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("recon").path,
        packageRoot + "/.build/debug/recon",
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
}

/// What a finished `recon` process left behind.
struct ProcessResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `recon` with `arguments` in `directory` (the package root by default).
func recon(_ arguments: [String], in directory: String = packageRoot, environment: [String: String] = [:]) throws
    -> ProcessResult
{
    try runProcess(reconExecutable(), arguments, in: directory, environment: environment)
}

/// Runs `executable` in `directory` with the environment less `RECON_*` variables, plus `environment`.
func runProcess(
    _ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RECON_") }
    variables["NO_COLOR"] = "1"
    for (key, value) in environment { variables[key] = value }
    process.environment = variables
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    let errData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh directory, removed afterwards.
final class Scratch: @unchecked Sendable {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.path + "/recon-cli-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    @discardableResult
    func write(_ text: String, to name: String) -> String {
        let file = path + "/" + name
        try? FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }

    func read(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path + "/" + name) ?? Data(), as: UTF8.self)
    }

    /// A JSON file in the directory, parsed.
    func json(_ name: String) throws -> [String: Any] {
        let data = FileManager.default.contents(atPath: path + "/" + name) ?? Data()
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// A one-key job (`job.yaml`: a ledger of BTC 1.5, a statement of 1.4, an audit file, optionally a repository).
    func writeSmallJob(_ name: String, formats: String, repository: Bool = false) {
        write("venue,account,asset,amount\nk,m,BTC,1.5\n", to: "in/ledger.csv")
        write("venue,account,asset,balance\nk,m,BTC,1.4\n", to: "in/statement.csv")
        write(
            """
            job: \(name)
            as_of: 2026-11-24
            ledger: [{path: in/ledger.csv, format: csv}]
            statements:
              - {path: in/statement.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out, formats: [\(formats)]}
            audit: {path: audit.jsonl}
            \(repository ? "repository: recon.sqlite" : "")
            """, to: "job.yaml")
    }
}
