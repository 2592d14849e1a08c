import Foundation
import Logging
import Synchronization

/// Watches over every attempt running in one worker pool from a single loop: renews their leases,
/// writes their progress at a bounded rate, and stops an attempt when its timeout passes or its lease
/// is lost.
///
/// One loop for the pool instead of a lease keeper, a timeout timer and signal watchers per attempt:
/// with thousands of short jobs a second, those tasks and timers cost more CPU than the jobs did. The
/// loop sleeps until the earliest deadline, heartbeat or permitted progress write among the attempts,
/// and is woken early only when an attempt's deadline comes before that, or a handler reports progress
/// that is not yet written.
final class AttemptWatch: Sendable {
    private struct Watched {
        let attempt: RunningAttempt
        var deadline: ContinuousClock.Instant
        var nextBeat: ContinuousClock.Instant
        var progressAllowedAt: ContinuousClock.Instant
        var beating = false
    }

    private struct State {
        var watched: [ObjectIdentifier: Watched] = [:]
        var plannedWake: ContinuousClock.Instant
        /// Set at the end of a shutdown's grace period: attempts still running, or starting later, stop.
        var closedWith: AttemptEnding?
    }

    private let store: any JobStore
    private let configuration: WorkerPoolConfiguration
    private let logger: Logger
    private let clock = ContinuousClock()
    private let state: Mutex<State>
    /// Wakes the loop; progress trackers signal it when a report is waiting to be written.
    let wakeup = Wakeup()

    init(store: any JobStore, configuration: WorkerPoolConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(plannedWake: ContinuousClock().now))
    }

    /// Starts watching `attempt`, which must stop once `timeout` has passed.
    func add(_ attempt: RunningAttempt, timeout: Duration) {
        let now = clock.now
        let watched = Watched(
            attempt: attempt,
            deadline: now.advanced(by: timeout),
            nextBeat: now.advanced(by: configuration.heartbeatInterval),
            progressAllowedAt: now
        )
        let (closedWith, wakeEarlier) = state.withLock { state -> (AttemptEnding?, Bool) in
            if let closedWith = state.closedWith { return (closedWith, false) }
            state.watched[ObjectIdentifier(attempt)] = watched
            let due = min(watched.deadline, watched.nextBeat)
            guard due < state.plannedWake else { return (nil, false) }
            state.plannedWake = due
            return (nil, true)
        }
        if let closedWith { attempt.stop(closedWith) }
        if wakeEarlier { wakeup.signal() }
    }

    /// Stops watching `attempt`.
    func remove(_ attempt: RunningAttempt) {
        _ = state.withLock { $0.watched.removeValue(forKey: ObjectIdentifier(attempt)) }
    }

    /// Stops every attempt, those running and any added later, with `ending`.
    func stopAll(_ ending: AttemptEnding) {
        let attempts = state.withLock { state in
            state.closedWith = ending
            return state.watched.values.map(\.attempt)
        }
        for attempt in attempts { attempt.stop(ending) }
    }

    /// Runs until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = clock.now
                var expired: [RunningAttempt] = []
                var beats: [RunningAttempt] = []
                let wake = state.withLock { state in
                    var wake = now.advanced(by: configuration.heartbeatInterval)
                    for index in state.watched.values.indices {
                        let watched = state.watched.values[index]
                        // Its ending is decided and its worker is winding it down: no more beats.
                        if watched.attempt.isStopped { continue }
                        if watched.deadline <= now {
                            expired.append(watched.attempt)
                            continue
                        }
                        wake = min(wake, watched.deadline)
                        if watched.beating { continue }
                        let progressWaiting = watched.attempt.progress.hasUnsent
                        if watched.nextBeat <= now || (progressWaiting && watched.progressAllowedAt <= now) {
                            state.watched.values[index].beating = true
                            beats.append(watched.attempt)
                        } else {
                            wake = min(wake, watched.nextBeat)
                            if progressWaiting { wake = min(wake, watched.progressAllowedAt) }
                        }
                    }
                    state.plannedWake = wake
                    return wake
                }
                for attempt in expired { attempt.stop(.timedOut) }
                for attempt in beats { group.addTask { await self.beat(attempt) } }
                await wakeup.wait(timeout: now.duration(to: wake))
            }
        }
    }

    /// Renews one attempt's lease, with its latest progress if there is any to write.
    private func beat(_ attempt: RunningAttempt) async {
        let lease = attempt.claimed.lease
        let update = attempt.progress.takeUnsent()
        var next = configuration.heartbeatInterval
        do {
            let now = Date()
            let status = try await store.heartbeat(lease, until: now.adding(configuration.leaseDuration), progress: update, now: now)
            if case .lost(let state) = status {
                attempt.stop(state == .cancelled ? .cancelledByClient : .leaseLost(state))
            }
        } catch {
            if Task.isCancelled { return }
            logger.warning("heartbeat failed", metadata: ["job.id": .string(lease.jobID.rawValue), "error": "\(error)"])
            // The lease outlasts a few missed beats; try again soon rather than a whole interval later.
            next = min(next, .seconds(1))
        }
        let now = clock.now
        state.withLock { state in
            guard var watched = state.watched[ObjectIdentifier(attempt)] else { return }
            watched.beating = false
            watched.nextBeat = now.advanced(by: next)
            // Bounds the write rate of a handler that reports progress in a tight loop.
            if update != nil { watched.progressAllowedAt = now.advanced(by: configuration.progressInterval) }
            state.watched[ObjectIdentifier(attempt)] = watched
        }
        // The loop's planned wake accounts for neither a retry sooner than a heartbeat interval nor
        // progress reported during the write (which found the attempt busy with this beat).
        if next < configuration.heartbeatInterval || attempt.progress.hasUnsent { wakeup.signal() }
    }
}
