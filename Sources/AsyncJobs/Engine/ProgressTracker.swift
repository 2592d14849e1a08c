import Foundation
import Synchronization

/// Collects a running job's progress reports and estimates the time remaining.
///
/// The estimate uses the average rate since the attempt started: simple, stable, and right for work
/// that proceeds at a steady pace, which is what most export and report jobs do.
final class ProgressTracker: Sendable {
    private struct State {
        var percent: Double = 0
        var eta: Double?
        var reportedAt: Date?
        var unsent = false
    }

    private let startedAt: Date
    private let state = Mutex(State())
    /// Signalled when a report arrives and none was waiting to be written; later reports replace it
    /// without a signal, so a handler reporting in a tight loop wakes the writer once per write.
    private let waiting: Wakeup

    init(startedAt: Date, signalling waiting: Wakeup) {
        self.startedAt = startedAt
        self.waiting = waiting
    }

    /// Whether a report is waiting to be written.
    var hasUnsent: Bool { state.withLock { $0.unsent } }

    func report(_ percent: Double, now: Date = Date()) {
        let clamped = percent.isFinite ? min(max(percent, 0), 100) : 0
        let first = state.withLock { state in
            state.percent = clamped
            state.reportedAt = now
            state.eta = Self.estimate(percent: clamped, elapsed: now.timeIntervalSince(startedAt))
            defer { state.unsent = true }
            return !state.unsent
        }
        if first { waiting.signal() }
    }

    /// The latest report if it has not been taken yet.
    func takeUnsent() -> JobProgress? {
        state.withLock { state in
            guard state.unsent else { return nil }
            state.unsent = false
            return JobProgress(percent: state.percent, estimatedSecondsRemaining: state.eta, updatedAt: state.reportedAt)
        }
    }

    static func estimate(percent: Double, elapsed: TimeInterval) -> Double? {
        guard percent > 0, elapsed > 0 else { return nil }
        if percent >= 100 { return 0 }
        let rate = percent / elapsed
        return (100 - percent) / rate
    }
}
