import ArgumentParser
import AsyncJobs

/// `asyncjobs migrate`: brings the store's schema up to date, as every node also does at start.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations to the store and exit.",
        discussion: "Nodes migrate at start too; running this first lets a deploy fail early. Safe to run from several places at once. A migration that rebuilds a table (SQLite schema v5) holds the write lock while it runs, and nodes of an older build do not keep the side tables of PostgreSQL schema v4: stop every node using the store first."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = try log.bootstrap()
        // Opening the store applies what is pending, under an advisory lock on PostgreSQL.
        try await store.withStore(logger: logger) { opened in
            print("schema up to date: \(opened.description)")
        }
    }
}
