public import AsyncJobs
public import AsyncJobsSOAP
import Foundation
public import Hummingbird
public import Logging
public import ServiceLifecycle
public import SigV4

/// Everything the HTTP layer needs from the rest of the system.
public struct ServerComponents: Sendable {
    /// The job engine.
    public var queue: JobQueue
    /// Tenants and credentials.
    public var tenants: any TenantStore
    /// Verifies and issues bearer tokens.
    public var tokens: AccessTokenIssuer
    /// The local result store, whose download route this server serves; `nil` when results live elsewhere.
    public var fileResults: FileResultStore?
    /// The SOAP face; `nil` serves none.
    public var soap: SOAPEndpoint?

    /// Creates the components.
    public init(queue: JobQueue, tenants: any TenantStore, tokens: AccessTokenIssuer, fileResults: FileResultStore?, soap: SOAPEndpoint? = nil) {
        self.queue = queue
        self.tenants = tenants
        self.tokens = tokens
        self.fileResults = fileResults
        self.soap = soap
    }
}

/// Builds the router with every AsyncJobs route.
public func buildRouter(configuration: ServerConfiguration, components: ServerComponents) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    if let limit = configuration.maxConcurrentRequests {
        router.add(middleware: ConcurrencyLimiter(limit: limit))
    }
    TokenController(tenants: components.tenants, tokens: components.tokens, bodyTimeout: configuration.bodyTimeout).addRoutes(to: router)
    if let fileResults = components.fileResults {
        ResultsController(store: fileResults).addRoutes(to: router)
    }
    SystemController(tenants: components.tenants).addRoutes(to: router)
    if let soap = components.soap {
        SOAPController(endpoint: soap, serviceAddress: configuration.effectivePublicURL.appendingPathComponent("soap"), bodyTimeout: configuration.bodyTimeout)
            .addRoutes(to: router)
    }
    let api = router.group("v1")
        .add(middleware: MediaTypeNegotiator())
        .add(middleware: APIAuthenticator(tenants: components.tenants, tokens: components.tokens))
    if let rate = configuration.rateLimit, rate > 0 {
        api.add(middleware: RateLimiter(rate: rate, burst: configuration.rateBurst))
    }
    JobsController(
        queue: components.queue,
        links: PublicLinks(baseURL: configuration.effectivePublicURL),
        resultURLTTL: configuration.resultURLTTL,
        bodyTimeout: configuration.bodyTimeout,
        unfinishedJobLimit: configuration.maxUnfinishedJobsPerTenant,
        finishedStatusCacheLifetime: configuration.finishedStatusCacheLifetime
    ).addRoutes(to: api)
    JobTypesController(registry: components.queue.registry).addRoutes(to: api)
    return router
}

/// Builds the whole application: the routes plus the given background services (worker pool, reaper…),
/// which start with the server and stop, gracefully, with it.
///
/// ```swift
/// let app = buildApplication(configuration: .init(port: 8080), components: components, services: [pool, reaper])
/// try await app.runService()
/// ```
public func buildApplication(
    configuration: ServerConfiguration,
    components: ServerComponents,
    services: [any Service] = [],
    logger: Logger = Logger(label: "asyncjobs")
) -> some ApplicationProtocol {
    var application = Application(
        router: buildRouter(configuration: configuration, components: components),
        server: .http1(configuration: .init(idleTimeout: .nanoseconds(configuration.idleTimeout.nanoseconds))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "AsyncJobs"),
        logger: logger
    )
    application.addServices(services)
    return application
}

/// Resolves the signing secrets: configured values win; otherwise values generated once and kept in
/// the store's secret table, so every node sharing the store agrees on them.
public enum ServerSecrets {
    /// The SigV4 credentials that sign and verify download URLs.
    public static func signingCredentials(
        store: any TenantStore,
        accessKeyID: String?,
        secretAccessKey: String?
    ) async throws -> SigV4Credentials {
        let generatedID = "AKIA" + String((0..<16).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".randomElement()! })
        let keyID: String
        if let accessKeyID { keyID = accessKeyID } else { keyID = try await store.secret(named: "sigv4.access-key-id", orInsert: generatedID) }
        let secret: String
        if let secretAccessKey { secret = secretAccessKey } else { secret = try await store.secret(named: "sigv4.secret-access-key", orInsert: RandomToken.make(bytes: 30)) }
        return SigV4Credentials(accessKeyID: keyID, secretAccessKey: secret)
    }

    /// The key that seals token-passport HMAC keys, generated once and kept in the store.
    public static func passportSealer(store: any TenantStore) async throws -> PassportKeySealer {
        try PassportKeySealer(base64Key: try await store.secret(named: "soap.passport-sealing-key", orInsert: PassportKeySealer.generateKey()))
    }

    /// The issuer of bearer tokens, keyed by a secret kept in the store.
    public static func tokenIssuer(store: any TenantStore, lifetime: Int) async throws -> AccessTokenIssuer {
        AccessTokenIssuer(secret: try await store.secret(named: "oauth.token-key", orInsert: RandomToken.make(bytes: 32)), lifetime: lifetime)
    }
}
