import Synchronization

/// Counts the changes this node makes to finished jobs: deletions, pruning and expired results.
///
/// A finished job otherwise never changes, so a cache of finished jobs (the status route keeps one)
/// stays exact on this node by remembering the count it read a job at and dropping the job once
/// the count has moved. Changes made by other nodes are not counted; such a cache bounds them by
/// its lifetime instead.
public final class FinishedJobChanges: Sendable {
    private let count = Atomic<UInt64>(0)

    /// Creates a counter at zero.
    public init() {}

    /// The number of changes so far. Read it before reading a job, so a change that lands while the
    /// read is under way is seen as newer.
    public var current: UInt64 { count.load(ordering: .acquiring) }

    /// Records a change; call it after the change is in the store.
    public func record() {
        count.add(1, ordering: .releasing)
    }
}
