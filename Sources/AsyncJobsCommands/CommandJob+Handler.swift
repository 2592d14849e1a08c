public import AsyncJobs

extension CommandJob {
    /// The handler that validates submissions against the declared parameters (and checks that the
    /// argv can be built from them) before the 202, and runs the program for each attempt.
    public var handler: JobHandler {
        let job = self
        return JobHandler(
            type: type,
            summary: summary,
            options: options,
            parameters: parameters,
            validate: { validated in
                _ = try job.argv(for: validated, scratch: "/")
                return validated
            },
            run: { context in
                try await CommandRunner(job: job).run(context)
            }
        )
    }

    /// The program's arguments (after its name) for validated parameters.
    public func argv(for parameters: JobParameters, scratch: String) throws -> [String] {
        try arguments.compactMap { try $0.render(parameters, scratch: scratch) }
    }
}
