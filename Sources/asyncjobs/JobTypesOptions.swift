import ArgumentParser
import AsyncJobs
import AsyncJobsCommands
import Foundation

/// Which job types this node knows: the built-in sample plus the command jobs of `--config`.
struct JobTypesOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: "A YAML file declaring command jobs (see README, 'Command jobs') (ASYNCJOBS_CONFIG)."
    )
    var configOption: String?

    var configPath: String? { configOption ?? Environment.string("ASYNCJOBS_CONFIG") }

    /// The registry: `demo.csv` and every declared command job. A declared type may not reuse a
    /// built-in name.
    func registry() throws -> JobRegistry {
        var registry = StandardJobs.registry
        guard let configPath else { return registry }
        let file: CommandJobsFile
        do {
            file = try CommandJobsFile(contentsOf: URL(fileURLWithPath: configPath))
        } catch let error as CommandJobError {
            throw ValidationError("--config: \(error)")
        }
        for handler in file.handlers {
            guard registry.handler(for: handler.type) == nil else {
                throw ValidationError("--config: job type '\(handler.type)' is built in; choose another name")
            }
            registry.register(handler)
        }
        return registry
    }
}
