import AsyncJobsPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// A fresh database per test on the server named by `ASYNCJOBS_TEST_POSTGRES_URL`, dropped afterwards.
///
/// `.ci/run` starts a throw-away cluster with `scripts/pg-cluster.sh` and sets the variable; without
/// it the PostgreSQL tests are skipped, and say so.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["ASYNCJOBS_TEST_POSTGRES_URL"]
    static let certificateAuthority = ProcessInfo.processInfo.environment["ASYNCJOBS_TEST_POSTGRES_CA"]
    static let isConfigured = url != nil
    static let skipReason: Comment = "ASYNCJOBS_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (see README, Testing)"

    static let logger: Logger = {
        var logger = Logger(label: "test.postgres")
        // Connections closing as each test's pool shuts down are expected, not news.
        logger.logLevel = .error
        return logger
    }()

    /// The configuration of the test server, pointing at `database`.
    static func configuration(database: String) throws -> PostgresStoreConfiguration {
        var configuration = try PostgresStoreConfiguration(url: try #require(url))
        configuration.database = database
        configuration.tlsMode = .disable
        return configuration
    }

    /// Creates an empty database, passes its configuration to `body`, and drops it.
    static func withDatabase<Value: Sendable>(_ body: (PostgresStoreConfiguration) async throws -> Value) async throws -> Value {
        let name = "asyncjobs_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresStoreConfiguration(url: try #require(url))
        let adminClient = PostgresClient(
            configuration: .init(host: admin.host, port: admin.port, username: admin.username, password: admin.password, database: admin.database, tls: .disable),
            backgroundLogger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await adminClient.run() }
            defer { group.cancelAll() }
            try await adminClient.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            do {
                let value = try await body(try configuration(database: name))
                try await adminClient.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
                return value
            } catch {
                _ = try? await adminClient.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
                throw error
            }
        }
    }

    /// Runs `body` with running, migrated stores on one fresh database, as if on `nodes` machines.
    static func withStores<Value: Sendable>(nodes: Int = 1, _ body: ([PostgresJobStore]) async throws -> Value) async throws -> Value {
        try await withDatabase { configuration in
            let stores = try (0..<nodes).map { _ in try PostgresJobStore(configuration: configuration, logger: logger) }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await store.run() } }
                defer { group.cancelAll() }
                for store in stores { await store.waitUntilRunning() }
                try await stores[0].migrate()
                return try await body(stores)
            }
        }
    }

    /// Runs `body` with one running, migrated store on a fresh database.
    static func withStore<Value: Sendable>(_ body: (PostgresJobStore) async throws -> Value) async throws -> Value {
        try await withStores(nodes: 1) { try await body($0[0]) }
    }
}
