import AsyncJobs
import AsyncJobsClient
import Foundation
import Synchronization

/// Shows how a job and its download are going on standard error: a live bar with percent and ETA on a
/// terminal, plain lines (one per change) otherwise, so logs and pipes stay readable.
final class ProgressDisplay: Sendable {
    private struct State {
        var lastLine = ""
        var lastDownloadStep = -1
        var lastDraw = ContinuousClock.now - .seconds(1)
        var barShown = false
    }

    let isTerminal: Bool
    private let state = Mutex(State())
    private static let width = 30

    init(isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.isTerminal = isTerminal
    }

    /// Shows a polled status.
    func show(_ status: JobStatus) {
        let percent = status.percentCompleted ?? (status.status == .completed ? 100 : nil)
        var text = "\(status.status)"
        if let percent { text += String(format: " %3.0f%%", percent) }
        if let eta = status.estimatedTimeRemaining { text += "  ETA \(Self.clock(eta))" }
        if isTerminal {
            draw(fraction: percent.map { $0 / 100 }, text: text, force: status.status.isTerminal)
        } else {
            emitIfChanged(text)
        }
    }

    /// Shows download progress.
    func show(_ progress: DownloadProgress) {
        let size = Self.bytes(progress.receivedBytes) + (progress.totalBytes.map { " / " + Self.bytes($0) } ?? "")
        let fraction = progress.fraction
        if isTerminal {
            let percent = fraction.map { String(format: " %3.0f%%", $0 * 100) } ?? ""
            draw(fraction: fraction, text: "downloading\(percent)  \(size)", force: fraction == 1)
            return
        }
        // Plain output: a line at every tenth, so a 1 GiB download does not print a million lines.
        let step = fraction.map { Int($0 * 10) } ?? Int(progress.receivedBytes / (64 << 20))
        let shouldPrint = state.withLock { state in
            guard step != state.lastDownloadStep else { return false }
            state.lastDownloadStep = step
            return true
        }
        if shouldPrint { printError("downloading" + (fraction.map { String(format: " %3.0f%%", $0 * 100) } ?? "") + "  \(size)") }
    }

    /// Ends the live bar's line, so what follows starts on a fresh one.
    func finish() {
        let shown = state.withLock { state in
            defer { state.barShown = false }
            return state.barShown
        }
        if isTerminal && shown { writeToStandardError("\n") }
    }

    private func draw(fraction: Double?, text: String, force: Bool) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            // At most ~20 redraws a second: a fast download reports far more often than that.
            guard force || now - state.lastDraw >= .milliseconds(50) else { return nil }
            state.lastDraw = now
            state.barShown = true
            let filled = Int((min(1, max(0, fraction ?? 0)) * Double(Self.width)).rounded(.down))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.width - filled)
            return "\r\u{1B}[2K[\(bar)] \(text)"
        }
        if let line { writeToStandardError(line) }
    }

    private func emitIfChanged(_ text: String) {
        let changed = state.withLock { state in
            guard text != state.lastLine else { return false }
            state.lastLine = text
            return true
        }
        if changed { printError(text) }
    }

    /// `m:ss` (or `h:mm:ss`).
    static func clock(_ duration: Duration) -> String {
        let total = duration.wholeSecondsRoundedUp
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, seconds) : String(format: "%d:%02d", minutes, seconds)
    }

    /// A byte count in binary units.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
