import Foundation
public import Logging
import Synchronization

/// What a handler gets to do its work: the job, progress reporting, a result writer and a logger.
///
/// Cancellation (by the client, a lost lease, the timeout or shutdown) arrives as Swift task
/// cancellation: check `Task.isCancelled` or call `try Task.checkCancellation()` between steps.
public struct JobContext: Sendable {
    /// The job being run (its `attempt` is this attempt's number).
    public let job: Job
    /// A logger with the job id in its metadata.
    public let logger: Logger
    let progress: ProgressTracker
    let results: any ResultStore
    let storedResult: ResultSlot

    init(job: Job, logger: Logger, progress: ProgressTracker, results: any ResultStore) {
        self.job = job
        self.logger = logger
        self.progress = progress
        self.results = results
        self.storedResult = ResultSlot()
    }

    /// The validated parameters.
    public var parameters: JobParameters { job.parameters }

    /// Reports progress, 0–100. Cheap to call often: the store is written at a bounded rate.
    public func reportProgress(_ percent: Double) {
        progress.report(percent)
    }

    /// Streams the job's result file. Call at most once; the last call wins.
    ///
    /// - Parameters:
    ///   - fileName: The name a client should save the file under.
    ///   - contentType: Its media type.
    ///   - body: Writes the bytes.
    public func writeResult(
        fileName: String,
        contentType: String,
        _ body: (any ResultWriter) async throws -> Void
    ) async throws {
        let key = ResultKey.make(tenantID: job.tenantID, jobID: job.id, attempt: job.attempt, fileName: fileName)
        let result = try await results.write(key: key, contentType: contentType, fileName: fileName, body)
        let previous = storedResult.replace(with: result)
        if let previous, previous.key != result.key {
            try? await results.delete(key: previous.key)
        }
    }

    /// The result written so far, if any.
    var result: JobResult? { storedResult.value }
}

/// The result a handler has written so far; shared by copies of the context.
final class ResultSlot: Sendable {
    private let stored = Mutex<JobResult?>(nil)

    var value: JobResult? { stored.withLock { $0 } }

    func replace(with result: JobResult) -> JobResult? {
        stored.withLock { stored in
            defer { stored = result }
            return stored
        }
    }
}
