import Synchronization

/// A counting semaphore for parts in flight: the writer takes a slot before handing over a part and
/// the uploader gives it back when the part is stored. A failed upload wakes every waiter with its error.
final class PartSlots: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var failure: (any Error)?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(available: count))
    }

    /// Waits for a free slot; throws the upload's error once it has failed.
    func acquire() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, any Error>? = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.available > 0 {
                    state.available -= 1
                    return .success(())
                }
                state.waiters.append(continuation)
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    func release() {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }

    /// Fails every current and future wait with `error` (the first failure wins).
    func fail(_ error: any Error) {
        let waiters = state.withLock { state in
            if state.failure == nil { state.failure = error }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
