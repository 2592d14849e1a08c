/// An error in a command-job configuration file, found when the file is loaded.
public struct CommandJobError: Error, Sendable, CustomStringConvertible {
    /// A stable, extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The file cannot be read or is not valid YAML of the expected shape.
        public static let unreadableFile = Code("unreadable_file")
        /// A job type is declared wrongly (unknown placeholder, bad pattern, missing executable…).
        public static let invalidDeclaration = Code("invalid_declaration")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A message naming the file, the job type and the setting concerned.
    public var message: String
    /// The error that caused this one.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        underlying.map { "\(message): \($0)" } ?? message
    }
}
