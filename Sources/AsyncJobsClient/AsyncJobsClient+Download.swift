public import Foundation

extension AsyncJobsClient {
    /// Downloads the result of a completed job to `file`.
    ///
    /// The bytes stream to a temporary file beside `file` (memory stays flat for any size), which is
    /// renamed to `file` only once complete and checked: the size against `Content-Length`, the bytes
    /// against the ETag when it is a SHA-256 or MD5. A broken connection or a 5xx resumes with `Range`
    /// where it stopped; a 403 (the link expired) fetches a fresh link from the status URL once; a 404
    /// (not yet available) is retried a few times. See ``DownloadPolicy``. The file is created readable
    /// by its owner only, and `file` must be a regular file or not exist: a pipe or device is refused.
    /// - Parameters:
    ///   - status: A `completed` status with a `resultUrl`.
    ///   - file: Where the result goes; replaced if it exists.
    ///   - progress: Called as bytes arrive.
    public func download(
        _ status: JobStatus,
        to file: URL,
        progress: (@Sendable (DownloadProgress) -> Void)? = nil
    ) async throws -> DownloadedResult {
        guard status.status == .completed, let resultURL = status.resultURL else {
            if let error = status.error, error.code == "result_expired" {
                throw AsyncJobsClientError(.invalidResponse, "the job's result is gone: \(error.message)", lastStatus: status)
            }
            throw AsyncJobsClientError(.invalidResponse, "the job is \(status.status), not completed with a resultUrl", lastStatus: status)
        }
        var download = ResultDownload(client: self, url: resultURL, status: status, statusURL: status.statusURL, destination: file, progress: progress)
        return try await download.run()
    }

    /// Downloads a pre-signed link to `file`, as ``download(_:to:progress:)`` does.
    /// - Parameters:
    ///   - resultURL: The link.
    ///   - file: Where the result goes.
    ///   - statusURL: Where a fresh link can be had when this one has expired; without it a 403 is final.
    ///   - progress: Called as bytes arrive.
    public func download(
        from resultURL: URL,
        to file: URL,
        renewingThrough statusURL: URL? = nil,
        progress: (@Sendable (DownloadProgress) -> Void)? = nil
    ) async throws -> DownloadedResult {
        var download = ResultDownload(client: self, url: resultURL, status: nil, statusURL: statusURL, destination: file, progress: progress)
        return try await download.run()
    }

    /// Polls a job until it finishes, then downloads its result to `file`.
    ///
    /// ```swift
    /// let result = try await client.waitForResult(job.statusURL, to: URL(fileURLWithPath: "out.csv")) { status in
    ///     print("\(status.percentCompleted ?? 0)%")
    /// }
    /// ```
    /// - Parameters:
    ///   - statusURL: The job's status URL.
    ///   - file: Where the result goes.
    ///   - policy: The polling pacing; by default the configuration's.
    ///   - onStatus: Called with every status polled.
    ///   - onDownload: Called as result bytes arrive.
    /// - Throws: ``AsyncJobsClientError`` with ``AsyncJobsClientError/Code/jobFailed`` (the server's error in
    ///   ``AsyncJobsClientError/jobError``), ``AsyncJobsClientError/Code/jobCancelled``,
    ///   ``AsyncJobsClientError/Code/timedOut``, or a download error.
    public func waitForResult(
        _ statusURL: URL,
        to file: URL,
        policy: PollingPolicy? = nil,
        onStatus: (@Sendable (JobStatus) -> Void)? = nil,
        onDownload: (@Sendable (DownloadProgress) -> Void)? = nil
    ) async throws -> DownloadedResult {
        let status = try await waitForCompletion(statusURL, policy: policy, onStatus: onStatus)
        return try await download(status, to: file, progress: onDownload)
    }

    /// Polls a job until it finishes and returns its `completed` status.
    /// - Throws: ``AsyncJobsClientError/Code/jobFailed``, ``AsyncJobsClientError/Code/jobCancelled`` or
    ///   ``AsyncJobsClientError/Code/timedOut``.
    public func waitForCompletion(
        _ statusURL: URL,
        policy: PollingPolicy? = nil,
        onStatus: (@Sendable (JobStatus) -> Void)? = nil
    ) async throws -> JobStatus {
        var last: JobStatus?
        for try await status in poll(statusURL, policy: policy) {
            onStatus?(status)
            last = status
        }
        guard let last else { throw AsyncJobsClientError(.invalidResponse, "polling ended without a status") }
        switch last.status {
        case .completed:
            return last
        case .failed:
            throw AsyncJobsClientError(.jobFailed, "the job failed: \(last.error?.message ?? "the server gave no reason")", lastStatus: last)
        case .cancelled:
            throw AsyncJobsClientError(.jobCancelled, last.error?.message ?? "the job was cancelled", lastStatus: last)
        default:
            throw AsyncJobsClientError(.invalidResponse, "polling ended at status \(last.status)", lastStatus: last)
        }
    }
}
