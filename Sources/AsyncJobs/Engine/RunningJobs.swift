import Synchronization

/// The attempts running on this node, so that a client's cancellation reaches the handler at once.
final class RunningJobs: Sendable {
    private let attempts = Mutex<[JobID: RunningAttempt]>([:])

    func register(_ attempt: RunningAttempt) {
        attempts.withLock { $0[attempt.claimed.job.id] = attempt }
    }

    func unregister(_ attempt: RunningAttempt) {
        attempts.withLock { attempts in
            let id = attempt.claimed.job.id
            if attempts[id] === attempt { attempts[id] = nil }
        }
    }

    func cancel(_ id: JobID) {
        attempts.withLock { $0[id] }?.stop(.cancelledByClient)
    }
}
