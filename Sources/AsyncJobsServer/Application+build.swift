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

/// Builds every AsyncJobs route, with the shortcut that answers status polls without the router's
/// path lookup. Pass the result to `Application(router:)`; add routes of your own to its `router`.
public func buildRoutes(configuration: ServerConfiguration, components: ServerComponents) -> AsyncJobsRoutes {
    let router = Router(context: AppRequestContext.self)
    // Each list is added in order to the router (or the /v1 group) and, for the status poll's
    // shortcut, chained the same way: one list, so the two cannot drift apart.
    var rootMiddlewares: [any MiddlewareProtocol<Request, Response, AppRequestContext>] = [ProblemMiddleware()]
    if let limit = configuration.maxConcurrentRequests {
        rootMiddlewares.append(ConcurrencyLimiter(limit: limit))
    }
    var apiMiddlewares: [any MiddlewareProtocol<Request, Response, AppRequestContext>] = [
        MediaTypeNegotiator(),
        APIAuthenticator(tenants: components.tenants, tokens: components.tokens),
    ]
    if let rate = configuration.rateLimit, rate > 0 {
        apiMiddlewares.append(RateLimiter(rate: rate, burst: configuration.rateBurst))
    }
    for middleware in rootMiddlewares { router.add(middleware: middleware) }
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
    for middleware in apiMiddlewares { api.add(middleware: middleware) }
    let jobs = JobsController(
        queue: components.queue,
        links: PublicLinks(baseURL: configuration.effectivePublicURL),
        resultURLTTL: configuration.resultURLTTL,
        bodyTimeout: configuration.bodyTimeout,
        unfinishedJobLimit: configuration.maxUnfinishedJobsPerTenant,
        finishedStatusCacheLifetime: configuration.finishedStatusCacheLifetime
    )
    jobs.addRoutes(to: api)
    JobTypesController(registry: components.queue.registry).addRoutes(to: api)
    return AsyncJobsRoutes(
        router: router,
        statusPoll: MiddlewareChain(rootMiddlewares + apiMiddlewares, endpoint: CallbackResponder(callback: jobs.status))
    )
}

/// Builds the router with every AsyncJobs route. It serves status polls through its path lookup;
/// ``buildRoutes(configuration:components:)`` adds a shortcut for them.
public func buildRouter(configuration: ServerConfiguration, components: ServerComponents) -> Router<AppRequestContext> {
    buildRoutes(configuration: configuration, components: components).router
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
        router: buildRoutes(configuration: configuration, components: components),
        server: configuration.httpServer,
        configuration: configuration.applicationConfiguration,
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
