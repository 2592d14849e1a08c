import AsyncJobs
import AsyncJobsTestSupport
import Testing

@Suite struct MemoryJobStoreTests {
    @Test(arguments: JobStoreConformance.Check.allCases)
    func conformance(_ check: JobStoreConformance.Check) async throws {
        try await JobStoreConformance { MemoryJobStore() }.run(check)
    }
}
