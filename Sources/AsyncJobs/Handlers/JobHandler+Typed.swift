extension JobHandler {
    /// A handler whose parameters arrive decoded into your own `Decodable` type.
    ///
    /// Decoding runs before the job is accepted too: a missing or mistyped field is a 422 naming
    /// it, not a failed job. Declare `parameters` as well to list the type's schema in
    /// `GET /v1/job-types` and to check ranges, enumerations and patterns.
    ///
    /// ```swift
    /// struct ReportParameters: Decodable, Sendable { var region: String; var limit: Int }
    ///
    /// let report = JobHandler(type: "sales.report", decoding: ReportParameters.self) { parameters, context in
    ///     try await context.writeResult(fileName: "\(parameters.region).csv", contentType: "text/csv") { writer in
    ///         try await writer.write("region,total\n")
    ///     }
    ///     return .success
    /// }
    /// ```
    /// - Parameters:
    ///   - type: The type name clients submit.
    ///   - summary: What the type does, for the job-type listing.
    ///   - options: Retries, timeout, backoff and concurrency.
    ///   - parameters: The declared parameters, checked before decoding.
    ///   - decoding: The type the parameters decode into.
    ///   - run: The work, given the decoded parameters.
    public init<Parameters: Decodable & Sendable>(
        type: String,
        summary: String? = nil,
        options: JobTypeOptions = JobTypeOptions(),
        parameters: JobParameterSchema? = nil,
        decoding: Parameters.Type,
        run: @escaping @Sendable (Parameters, JobContext) async throws -> JobOutcome
    ) {
        self.init(
            type: type,
            summary: summary,
            options: options,
            parameters: parameters,
            validate: { submitted in
                _ = try submitted.decode(Parameters.self)
                return submitted
            },
            run: { context in
                try await run(try context.parameters.decode(Parameters.self), context)
            }
        )
    }
}
