import Foundation
import NIOHTTP1

extension AsyncJobsClient {
    /// This tenant's jobs, newest first, across all pages (`GET /v1/jobs`, following `nextCursor`).
    ///
    /// ```swift
    /// for try await job in client.jobs(status: [.failed], type: "demo.csv") {
    ///     print(job.jobId, job.error?.message ?? "")
    /// }
    /// ```
    /// - Parameters:
    ///   - status: Only jobs with one of these statuses; all when empty.
    ///   - type: Only jobs of this type.
    ///   - pageSize: Jobs per request, 1–200.
    public func jobs(status: [JobStatus.Status] = [], type: String? = nil, pageSize: Int = 100) -> JobListing {
        JobListing(client: self, status: status, type: type, pageSize: min(200, max(1, pageSize)))
    }

    /// One page of the listing.
    func jobPage(status: [JobStatus.Status], type: String?, pageSize: Int, cursor: String?) async throws -> JobPage {
        var components = URLComponents(url: try endpoint("v1/jobs"), resolvingAgainstBaseURL: false)
        var query = [URLQueryItem(name: "limit", value: String(pageSize))]
        if !status.isEmpty { query.append(URLQueryItem(name: "status", value: status.map(\.rawValue).joined(separator: ","))) }
        if let type { query.append(URLQueryItem(name: "type", value: type)) }
        if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
        components?.queryItems = query
        guard let url = components?.url else { throw AsyncJobsClientError(.configuration, "cannot build the listing URL") }
        let response = try await send(.GET, url)
        guard response.status == 200 else { throw response.error("the job listing failed") }
        return try response.decode(JobPage.self)
    }
}

/// An `AsyncSequence` of jobs that fetches the next page when the current one is used up; see
/// ``AsyncJobsClient/jobs(status:type:pageSize:)``.
public struct JobListing: AsyncSequence, Sendable {
    public typealias Element = JobSummary

    let client: AsyncJobsClient
    let status: [JobStatus.Status]
    let type: String?
    let pageSize: Int

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(listing: self)
    }

    /// Walks the pages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let listing: JobListing
        var buffered: [JobSummary] = []
        var cursor: String?
        var exhausted = false

        init(listing: JobListing) {
            self.listing = listing
        }

        public mutating func next() async throws -> JobSummary? {
            while buffered.isEmpty {
                guard !exhausted else { return nil }
                let page = try await listing.client.jobPage(status: listing.status, type: listing.type, pageSize: listing.pageSize, cursor: cursor)
                buffered = page.jobs.reversed()
                cursor = page.nextCursor
                exhausted = page.nextCursor == nil
            }
            return buffered.popLast()
        }
    }
}
