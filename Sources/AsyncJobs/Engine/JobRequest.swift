/// One job of a batch given to ``JobQueue/submit(tenant:_:now:)``: what a client sends, before
/// validation.
public struct JobRequest: Sendable {
    /// The handler type.
    public var type: String
    /// The parameters as sent; validated by the type's handler.
    public var parameters: JobParameters
    /// The client's idempotency key, if any.
    public var idempotencyKey: String?

    /// Creates a request.
    /// - Parameters:
    ///   - type: The handler type.
    ///   - parameters: The parameters as sent.
    ///   - idempotencyKey: The client's idempotency key, if any.
    public init(type: String, parameters: JobParameters = [:], idempotencyKey: String? = nil) {
        self.type = type
        self.parameters = parameters
        self.idempotencyKey = idempotencyKey
    }
}
