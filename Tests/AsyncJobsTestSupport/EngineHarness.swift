public import AsyncJobs
import Foundation
import Testing

/// A job queue over in-memory stores with the given handlers, a worker pool to run them, and
/// helpers to submit jobs and wait for their states.
public struct EngineHarness: Sendable {
    /// The tenant every submission belongs to.
    public static let tenant = TenantID("tenant")

    public let store = MemoryJobStore()
    public let results = MemoryResultStore()
    public let queue: JobQueue

    public init(_ handlers: [JobHandler]) {
        queue = JobQueue(store: store, results: results, registry: JobRegistry(handlers))
    }

    /// A worker pool over the queue; progress is written every 10 ms so tests see it quickly.
    public func pool(
        concurrency: Int = 2,
        lease: Duration = .seconds(30),
        heartbeat: Duration? = nil,
        poll: Duration = .seconds(60),
        grace: Duration = .seconds(5)
    ) -> WorkerPool {
        WorkerPool(
            queue: queue,
            configuration: WorkerPoolConfiguration(
                concurrency: concurrency,
                leaseDuration: lease,
                heartbeatInterval: heartbeat,
                pollInterval: poll,
                progressInterval: .milliseconds(10),
                shutdownGracePeriod: grace
            )
        )
    }

    public func submit(_ type: String, _ parameters: JobParameters = [:]) async throws -> JobID {
        try await queue.submit(tenant: Self.tenant, type: type, parameters: parameters).job.id
    }

    public func job(_ id: JobID) async throws -> Job {
        try #require(try await store.job(id, tenant: nil))
    }

    public func waitFor(_ id: JobID, _ states: Set<JobState>, timeout: Duration = .seconds(60)) async throws -> Job {
        try await eventually(timeout: timeout, "job \(id) to reach \(states)") { states.contains(try await job(id).state) }
        return try await job(id)
    }

    /// The stored result of a job, as text.
    public func resultText(_ job: Job) throws -> String {
        let key = try #require(job.result?.key)
        return String(decoding: try #require(results.bytes(forKey: key)), as: UTF8.self)
    }
}
