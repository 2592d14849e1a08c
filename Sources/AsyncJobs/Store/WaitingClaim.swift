import Synchronization

/// An idle worker pool's standing offer to take jobs straight from the transaction that submits
/// them, so that no claim of its own runs between a submission and the start of its handler.
///
/// The pool creates one while it waits for work and hands it to the store with
/// ``JobStore/handOffSubmissions(to:)``. A store that accepts it claims jobs for it inside each
/// submitting transaction (up to ``limit`` in all, oldest due first, as ``JobStore/claim(_:)``
/// would) and passes them on with ``settle(reserved:claimed:)`` once that transaction has ended.
/// The pool collects them with ``end()``.
public final class WaitingClaim: Sendable {
    /// Who is claiming (for operators reading the store).
    public let workerID: String
    /// Only these job types.
    public let types: [String]
    /// At most this many jobs in all.
    public let limit: Int
    /// How long each lease lasts from the moment of its hand-over unless heartbeated.
    public let leaseDuration: Duration
    /// Called once for each transaction that hands jobs over, after it has committed: wakes the pool.
    private let onHandOver: @Sendable () -> Void

    private struct State {
        var isOpen = true
        /// Places taken by transactions that have claimed and those still running.
        var taken = 0
        /// Places held by transactions that have not ended yet.
        var inFlight = 0
        var handed: [ClaimedJob] = []
        var ending: CheckedContinuation<[ClaimedJob], Never>?
    }

    private let state = Mutex(State())

    /// Creates an offer of `limit` places for jobs of `types`; `onHandOver` is called, outside any
    /// lock, each time a committed transaction has handed jobs over.
    public init(workerID: String, types: [String], limit: Int, leaseDuration: Duration, onHandOver: @escaping @Sendable () -> Void = {}) {
        self.workerID = workerID
        self.types = types
        self.limit = limit
        self.leaseDuration = leaseDuration
        self.onHandOver = onHandOver
    }

    /// Whether the offer still stands: ``end()`` withdraws it.
    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// For the store, inside a submitting transaction: takes every place still free, or none once
    /// the offer has ended. Claim at most that many jobs, then call ``settle(reserved:claimed:)``
    /// with the number returned, whether the transaction committed or not.
    public func reserve() -> Int {
        state.withLock { state in
            guard state.isOpen else { return 0 }
            let places = limit - state.taken
            state.taken += places
            state.inFlight += places
            return places
        }
    }

    /// For the store, once the transaction that reserved `reserved` places has ended: `claimed` are
    /// the jobs it claimed for this offer if it committed, and empty if it rolled back. Places it
    /// did not fill are free again.
    public func settle(reserved: Int, claimed: [ClaimedJob]) {
        let ended = state.withLock { state -> (CheckedContinuation<[ClaimedJob], Never>, [ClaimedJob])? in
            state.inFlight -= reserved
            state.taken -= reserved - claimed.count
            state.handed += claimed
            guard !state.isOpen, state.inFlight == 0, let ending = state.ending else { return nil }
            state.ending = nil
            return (ending, state.handed)
        }
        if let (ending, handed) = ended { ending.resume(returning: handed) }
        if !claimed.isEmpty { onHandOver() }
    }

    /// Withdraws the offer and returns the jobs handed over, in the order claimed; waits for a
    /// transaction that has reserved places to end first. Call it once.
    public func end() async -> [ClaimedJob] {
        await withCheckedContinuation { continuation in
            let handed = state.withLock { state -> [ClaimedJob]? in
                state.isOpen = false
                guard state.inFlight > 0 else { return state.handed }
                state.ending = continuation
                return nil
            }
            if let handed { continuation.resume(returning: handed) }
        }
    }
}
