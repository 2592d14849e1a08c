public import Foundation

/// How the HTTP server listens and what it hands out.
public struct ServerConfiguration: Sendable {
    /// The address to bind.
    public var host: String
    /// The port to bind; 0 picks a free one.
    public var port: Int
    /// The base of every URL handed to clients; defaults to `http://host:port`.
    public var publicURL: URL?
    /// Seconds a `resultUrl` stays valid (the seed's 300 by default).
    public var resultURLTTL: Int
    /// Seconds an OAuth access token stays valid.
    public var tokenLifetime: Int
    /// API requests a second each tenant may sustain on this node; `nil` for no limit.
    public var rateLimit: Double?
    /// API requests a tenant may make at once after a quiet spell.
    public var rateBurst: Int = 200
    /// The longest a request body may take to arrive; a slower one gets 408.
    public var bodyTimeout: Duration = .seconds(30)
    /// How long a connection may stay idle before the server closes it.
    public var idleTimeout: Duration = .seconds(75)
    /// The most requests this node handles at once; past it a request gets `503 overloaded`.
    /// `nil` for no limit.
    public var maxConcurrentRequests: Int? = 1000
    /// The most queued or running jobs one tenant may have; past it a submission gets
    /// `429 too-many-queued-jobs`. `nil` for no limit.
    public var maxUnfinishedJobsPerTenant: Int? = 10_000
    /// How long the status route answers for a finished job from memory before reading the store
    /// again. A poll in the same second as the previous one gets the same bytes; a deletion made on
    /// another node, or a result expired by retention, shows within this time. `.zero` reads the
    /// store on every poll.
    public var finishedStatusCacheLifetime: Duration = .seconds(1)

    /// Creates a configuration; every argument has a default.
    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: URL? = nil, resultURLTTL: Int = 300, tokenLifetime: Int = 3600) {
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.resultURLTTL = resultURLTTL
        self.tokenLifetime = tokenLifetime
    }

    /// The public base URL in effect.
    public var effectivePublicURL: URL {
        if let publicURL { return publicURL }
        let visibleHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return URL(string: "http://\(visibleHost.contains(":") ? "[\(visibleHost)]" : visibleHost):\(port)")!
    }
}
