import AsyncJobs
import NIOCore
import Synchronization

/// Remembers finished jobs for the status route, for a short lifetime, together with the last body
/// rendered for them.
///
/// A finished job never changes state (see ``JobState``), and its status body is a function of the
/// job and the second it is signed in: the `resultUrl` carries `X-Amz-Date` to the second. So a
/// poll in the same second as the previous one gets the very same bytes without a store read or a
/// signature, and a poll in a later second re-signs from the remembered job without a store read.
///
/// The only changes a finished job still sees are its deletion (`DELETE /v1/jobs/{id}`, retention)
/// and its result's expiry. Those made on this node count in ``AsyncJobs/FinishedJobChanges``, and an
/// entry read before the count moved is dropped, so this node never answers from a stale entry.
/// Those made by another node sharing the store show within ``lifetime``; a link handed out in
/// that window to a deleted result answers 404 at download. Running and queued jobs are never
/// kept: their progress is always read from the store.
///
/// An entry is read again from the store before it runs out, by the one poll that arrives first in
/// the last quarter of its lifetime while the others still use it, so that hundreds of pollers of
/// one job do not all miss at the same instant and queue on the store together.
final class FinishedStatusCache: Sendable {
    struct Key: Hashable, Sendable {
        var tenant: TenantID
        var job: JobID
        var mediaType: APIMediaType
    }

    struct Entry: Sendable {
        /// The finished job as the store returned it.
        var job: Job
        /// When ``job`` was read from the store.
        var readAt: ContinuousClock.Instant
        /// ``AsyncJobs/FinishedJobChanges/current`` before ``job`` was read.
        var revision: UInt64
        /// The Unix second ``body`` was rendered for.
        var second: Int64
        /// The status body rendered in ``second``.
        var body: ByteBuffer
        /// Whether a poll has taken on reading the job again.
        var refreshing = false
    }

    /// A usable entry, and whether the caller is the one to read the job from the store again.
    struct Lookup {
        var entry: Entry
        var refresh: Bool
    }

    /// How long a finished job is used without reading the store again.
    let lifetime: Duration
    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    /// Creates an empty cache.
    /// - Parameters:
    ///   - lifetime: How long a finished job is used without reading the store again.
    ///   - capacity: The most entries held; when full the cache starts over, as pollers poll few jobs often.
    init(lifetime: Duration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// The entry for `key`, or `nil` when there is none, it has outlived ``lifetime``, or this node
    /// has changed a finished job since it was read (`revision` is the count now). The first caller
    /// in the last quarter of the entry's lifetime is told to read the job again.
    func lookup(_ key: Key, now: ContinuousClock.Instant, revision: UInt64) -> Lookup? {
        entries.withLock { entries in
            guard var entry = entries[key] else { return nil }
            let age = now - entry.readAt
            guard age < lifetime, entry.revision == revision else {
                entries[key] = nil
                return nil
            }
            let refresh = !entry.refreshing && age >= lifetime * 3 / 4
            if refresh {
                entry.refreshing = true
                entries[key] = entry
            }
            return Lookup(entry: entry, refresh: refresh)
        }
    }

    /// Remembers a finished job and the body just rendered for it.
    func store(_ entry: Entry, for key: Key) {
        guard entry.job.state.isTerminal else { return }
        var entry = entry
        entries.withLock { entries in
            if let current = entries[key], current.readAt == entry.readAt {
                // A body re-signed from the same read keeps that read's refresh claim.
                entry.refreshing = current.refreshing
            } else if entries.count >= capacity, entries[key] == nil {
                entries.removeAll(keepingCapacity: true)
            }
            entries[key] = entry
        }
    }
}
