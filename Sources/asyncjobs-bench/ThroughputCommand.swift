import ArgumentParser
import AsyncJobs
import Foundation
import Logging

/// `asyncjobs-bench throughput`: enqueue and complete no-op jobs; jobs per second from the first
/// submission to the last committed completion.
struct ThroughputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Enqueue and complete no-op jobs; prints jobs/s from the first submit to the last completion."
    )

    enum Mode: String, ExpressibleByArgument, Sendable {
        /// `JobQueue.submit(tenant:_:)` with `--batch-size` jobs per call.
        case batched
        /// `JobQueue.submit(tenant:type:parameters:)`, one job per call, from `--producers` concurrent producers.
        case single
    }

    @OptionGroup var storeChoice: StoreChoice

    @Option(help: "batched or single.")
    var mode: Mode = .batched

    @Option(help: "How many jobs.")
    var jobs = 20_000

    @Option(name: .customLong("batch-size"), help: "Jobs per submit call in batched mode.")
    var batchSize = 1_000

    @Option(help: "Concurrent producers in single mode, each submitting one job per call.")
    var producers = 64

    @Option(help: "The worker pool's concurrency.")
    var concurrency = 256

    func run() async throws {
        let logger = BenchCommand.bootstrapLogging()
        let jobs = self.jobs, mode = self.mode, batchSize = self.batchSize, producers = self.producers
        let seconds = try await BenchStore.with(storeChoice, logger: logger) { opened in
            let counting = CompletionCountingStore(opened.store, expected: jobs)
            let handler = JobHandler(type: BenchEngine.noopType) { _ in JobOutcome() }
            return try await BenchEngine.withRunningQueue(
                store: counting,
                changeFeed: opened.changeFeed,
                handler: handler,
                concurrency: concurrency,
                logger: logger
            ) { queue in
                let clock = ContinuousClock()
                let start = clock.now
                switch mode {
                case .batched:
                    var submitted = 0
                    while submitted < jobs {
                        let count = min(batchSize, jobs - submitted)
                        let requests = (submitted..<submitted + count).map { JobRequest(type: BenchEngine.noopType, parameters: ["n": .number(Double($0))]) }
                        _ = try await queue.submit(tenant: BenchEngine.tenant, requests)
                        submitted += count
                    }
                case .single:
                    try await withThrowingDiscardingTaskGroup { group in
                        for producer in 0..<producers {
                            group.addTask {
                                for n in stride(from: producer, to: jobs, by: producers) {
                                    _ = try await queue.submit(tenant: BenchEngine.tenant, type: BenchEngine.noopType, parameters: ["n": .number(Double(n))])
                                }
                            }
                        }
                    }
                }
                await counting.waitUntilAllCompleted()
                return (clock.now - start).seconds
            }
        }
        var fields: [String: BenchValue] = [
            "benchmark": "throughput", "contender": "asyncjobs", "store": .text(storeChoice.store.rawValue), "mode": .text(mode.rawValue),
            "jobs": .number(Double(jobs)), "seconds": .number(seconds), "jobs_per_second": .number(Double(jobs) / seconds),
            "concurrency": .number(Double(concurrency)),
        ]
        if mode == .batched { fields["batch_size"] = .number(Double(batchSize)) } else { fields["producers"] = .number(Double(producers)) }
        print(BenchValue.jsonLine(fields))
    }
}
