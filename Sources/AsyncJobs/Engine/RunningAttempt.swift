import Synchronization

/// How one attempt at a job ended.
enum AttemptEnding: Sendable {
    case finished(Result<JobOutcome, any Error>)
    case timedOut
    case cancelledByClient
    case leaseLost(JobState?)
    case shutdown
}

/// One attempt at a job on this node, and how it ended: decided once, by whichever comes first of its
/// handler returning, its timeout, the client's cancellation, a lost lease, or the end of a shutdown's
/// grace period. The worker waits for that decision, then stops the handler if it is still running.
final class RunningAttempt: Sendable {
    private struct State {
        var ending: AttemptEnding?
        var waiter: CheckedContinuation<AttemptEnding, Never>?
    }

    let claimed: ClaimedJob
    let progress: ProgressTracker
    private let state = Mutex(State())

    init(_ claimed: ClaimedJob, progress: ProgressTracker) {
        self.claimed = claimed
        self.progress = progress
    }

    /// Decides how the attempt ended, unless that is decided already.
    func stop(_ ending: AttemptEnding) {
        let waiter = state.withLock { state -> CheckedContinuation<AttemptEnding, Never>? in
            guard state.ending == nil else { return nil }
            state.ending = ending
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: ending)
    }

    /// Whether the ending is decided.
    var isStopped: Bool { state.withLock { $0.ending != nil } }

    /// Waits until the ending is decided; one caller at a time.
    func ending() async -> AttemptEnding {
        await withCheckedContinuation { continuation in
            let decided = state.withLock { state -> AttemptEnding? in
                if let ending = state.ending { return ending }
                state.waiter = continuation
                return nil
            }
            if let decided { continuation.resume(returning: decided) }
        }
    }
}
