public import AsyncJobs
import Synchronization

/// The changes a `JobChangeFeed` delivered, in order, for tests that follow a feed.
public final class ChangeLog: Sendable {
    private let changes = Mutex<[JobChange]>([])

    public init() {}

    /// Everything recorded so far.
    public var all: [JobChange] { changes.withLock { $0 } }

    public func record(_ change: JobChange) {
        changes.withLock { $0.append(change) }
    }

    public func contains(_ change: JobChange) -> Bool {
        changes.withLock { $0.contains(change) }
    }
}
