import AsyncJobs
package import Hummingbird
package import HummingbirdCore

extension ServerConfiguration {
    /// The HTTP/1 server `asyncjobs serve` runs: idle connections are closed after ``idleTimeout``.
    package var httpServer: HTTPServerBuilder {
        .http1(configuration: .init(idleTimeout: .nanoseconds(idleTimeout.nanoseconds)))
    }

    /// Where the server listens and the name it gives in the `Server` header.
    package var applicationConfiguration: ApplicationConfiguration {
        .init(address: .hostname(host, port: port), serverName: "AsyncJobs")
    }
}
