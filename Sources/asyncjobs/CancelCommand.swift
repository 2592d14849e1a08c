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

    @OptionGroup var target: JobTarget

    func run() async throws {
        try await runClientCommand {
            let (client, statusURL) = try target.resolve()
            let cancelled = try await client.cancel(statusURL)
            print("\(cancelled.jobId) \(cancelled.status)")
        }
    }
}
