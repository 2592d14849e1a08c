import AsyncJobs
import Synchronization

/// The syncs of the write-ahead log that callers wait for after their commits: those arriving
/// during one sync share the next, and once a sync has failed every later one fails too.
///
/// A failed sync may have lost frames that later commits were chained to (Linux reports a
/// writeback error once and may then count the pages as written), so no later sync can vouch for
/// what went before it. The store fails every durable write from then on, until the process is
/// restarted, as PostgreSQL stops on a failed `fsync`.
final class LogSyncs: Sendable {
    private final class FirstFailure: Sendable {
        let error = Mutex<(any Error)?>(nil)
    }

    private let syncs: GroupCommit<Void, Void>

    /// Shares `sync` among waiting callers and remembers its first failure.
    init(sync: @escaping @Sendable () async throws -> Void) {
        let failure = FirstFailure()
        syncs = GroupCommit { batch in
            if let earlier = failure.error.withLock({ $0 }) {
                throw JobError(
                    .storage,
                    "an earlier sync of the SQLite write-ahead log failed, so no later write can be known to be on disk; restart the process",
                    underlying: earlier
                )
            }
            do {
                try await sync()
            } catch {
                failure.error.withLock { $0 = $0 ?? error }
                throw error
            }
            return Array(repeating: (), count: batch.count)
        }
    }

    /// Callers queued behind the sync in progress.
    var waitingCount: Int { syncs.waitingCount }

    /// Returns once a sync that began after the call has ended, so that everything committed
    /// before the call is on disk.
    func waitForDisk() async throws {
        try await syncs.submit(())
    }
}
