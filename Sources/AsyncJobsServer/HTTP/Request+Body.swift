import Foundation
import HTTPTypes
public import Hummingbird
public import NIOCore

extension Request {
    /// The whole body, at most `limit` bytes, arriving within `timeout`: a client that trickles its body
    /// (or stops sending it) gets `408 body-timeout` instead of holding a connection and a task forever.
    public func collectBody(upTo limit: Int, within timeout: Duration) async throws -> ByteBuffer {
        let body = self.body
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let buffer = try await group.next() ?? nil else {
                throw Problem(
                    .requestTimeout,
                    code: "body-timeout",
                    title: "Request body too slow",
                    detail: "the request body did not arrive within \(timeout.components.seconds) s",
                    headers: [.connection: "close"]
                )
            }
            return buffer
        }
    }
}
