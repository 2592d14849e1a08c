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

    @Option(
        name: .customLong("result-retention"),
        help: "How long a result stays downloadable, as 90s, 30m, 12h or 7d; after that it is deleted and the job's status says so; 0 keeps it as long as its job (ASYNCJOBS_RESULT_RETENTION)."
    )
    var resultRetentionText: String = Environment.string("ASYNCJOBS_RESULT_RETENTION", default: "0")

    /// `--result-retention` in seconds; `nil` when results live as long as their jobs.
    var resultRetention: Int? {
        guard let seconds = Self.seconds(resultRetentionText), seconds > 0 else { return nil }
        return seconds
    }

    /// Parses `90`, `90s`, `30m`, `12h` or `7d` into seconds.
    static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let last = text.last else { return nil }
        let (number, unit) = units[last].map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard let value = Int(number), value >= 0, value <= Int.max / unit else { return nil }
        return value * unit
    }

    func validate() throws {
        guard Self.seconds(resultRetentionText) != nil else {
            throw ValidationError("--result-retention must be a number of seconds, or end in s, m, h or d (7d)")
        }
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

    /// What runs jobs on this node (see `JobQueue.workerServices`), configured from these options.
    func services(queue: JobQueue, store: OpenedStore, logger: Logger) -> [any Service] {
        queue.workerServices(
            pool: poolConfiguration,
            retention: retentionDays > 0 ? .seconds(retentionDays * 86_400) : nil,
            resultRetention: resultRetention.map { .seconds($0) },
            changeFeed: store.changeFeed,
            passports: store.store,
            logger: logger
        )
    }
}

/// The job types of the standalone server.
enum StandardJobs {
    static var registry: JobRegistry {
        JobRegistry([DemoCSVJob.handler()])
    }
}
