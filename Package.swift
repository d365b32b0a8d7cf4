// swift-tools-version: 6.1
import PackageDescription

import class Foundation.ProcessInfo

let package = Package(
    name: "recon",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Reconciliation", targets: ["Reconciliation"]),
        .executable(name: "recon", targets: ["recon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Intel's ISA-L inflates gzip inputs (2.8x zlib's speed here, same output); zlib stays for writing gzip and as
        // the oracle the differential test compares it with.
        .systemLibrary(
            name: "CIsal",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // libxml2 stays behind a small C wrapper: importing its headers into a Swift module that also imports
        // Foundation clashes on ICU's `UErrorCode`, so Swift only ever sees `recon_xml.h`.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "CReconXML", dependencies: ["CLibXML2"]),
        .target(name: "CReconSystem"),
        .target(
            name: "Reconciliation",
            dependencies: [
                "CZlib",
                "CIsal",
                "CReconXML",
                "CReconSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The HTML report's style and script, compiled in (no resource bundle to ship beside the binary).
            resources: [
                .embedInCode("Report/Resources/report.css"), .embedInCode("Report/Resources/report.js"),
                .embedInCode("Report/Resources/report.html.mustache"),
            ]
        ),
        // The deterministic workload (and the gzip writer it uses): for `recon generate`, tests and benchmarks, not
        // for reconciling.
        .target(name: "ReconWorkload", dependencies: ["Reconciliation", "CZlib"]),
        // Fetching statements from the venues' APIs: the network stack stays out of the library, so the readers,
        // replay and the fuzz build never link it; what a fetch saves is read by the library like any file.
        .target(
            name: "ReconFetch",
            dependencies: [
                "Reconciliation",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "recon",
            dependencies: [
                "Reconciliation",
                "ReconWorkload",
                "ReconFetch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What fuzzing feeds bytes to, with its invariants: used by scripts/fuzz and by the tests that replay crashers.
        .target(
            name: "FuzzTargets", dependencies: ["Reconciliation"], path: "Tests/FuzzTargets", exclude: ["seeds"]),
        // A venue on 127.0.0.1 for tests: scripted responses, and every venue's signature checked for real.
        .target(
            name: "VenueMock",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/VenueMock"
        ),
        .testTarget(
            name: "ReconciliationTests",
            dependencies: [
                "Reconciliation",
                "ReconWorkload",
                "ReconFetch",
                "VenueMock",
                "FuzzTargets",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        // Test support: appends audit runs in a loop for the SIGKILL test.
        .executableTarget(
            name: "audit-stress",
            dependencies: ["Reconciliation"],
            path: "Tests/AuditStress"
        ),
        .testTarget(
            name: "reconTests",
            dependencies: ["Reconciliation", "recon", "audit-stress", "VenueMock"],
            exclude: ["Golden"]
        ),
    ]
)

// Benchmarks (ordo-one/benchmark) build only when asked for — `RECON_BENCHMARKS=1 swift package benchmark`, or
// scripts/bench — so everyday builds and CI do not compile the benchmark framework.
if ProcessInfo.processInfo.environment["RECON_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets += [
        .executableTarget(
            name: "ReconBenchmarks",
            dependencies: [
                "Reconciliation", "ReconWorkload", .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/ReconBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // The floor for end-to-end runs: the project's own gzip byte source inflating a file, discarding the bytes.
        .executableTarget(name: "recon-inflate", dependencies: ["Reconciliation"], path: "Benchmarks/InflateFloor"),
    ]
}

// In-process fuzzing (libFuzzer) builds only when asked for — scripts/fuzz sets RECON_FUZZ=1 and builds with
// `--sanitize fuzzer`, which supplies the entry point this target leaves out.
if ProcessInfo.processInfo.environment["RECON_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "recon-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}

for target in package.targets where target.type != .system && !["CReconXML", "CReconSystem"].contains(target.name) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
