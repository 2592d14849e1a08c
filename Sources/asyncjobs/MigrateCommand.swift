import ArgumentParser
import AsyncJobs

/// `asyncjobs migrate`: brings the store's schema up to date, as every node also does at start.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations to the store and exit.",
        discussion: "Nodes migrate at start too; running this first lets a deploy fail early. Safe to run from several places at once. Two migrations need every node stopped first, and this command is the one place that applies the PostgreSQL one: SQLite schema v5 rebuilds a table and holds the write lock while it runs, and PostgreSQL schema v4 adds side tables that nodes of an older build do not write (a node of the new build refuses to apply it at start)."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = try log.bootstrap()
        // Opening the store applies what is pending, under an advisory lock on PostgreSQL.
        try await store.withStore(logger: logger, nodesStopped: true) { opened in
            print("schema up to date: \(opened.description)")
        }
    }
}
