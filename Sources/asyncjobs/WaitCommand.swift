import ArgumentParser
import AsyncJobsClient
import Foundation

/// `asyncjobs wait URL`: polls a job to the end with a progress bar, then downloads its result.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for a job to finish, showing progress and ETA, then download its result.",
        discussion: """
            Polls the status URL (honouring Retry-After, backing off with jitter between --interval and \
            --max-interval), then downloads the result to --output, or to standard output. The download goes \
            to a temporary file that is renamed into place once its size and checksum are verified; it \
            resumes after a dropped connection and renews an expired link through the status URL. \
            Progress goes to standard error: a live bar on a terminal, plain lines otherwise.
            With no credentials given, they are read from ./.asyncjobs/dev-credentials.json (see --data-dir).
            \(ClientExitCode.helpText)
            """
    )

    @Option(name: [.short, .customLong("output")], help: "Write the result to this file (replaced once complete and verified); - or nothing: standard output.")
    var output: String?

    @Option(help: "Seconds between polls at least.")
    var interval: Double = 1

    @Option(name: .customLong("max-interval"), help: "Seconds between polls at most, when nothing changes (a longer Retry-After still wins).")
    var maxInterval: Double = 10

    @Option(help: "Give up (exit 4) after this many seconds of polling; 0 waits for ever.")
    var timeout: Double = 3600

    @OptionGroup var target: JobTarget

    func validate() throws {
        guard interval > 0, maxInterval >= interval else { throw ValidationError("--interval must be positive and at most --max-interval") }
        guard timeout >= 0 else { throw ValidationError("--timeout cannot be negative") }
    }

    func run() async throws {
        let display = ProgressDisplay()
        try await runClientCommand {
            do {
                try await waitAndDownload(display)
            } catch {
                display.finish()
                throw error
            }
        }
    }

    private func waitAndDownload(_ display: ProgressDisplay) async throws {
        let policy = PollingPolicy(
            minimumInterval: .seconds(interval),
            maximumInterval: .seconds(maxInterval),
            maximumDuration: timeout > 0 ? .seconds(timeout) : nil
        )
        let (client, statusURL) = try target.resolve(polling: policy)
        let status = try await client.waitForCompletion(statusURL) { display.show($0) }
        display.finish()
        guard let output, output != "-" else {
            try await downloadAndCopy(client, status, display, to: FileHandle.standardOutput, named: nil)
            return
        }
        if FileManager.default.fileExists(atPath: output), !Self.isRegularFile(output) {
            // A device or a pipe (e.g. /dev/null) is written to, never replaced.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            defer { try? handle.close() }
            try await downloadAndCopy(client, status, display, to: handle, named: output)
            return
        }
        let result = try await client.download(status, to: URL(fileURLWithPath: output)) { display.show($0) }
        display.finish()
        printError(Self.summary(result, savedAs: output))
    }

    /// Downloads to a private temporary file (so it can resume and be verified), then copies it out.
    private func downloadAndCopy(_ client: AsyncJobsClient, _ status: JobStatus, _ display: ProgressDisplay, to output: FileHandle, named name: String?) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("asyncjobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await client.download(status, to: directory.appendingPathComponent("result")) { display.show($0) }
        display.finish()
        let input = try FileHandle(forReadingFrom: result.file)
        defer { try? input.close() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            do {
                try output.write(contentsOf: chunk)
            } catch {
                // e.g. `asyncjobs wait URL | head`: the reader has gone.
                throw AsyncJobsClientError(.fileSystem, "cannot write the result to \(name ?? "standard output")", underlying: error)
            }
        }
        printError(Self.summary(result, savedAs: name))
    }

    static func isRegularFile(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
    }

    static func summary(_ result: DownloadedResult, savedAs path: String?) -> String {
        var text = "completed: \(path.map { "saved \($0)" } ?? "wrote the result to standard output"), \(result.size) bytes, sha256 \(result.sha256)"
        text += result.checksumVerifiedBy.map { ", verified against the \($0)" } ?? ", no checksum from the server to verify"
        if result.resumptions > 0 { text += ", resumed \(result.resumptions)×" }
        if result.linkRenewals > 0 { text += ", link renewed \(result.linkRenewals)×" }
        return text
    }
}
