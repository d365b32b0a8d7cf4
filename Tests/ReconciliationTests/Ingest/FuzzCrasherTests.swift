import Foundation
import FuzzTargets
import Testing

/// Every input fuzzing ever found a problem with (kept under Fixtures/fuzz-crashers/TARGET/) replays through its
/// target with every invariant holding.
@Suite struct FuzzCrasherTests {
    static let crashers: [(target: String, file: String)] = {
        guard let root = Bundle.module.url(forResource: "Fixtures/fuzz-crashers", withExtension: nil) else { return [] }
        return FuzzTarget.allCases.flatMap { target in
            let folder = root.appendingPathComponent(target.rawValue).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.sorted().map { (target.rawValue, folder + "/" + $0) }
        }
    }()

    @Test func thereAreCrashersToReplay() {
        #expect(!Self.crashers.isEmpty)
    }

    @Test(arguments: crashers.map { "\($0.target) \($0.file)" })
    func aKeptCrasherReplaysCleanly(entry: String) throws {
        let parts = entry.split(separator: " ", maxSplits: 1).map(String.init)
        let target = try #require(FuzzTarget(rawValue: parts[0]))
        let bytes = Array(try #require(FileManager.default.contents(atPath: parts[1])))
        let scratch = NSTemporaryDirectory() + "/recon-crasher-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        #expect(target.run(bytes, scratch: scratch) == nil)
    }
}
