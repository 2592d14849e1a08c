// swift-tools-version:6.1
// An application that embeds AsyncJobs: its own job type (a sales report read from SQLite and
// written as CSV), its own route beside the AsyncJobs routes, and a test that submits the job over
// HTTP. Not built by the main package's `swift test`; `.ci/run` builds and tests it.
import Foundation
import PackageDescription

// The main package is the directory above; SwiftPM names a path dependency after its directory.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let asyncJobs = root.lastPathComponent

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "asyncjobs-examples",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "SalesReport",
            dependencies: [
                .product(name: "AsyncJobs", package: asyncJobs),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SalesReportServer",
            dependencies: [
                "SalesReport",
                .product(name: "AsyncJobs", package: asyncJobs),
                .product(name: "AsyncJobsServer", package: asyncJobs),
                .product(name: "AsyncJobsSQLite", package: asyncJobs),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SalesReportTests",
            dependencies: [
                "SalesReport",
                .product(name: "AsyncJobs", package: asyncJobs),
                .product(name: "AsyncJobsServer", package: asyncJobs),
                .product(name: "AsyncJobsSQLite", package: asyncJobs),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
