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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries, each with a shim.h for what Swift cannot import.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CFFmpeg",
                       pkgConfig: "libavformat libavcodec libavutil libswscale libswresample",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev",
                                         "libswscale-dev", "libswresample-dev"])]),

        .target(name: "TroupeManifest", dependencies: ["CYAML"], swiftSettings: strict),
        .target(name: "TroupeMedia", dependencies: ["CFFmpeg"], swiftSettings: strict),
        .target(name: "TroupePlan",
                dependencies: ["TroupeManifest", "TroupeMedia", .product(name: "Crypto", package: "swift-crypto")],
                // Pricing/*.json are compiled in (Prices/BuiltInPrices.swift): no resource bundle.
                exclude: ["Pricing"],
                swiftSettings: strict),
        .target(name: "TroupeRun",
                dependencies: ["TroupeManifest", "TroupePlan", "TroupeMedia", "TroupeNet", "TroupeProviders",
                               .product(name: "GRDB", package: "GRDB.swift"),
                               .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        .target(name: "TroupeNet",
                dependencies: ["CCurl", .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "TroupeProviders",
                dependencies: ["TroupeNet", "TroupeMedia", "TroupeManifest",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "TroupeReport",
                dependencies: ["TroupePlan", "TroupeMedia", "TroupeRun"],
                swiftSettings: strict),
        .target(name: "KlingSim",
                dependencies: ["TroupeMedia", "TroupeNet",
                               .product(name: "Crypto", package: "swift-crypto"),
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .executableTarget(
            name: "troupe-sim",
            dependencies: ["KlingSim", "TroupeNet", "TroupeProviders",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // The commit `troupe --version` names, passed by scripts/install.sh as a C macro.
        .target(name: "CTroupeBuildInfo"),
        .executableTarget(
            name: "troupe",
            dependencies: [
                "TroupeManifest", "TroupePlan", "TroupeMedia", "TroupeRun", "TroupeReport", "CTroupeBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        .target(name: "TroupeTestSupport", dependencies: ["TroupeNet"], path: "Tests/Support", swiftSettings: strict),
        .testTarget(name: "CLibrariesTests", dependencies: ["CYAML", "CCurl", "CFFmpeg"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeManifestTests", dependencies: ["TroupeManifest", "TroupeTestSupport"], exclude: ["Golden"],
                    swiftSettings: strict),
        .testTarget(name: "TroupePlanTests", dependencies: ["TroupePlan", "TroupeTestSupport"], exclude: ["Golden"], swiftSettings: strict),
        .testTarget(name: "TroupeRunTests", dependencies: ["TroupeRun", "KlingSim", "TroupeTestSupport"], swiftSettings: strict),
        .testTarget(name: "TroupeCLITests", dependencies: ["troupe", "TroupeTestSupport", "KlingSim", "TroupeRun"], swiftSettings: strict),
        .testTarget(name: "TroupeReportTests", dependencies: ["TroupeReport", "TroupeRun"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeMediaTests", dependencies: ["TroupeMedia"], swiftSettings: strict),
        .testTarget(name: "TroupeNetTests", dependencies: ["TroupeNet", "KlingSim", "TroupeTestSupport"], swiftSettings: strict),
        .testTarget(name: "TroupeProvidersTests", dependencies: ["TroupeProviders", "KlingSim", "TroupeMedia"],
                    swiftSettings: strict),
        .testTarget(name: "KlingSimTests", dependencies: ["KlingSim", "TroupeNet", "TroupeProviders"],
                    swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
