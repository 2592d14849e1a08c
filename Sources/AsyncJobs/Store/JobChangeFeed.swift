/// A store that tells nodes about changes, so that idle workers start new jobs, and running handlers
/// stop, without waiting for their next poll or heartbeat. A shared store tells every node about
/// changes made through any node; an embedded one tells its own process about its submissions.
///
/// Notifications are hints: a node that misses one still finds the work at its next poll and the
/// cancellation at its next heartbeat. ``JobChangeRelay`` delivers them to a ``JobQueue``.
public protocol JobChangeFeed: Sendable {
    /// Delivers changes to `onChange` until the task is cancelled or the connection fails.
    /// - Parameter onChange: Called for every change, in the order the store reports them.
    func followChanges(_ onChange: @escaping @Sendable (JobChange) -> Void) async throws
}

/// A change in the store.
public enum JobChange: Sendable, Hashable {
    /// Jobs were queued or requeued: an idle worker should claim.
    case jobsQueued
    /// A running job was cancelled: the node running its handler should stop it.
    case cancelled(JobID)
}
