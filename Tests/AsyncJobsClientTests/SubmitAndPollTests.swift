import AsyncJobs
import AsyncJobsClient
import AsyncJobsSQLite
import Foundation
import HTTPTypes
import Testing

@Suite struct SubmitAndPollTests {
    @Test func aSubmissionWhoseAnswerIsLostIsResentWithTheSameKeyAndCreatesOneJob() async throws {
        try await LiveServer.run { server in
            // The server stores the job, then the connection breaks before the 202 reaches the client.
            server.faults.inject(.dropConnectionAfterHandling, on: .submit)
            let job = try await server.client().submit(type: "demo.csv", parameters: ["rows": 10])
            let posts = server.faults.requests(to: .submit)
            #expect(posts.count == 2)
            let keys = posts.map { $0.headers[HTTPField.Name("Idempotency-Key")!] }
            #expect(keys[0] != nil && keys[0] == keys[1] && keys[0] == job.idempotencyKey)
            #expect(job.replayed, "the second answer is the first submission's job")
            let page = try await server.store.jobs(JobQuery(tenantID: try await server.tenantID()))
            #expect(page.jobs.map(\.id.rawValue) == [job.jobID])
            #expect(job.statusURL.absoluteString == server.baseURL.absoluteString + "/v1/jobs/\(job.jobID)/status")
        }
    }

    @Test func pollHonoursTheLatestRetryAfterAndStopsAtTheTerminalStatus() async throws {
        try await LiveServer.run { server in
            // The client would poll every 50–200 ms; the server's Retry-After (1 s, and 2 s once) wins.
            let client = server.client()
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 1000, "durationMs": 3000])
            server.faults.inject(.replaceHeader(.retryAfter, "2"), on: .status, skip: 1)
            var statuses: [JobStatus] = []
            for try await status in client.poll(job.statusURL) { statuses.append(status) }
            #expect(statuses.last?.status == .completed)
            #expect(statuses.dropLast().allSatisfy { $0.status == .processing })
            #expect(statuses[1].retryAfter == .seconds(2))
            let polls = server.faults.requests(to: .status)
            #expect(polls.count == statuses.count, "no poll after the terminal status")
            let gaps = zip(polls.dropFirst(), polls).map { $0.at - $1.at }
            #expect(gaps.count >= 2)
            #expect(gaps.allSatisfy { $0 >= .milliseconds(950) }, "every gap honours Retry-After: 1 — \(gaps)")
            #expect(gaps[1] >= .milliseconds(1950), "the gap after Retry-After: 2 — \(gaps)")
        }
    }

    @Test func progressAndETAAreSurfacedWhileTheJobRuns() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 1000, "durationMs": 3000])
            var statuses: [JobStatus] = []
            for try await status in client.poll(job.statusURL) { statuses.append(status) }
            let percents = statuses.compactMap(\.percentCompleted)
            #expect(percents == percents.sorted(), "progress never goes back: \(percents)")
            #expect(percents.last == 100)
            #expect(statuses.contains { ($0.percentCompleted ?? 0) > 0 && ($0.percentCompleted ?? 100) < 100 && $0.estimatedTimeRemaining != nil })
            // A busy machine slows the job itself, so the ETA is judged by its shape, not by the nominal
            // 3 s: once a fifth is done it only counts down (allowing a second of jitter) and stays sane.
            let settled = statuses.filter { $0.estimatedTimeRemaining != nil && ($0.percentCompleted ?? 0) >= 20 }.compactMap(\.estimatedTimeRemaining)
            #expect(zip(settled, settled.dropFirst()).allSatisfy { $1 <= $0 + .seconds(1) }, "the ETA counts down: \(settled)")
            #expect(settled.allSatisfy { $0 < .seconds(60) }, "the ETA stays sane: \(settled)")
        }
    }

    @Test func pollingGivesUpAfterTheMaximumDuration() async throws {
        try await LiveServer.run { server in
            let client = server.client(polling: PollingPolicy(minimumInterval: .milliseconds(50), maximumDuration: .seconds(1)))
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 100, "durationMs": 30000])
            let started = ContinuousClock.now
            let error = try await #require(throws: AsyncJobsClientError.self) {
                _ = try await client.waitForCompletion(job.statusURL)
            }
            #expect(error.code == .timedOut)
            #expect(error.lastStatus?.status == .processing)
            #expect(ContinuousClock.now - started < .seconds(3), "gives up at the deadline, not a Retry-After later")
            #expect(try await client.cancel(job.statusURL).status == "cancelled")
        }
    }

    @Test func theListingWalksEveryPageAndFilters() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            var submitted: [String] = []
            for rows in 1...5 { submitted.append(try await client.submit(type: "demo.csv", parameters: ["rows": rows]).jobID) }
            var listed: [String] = []
            for try await job in client.jobs(pageSize: 2) { listed.append(job.jobId) }
            #expect(listed == submitted.reversed(), "all jobs, newest first")
            #expect(server.faults.requests(to: .submit).count == 5)
            #expect(server.faults.requests(to: .status).isEmpty)
            var other: [JobSummary] = []
            for try await job in client.jobs(type: "other.type") { other.append(job) }
            #expect(other.isEmpty)
            _ = try await client.waitForCompletion(client.statusURL(forJobID: submitted[0]))
            var completed: [String] = []
            for try await job in client.jobs(status: [.completed], type: "demo.csv") { completed.append(job.jobId) }
            #expect(completed.contains(submitted[0]))
        }
    }

    @Test func theSeedsVendorMediaTypeIsEnough() async throws {
        try await LiveServer.run { server in
            let client = server.client(accept: "application/vnd.sciquest.com.ees+json")
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 100])
            let status = try await client.waitForCompletion(job.statusURL)
            #expect(status.status == .completed)
            #expect(status.jobID == nil && status.percentCompleted == nil, "only the seed's fields")
            #expect(status.resultURLExpiresIn == .seconds(300))
            let directory = try server.downloadDirectory()
            let result = try await client.download(status, to: directory.appendingPathComponent("out.csv"))
            #expect(try Data(contentsOf: result.file) == expectedCSV(rows: 100))
        }
    }
}
