import ArgumentParser
import AsyncJobs
import AsyncJobsClient
import Foundation

/// `asyncjobs submit TYPE`: submits a job and prints its status URL.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job and print its status URL.",
        discussion: """
            Example: asyncjobs submit demo.csv --param rows=100000 --param durationMs=5000
            A --param value that reads as JSON (a number, true, false, null, a quoted string, an array or \
            an object) is sent as that JSON value, anything else as a string. The submission carries an \
            Idempotency-Key and is resent with it when the connection fails.
            \(ClientExitCode.helpText)
            """
    )

    @Argument(help: "The job type, e.g. demo.csv.")
    var type: String

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter as NAME=VALUE; repeatable.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(name: .customLong("json"), help: ArgumentHelp("The parameters as one JSON object; --param values are added to it.", valueName: "object"))
    var json: String?

    @Option(name: .customLong("idempotency-key"), help: "The submission's Idempotency-Key; default a new UUID. Submitting again with the same key returns the same job.")
    var idempotencyKey: String?

    @Flag(name: .customLong("json-output"), help: "Print {jobId, statusUrl, idempotencyKey, replayed} as JSON instead of the bare status URL.")
    var jsonOutput = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        _ = try jobParameters()
    }

    func jobParameters() throws -> JobParameters {
        var result: JobParameters = [:]
        if let json {
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else {
                throw ValidationError("--json must be a JSON object, e.g. '{\"rows\": 1000}'")
            }
            result = object
        }
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                throw ValidationError("--param takes NAME=VALUE, not '\(parameter)'")
            }
            let raw = String(parameter[parameter.index(after: equals)...])
            let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(raw.utf8))) ?? .string(raw)
            result[String(parameter[..<equals])] = value
        }
        return result
    }

    func run() async throws {
        try await runClientCommand {
            let job = try await client.client().submit(type: type, parameters: try jobParameters(), idempotencyKey: idempotencyKey)
            guard jsonOutput else {
                print(job.statusURL.absoluteString)
                return
            }
            struct Output: Encodable {
                var jobId: String
                var statusUrl: String
                var idempotencyKey: String
                var replayed: Bool
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let output = Output(jobId: job.jobID, statusUrl: job.statusURL.absoluteString, idempotencyKey: job.idempotencyKey, replayed: job.replayed)
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        }
    }
}
