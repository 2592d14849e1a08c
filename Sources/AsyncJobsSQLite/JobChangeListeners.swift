import AsyncJobs
import Synchronization

/// Those following a ``SQLiteJobStore``'s change feed in this process.
final class JobChangeListeners: Sendable {
    private struct State {
        var nextID = 0
        var listeners: [Int: @Sendable (JobChange) -> Void] = [:]
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.listeners.count } }

    /// Adds a listener; returns the identifier that removes it.
    func add(_ listener: @escaping @Sendable (JobChange) -> Void) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.listeners[state.nextID] = listener
            return state.nextID
        }
    }

    func remove(_ id: Int) {
        state.withLock { _ = $0.listeners.removeValue(forKey: id) }
    }

    /// Calls every listener with `change`, outside the lock.
    func notify(_ change: JobChange) {
        let listeners = state.withLock { Array($0.listeners.values) }
        for listener in listeners { listener(change) }
    }
}
