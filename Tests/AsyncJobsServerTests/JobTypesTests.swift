import AsyncJobs
import AsyncJobsServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct JobTypesTests {
    static let report = JobHandler(
        type: "report.daily",
        summary: "The day's totals as CSV",
        options: JobTypeOptions(maxAttempts: 2, timeout: .seconds(90), concurrencyLimit: 1),
        parameters: JobParameterSchema([
            JobParameter("day", .string, required: true, pattern: "[0-9]{4}-[0-9]{2}-[0-9]{2}"),
            JobParameter("format", .string, default: "csv", allowedValues: ["csv", "tsv"]),
        ])
    ) { _ in .success }

    @Test func listsEachTypeWithItsParameterSchema() async throws {
        let app = try await TestApp(handlers: [DemoCSVJob.handler(), Self.report])
        let alice = try await app.tenant("alice")
        try await app.application(workers: false).test(.router) { client in
            let response = try await client.send("/v1/job-types", headers: alice)
            #expect(response.status == .ok)
            let types = try #require(try response.json()["jobTypes"] as? [[String: Any]])
            #expect(types.map { $0["type"] as? String } == ["demo.csv", "report.daily"])
            let report = types[1]
            #expect(report["summary"] as? String == "The day's totals as CSV")
            #expect(report["maxAttempts"] as? Int == 2)
            #expect(report["timeoutSeconds"] as? Int == 90)
            #expect(report["concurrencyLimit"] as? Int == 1)
            let schema = try #require(report["parameters"] as? [String: Any])
            #expect(schema["required"] as? [String] == ["day"])
            #expect(schema["additionalProperties"] as? Bool == false)
            let format = try #require((schema["properties"] as? [String: Any])?["format"] as? [String: Any])
            #expect(format["enum"] as? [String] == ["csv", "tsv"])
            #expect(format["default"] as? String == "csv")
            let rows = try #require(((types[0]["parameters"] as? [String: Any])?["properties"] as? [String: Any])?["rows"] as? [String: Any])
            #expect(rows["maximum"] as? Int == 10_000_000)
        }
    }

    @Test func needsCredentials() async throws {
        let app = try await TestApp()
        try await app.application(workers: false).test(.router) { client in
            let response = try await client.send("/v1/job-types")
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aSchemaViolationIsA422NamingTheFieldAndStoresNothing() async throws {
        let app = try await TestApp(handlers: [Self.report])
        let alice = try await app.tenant("alice")
        try await app.application(workers: false).test(.router) { client in
            let response = try await client.send(
                "/v1/jobs", .post, headers: alice, json: #"{"type":"report.daily","parameters":{"day":"2026-11-23","format":"xml"}}"#)
            #expect(response.status == .unprocessableContent)
            #expect(try response.json()["field"] as? String == "format")
            let list = try await client.send("/v1/jobs", headers: alice).json()
            #expect((list["jobs"] as? [Any])?.isEmpty == true)
        }
    }
}
