import ArgumentParser
import AsyncJobsClient
import AsyncJobsSOAP
import Foundation

/// `asyncjobs status URL`: asks a status URL once.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a job's status once: status, progress, ETA, error, result link.",
        discussion: """
            URL is a status URL (any server that speaks the seed's GET Async Status contract) or a job id of \
            the server at --url. Exits 0 whenever it could read the status, whatever the job's state.
            With --soap it asks the SOAP endpoint instead (checkAsyncStatus, a token passport signed with the \
            credentials of `asyncjobs tba create`), as a SuiteTalk-style client would.
            \(ClientExitCode.helpText)
            """
    )

    @OptionGroup var target: JobTarget

    @Flag(help: "Ask the SOAP endpoint with checkAsyncStatus instead of the REST status URL.")
    var soap = false

    @Option(name: .customLong("soap-url"), help: "The SOAP endpoint (ASYNCJOBS_SOAP_URL); default: the server URL + /soap.")
    var soapURLOption: String?

    @Option(
        name: .customLong("tba-credentials"),
        help: "The JSON file printed by `asyncjobs tba create` (ASYNCJOBS_TBA_CREDENTIALS); only with --soap."
    )
    var credentialsFile: String?

    func run() async throws {
        if soap { return try await runSOAP() }
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

    func runSOAP() async throws {
        guard let path = credentialsFile ?? Environment.string("ASYNCJOBS_TBA_CREDENTIALS") else {
            throw ValidationError("--soap needs --tba-credentials FILE (the output of `asyncjobs tba create`)")
        }
        guard let data = FileManager.default.contents(atPath: path), let credentials = try? JSONDecoder().decode(PassportCredentials.self, from: data) else {
            throw ValidationError("\(path) is not the output of `asyncjobs tba create`")
        }
        // A status URL names the job in its path: …/v1/jobs/ID/status.
        let parts = target.job.split(separator: "/")
        let jobID = target.job.contains("://") && parts.count >= 2 && parts.last == "status" ? String(parts[parts.count - 2]) : target.job
        let endpoint: URL
        if let text = soapURLOption ?? Environment.string("ASYNCJOBS_SOAP_URL") {
            guard let url = URL(string: text), url.host != nil else { throw ValidationError("--soap-url must be an absolute URL") }
            endpoint = url
        } else {
            let (client, _) = try target.resolve()
            guard let server = client.configuration.serverURL else { throw ValidationError("--soap needs --url or --soap-url") }
            endpoint = server.appendingPathComponent("soap")
        }
        try await runClientCommand {
            let status = try await SOAPStatusClient(endpoint: endpoint, credentials: credentials).checkAsyncStatus(jobID: jobID)
            print("job:       \(status.jobID)")
            print("status:    \(status.status)")
            print("progress:  \(String(format: "%.1f%%", status.percentCompleted))")
            print("eta:       \(ProgressDisplay.clock(.milliseconds(Int64(status.estRemainingDuration * 1000))))")
        }
    }
}
