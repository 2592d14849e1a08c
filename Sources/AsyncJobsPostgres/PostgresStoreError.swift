/// A problem with the PostgreSQL store's configuration or schema.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The store URL cannot be used.
        public static let invalidURL = Code(rawValue: "invalid_url")
        /// The database has a schema version this build does not know: a newer node migrated it.
        public static let schemaTooNew = Code(rawValue: "schema_too_new")
        /// A pending migration must be applied with every node stopped (`asyncjobs migrate`).
        public static let nodesMustBeStopped = Code(rawValue: "nodes_must_be_stopped")
    }

    /// What kind of problem.
    public var code: Code
    /// A sentence for the operator.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
