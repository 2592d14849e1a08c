public import AsyncJobs
import Foundation
import Logging
import Subprocess
import SystemPackage
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one attempt of a command job as a child process.
///
/// The child starts in a new process group (its pid is the group id), with standard input from
/// `/dev/null`, standard output read as the result (or discarded), and standard error scanned by
/// ``StderrScanner``. When the attempt's task is cancelled — the client cancelled, the timeout
/// passed, the server is shutting down — the whole group gets SIGTERM and, after the declaration's
/// grace period, SIGKILL. Whatever way the attempt ends, the group is sent SIGKILL once more, so a
/// child that outlived its parent (a daemonising helper, a pipeline stage) does not survive it.
public struct CommandRunner: Sendable {
    /// The declaration being run.
    public let job: CommandJob

    /// Creates a runner.
    public init(job: CommandJob) {
        self.job = job
    }

    /// Runs the program for `context`'s job; returns when it exited 0 and its result is stored.
    ///
    /// Throws ``JobAttemptError`` with code `exit_status` (retryable when the status is one of the
    /// declaration's retryable codes; the message ends with the tail of standard error), `signal`
    /// (retryable) when the program died of a signal, `result_missing` when a declared result file
    /// was not written, and `CancellationError` when the task was cancelled.
    public func run(_ context: JobContext) async throws -> JobOutcome {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("asyncjobs-\(context.job.id)-\(context.job.attempt)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let parameters = context.parameters
        let argv = try job.argv(for: parameters, scratch: scratch.path)
        let workingDirectory = job.workingDirectory ?? scratch.path
        let fileName = try job.resultFileName.render(parameters, scratch: scratch.path) ?? "\(job.type).out"
        let environment = Self.environment(adding: job.environment)
        var platformOptions = PlatformOptions()
        platformOptions.processGroupID = 0
        platformOptions.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: job.cancelGracePeriod)]

        context.logger.debug("starting command", metadata: ["command.executable": "\(job.executable)", "command.argv": "\(argv)"])
        let group = ProcessGroupSweeper()
        defer { group.killRemaining() }
        let execution = try await Subprocess.run(
            .path(FilePath(job.executable)),
            arguments: Arguments(argv),
            environment: environment,
            workingDirectory: FilePath(workingDirectory),
            platformOptions: platformOptions,
            input: .none,
            output: .sequence,
            error: .sequence
        ) { execution in
            group.record(execution.processIdentifier.value)
            return try await withThrowingTaskGroup(of: StderrScanner.self) { readers in
                readers.addTask {
                    var scanner = StderrScanner()
                    for try await chunk in execution.standardError {
                        for percent in scanner.consume(chunk.withUnsafeBytes { Array($0) }) { context.reportProgress(percent) }
                    }
                    for percent in scanner.finish() { context.reportProgress(percent) }
                    return scanner
                }
                if job.resultSource == .stdout {
                    try await context.writeResult(fileName: fileName, contentType: job.resultContentType) { writer in
                        for try await chunk in execution.standardOutput {
                            try await writer.write(chunk.withUnsafeBytes { Array($0) })
                        }
                    }
                } else {
                    for try await _ in execution.standardOutput {}
                }
                return try await readers.next() ?? StderrScanner()
            }
        }
        try Task.checkCancellation()
        let stderr = execution.closureResult
        switch execution.terminationStatus {
        case .exited(0):
            break
        case .exited(let status):
            throw JobAttemptError(
                code: "exit_status",
                message: Self.message("\(job.type) exited with status \(status)", tail: stderr.tail),
                isRetryable: job.retryableExitCodes.contains(status)
            )
        case .signaled(let signal):
            throw JobAttemptError(
                code: "signal",
                message: Self.message("\(job.type) was killed by signal \(signal)", tail: stderr.tail),
                isRetryable: true
            )
        }
        if job.resultSource == .file, let resultPath = job.resultPath {
            let relative = try resultPath.render(parameters, scratch: scratch.path) ?? ""
            let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : URL(fileURLWithPath: workingDirectory).appendingPathComponent(relative)
            try await copyResult(from: url, fileName: fileName, context: context)
        }
        context.reportProgress(100)
        return .success
    }

    /// Streams a result file the program wrote into the result store, in 64 KiB chunks.
    func copyResult(from url: URL, fileName: String, context: JobContext) async throws {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw JobAttemptError(
                code: "result_missing",
                message: "\(job.type) exited with status 0 but did not write its result file \(url.path)",
                isRetryable: false
            )
        }
        defer { try? handle.close() }
        try await context.writeResult(fileName: fileName, contentType: job.resultContentType) { writer in
            while let data = try handle.read(upToCount: 64 * 1024), !data.isEmpty {
                try await writer.write(Array(data))
            }
        }
    }

    /// The server's environment without its own `ASYNCJOBS_*` settings (signing secrets, client
    /// secrets, database URLs are none of the program's business), plus the declared variables.
    static func environment(adding declared: [String: String]) -> Subprocess.Environment {
        var changes: [Subprocess.Environment.Key: String?] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("ASYNCJOBS_") {
            if let key = Subprocess.Environment.Key(rawValue: name) { changes[key] = .some(nil) }
        }
        for (name, value) in declared {
            if let key = Subprocess.Environment.Key(rawValue: name) { changes[key] = value }
        }
        return Environment.inherit.updating(changes)
    }

    static func message(_ summary: String, tail: String) -> String {
        let trimmed = tail.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? summary : "\(summary): \(trimmed)"
    }
}

/// Remembers the child's process group and kills what is left of it when the attempt ends.
final class ProcessGroupSweeper: Sendable {
    private let groupID = Mutex<pid_t?>(nil)

    func record(_ pid: pid_t) {
        groupID.withLock { $0 = pid }
    }

    /// SIGKILL to the group; a group with no process left answers ESRCH, which is the normal case.
    func killRemaining() {
        guard let pid = groupID.withLock({ $0 }), pid > 1 else { return }
        _ = kill(-pid, SIGKILL)
    }
}
