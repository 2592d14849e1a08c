import ArgumentParser
import AsyncJobs
import AsyncJobsServer
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `asyncjobs worker`: claims and runs jobs, serves no API.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run jobs from the store without serving the API (for example beside a serve process on the same data dir)."
    )

    @Option(name: .customLong("public-url"), help: "The public URL of the API server whose download route serves the results (ASYNCJOBS_PUBLIC_URL).")
    var publicURL: String = Environment.string("ASYNCJOBS_PUBLIC_URL", default: "http://127.0.0.1:8080")

    @OptionGroup var store: StoreOptions
    @OptionGroup var results: ResultsOptions
    @OptionGroup var workers: WorkerOptions
    @OptionGroup var jobTypes: JobTypesOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = try log.bootstrap()
        let registry = try jobTypes.registry()
        guard let baseURL = URL(string: publicURL) else { throw ValidationError("--public-url must be an absolute URL") }
        try await store.withStore(logger: logger) { opened in
            let resultStore = try await results.open(
                dataDirectory: store.dataDirectoryURL,
                signer: try await signing.signer(store: opened.store),
                publicURL: baseURL,
                logger: logger
            )
            let queue = JobQueue(store: opened.store, results: resultStore.store, registry: registry)
            let group = ServiceGroup(
                configuration: .init(
                    services: workers.services(queue: queue, store: opened, logger: logger),
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            logger.info(
                "AsyncJobs worker running",
                metadata: [
                    "store": "\(opened.description)", "results": "\(resultStore.description)", "data.dir": "\(store.dataDirectoryURL.path)",
                    "workers": "\(workers.workers)", "job.types": "\(registry.types.joined(separator: ","))",
                ]
            )
            try await group.run()
        }
    }
}
