import Synchronization

/// An auto-resetting signal: `signal()` wakes every current waiter, or, if none is waiting, the next
/// one. Used to wake idle workers the moment a job is submitted instead of sleeping between polls.
public final class Wakeup: Sendable {
    private struct State {
        var isSet = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    /// When true the signal stays set once given (see ``Latch``); otherwise a waiter consumes it.
    private let staysSet: Bool

    /// Creates a signal with nothing pending.
    public convenience init() {
        self.init(staysSet: false)
    }

    init(staysSet: Bool) {
        self.staysSet = staysSet
    }

    var isSet: Bool { state.withLock { $0.isSet } }

    /// Wakes the current waiters, or remembers the signal for the next one.
    public func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            // An auto-reset signal that wakes someone is consumed by them; otherwise it stays pending.
            state.isSet = staysSet || state.waiters.isEmpty
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits for a signal; returns early when the task is cancelled.
    public func wait() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isSet {
                        if !staysSet { state.isSet = false }
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Waits for a signal, at most `timeout`.
    public func wait(timeout: Duration) async {
        guard timeout > .zero else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// A signal that stays set once set: every waiter, present or future, is released.
public final class Latch: Sendable {
    private let signal = Wakeup(staysSet: true)

    /// Creates an unset latch.
    public init() {}

    /// Whether it has been set.
    public var isSet: Bool { signal.isSet }

    /// Sets it, releasing every waiter.
    public func set() { signal.signal() }

    /// Returns once set, or early when the task is cancelled.
    public func wait() async { await signal.wait() }
}
