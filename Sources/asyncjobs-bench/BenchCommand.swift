import ArgumentParser
import AsyncJobs
import Logging

/// `asyncjobs-bench`: the engine's side of the benchmarks in `scripts/bench/`. Each throughput or
/// pick-up run prints one JSON line that the scripts put beside the peers' figures; `http-floor`
/// serves the bare HTTP route that the status benchmark polls beside ours.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asyncjobs-bench",
        abstract: "Measure the AsyncJobs engine in process (job throughput and pick-up latency of no-op jobs), and serve the HTTP framework's floor.",
        subcommands: [ThroughputCommand.self, PickupCommand.self, HTTPFloorCommand.self]
    )

    /// Logs as `asyncjobs serve` and `asyncjobs worker` do, so that each job's logger costs here what
    /// it costs there.
    static func bootstrapLogging() -> Logger {
        LoggingSystem.bootstrap { DeferredMetadataLogHandler(base: StreamLogHandler.standardError(label: $0)) }
        return Logger(label: "asyncjobs.bench")
    }
}

/// Where the jobs live during a run.
struct StoreChoice: ParsableArguments {
    @Option(help: "sqlite or postgres.")
    var store: BenchStore.Kind = .sqlite

    @Option(name: .customLong("postgres-url"), help: "The (empty) PostgreSQL database to use with --store postgres.")
    var postgresURL: String?

    @Option(name: .customLong("sqlite-path"), help: "The SQLite file to create with --store sqlite (default: a new temporary directory).")
    var sqlitePath: String?
}
