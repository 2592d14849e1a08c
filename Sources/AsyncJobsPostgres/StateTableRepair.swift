/// What ``PostgresJobStore/repairStateTables()`` changed.
public struct StateTableRepair: Sendable, Equatable {
    /// Side rows added for jobs that had none, or rewritten because their copies were stale.
    public var written: Int
    /// Side rows removed because their job is gone or in another state.
    public var removed: Int

    /// Creates a summary.
    public init(written: Int, removed: Int) {
        self.written = written
        self.removed = removed
    }
}
