import ArgumentParser
import AsyncJobsClient
import Foundation

/// `asyncjobs status URL`: asks a status URL once.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a job's status once: status, progress, ETA, error, result link.",
        discussion: """
            URL is a status URL (any server that speaks the seed's GET Async Status contract) or a job id of \
            the server at --url. Exits 0 whenever it could read the status, whatever the job's state.
            \(ClientExitCode.helpText)
            """
    )

    @OptionGroup var target: JobTarget

    func run() async throws {
        try await runClientCommand {
            let (client, statusURL) = try target.resolve()
            let status = try await client.status(statusURL)
            var lines = [("status", status.status.rawValue)]
            if let id = status.jobID { lines.insert(("job", id), at: 0) }
            if let percent = status.percentCompleted { lines.append(("progress", String(format: "%.0f%%", percent))) }
            if let eta = status.estimatedTimeRemaining { lines.append(("eta", ProgressDisplay.clock(eta))) }
            if let error = status.error { lines.append(("error", [error.code, error.message].compactMap { $0 }.joined(separator: ": "))) }
            if let link = status.resultURL {
                lines.append(("resultUrl", link.absoluteString))
                if let expiry = status.resultURLExpiresIn { lines.append(("expiresIn", "\(Int(expiry.components.seconds)) s")) }
            }
            for (name, value) in lines { print("\(name + ":")".padding(toLength: 11, withPad: " ", startingAt: 0) + value) }
        }
    }
}
