public import AsyncJobs
public import Foundation
import Yams

/// A YAML file declaring command jobs, as `asyncjobs serve --config FILE` reads it.
///
/// ```yaml
/// jobs:
///   - type: file.gzip
///     summary: Compress a file from /srv/files with gzip
///     executable: /usr/bin/gzip            # absolute path; never run through a shell
///     arguments: ["-c", "-{level}", "--", "{file}"]
///     workingDirectory: /srv/files         # default: a fresh scratch directory per attempt
///     environment: {LC_ALL: C}
///     timeoutSeconds: 600                  # default 3600
///     maxAttempts: 2                       # default 3
///     concurrency: 2                       # jobs of this type at once per node; default: no own limit
///     cancelGraceSeconds: 5                # SIGTERM, then SIGKILL after this; default 5
///     retryableExitCodes: [75]             # other non-zero statuses fail at once; default [75]
///     parameters:
///       - {name: file, type: string, required: true, pattern: "[A-Za-z0-9._-]+"}
///       - {name: level, type: integer, default: 6, minimum: 1, maximum: 9}
///     result:
///       from: stdout                       # or: file (then `path`, relative to the working directory)
///       fileName: "{file}.gz"
///       contentType: application/gzip
/// ```
public struct CommandJobsFile: Sendable {
    /// The declared job types, in file order.
    public var jobs: [CommandJob]

    /// Reads and checks a file; throws ``CommandJobError`` naming what is wrong.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CommandJobError(.unreadableFile, "cannot read \(url.path)", underlying: error)
        }
        try self.init(yaml: text, source: url.path)
    }

    /// Parses and checks YAML text; `source` names it in errors.
    public init(yaml: String, source: String = "configuration") throws {
        let root: Root
        do {
            root = try YAMLDecoder().decode(Root.self, from: yaml)
        } catch {
            throw CommandJobError(.unreadableFile, "\(source) is not a valid command-jobs file", underlying: error)
        }
        var seen = Set<String>()
        jobs = try root.jobs.map { entry in
            let job = try entry.commandJob()
            try job.check()
            guard seen.insert(job.type).inserted else {
                throw CommandJobError(.invalidDeclaration, "\(source): job type '\(job.type)' is declared twice")
            }
            return job
        }
    }

    /// The handlers of the declared types.
    public var handlers: [JobHandler] { jobs.map(\.handler) }

    struct Root: Decodable {
        var jobs: [Entry]
    }

    struct ResultEntry: Decodable {
        var from: CommandJob.ResultSource?
        var path: String?
        var fileName: String?
        var contentType: String?
    }

    struct Entry: Decodable {
        var type: String
        var summary: String?
        var executable: String
        var arguments: [String]?
        var parameters: [JobParameter]?
        var environment: [String: String]?
        var workingDirectory: String?
        var timeoutSeconds: Int?
        var maxAttempts: Int?
        var concurrency: Int?
        var cancelGraceSeconds: Int?
        var retryableExitCodes: [Int32]?
        var result: ResultEntry?

        func commandJob() throws -> CommandJob {
            func template(_ text: String) throws -> ArgumentTemplate {
                do { return try ArgumentTemplate(text) } catch let error as CommandJobError {
                    throw CommandJobError(.invalidDeclaration, "job type '\(type)': \(error.message)")
                }
            }
            let result = self.result ?? ResultEntry()
            return CommandJob(
                type: type,
                summary: summary,
                executable: executable,
                arguments: try (arguments ?? []).map(template),
                parameters: JobParameterSchema(parameters ?? []),
                environment: environment ?? [:],
                workingDirectory: workingDirectory,
                options: JobTypeOptions(
                    maxAttempts: maxAttempts ?? 3,
                    timeout: .seconds(max(1, timeoutSeconds ?? 3600)),
                    concurrencyLimit: concurrency
                ),
                cancelGracePeriod: .seconds(max(0, cancelGraceSeconds ?? 5)),
                retryableExitCodes: Set(retryableExitCodes ?? [75]),
                resultSource: result.from ?? .stdout,
                resultPath: try result.path.map(template),
                resultFileName: try template(result.fileName ?? "\(type).out"),
                resultContentType: result.contentType ?? "application/octet-stream"
            )
        }
    }
}
