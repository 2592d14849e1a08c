import ArgumentParser
import AsyncJobsClient
import Foundation

/// The exit codes of the client commands, documented in `--help` and the README.
enum ClientExitCode: Int32 {
    /// The command did what it was asked; for `wait`, the job completed and its result was saved.
    case success = 0
    /// Anything not listed below.
    case otherError = 1
    /// The job failed; the server's message is printed.
    case jobFailed = 2
    /// The job was cancelled.
    case jobCancelled = 3
    /// `wait` gave up after `--timeout`.
    case timedOut = 4
    /// The result could not be downloaded (link expired and not renewable, 404, size or checksum mismatch, disk).
    case downloadFailed = 5
    /// The server refused the request (HTTP error, e.g. 401, 404, 409, 422); its problem detail is printed.
    case refused = 6
    /// The server could not be reached.
    case unreachable = 7
    /// Bad command line (ArgumentParser's EX_USAGE).
    case usage = 64

    /// The text for `--help`.
    static let helpText = """
        Exit codes of submit, status, wait, cancel and jobs: 0 completed/success, 1 other error, 2 job failed, 3 job cancelled, 4 timed out, \
        5 download failed, 6 request refused by the server, 7 server unreachable, 64 usage error.
        """

    init(_ error: AsyncJobsClientError) {
        switch error.code {
        case .jobFailed: self = .jobFailed
        case .jobCancelled: self = .jobCancelled
        case .timedOut: self = .timedOut
        case .linkExpired, .resultNotFound, .integrityCheckFailed, .fileSystem: self = .downloadFailed
        case .httpError, .soapFault: self = .refused
        case .transport: self = .unreachable
        case .configuration: self = .usage
        default: self = .otherError
        }
    }
}

/// Runs a client command's body, turning client errors into a message on stderr and their exit code.
func runClientCommand(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as AsyncJobsClientError {
        var message = "error: \(error.message)"
        if let problem = error.problem, let type = problem.type { message += " [\(type)]" }
        if let underlying = error.underlying { message += " (\(underlying))" }
        printError(message)
        throw ExitCode(ClientExitCode(error).rawValue)
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    writeToStandardError(line + "\n")
}

/// Writes to standard error, ignoring failure: a reader that went away (`wait … 2>&1 | head`) must not
/// stop the download, and there is nowhere left to report it.
func writeToStandardError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
}
