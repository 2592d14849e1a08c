/// The job types a node knows, by name.
public struct JobRegistry: Sendable {
    private var handlers: [String: JobHandler] = [:]

    /// Creates a registry with the given handlers.
    public init(_ handlers: [JobHandler] = []) {
        for handler in handlers { register(handler) }
    }

    /// Adds or replaces the handler for its type.
    public mutating func register(_ handler: JobHandler) {
        handlers[handler.type] = handler
    }

    /// The handler for `type`.
    public func handler(for type: String) -> JobHandler? {
        handlers[type]
    }

    /// All registered type names, sorted.
    public var types: [String] { handlers.keys.sorted() }
}
