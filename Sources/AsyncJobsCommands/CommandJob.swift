public import AsyncJobs
public import Foundation

/// A job type that runs an existing program: the declaration of one entry of a command-jobs file.
///
/// The program is started directly (never through a shell) with an argv built from
/// ``arguments`` and the validated parameters, in its own process group, with standard input
/// from `/dev/null`. See ``CommandJobsFile`` for the file format.
public struct CommandJob: Sendable {
    /// Where the result file comes from.
    public enum ResultSource: String, Sendable, Codable {
        /// The program's standard output, streamed as it is written.
        case stdout
        /// A file the program writes, read after it exits with status 0.
        case file
    }

    /// The type name clients submit.
    public var type: String
    /// What the type does.
    public var summary: String?
    /// The absolute path of the program.
    public var executable: String
    /// The argv after the program name, one template per argument.
    public var arguments: [ArgumentTemplate]
    /// The declared parameters.
    public var parameters: JobParameterSchema
    /// Variables added to (or replacing those of) the server's environment.
    public var environment: [String: String]
    /// The directory the program starts in; `nil` for a fresh scratch directory per attempt.
    public var workingDirectory: String?
    /// Retries, timeout and concurrency.
    public var options: JobTypeOptions
    /// How long the process group has between SIGTERM and SIGKILL when a job is cancelled, times
    /// out or the server shuts down.
    public var cancelGracePeriod: Duration
    /// The exit statuses after which another attempt may succeed; any other non-zero status fails the job at once.
    public var retryableExitCodes: Set<Int32>
    /// Where the result comes from.
    public var resultSource: ResultSource
    /// For ``ResultSource/file``: the file's path, relative to the working directory, with placeholders.
    public var resultPath: ArgumentTemplate?
    /// The name the client should save the result under, with placeholders.
    public var resultFileName: ArgumentTemplate
    /// The result's media type.
    public var resultContentType: String

    /// Creates a declaration; ``CommandJobsFile`` builds these from a configuration file.
    public init(
        type: String,
        summary: String? = nil,
        executable: String,
        arguments: [ArgumentTemplate],
        parameters: JobParameterSchema = JobParameterSchema(),
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        options: JobTypeOptions = JobTypeOptions(),
        cancelGracePeriod: Duration = .seconds(5),
        retryableExitCodes: Set<Int32> = [75],
        resultSource: ResultSource = .stdout,
        resultPath: ArgumentTemplate? = nil,
        resultFileName: ArgumentTemplate,
        resultContentType: String = "application/octet-stream"
    ) {
        self.type = type
        self.summary = summary
        self.executable = executable
        self.arguments = arguments
        self.parameters = parameters
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.options = options
        self.cancelGracePeriod = cancelGracePeriod
        self.retryableExitCodes = retryableExitCodes
        self.resultSource = resultSource
        self.resultPath = resultPath
        self.resultFileName = resultFileName
        self.resultContentType = resultContentType
    }

    /// Checks that every placeholder names a declared parameter (or `scratch`) and that the
    /// declaration is complete; throws ``CommandJobError/Code/invalidDeclaration``.
    public func check() throws {
        func fail(_ message: String) -> CommandJobError {
            CommandJobError(.invalidDeclaration, "job type '\(type)': \(message)")
        }
        guard !type.isEmpty, type.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            throw fail("the type name may hold only letters, digits, '.', '_' and '-'")
        }
        guard executable.hasPrefix("/") else { throw fail("executable '\(executable)' must be an absolute path") }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw fail("executable '\(executable)' does not exist or cannot be run")
        }
        var templates = arguments + [resultFileName]
        if let resultPath { templates.append(resultPath) }
        for template in templates {
            for name in template.placeholders where name != ArgumentTemplate.scratchPlaceholder {
                guard parameters.parameter(named: name) != nil else {
                    throw fail("'\(template.text)' names '{\(name)}', which is not a declared parameter")
                }
            }
        }
        if resultSource == .file, resultPath == nil { throw fail("a result from a file needs result.path") }
        var names = Set<String>()
        for parameter in parameters.parameters {
            guard names.insert(parameter.name).inserted else { throw fail("parameter '\(parameter.name)' is declared twice") }
            guard parameter.name != ArgumentTemplate.scratchPlaceholder else { throw fail("'scratch' is reserved") }
            if let pattern = parameter.pattern {
                do { _ = try Regex(pattern) } catch { throw fail("the pattern of '\(parameter.name)' does not compile: \(error)") }
            }
            if let value = parameter.defaultValue {
                do { _ = try parameter.validate(value) } catch let error as JobError {
                    throw fail("the default of '\(parameter.name)' is invalid: \(error.message)")
                }
            }
        }
    }
}
