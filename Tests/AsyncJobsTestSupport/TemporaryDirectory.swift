import Foundation

/// A directory under the system's temporary directory, removed when the value is deinitialised.
public final class TemporaryDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Creates a new empty directory.
    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("asyncjobs-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
