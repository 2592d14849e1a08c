import AsyncJobs
@testable import AsyncJobsPostgres
import AsyncJobsTestSupport
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

/// Two engines on two stores sharing one database, as two machines would.
@Suite(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipReason))
struct PostgresMultiNodeTests {
    /// A handler that runs until cancelled and records what happened.
    final class Probe: Sendable {
        let started = Mutex<Set<String>>([])
        let stopped = Mutex<Set<String>>([])

        var handler: JobHandler {
            JobHandler(type: "probe") { context in
                let name = context.job.id.rawValue
                self.started.withLock { _ = $0.insert(name) }
                if context.job.parameters["block"] == .bool(true) {
                    do {
                        try await Task.sleep(for: .seconds(120))
                    } catch {
                        self.stopped.withLock { _ = $0.insert(name) }
                        throw error
                    }
                }
                return JobOutcome()
            }
        }
    }

    /// Node A only runs workers; node B only takes API calls. Polling and heartbeats are made far
    /// slower than the test's deadlines, so only notifications can make it pass.
    @Test func aJobSubmittedThroughOneNodeStartsAtOnceOnAnotherAndStopsWhenCancelledThere() async throws {
        try await PostgresTestDatabase.withStores(nodes: 2) { stores in
            let probe = Probe()
            let registry = JobRegistry([probe.handler])
            let nodeA = JobQueue(store: stores[0], results: MemoryResultStore(), registry: registry)
            let nodeB = JobQueue(store: stores[1], results: MemoryResultStore(), registry: registry)
            let slow = WorkerPoolConfiguration(concurrency: 4, leaseDuration: .seconds(600), pollInterval: .seconds(600))
            let services: [any Service] = [
                JobChangeRelay(queue: nodeA, feed: stores[0]),
                WorkerPool(queue: nodeA, configuration: slow),
            ]
            try await withRunningServices(services) {
                // The pool polls once at start; only a relay that is already listening sees the submit.
                try await eventually("node A's relay to LISTEN") {
                    let rows = try await stores[1].execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'",
                        logger: PostgresTestDatabase.logger
                    )
                    for try await count in rows.decode(Int64.self) { return count > 0 }
                    return false
                }
                let quick = try await nodeB.submit(tenant: TenantID("t"), type: "probe", parameters: [:])
                try await eventually(timeout: .seconds(30), "the job submitted through B ran on A") {
                    try await nodeB.job(quick.job.id, tenant: TenantID("t"))?.state == .succeeded
                }
                let blocking = try await nodeB.submit(tenant: TenantID("t"), type: "probe", parameters: ["block": true])
                try await eventually(timeout: .seconds(30), "the blocking job started on A") {
                    probe.started.withLock { $0.contains(blocking.job.id.rawValue) }
                }
                guard case .cancelled(_, wasRunning: true) = try await nodeB.cancel(blocking.job.id, tenant: TenantID("t")) else {
                    Issue.record("the running job can be cancelled through B")
                    return
                }
                try await eventually(timeout: .seconds(30), "A stopped the handler of the job cancelled through B") {
                    probe.stopped.withLock { $0.contains(blocking.job.id.rawValue) }
                }
                #expect(try await nodeA.job(blocking.job.id, tenant: TenantID("t"))?.state == .cancelled)
            }
        }
    }
}
