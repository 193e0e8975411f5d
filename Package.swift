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
        .library(name: "TroupeMedia", targets: ["TroupeMedia"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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

        .executableTarget(
            name: "troupe",
            dependencies: [
                "TroupeManifest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        .testTarget(name: "CLibrariesTests", dependencies: ["CYAML", "CCurl", "CFFmpeg"],
                    swiftSettings: strict),
        .testTarget(name: "TroupeManifestTests", dependencies: ["TroupeManifest"],
                    resources: [.copy("Golden")], swiftSettings: strict),
        .testTarget(name: "TroupeMediaTests", dependencies: ["TroupeMedia"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
