import ArgumentParser
import AsyncJobs
import Foundation

/// How this node runs jobs.
struct WorkerOptions: ParsableArguments {
    @Option(name: .customLong("workers"), help: "Jobs run at once on this node; default: the number of cores (ASYNCJOBS_WORKERS).")
    var workers: Int = Environment.int("ASYNCJOBS_WORKERS", default: ProcessInfo.processInfo.activeProcessorCount)

    @Option(name: .customLong("lease-ttl"), help: "Seconds before a silent worker's jobs return to the queue (ASYNCJOBS_LEASE_TTL).")
    var leaseTTL: Int = Environment.int("ASYNCJOBS_LEASE_TTL", default: 30)

    @Option(name: .customLong("shutdown-grace"), help: "Seconds running jobs may go on after SIGTERM/SIGINT before they are released (ASYNCJOBS_SHUTDOWN_GRACE).")
    var shutdownGrace: Int = Environment.int("ASYNCJOBS_SHUTDOWN_GRACE", default: 10)

    func validate() throws {
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
