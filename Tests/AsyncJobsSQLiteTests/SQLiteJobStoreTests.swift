import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsTestSupport
import Foundation
import Testing

@Suite struct SQLiteJobStoreTests {
    @Test(arguments: JobStoreConformance.Check.allCases)
    func conformance(_ check: JobStoreConformance.Check) async throws {
        let directory = try TemporaryDirectory()
        try await JobStoreConformance { try SQLiteJobStore(path: directory.path + "/jobs.sqlite") }.run(check)
    }

    @Test func jobsSurviveReopening() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/jobs.sqlite"
        let id: JobID
        do {
            let store = try SQLiteJobStore(path: path)
            id = try await store.submit(NewJob(tenantID: TenantID("t"), type: "demo.csv", parameters: ["rows": 1], maxAttempts: 3, now: Date())).job.id
        }
        let reopened = try SQLiteJobStore(path: path)
        #expect(try await reopened.job(id, tenant: TenantID("t"))?.state == .queued)
        #expect(try await reopened.appliedMigrations() == ["v1-jobs-and-tenants", "v2-finished-jobs-index", "v3-passport-tokens", "v4-result-expiry", "v5-state-tests-without-in-lists"])
    }

    @Test func twoConnectionsToOneFileShareTheQueue() async throws {
        // `tenant create` and a separate `worker` open the same file from other processes.
        let directory = try TemporaryDirectory()
        let path = directory.path + "/jobs.sqlite"
        let first = try SQLiteJobStore(path: path)
        let second = try SQLiteJobStore(path: path)
        let credentials = try await second.createTenant(named: "late")
        #expect(try await first.tenantID(forAPIKeyHash: TenantCredentials.hash(credentials.apiKey)) != nil)
        for _ in 0..<10 {
            _ = try await first.submit(NewJob(tenantID: TenantID("t"), type: "x", parameters: [:], maxAttempts: 1, now: Date()))
        }
        async let a = first.claim(ClaimRequest(workerID: "a", types: nil, limit: 10, leaseExpiry: Date() + 30, now: Date()))
        async let b = second.claim(ClaimRequest(workerID: "b", types: nil, limit: 10, leaseExpiry: Date() + 30, now: Date()))
        let claimed = try await a + b
        #expect(claimed.count == 10)
        #expect(Set(claimed.map(\.job.id)).count == 10)
    }

    @Test func unreadableFileIsAClearError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/not-a-database.sqlite"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: JobError.self) { try SQLiteJobStore(path: path) }
    }
}
