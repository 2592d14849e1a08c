import ArgumentParser
import AsyncJobs
import Foundation
import Logging

/// `asyncjobs-bench pickup`: on an idle engine, the time from a submission to the start of its
/// handler, one job at a time.
struct PickupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pickup",
        abstract: "Submit no-op jobs one at a time on an idle engine; prints p50/p99 of submit → handler start."
    )

    @OptionGroup var storeChoice: StoreChoice

    @Option(help: "How many jobs.")
    var jobs = 1_000

    @Option(name: .customLong("pause-ms"), help: "Idle time between a job's end and the next submission.")
    var pauseMilliseconds = 2

    @Option(help: "The worker pool's concurrency.")
    var concurrency = 8

    func run() async throws {
        let logger = BenchCommand.bootstrapLogging()
        let jobs = self.jobs, pause = Duration.milliseconds(pauseMilliseconds)
        let (starts, continuation) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        let handler = JobHandler(type: BenchEngine.noopType) { _ in
            continuation.yield(ContinuousClock.now)
            return JobOutcome()
        }
        let (fromCall, fromReturn) = try await BenchStore.with(storeChoice, logger: logger) { opened in
            try await BenchEngine.withRunningQueue(
                store: opened.store,
                changeFeed: opened.changeFeed,
                handler: handler,
                concurrency: concurrency,
                logger: logger
            ) { queue in
                var fromCall: [Duration] = []
                var fromReturn: [Duration] = []
                var handlerStarts = starts.makeAsyncIterator()
                for n in 0..<jobs {
                    try await Task.sleep(for: pause)
                    let called = ContinuousClock.now
                    _ = try await queue.submit(tenant: BenchEngine.tenant, type: BenchEngine.noopType, parameters: ["n": .number(Double(n))])
                    let returned = ContinuousClock.now
                    guard let started = await handlerStarts.next() else { break }
                    fromCall.append(started - called)
                    fromReturn.append(started - returned)
                }
                return (fromCall, fromReturn)
            }
        }
        print(
            BenchValue.jsonLine([
                "benchmark": "pickup", "contender": "asyncjobs", "store": .text(storeChoice.store.rawValue), "jobs": .number(Double(fromCall.count)),
                "p50_ms": .number(Self.percentile(fromCall, 0.50)), "p99_ms": .number(Self.percentile(fromCall, 0.99)),
                "p50_ms_after_return": .number(Self.percentile(fromReturn, 0.50)), "p99_ms_after_return": .number(Self.percentile(fromReturn, 0.99)),
            ])
        )
    }

    /// The nearest-rank percentile, in milliseconds (the peers' drivers use the same definition).
    static func percentile(_ samples: [Duration], _ fraction: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1].seconds * 1000
    }
}
