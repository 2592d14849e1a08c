import ArgumentParser
import AsyncJobs
import AsyncJobsSQLite
import Foundation
import Logging

/// Where the data lives: shared by every command that opens the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the database and result files (ASYNCJOBS_DATA_DIR).")
    var dataDirectory: String = Environment.string("ASYNCJOBS_DATA_DIR", default: "./.asyncjobs")

    var dataDirectoryURL: URL {
        URL(fileURLWithPath: dataDirectory).standardizedFileURL
    }

    /// Creates the data directory (readable by its owner only) and opens the store.
    func openStore() throws -> SQLiteJobStore {
        try FileManager.default.createDirectory(at: dataDirectoryURL, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try SQLiteJobStore(path: dataDirectoryURL.appendingPathComponent("asyncjobs.sqlite").path)
    }
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
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "asyncjobs")
    }
}
