public import AsyncJobs
public import AsyncJobsSOAP
public import Foundation
public import Logging
public import ServiceLifecycle
import SigV4

extension ServerComponents {
    /// The components of one node that keeps results in a local directory: the queue over `store`
    /// with your job types, download signing and token secrets generated once and kept in the store,
    /// and the SOAP face. This is what `asyncjobs serve` builds, for an application that embeds the
    /// engine.
    ///
    /// ```swift
    /// let store = try SQLiteJobStore(path: "data/asyncjobs.sqlite")
    /// let configuration = ServerConfiguration(port: 8080)
    /// let components = try await ServerComponents.local(
    ///     store: store,
    ///     registry: JobRegistry([MyReportJob.handler]),
    ///     resultsDirectory: URL(fileURLWithPath: "data/results"),
    ///     configuration: configuration
    /// )
    /// let app = buildApplication(configuration: configuration, components: components, services: components.workerServices())
    /// try await app.runService()
    /// ```
    ///
    /// - Parameters:
    ///   - store: Jobs, tenants and SOAP passports (`SQLiteJobStore`, `PostgresJobStore`).
    ///   - registry: The job types this node accepts and runs.
    ///   - resultsDirectory: Where result files are kept; the server's download route serves them.
    ///   - configuration: The public URL, result-link lifetime and token lifetime.
    ///   - soapTimestampWindow: How far a SOAP token passport's timestamp may be from the server's clock.
    ///   - logger: The SOAP face's logger.
    public static func local(
        store: any JobStore & TenantStore & PassportStore,
        registry: JobRegistry,
        resultsDirectory: URL,
        configuration: ServerConfiguration,
        soapTimestampWindow: Duration = .seconds(300),
        logger: Logger = Logger(label: "asyncjobs")
    ) async throws -> ServerComponents {
        let credentials = try await ServerSecrets.signingCredentials(store: store, accessKeyID: nil, secretAccessKey: nil)
        let results = try FileResultStore(
            root: resultsDirectory,
            signer: SigV4Signer(credentials: credentials, region: "us-east-1"),
            publicURL: configuration.effectivePublicURL
        )
        let queue = JobQueue(store: store, results: results, registry: registry)
        let verifier = TokenPassportVerifier(
            store: store,
            sealer: try await ServerSecrets.passportSealer(store: store),
            window: soapTimestampWindow
        )
        return ServerComponents(
            queue: queue,
            tenants: store,
            tokens: try await ServerSecrets.tokenIssuer(store: store, lifetime: configuration.tokenLifetime),
            fileResults: results,
            soap: SOAPEndpoint(queue: queue, verifier: verifier, resultURLTTL: configuration.resultURLTTL, logger: logger)
        )
    }

    /// The services that run this node's jobs: the worker pool, the lease reaper, the retention
    /// sweeper and, when the store is a `JobChangeFeed` (both stores are), the relay that wakes the
    /// workers as jobs are submitted (see `JobQueue.workerServices`). Give them to
    /// ``buildApplication(configuration:components:services:logger:)`` or add them to your own
    /// `ServiceGroup`.
    /// - Parameters:
    ///   - pool: Concurrency, lease, heartbeat and shutdown grace of the worker pool.
    ///   - retention: How long finished jobs stay readable; `nil` keeps them.
    ///   - logger: The services' logger.
    public func workerServices(
        pool: WorkerPoolConfiguration = WorkerPoolConfiguration(),
        retention: Duration? = .seconds(30 * 86_400),
        logger: Logger = Logger(label: "asyncjobs")
    ) -> [any Service] {
        queue.workerServices(
            pool: pool,
            retention: retention,
            changeFeed: queue.store as? any JobChangeFeed,
            passports: queue.store as? any PassportStore,
            logger: logger
        )
    }
}
