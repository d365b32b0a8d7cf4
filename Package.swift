// swift-tools-version: 6.1
import PackageDescription

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
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libxml2 stays behind a small C wrapper: importing its headers into a Swift module that also imports
        // Foundation clashes on ICU's `UErrorCode`, so Swift only ever sees `recon_xml.h`.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "CReconXML", dependencies: ["CLibXML2"]),
        .target(
            name: "Reconciliation",
            dependencies: [
                "CZlib",
                "CReconXML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "recon",
            dependencies: [
                "Reconciliation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ReconciliationTests",
            dependencies: [
                "Reconciliation",
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
            dependencies: ["Reconciliation", "recon", "audit-stress"],
            exclude: ["Golden"]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CReconXML" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
