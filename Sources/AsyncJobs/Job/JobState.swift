/// Where a job is in its life. The store keeps exactly one of these per job.
///
/// Only these transitions exist: `queued → running`, `running → queued` (a retry or a lapsed lease),
/// `running → succeeded | failed | cancelled` and `queued → cancelled`. Terminal states never change.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Accepted and durable, waiting for a worker (possibly until a retry's `runAfter`).
    case queued
    /// Claimed by a worker that holds its lease.
    case running
    /// Finished; its result, if any, is stored.
    case succeeded
    /// Attempts exhausted, or a failure that retrying cannot fix.
    case failed
    /// Cancelled by the client before it finished.
    case cancelled

    /// Whether the state is final.
    public var isTerminal: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled: true
        }
    }

    /// Whether the state machine allows moving from `self` to `next`.
    public func canTransition(to next: JobState) -> Bool {
        switch (self, next) {
        case (.queued, .running), (.queued, .cancelled): true
        case (.running, .queued), (.running, .succeeded), (.running, .failed), (.running, .cancelled): true
        default: false
        }
    }
}
