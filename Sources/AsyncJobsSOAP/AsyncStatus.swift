public import AsyncJobs
public import Foundation

/// A job as SOAP's `AsyncStatusResult` shows it.
public struct AsyncStatus: Sendable, Hashable {
    /// The job id.
    public var jobID: String
    /// `pending`, `processing`, `finished`, `finishedWithErrors` or `failed`.
    public var status: String
    /// 0–100.
    public var percentCompleted: Double
    /// Seconds left, 0 when unknown or done.
    public var estRemainingDuration: Double

    /// Creates a status from its parts.
    public init(jobID: String, status: String, percentCompleted: Double, estRemainingDuration: Double) {
        self.jobID = jobID
        self.status = status
        self.percentCompleted = percentCompleted
        self.estRemainingDuration = estRemainingDuration
    }

    /// The status of `job` at `now`, mapped as DESIGN.md says (cancelled shows as `failed`).
    public init(job: Job, now: Date) {
        jobID = job.id.rawValue
        switch job.state {
        case .queued: status = "pending"
        case .running: status = "processing"
        case .succeeded: status = job.itemErrors > 0 ? "finishedWithErrors" : "finished"
        case .failed, .cancelled: status = "failed"
        }
        percentCompleted = job.state == .succeeded ? 100 : min(100, max(0, job.progress.percent))
        estRemainingDuration = job.state.isTerminal ? 0 : job.progress.remainingSeconds(at: now) ?? 0
    }

    /// The `platformCore:asyncStatusResult` element, exactly as the seed shows it.
    var xml: String {
        """
        <platformCore:asyncStatusResult xmlns:platformCore="\(SOAPNamespace.core)">\
        <platformCore:jobId>\(XMLEscaping.text(jobID))</platformCore:jobId>\
        <platformCore:status>\(status)</platformCore:status>\
        <platformCore:percentCompleted>\(Self.decimal(percentCompleted))</platformCore:percentCompleted>\
        <platformCore:estRemainingDuration>\(Self.decimal(estRemainingDuration))</platformCore:estRemainingDuration>\
        </platformCore:asyncStatusResult>
        """
    }

    /// A decimal with one fractional digit, as the seed writes them (`100.0`).
    static func decimal(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
