import AsyncJobs
import Foundation
import Synchronization

/// A store that passes every call to another and notes when the `expected`-th completion has been
/// committed: the end of a throughput run, measured where the engine ends a job, not in the handler.
final class CompletionCountingStore: JobStoreDecorator {
    let base: any JobStore
    private let expected: Int
    private let state = Mutex<(count: Int, waiter: CheckedContinuation<Void, Never>?, done: Bool)>((0, nil, false))

    init(_ base: any JobStore, expected: Int) {
        self.base = base
        self.expected = expected
    }

    /// Returns once `expected` jobs have been completed.
    func waitUntilAllCompleted() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool {
        let tookEffect = try await base.complete(lease, result: result, itemErrors: itemErrors, now: now)
        guard tookEffect else { return false }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard state.count == expected else { return nil }
            state.done = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        return true
    }
}
