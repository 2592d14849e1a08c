import ArgumentParser
import AsyncJobsClient
import Foundation

/// `asyncjobs job-types`: what the server accepts, with each type's parameters.
struct JobTypesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job-types",
        abstract: "List the job types the server accepts and their parameters.",
        discussion: ClientExitCode.helpText
    )

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await runClientCommand {
            for type in try await client.client().jobTypes() {
                print(Self.describe(type))
            }
        }
    }

    /// A type and its parameters, one per line:
    /// `file.gzip — Compress a file (max 1 attempt, timeout 120 s, 2 at once)` then
    /// `  level  integer  optional  default 6  1…9  gzip compression level`.
    static func describe(_ type: JobTypeDescription) -> String {
        var limits = ["max \(type.maxAttempts) attempt\(type.maxAttempts == 1 ? "" : "s")", "timeout \(type.timeoutSeconds) s"]
        if let limit = type.concurrencyLimit { limits.append("\(limit) at once") }
        var lines = ["\(type.type)\(type.summary.map { " — \($0)" } ?? "") (\(limits.joined(separator: ", ")))"]
        let names = type.parameters.properties.keys.sorted()
        let width = names.map(\.count).max() ?? 0
        for name in names {
            guard let parameter = type.parameters.properties[name] else { continue }
            var parts = [name.padding(toLength: width, withPad: " ", startingAt: 0), parameter.type ?? "any"]
            parts.append(type.parameters.required.contains(name) ? "required" : "optional")
            if let value = parameter.defaultValue { parts.append("default \(value)") }
            switch (parameter.minimum, parameter.maximum) {
            case (let low?, let high?): parts.append("\(number(low))…\(number(high))")
            case (let low?, nil): parts.append("≥ \(number(low))")
            case (nil, let high?): parts.append("≤ \(number(high))")
            default: break
            }
            if !parameter.allowedValues.isEmpty { parts.append("one of \(parameter.allowedValues.joined(separator: ", "))") }
            if let pattern = parameter.pattern { parts.append("pattern \(pattern)") }
            if let description = parameter.description { parts.append(description) }
            lines.append("  " + parts.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 9.0e15 ? String(Int(value)) : String(value)
    }
}
