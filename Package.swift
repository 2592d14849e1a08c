// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "asyncjobs",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AsyncJobs", targets: ["AsyncJobs"]),
        .library(name: "SigV4", targets: ["SigV4"]),
        .library(name: "AsyncJobsSQLite", targets: ["AsyncJobsSQLite"]),
        .library(name: "AsyncJobsPostgres", targets: ["AsyncJobsPostgres"]),
        .library(name: "AsyncJobsSOAP", targets: ["AsyncJobsSOAP"]),
        .library(name: "AsyncJobsS3", targets: ["AsyncJobsS3"]),
        .library(name: "AsyncJobsServer", targets: ["AsyncJobsServer"]),
        .library(name: "AsyncJobsCommands", targets: ["AsyncJobsCommands"]),
        .library(name: "AsyncJobsClient", targets: ["AsyncJobsClient"]),
        .executable(name: "asyncjobs", targets: ["asyncjobs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "AsyncJobs",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SigV4",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsSQLite",
            dependencies: [
                "AsyncJobs",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsPostgres",
            dependencies: [
                "AsyncJobs",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsSOAP",
            dependencies: [
                "AsyncJobs",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsS3",
            dependencies: [
                "AsyncJobs",
                "SigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsServer",
            dependencies: [
                "AsyncJobs",
                "AsyncJobsSOAP",
                "SigV4",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsCommands",
            dependencies: [
                "AsyncJobs",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsClient",
            dependencies: [
                "AsyncJobs",
                "AsyncJobsSOAP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "asyncjobs",
            dependencies: [
                "AsyncJobs",
                "AsyncJobsClient",
                "AsyncJobsSQLite",
                "AsyncJobsPostgres",
                "AsyncJobsS3",
                "AsyncJobsSOAP",
                "AsyncJobsServer",
                "AsyncJobsCommands",
                "SigV4",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "asyncjobs-bench",
            dependencies: [
                "AsyncJobs",
                "AsyncJobsSQLite",
                "AsyncJobsPostgres",
                "AsyncJobsServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AsyncJobsTestSupport",
            dependencies: [
                "AsyncJobs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AsyncJobsTestSupport",
            swiftSettings: swiftSettings
        ),
        // libFuzzer targets, built with -sanitize=fuzzer by scripts/fuzz-parsers.sh; a normal build
        // replays the inputs it is given, which is how a crash file is reproduced.
        .target(name: "FuzzReplay", path: "Fuzz/Replay", swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzPresignedURL",
            dependencies: ["SigV4", "FuzzReplay"],
            path: "Fuzz/PresignedURL",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzSOAPEnvelope",
            dependencies: ["AsyncJobsSOAP", "FuzzReplay"],
            path: "Fuzz/SOAPEnvelope",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsTests",
            dependencies: ["AsyncJobs", "AsyncJobsTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SigV4Tests",
            dependencies: ["SigV4"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsSQLiteTests",
            dependencies: [
                "AsyncJobsSQLite", "AsyncJobsTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsPostgresTests",
            dependencies: ["AsyncJobsPostgres", "AsyncJobsTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsSOAPTests",
            dependencies: [
                "AsyncJobsSOAP",
                "AsyncJobsTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsClientTests",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "AsyncJobsSOAP",
                "AsyncJobsClient",
                "AsyncJobsServer",
                "AsyncJobsSQLite",
                "AsyncJobsTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsCommandsTests",
            dependencies: ["AsyncJobsCommands", "AsyncJobsTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsS3Tests",
            dependencies: [
                "AsyncJobs",
                "AsyncJobsS3",
                "AsyncJobsTestSupport",
                "SigV4",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AsyncJobsServerTests",
            dependencies: [
                "AsyncJobsSOAP",
                .product(name: "Logging", package: "swift-log"),
                "AsyncJobsServer",
                "AsyncJobsSQLite",
                "AsyncJobsTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
