import ArgumentParser
import AsyncJobs
import AsyncJobsPostgres
import AsyncJobsSQLite
import Foundation
import Logging

/// Where the data lives: shared by every command that opens the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for result files, and for the SQLite database when --store is not given (ASYNCJOBS_DATA_DIR).")
    var dataDirectory: String = Environment.string("ASYNCJOBS_DATA_DIR", default: "./.asyncjobs")

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "Job store: sqlite:PATH, or postgres://USER:PASSWORD@HOST:PORT/DB[?sslmode=require] shared by many nodes (ASYNCJOBS_STORE; prefer the variable, flags show in ps).",
            valueName: "url"
        )
    )
    var storeOption: String?

    @Option(name: .customLong("store-pool-size"), help: "Most PostgreSQL connections this process opens (ASYNCJOBS_STORE_POOL_SIZE).")
    var poolSize: Int = Environment.int("ASYNCJOBS_STORE_POOL_SIZE", default: 10)

    @Option(name: .customLong("store-statement-timeout"), help: "Seconds any PostgreSQL statement may run before the server cancels it; a request waits at most a second longer for the database before it answers 503. 0 for no limit (ASYNCJOBS_STORE_STATEMENT_TIMEOUT).")
    var statementTimeout: Int = Environment.int("ASYNCJOBS_STORE_STATEMENT_TIMEOUT", default: 10)

    var dataDirectoryURL: URL {
        URL(fileURLWithPath: dataDirectory).standardizedFileURL
    }

    /// The store URL in effect.
    var storeURL: String {
        storeOption ?? Environment.string("ASYNCJOBS_STORE") ?? "sqlite:" + dataDirectoryURL.appendingPathComponent("asyncjobs.sqlite").path
    }

    func validate() throws {
        guard poolSize >= 2 else { throw ValidationError("--store-pool-size must be at least 2 (one connection follows notifications)") }
        guard statementTimeout >= 0 else { throw ValidationError("--store-statement-timeout cannot be negative") }
        _ = try location()
    }

    /// What `--store` names.
    enum Location {
        case sqlite(path: String)
        case postgres(PostgresStoreConfiguration)
    }

    func location() throws -> Location {
        let url = storeURL
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("--store sqlite:PATH needs a path") }
            return .sqlite(path: path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            do {
                var configuration = try PostgresStoreConfiguration(url: url)
                configuration.poolSize = poolSize
                configuration.statementTimeout = statementTimeout == 0 ? nil : .seconds(statementTimeout)
                return .postgres(configuration)
            } catch let error as PostgresStoreError {
                throw ValidationError("--store: \(error.message)")
            }
        }
        throw ValidationError("--store must start with sqlite: or postgres://")
    }

    /// Creates the data directory (readable by its owner only), opens the store (migrating it), and
    /// runs `body` with it; a PostgreSQL store's connections stay open until `body` returns.
    /// - Parameter nodesStopped: Whether migrations that need every older node stopped may run
    ///   (only `asyncjobs migrate` says so).
    func withStore<Value: Sendable>(logger: Logger, nodesStopped: Bool = false, _ body: (OpenedStore) async throws -> Value) async throws -> Value {
        try FileManager.default.createDirectory(at: dataDirectoryURL, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        switch try location() {
        case .sqlite(let path):
            let store = try SQLiteJobStore(path: path)
            return try await body(OpenedStore(store: store, changeFeed: store, description: "sqlite:\(path)"))
        case .postgres(let configuration):
            let store = try PostgresJobStore(configuration: configuration, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                await store.waitUntilRunning()
                try await store.checkConnection()
                let applied = try await store.migrate(nodesStopped: nodesStopped)
                if !applied.isEmpty {
                    logger.notice("migrated the PostgreSQL schema", metadata: ["versions": "\(applied)"])
                }
                return try await body(OpenedStore(store: store, changeFeed: store, description: configuration.redactedDescription))
            }
        }
    }
}

/// A store opened by ``StoreOptions/withStore(logger:_:)``.
struct OpenedStore {
    /// Jobs, tenants and passport tokens.
    var store: any JobStore & TenantStore & PassportStore
    /// The store's change notifications (see `JobChangeFeed`).
    var changeFeed: (any JobChangeFeed)?
    /// Where it is, without secrets, for logs.
    var description: String
}

/// Logging level, shared by the long-running commands.
struct LogOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (ASYNCJOBS_LOG_LEVEL).")
    var level: String = Environment.string("ASYNCJOBS_LOG_LEVEL", default: "info")

    func bootstrap() throws -> Logger {
        guard let level = Logger.Level(rawValue: level) else {
            throw ValidationError("unknown log level '\(self.level)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = DeferredMetadataLogHandler(base: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        return Logger(label: "asyncjobs")
    }
}
