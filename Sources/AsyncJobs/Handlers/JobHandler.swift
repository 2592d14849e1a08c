/// A job type: how to validate its parameters and how to run it.
///
/// ```swift
/// let handler = JobHandler(type: "report.daily", options: .init(maxAttempts: 5)) { context in
///     try await context.writeResult(fileName: "report.csv", contentType: "text/csv") { writer in
///         try await writer.write("day,total\n")
///     }
///     return .success
/// }
/// ```
public struct JobHandler: Sendable {
    /// The type name clients submit, e.g. `demo.csv`.
    public var type: String
    /// One line saying what the type does, for the job-type listing.
    public var summary: String?
    /// Retries, timeout, backoff and concurrency for this type.
    public var options: JobTypeOptions
    /// The declared parameters, listed by `GET /v1/job-types`; `nil` when the type declares none
    /// (its `validate` alone decides).
    public var parameterSchema: JobParameterSchema?
    /// Checks and normalises parameters before the job is accepted; throw
    /// ``JobError/Code/invalidParameters`` naming the field to refuse them. With a schema, this runs
    /// after the schema's checks, on the parameters with defaults filled in.
    public var validate: @Sendable (JobParameters) throws -> JobParameters
    /// Does the work.
    public var run: @Sendable (JobContext) async throws -> JobOutcome

    /// Creates a handler.
    /// - Parameters:
    ///   - type: The type name clients submit.
    ///   - summary: What the type does, for the job-type listing.
    ///   - options: Retries, timeout, backoff and concurrency.
    ///   - parameters: The declared parameters; submissions are checked against them before the 202.
    ///   - validate: Further validation, run before the job is accepted. Defaults to accepting anything.
    ///   - run: The work.
    public init(
        type: String,
        summary: String? = nil,
        options: JobTypeOptions = JobTypeOptions(),
        parameters: JobParameterSchema? = nil,
        validate: @escaping @Sendable (JobParameters) throws -> JobParameters = { $0 },
        run: @escaping @Sendable (JobContext) async throws -> JobOutcome
    ) {
        self.type = type
        self.summary = summary
        self.options = options
        self.parameterSchema = parameters
        if let parameters {
            self.validate = { try validate(try parameters.validate($0)) }
        } else {
            self.validate = validate
        }
        self.run = run
    }
}

/// Per-type limits.
public struct JobTypeOptions: Sendable {
    /// How many times a job may start before a failure is final.
    public var maxAttempts: Int
    /// How long one attempt may run before it is stopped and counted as failed.
    public var timeout: Duration
    /// The delays between attempts.
    public var backoff: RetryBackoff
    /// How many jobs of this type one node runs at once, within the pool's own limit; `nil` for no
    /// limit of its own.
    public var concurrencyLimit: Int?

    /// Creates options; every argument has a production default.
    public init(
        maxAttempts: Int = 3,
        timeout: Duration = .seconds(3600),
        backoff: RetryBackoff = RetryBackoff(),
        concurrencyLimit: Int? = nil
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.timeout = timeout
        self.backoff = backoff
        self.concurrencyLimit = concurrencyLimit.map { max(1, $0) }
    }
}

/// Exponential backoff with jitter between attempts.
public struct RetryBackoff: Sendable {
    /// The delay after the first failed attempt, before jitter.
    public var initial: Duration
    /// The cap on any delay.
    public var maximum: Duration

    /// Creates a backoff policy.
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(300)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay after `attempt` (1-based) failed: `initial · 2^(attempt-1)`, capped, then a random
    /// point in its upper half so that jobs that failed together do not retry together.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let base = min(initial * (1 << exponent), maximum)
        let fraction = Double.random(in: 0.5...1.0)
        return base * fraction
    }
}

/// What a handler returns when it finishes without throwing.
public struct JobOutcome: Sendable, Hashable {
    /// Items the handler could not process although the job as a whole succeeded.
    public var itemErrors: Int

    /// Creates an outcome.
    public init(itemErrors: Int = 0) {
        self.itemErrors = itemErrors
    }

    /// Everything succeeded.
    public static let success = JobOutcome()
}

/// Throw from a handler to fail the attempt with a chosen code and say whether retrying can help.
public struct JobAttemptError: Error, Sendable, CustomStringConvertible {
    /// A stable code, stored on the job.
    public var code: String
    /// A message for the client.
    public var message: String
    /// Whether another attempt could succeed.
    public var isRetryable: Bool

    /// Creates an attempt error.
    public init(code: String, message: String, isRetryable: Bool) {
        self.code = code
        self.message = message
        self.isRetryable = isRetryable
    }

    public var description: String { "\(code): \(message)" }
}
