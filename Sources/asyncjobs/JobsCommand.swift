import ArgumentParser
import AsyncJobsClient
import Foundation

/// `asyncjobs jobs`: lists this tenant's jobs.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List your jobs, newest first.",
        discussion: ClientExitCode.helpText
    )

    @Option(help: "Only jobs with these statuses, comma-separated: processing, completed, failed, cancelled.")
    var status: String?

    @Option(help: "Only jobs of this type.")
    var type: String?

    @Option(help: "Show at most this many jobs (pages are fetched as needed).")
    var limit: Int = 50

    @Flag(name: .customLong("json-output"), help: "Print each job as one line of JSON (the server's job resource) instead of a table.")
    var jsonOutput = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await runClientCommand {
            let statuses = (status ?? "").split(separator: ",").map { JobStatus.Status(rawValue: String($0)) }
            let listing = try client.client().jobs(status: statuses, type: type, pageSize: min(limit, 200))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let dates = ISO8601DateFormatter()
            if !jsonOutput { print(Self.row("JOB", "TYPE", "STATUS", "PROGRESS", "CREATED")) }
            var shown = 0
            for try await job in listing {
                if jsonOutput {
                    print(String(decoding: try encoder.encode(job), as: UTF8.self))
                } else {
                    print(Self.row(job.jobId, job.type, job.status, String(format: "%.0f%%", job.percentCompleted), dates.string(from: job.createdAt)))
                }
                shown += 1
                if shown >= limit { break }
            }
        }
    }

    static func row(_ id: String, _ type: String, _ status: String, _ progress: String, _ created: String) -> String {
        [id.padding(toLength: 37, withPad: " ", startingAt: 0), type.padding(toLength: 12, withPad: " ", startingAt: 0),
         status.padding(toLength: 11, withPad: " ", startingAt: 0), progress.padding(toLength: 9, withPad: " ", startingAt: 0), created].joined()
    }
}
