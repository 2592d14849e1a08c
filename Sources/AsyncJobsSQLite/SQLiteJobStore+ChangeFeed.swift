public import AsyncJobs

extension SQLiteJobStore: JobChangeFeed {
    /// Reports ``JobChange/jobsQueued`` when a submission commits, before its submitter's wait for
    /// the disk is over, so that this process's workers claim the job during that wait. (An idle
    /// pool that has offered its places gets the job handed over in the same transaction instead;
    /// see ``JobStore/handOffSubmissions(to:)``.)
    ///
    /// Only submissions made through this store object are reported: another process that opens
    /// the same file (a separate `worker`) finds them at its next poll.
    public func followChanges(_ onChange: @escaping @Sendable (JobChange) -> Void) async throws {
        let id = changeListeners.add(onChange)
        defer { changeListeners.remove(id) }
        // A latch nobody sets: the wait ends when the task is cancelled.
        await Latch().wait()
    }

    /// How many follow ``followChanges(_:)``, for tests that must not submit before.
    package var changeListenerCount: Int { changeListeners.count }
}
