public import Foundation

/// How a node's worker pool claims and runs jobs.
public struct WorkerPoolConfiguration: Sendable {
    /// How many handlers run at once on this node.
    ///
    /// A handler's place is free again as soon as it returns: while its outcome is being written
    /// to the store, the next job starts. Running jobs and jobs whose outcome is still being
    /// written are together at most twice this many, so a slow store holds back new claims instead
    /// of piling up leases.
    public var concurrency: Int
    /// How long a claim lasts without a heartbeat; a crashed worker's jobs return to the queue after this.
    public var leaseDuration: Duration
    /// How often a running job's lease is renewed; well under `leaseDuration`.
    public var heartbeatInterval: Duration
    /// The longest an idle worker waits before looking at the store again, for work it was not told
    /// about (retries coming due, submissions through another node).
    public var pollInterval: Duration
    /// The least time between two progress writes of one job.
    public var progressInterval: Duration
    /// How long running jobs may go on after shutdown begins before they are stopped and released.
    public var shutdownGracePeriod: Duration
    /// This worker's name in the store.
    public var workerID: String

    /// Creates a configuration; every argument has a production default.
    public init(
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        leaseDuration: Duration = .seconds(30),
        heartbeatInterval: Duration? = nil,
        pollInterval: Duration = .seconds(1),
        progressInterval: Duration = .milliseconds(250),
        shutdownGracePeriod: Duration = .seconds(10),
        workerID: String? = nil
    ) {
        self.concurrency = max(1, concurrency)
        self.leaseDuration = leaseDuration
        self.heartbeatInterval = heartbeatInterval ?? leaseDuration / 3
        self.pollInterval = pollInterval
        self.progressInterval = progressInterval
        self.shutdownGracePeriod = shutdownGracePeriod
        self.workerID = workerID ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(RandomToken.make(bytes: 4))"
    }
}

extension Date {
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(duration.seconds)
    }
}
