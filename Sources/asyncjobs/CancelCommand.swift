import ArgumentParser
import AsyncJobsClient
import Foundation

/// `asyncjobs cancel URL`: cancels a job.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a job that has not finished.",
        discussion: """
            Cancelling a cancelled job succeeds again; a job that already completed or failed is refused (exit 6).
            \(ClientExitCode.helpText)
            """
    )

    @Argument(help: "The job's status URL, or its id.")
    var job: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await runClientCommand {
            let (client, statusURL) = try client.client(forJob: job)
            let cancelled = try await client.cancel(statusURL)
            print("\(cancelled.jobId) \(cancelled.status)")
        }
    }
}
