import ArgumentParser
import AsyncJobs
import AsyncJobsPostgres
import Logging

/// `asyncjobs migrate`: brings the store's schema up to date, as every node also does at start.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations to the store and exit.",
        discussion: "Nodes migrate at start too; running this first lets a deploy fail early. Safe to run from several places at once. Two migrations need every node stopped first, and this command is the one place that applies the PostgreSQL one: SQLite schema v5 rebuilds a table and holds the write lock while it runs, and PostgreSQL schema v4 adds side tables that nodes of an older build do not write (a node of the new build refuses to apply it at start)."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var log: LogOptions

    @Flag(
        help: """
            PostgreSQL: put every job's row back into its state's side table if some are missing or \
            stale (after a node of a build before schema v4 ran on the upgraded database). Writers wait \
            while it runs, a few seconds per million jobs.
            """
    )
    var repair = false

    func run() async throws {
        let logger = try log.bootstrap()
        // Opening the store applies what is pending, under an advisory lock on PostgreSQL.
        try await store.withStore(logger: logger, nodesStopped: true) { opened in
            print("schema up to date: \(opened.description)")
            guard let postgres = opened.store as? PostgresJobStore else { return }
            if repair {
                let repaired = try await postgres.repairStateTables()
                print("state tables repaired: \(repaired.written) rows written, \(repaired.removed) removed")
                return
            }
            let problems = try await postgres.stateTableProblems()
            if problems > 0 {
                logger.warning(
                    "\(problems) rows of the state tables disagree with their jobs (did a node of a build before schema v4 run after the upgrade?); stop the nodes and run `asyncjobs migrate --repair`"
                )
            }
        }
    }
}
