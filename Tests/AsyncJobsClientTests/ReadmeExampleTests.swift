import AsyncJobs
import AsyncJobsClient
import Foundation
import Testing

/// The README's "From Swift" lines, against a live server: only the URL, the credentials and the
/// output file's directory differ.
@Suite struct ReadmeExampleTests {
    @Test func theReadmeExampleRuns() async throws {
        try await LiveServer.run { server in
            let (apiKey, clientID, clientSecret) = (server.credentials.apiKey, server.credentials.clientId, server.credentials.clientSecret)
            let out = try server.downloadDirectory().appendingPathComponent("out.csv")
            var printed: [String] = []
            func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }

            let client = AsyncJobsClient(configuration: .init(
                serverURL: server.baseURL,
                credentials: .init(apiKey: apiKey, clientID: clientID, clientSecret: clientSecret)))
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 100_000, "durationMs": 2000])
            for try await status in client.poll(job.statusURL) {        // honours Retry-After, ends at a terminal status
                print(status.status, status.percentCompleted ?? 0, status.estimatedTimeRemaining ?? .zero)
            }
            let result = try await client.waitForResult(job.statusURL, to: out)
            print(result.size, result.sha256, result.checksumVerifiedBy ?? "no checksum")

            #expect(printed.first?.hasPrefix("processing") == true)
            #expect(printed.dropLast().last?.hasPrefix("completed 100.0") == true)
            #expect(printed.last?.hasSuffix("ETag (SHA-256)") == true)
            #expect(try Data(contentsOf: out) == expectedCSV(rows: 100_000))
        }
    }
}
