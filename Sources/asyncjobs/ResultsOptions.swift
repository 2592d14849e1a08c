import ArgumentParser
import AsyncJobs
import AsyncJobsS3
import AsyncJobsServer
import Foundation
import Logging
import SigV4

/// Where result files go: shared by `serve` and `worker`.
struct ResultsOptions: ParsableArguments {
    @Option(
        name: .customLong("results"),
        help: ArgumentHelp(
            "Result store: file:DIR (default: file:DATA_DIR/results, downloaded through this server), or s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true] with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (ASYNCJOBS_RESULTS).",
            valueName: "url"
        )
    )
    var resultsOption: String?

    /// The result location in effect; `nil` for the default directory.
    var resultsURL: String? { resultsOption ?? Environment.string("ASYNCJOBS_RESULTS") }

    func validate() throws {
        _ = try location(dataDirectory: URL(fileURLWithPath: "/"))
    }

    /// What `--results` names.
    enum Location {
        case directory(URL)
        case s3(S3Configuration)
    }

    func location(dataDirectory: URL) throws -> Location {
        guard let text = resultsURL else { return .directory(dataDirectory.appendingPathComponent("results")) }
        if text.hasPrefix("file:") {
            let path = String(text.dropFirst("file:".count))
            guard !path.isEmpty else { throw ValidationError("--results file:DIR needs a directory") }
            return .directory(URL(fileURLWithPath: path).standardizedFileURL)
        }
        if text.hasPrefix("s3://") {
            do {
                return .s3(try S3Configuration(url: text, environment: ProcessInfo.processInfo.environment))
            } catch {
                throw ValidationError("--results: \(error.message)")
            }
        }
        throw ValidationError("--results must start with file: or s3://")
    }

    /// The opened result store; `files` is set when this process serves the downloads itself.
    struct Opened {
        var store: any ResultStore
        var files: FileResultStore?
        var description: String
    }

    /// Opens the result store; an S3 bucket is checked to be reachable so a typo fails at start, not at the first job.
    func open(dataDirectory: URL, signer: SigV4Signer, publicURL: URL, logger: Logger) async throws -> Opened {
        switch try location(dataDirectory: dataDirectory) {
        case .directory(let root):
            let files = try FileResultStore(root: root, signer: signer, publicURL: publicURL)
            return Opened(store: files, files: files, description: "file:\(root.path)")
        case .s3(let configuration):
            let store = S3ResultStore(configuration: configuration, logger: logger)
            do {
                try await store.client.checkBucket()
            } catch {
                throw ValidationError("--results: cannot reach the bucket \(configuration.redactedDescription): \(error)")
            }
            return Opened(store: store, files: nil, description: configuration.redactedDescription)
        }
    }
}
