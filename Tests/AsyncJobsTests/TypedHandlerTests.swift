import AsyncJobs
import AsyncJobsTestSupport
import Testing

@Suite struct TypedHandlerTests {
    struct Report: Decodable, Sendable {
        struct Window: Decodable, Sendable { var days: Int }
        var region: String
        var window: Window
    }

    static let handler = JobHandler(type: "report", decoding: Report.self) { report, context in
        try await context.writeResult(fileName: "r.txt", contentType: "text/plain") { writer in
            try await writer.write("\(report.region):\(report.window.days)")
        }
        return .success
    }

    func refusal(_ parameters: JobParameters) -> JobError? {
        do {
            _ = try Self.handler.validate(parameters)
            return nil
        } catch {
            return error as? JobError
        }
    }

    @Test func decodingErrorsAreRefusalsNamingTheField() {
        #expect(refusal(["region": "north", "window": ["days": 7]]) == nil)
        #expect(refusal(["window": ["days": 7]])?.field == "region")
        #expect(refusal(["region": "north", "window": ["days": "seven"]])?.field == "window.days")
        #expect(refusal(["region": 5, "window": ["days": 7]])?.code == .invalidParameters)
    }

    @Test func theHandlerGetsTheDecodedValue() async throws {
        let store = MemoryJobStore()
        let results = MemoryResultStore()
        let queue = JobQueue(store: store, results: results, registry: JobRegistry([Self.handler]))
        try await withRunningServices([WorkerPool(queue: queue, configuration: .init(pollInterval: .milliseconds(20)))]) {
            let id = try await queue.submit(tenant: TenantID("t"), type: "report", parameters: ["region": "north", "window": ["days": 7]]).job.id
            try await eventually("the job to succeed") { try await store.job(id, tenant: nil)?.state == .succeeded }
            let key = try #require(try await store.job(id, tenant: nil)?.result?.key)
            #expect(results.bytes(forKey: key).map { String(decoding: $0, as: UTF8.self) } == "north:7")
        }
    }
}
