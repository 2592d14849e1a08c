import AsyncJobs
import AsyncJobsServer
import AsyncJobsSQLite
import AsyncJobsTestSupport
import Foundation
import Testing

@Suite struct ServerComponentsTests {
    static func components(over store: any JobStore & TenantStore & PassportStore, in directory: TemporaryDirectory) async throws -> ServerComponents {
        try await ServerComponents.local(
            store: store,
            registry: JobRegistry([DemoCSVJob.handler()]),
            resultsDirectory: URL(fileURLWithPath: directory.path + "/results"),
            configuration: ServerConfiguration(port: 0)
        )
    }

    @Test func workerServicesFollowTheStoresChangeFeedWhenItHasOne() async throws {
        let directory = try TemporaryDirectory()
        let sqlite = try await Self.components(over: SQLiteJobStore(path: directory.path + "/jobs.sqlite"), in: directory)
        #expect(sqlite.workerServices().contains { $0 is JobChangeRelay })
        // The in-memory store reports nothing: no relay to run.
        let memory = try await Self.components(over: MemoryJobStore(), in: directory)
        #expect(!memory.workerServices().contains { $0 is JobChangeRelay })
    }
}
