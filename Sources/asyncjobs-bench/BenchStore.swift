import ArgumentParser
import AsyncJobs
import AsyncJobsPostgres
import AsyncJobsSQLite
import Foundation
import Logging

/// The store under test, opened and migrated, and the services it needs running.
struct BenchStore {
    enum Kind: String, ExpressibleByArgument, Sendable {
        case sqlite
        case postgres
    }

    let store: any JobStore
    /// The store's notifications of changes made through other nodes, if it has them.
    let changeFeed: (any JobChangeFeed)?

    /// Opens the store chosen by `choice`, runs `body` with it, and closes it.
    static func with<Result: Sendable>(
        _ choice: StoreChoice,
        logger: Logger,
        _ body: @Sendable (BenchStore) async throws -> Result
    ) async throws -> Result {
        switch choice.store {
        case .sqlite:
            let directory: URL?
            let path: String
            if let given = choice.sqlitePath {
                directory = nil
                path = given
            } else {
                let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("asyncjobs-bench-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
                directory = temporary
                path = temporary.appendingPathComponent("jobs.sqlite").path
            }
            defer { directory.map { try? FileManager.default.removeItem(at: $0) } }
            let store = try SQLiteJobStore(path: path)
            return try await body(BenchStore(store: store, changeFeed: store))
        case .postgres:
            guard let url = choice.postgresURL else { throw ValidationError("--store postgres needs --postgres-url") }
            let store = try PostgresJobStore(configuration: try PostgresStoreConfiguration(url: url), logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                await store.waitUntilRunning()
                try await store.checkConnection()
                _ = try await store.migrate()
                return try await body(BenchStore(store: store, changeFeed: store))
            }
        }
    }
}
