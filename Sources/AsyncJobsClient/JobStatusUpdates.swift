import AsyncJobs
public import Foundation

extension AsyncJobsClient {
    /// The statuses of a job, polled until it finishes.
    ///
    /// ```swift
    /// for try await status in client.poll(job.statusURL) {
    ///     print(status.status, status.percentCompleted ?? 0, status.estimatedTimeRemaining ?? .zero)
    /// }
    /// ```
    ///
    /// The first poll happens at once; then see ``PollingPolicy`` for the pacing. The sequence ends
    /// after the first terminal status (completed, failed or cancelled), which it yields; it throws
    /// ``AsyncJobsClientError/Code/timedOut`` once the policy's maximum duration has passed, and
    /// retries connection errors, 429 and 5xx answers up to the policy's limit.
    /// - Parameters:
    ///   - statusURL: The status URL from the submission.
    ///   - policy: The pacing; by default the configuration's.
    public func poll(_ statusURL: URL, policy: PollingPolicy? = nil) -> JobStatusUpdates {
        JobStatusUpdates(client: self, statusURL: statusURL, policy: policy ?? configuration.polling)
    }
}

/// An `AsyncSequence` of a job's statuses; see ``AsyncJobsClient/poll(_:policy:)``.
public struct JobStatusUpdates: AsyncSequence, Sendable {
    public typealias Element = JobStatus

    let client: AsyncJobsClient
    let statusURL: URL
    let policy: PollingPolicy

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, statusURL: statusURL, policy: policy)
    }

    /// Polls on each call to `next()`.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: AsyncJobsClient
        let statusURL: URL
        let policy: PollingPolicy
        let clock = ContinuousClock()
        var deadline: ContinuousClock.Instant?
        var last: JobStatus?
        var unchangedAnswers = 0
        var finished = false

        init(client: AsyncJobsClient, statusURL: URL, policy: PollingPolicy) {
            self.client = client
            self.statusURL = statusURL
            self.policy = policy
        }

        public mutating func next() async throws -> JobStatus? {
            guard !finished else { return nil }
            if deadline == nil { deadline = policy.maximumDuration.map { clock.now.advanced(by: $0) } }
            if let last {
                try checkDeadline(last)
                let wait = policy.delay(unchangedAnswers: unchangedAnswers, retryAfter: last.retryAfter, random: Double.random(in: 0..<1))
                try await sleep(wait)
            }
            let status = try await fetch()
            if let last, last.status == status.status, last.percentCompleted == status.percentCompleted {
                unchangedAnswers += 1
            } else {
                unchangedAnswers = 0
            }
            last = status
            if status.status.isTerminal { finished = true }
            return status
        }

        /// Asks the status URL, retrying failures that may pass (connection errors, 429, 5xx).
        private mutating func fetch() async throws -> JobStatus {
            var errors = 0
            while true {
                do {
                    return try await client.status(statusURL)
                } catch let error as AsyncJobsClientError where error.isTransient && errors < policy.maximumConsecutiveErrors {
                    errors += 1
                    if let last { try checkDeadline(last) }
                    let backoff = policy.delay(unchangedAnswers: errors, retryAfter: nil, random: Double.random(in: 0..<1))
                    try await sleep(backoff)
                }
            }
        }

        /// Sleeps, but not past the deadline, so the last poll happens at the deadline.
        private func sleep(_ duration: Duration) async throws {
            var wait = duration
            if let deadline { wait = Swift.min(wait, Swift.max(.zero, deadline - clock.now)) }
            try await Task.sleep(for: wait)
        }

        private func checkDeadline(_ last: JobStatus) throws {
            guard let deadline, clock.now >= deadline else { return }
            throw AsyncJobsClientError(
                .timedOut,
                "the job was still \(last.status) after \(policy.maximumDuration.map { "\($0.seconds)" } ?? "?") seconds of polling",
                lastStatus: last
            )
        }
    }
}

extension AsyncJobsClientError {
    /// Whether trying again later may succeed: a connection failure, 429, or a 5xx answer.
    var isTransient: Bool {
        switch code {
        case .transport: return true
        case .httpError: return httpStatus.map { $0 == 429 || $0 >= 500 } ?? false
        default: return false
        }
    }
}
