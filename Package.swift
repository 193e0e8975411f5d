// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "troupe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "troupe", targets: ["troupe"]),
        .library(name: "TroupeManifest", targets: ["TroupeManifest"]),
        .library(name: "TroupePlan", targets: ["TroupePlan"]),
        .library(name: "TroupeMedia", targets: ["TroupeMedia"]),
        .executable(name: "troupe-sim", targets: ["troupe-sim"]),
        .executable(name: "troupe-bench", targets: ["troupe-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Shared state for teams (`--state postgres://…`): the PostgreSQL wire protocol in Swift.
        // Heavy (it brings swift-nio-ssl's BoringSSL, about 3 minutes of a clean build), but the
        // issue asks for PostgreSQL, and NIO is already here for Hummingbird.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Hummingbird's own dependencies, named because KlingSim imports from them too.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // System libraries, each with a shim.h for what Swift cannot import.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        // libavfilter's headers only: the library is opened on first use (shim.h), since linking
        // it loads thirty more libraries into every command.
        .systemLibrary(name: "CFFmpeg",
                       pkgConfig: "libavformat libavcodec libavutil libswscale libswresample",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev",
                                         "libswscale-dev", "libswresample-dev", "libavfilter-dev"])]),

        // Helpers every module shares (hex, JSON strings, numbers, atomic files, Kling's limits):
        // the bottom of the graph, Foundation only.
        .target(name: "TroupeSupport", swiftSettings: strict),
        .target(name: "TroupeManifest", dependencies: ["CYAML", "TroupeSupport"], swiftSettings: strict),
        .target(name: "TroupeMedia", dependencies: ["CFFmpeg", "TroupeSupport"], swiftSettings: strict),
        .target(name: "TroupePlan",
                dependencies: ["TroupeManifest", "TroupeMedia", "TroupeSupport", .product(name: "Crypto", package: "swift-crypto")],
                // Pricing/*.json are compiled in (Prices/BuiltInPrices.swift): no resource bundle.
                exclude: ["Pricing"],
                swiftSettings: strict),
        // Results on disk and in a team's bucket: the local content-addressed cache (checked),
        // the S3 shared cache, URL media fetched at plan time, verify and gc.
        .target(name: "TroupeCache",
                dependencies: ["TroupeManifest", "TroupePlan", "TroupeMedia", "TroupeNet", "TroupeSupport"],
                swiftSettings: strict),
        // Where each job stands: the `StateStoring` protocol, job records, the SQLite store
        // (GRDB stays behind its API), the status `plan` reads, the campaign lock.
        .target(name: "TroupeState",
                dependencies: ["TroupeCache", "TroupeManifest", "TroupePlan", "TroupeSupport",
                               .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: strict),
        // Shared state for many runners (`--state postgres://…`): the same rows in PostgreSQL,
        // with leases, heartbeats and account slots. Only the CLI and tests import it.
        .target(name: "TroupeStatePostgres",
                dependencies: ["TroupeState", "TroupePlan", "TroupeSupport",
                               .product(name: "PostgresNIO", package: "postgres-nio"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        // The executor: scheduler, jobs, the remote lifecycle, events.
        .target(name: "TroupeRun",
                dependencies: ["TroupeState", "TroupeCache", "TroupeManifest", "TroupePlan", "TroupeMedia", "TroupeNet",
                               "TroupeProviders", "TroupeSupport", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        // `troupe init`: the example project, its media synthesized on the spot.
        .target(name: "TroupeInit", dependencies: ["TroupeManifest", "TroupeMedia", "TroupeSupport"], swiftSettings: strict),
        .target(name: "TroupeNet",
                dependencies: ["CCurl", "TroupeSupport", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        .target(name: "TroupeProviders",
                dependencies: ["TroupeNet", "TroupeMedia", "TroupeManifest", "TroupePlan", "TroupeSupport",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "TroupeReport",
                dependencies: ["TroupeManifest", "TroupePlan", "TroupeMedia", "TroupeState", "TroupeSupport"],
                swiftSettings: strict),
        .target(name: "KlingSim",
                dependencies: ["TroupeMedia", "TroupeNet", "TroupeSupport",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                swiftSettings: strict),
        // The simulator alone: it links no client code, so it cannot accidentally agree with it.
        .executableTarget(
            name: "troupe-sim",
            dependencies: ["KlingSim", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // Load generator for scripts/bench-net.sh: troupe's HTTP client against a running troupe-sim.
        .executableTarget(
            name: "troupe-bench",
            dependencies: ["TroupeNet", "TroupeProviders", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // Names the commit `troupe --version` prints, at build time, in every build from a checkout.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .executableTarget(
            name: "troupe",
            dependencies: [
                "TroupeManifest", "TroupePlan", "TroupeMedia", "TroupeCache", "TroupeState", "TroupeStatePostgres", "TroupeRun", "TroupeReport", "TroupeProviders",
                "TroupeInit", "TroupeNet", "TroupeSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            plugins: ["BuildCommit"]),

        // Test helpers; the local fakes (forge comments, webhook receiver) are small Hummingbird apps.
        .target(name: "TroupeTestSupport",
                dependencies: ["TroupeNet", "TroupeSupport",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HTTPTypes", package: "swift-http-types"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                path: "Tests/Support", swiftSettings: strict),
        .testTarget(name: "TroupeSupportTests", dependencies: ["TroupeSupport"], swiftSettings: strict),
        .testTarget(name: "CLibrariesTests", dependencies: ["CYAML", "CCurl", "CFFmpeg"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeManifestTests", dependencies: ["TroupeManifest", "TroupeTestSupport"], exclude: ["Golden"],
                    swiftSettings: strict),
        .testTarget(name: "TroupePlanTests",
                    dependencies: ["TroupePlan", "TroupeManifest", "TroupeMedia", "TroupeSupport", "TroupeTestSupport"],
                    exclude: ["Golden"], swiftSettings: strict),
        .testTarget(name: "TroupeRunTests",
                    dependencies: ["TroupeRun", "TroupeState", "TroupeCache", "TroupeManifest", "TroupePlan", "TroupeMedia", "TroupeNet", "TroupeProviders", "TroupeSupport", "KlingSim",
                                   "TroupeInit", "TroupeTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeStateTests",
                    dependencies: ["TroupeState", "TroupeCache", "TroupePlan", "TroupeSupport", "TroupeTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: strict),
        // The state contract runs against both backends; the account slots' hand-off over PostgreSQL.
        .testTarget(name: "TroupeStatePostgresTests",
                    dependencies: ["TroupeStatePostgres", "TroupeState", "TroupeRun", "TroupePlan", "TroupeSupport", "TroupeTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeCacheTests",
                    dependencies: ["TroupeCache", "TroupeManifest", "TroupeNet", "TroupeSupport", "TroupeTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeCLITests", dependencies: ["troupe", "TroupeTestSupport", "KlingSim", "TroupePlan", "TroupeCache", "TroupeState", "TroupeStatePostgres", "TroupeRun", "TroupeNet"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeReportTests", dependencies: ["TroupeReport", "TroupeManifest", "TroupePlan", "TroupeProviders", "TroupeCache", "TroupeState", "TroupeRun", "TroupeInit", "TroupeMedia"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeMediaTests", dependencies: ["TroupeMedia", "TroupeSupport"], swiftSettings: strict),
        .testTarget(name: "TroupeNetTests",
                    dependencies: ["TroupeNet", "TroupeSupport", "KlingSim", "TroupeTestSupport",
                                   .product(name: "Crypto", package: "swift-crypto")],
                    swiftSettings: strict),
        .testTarget(name: "TroupeProvidersTests",
                    dependencies: ["TroupeProviders", "TroupeManifest", "TroupeNet", "TroupeMedia", "TroupeSupport", "KlingSim", "TroupeTestSupport",
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .testTarget(name: "KlingSimTests", dependencies: ["KlingSim", "TroupeNet", "TroupeProviders", "TroupeTestSupport"],
                    swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
