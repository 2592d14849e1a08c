import ArgumentParser
import AsyncJobs
import Foundation
import Logging
import ServiceLifecycle

/// How this node runs jobs.
struct WorkerOptions: ParsableArguments {
    @Option(name: .customLong("workers"), help: "Jobs run at once on this node; default: the number of cores (ASYNCJOBS_WORKERS).")
    var workers: Int = Environment.int("ASYNCJOBS_WORKERS", default: ProcessInfo.processInfo.activeProcessorCount)

    @Option(name: .customLong("lease-ttl"), help: "Seconds before a silent worker's jobs return to the queue (ASYNCJOBS_LEASE_TTL).")
    var leaseTTL: Int = Environment.int("ASYNCJOBS_LEASE_TTL", default: 30)

    @Option(name: .customLong("shutdown-grace"), help: "Seconds running jobs may go on after SIGTERM/SIGINT before they are released (ASYNCJOBS_SHUTDOWN_GRACE).")
    var shutdownGrace: Int = Environment.int("ASYNCJOBS_SHUTDOWN_GRACE", default: 10)

    @Option(name: .customLong("retention-days"), help: "Days a finished job stays readable before it and its result are deleted; 0 keeps them (ASYNCJOBS_RETENTION_DAYS).")
    var retentionDays: Int = Environment.int("ASYNCJOBS_RETENTION_DAYS", default: 30)

    func validate() throws {
        guard retentionDays >= 0 else { throw ValidationError("--retention-days cannot be negative") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard leaseTTL >= 3 else { throw ValidationError("--lease-ttl must be at least 3 seconds") }
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace cannot be negative") }
    }

    var poolConfiguration: WorkerPoolConfiguration {
        WorkerPoolConfiguration(
            concurrency: workers,
            leaseDuration: .seconds(leaseTTL),
            shutdownGracePeriod: .seconds(shutdownGrace)
        )
    }

    /// What runs jobs on this node: the worker pool, the lease reaper, the retention sweeper, and,
    /// with a shared store, the relay of other nodes' notifications.
    func services(queue: JobQueue, store: OpenedStore, logger: Logger) -> [any Service] {
        var services: [any Service] = []
        if let feed = store.changeFeed {
            services.append(JobChangeRelay(queue: queue, feed: feed, logger: logger))
        }
        services.append(WorkerPool(queue: queue, configuration: poolConfiguration, logger: logger))
        services.append(LeaseReaper(queue: queue, interval: reaperInterval, logger: logger))
        if retentionDays > 0 {
            services.append(RetentionSweeper(queue: queue, retention: .seconds(retentionDays * 86_400), logger: logger))
        }
        return services
    }

    /// The reaper sweeps several times per lease so a lapsed job waits little past its lease.
    var reaperInterval: Duration {
        .seconds(max(1, leaseTTL / 4))
    }
}

/// The job types of the standalone server.
enum StandardJobs {
    static var registry: JobRegistry {
        JobRegistry([DemoCSVJob.handler()])
    }
}
