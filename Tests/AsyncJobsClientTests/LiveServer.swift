import AsyncJobs
import AsyncJobsClient
import AsyncJobsSOAP
import AsyncJobsSQLite
import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigV4

/// A real AsyncJobs server (SQLite store, local results, two workers) on 127.0.0.1 and a port the
/// kernel picks, with a ``FaultInjector`` in front of its router.
///
/// The router is built once the port is known, so every URL the server hands out (status URLs,
/// pre-signed links) names the port it really listens on.
struct LiveServer: Sendable {
    let directory: TemporaryDirectory
    let store: SQLiteJobStore
    let queue: JobQueue
    let baseURL: URL
    let credentials: TenantCredentials
    let faults: FaultInjector

    /// Runs `body` with a started server, and stops the server after it.
    static func run<Value: Sendable>(
        resultURLTTL: Int = 300,
        tokenLifetime: Int = 3600,
        _ body: @Sendable (LiveServer) async throws -> Value
    ) async throws -> Value {
        let directory = try TemporaryDirectory()
        let store = try SQLiteJobStore(path: directory.path + "/asyncjobs.sqlite")
        let faults = FaultInjector()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let logger = {
            var logger = Logger(label: "client-tests.server")
            logger.logLevel = .error
            return logger
        }()
        let app = Application(
            responder: CallbackResponder { request, context in try await faults.respond(to: request, context: context) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "AsyncJobs"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        return try await withRunningServices([app]) {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw ServerDidNotStart() }
            let configuration = ServerConfiguration(host: "127.0.0.1", port: port, resultURLTTL: resultURLTTL, tokenLifetime: tokenLifetime)
            let signing = try await ServerSecrets.signingCredentials(store: store, accessKeyID: nil, secretAccessKey: nil)
            let results = try FileResultStore(
                root: URL(fileURLWithPath: directory.path + "/results"),
                signer: SigV4Signer(credentials: signing, region: "us-east-1"),
                publicURL: configuration.effectivePublicURL
            )
            let queue = JobQueue(store: store, results: results, registry: JobRegistry([DemoCSVJob.handler()]))
            let components = ServerComponents(
                queue: queue,
                tenants: store,
                tokens: try await ServerSecrets.tokenIssuer(store: store, lifetime: tokenLifetime),
                fileResults: results,
                soap: SOAPEndpoint(
                    queue: queue,
                    verifier: TokenPassportVerifier(store: store, sealer: try await ServerSecrets.passportSealer(store: store)),
                    resultURLTTL: resultURLTTL,
                    logger: logger
                )
            )
            faults.install(buildRoutes(configuration: configuration, components: components).buildResponder())
            let server = LiveServer(
                directory: directory,
                store: store,
                queue: queue,
                baseURL: configuration.effectivePublicURL,
                credentials: try await store.createTenant(named: "client-tests"),
                faults: faults
            )
            let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 2, pollInterval: .milliseconds(100)), logger: logger)
            return try await withRunningServices([pool]) { try await body(server) }
        }
    }

    /// A client of this server's tenant, with quick polling and retries so tests stay short.
    func client(
        polling: PollingPolicy = PollingPolicy(minimumInterval: .milliseconds(50), maximumInterval: .milliseconds(200), maximumDuration: .seconds(60)),
        download: DownloadPolicy = DownloadPolicy(retryDelay: .milliseconds(20), notFoundDelay: .milliseconds(20)),
        accept: String = "application/json"
    ) -> AsyncJobsClient {
        AsyncJobsClient(
            configuration: .init(
                serverURL: baseURL,
                credentials: .init(apiKey: credentials.apiKey, clientID: credentials.clientId, clientSecret: credentials.clientSecret),
                accept: accept,
                polling: polling,
                download: download
            )
        )
    }

    /// Submits a `demo.csv` job of `rows` rows and waits until it has completed.
    func completedDemoJob(_ client: AsyncJobsClient, rows: Int) async throws -> JobStatus {
        let job = try await client.submit(type: "demo.csv", parameters: ["rows": rows])
        return try await client.waitForCompletion(job.statusURL)
    }

    /// The test tenant's id.
    func tenantID() async throws -> TenantID {
        guard let client = try await store.client(id: credentials.clientId) else { throw ServerDidNotStart() }
        return client.tenantID
    }

    /// New token-passport credentials for the test tenant, as `asyncjobs tba create` makes them.
    func passportCredentials() async throws -> PassportCredentials {
        guard let tenant = try await store.tenant(named: "client-tests") else { throw ServerDidNotStart() }
        let (credentials, token) = try PassportCredentials.generate(for: tenant, sealer: try await ServerSecrets.passportSealer(store: store))
        try await store.createPassportToken(token)
        return credentials
    }

    /// A fresh directory for downloads.
    func downloadDirectory() throws -> URL {
        let url = URL(fileURLWithPath: directory.path).appendingPathComponent("downloads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The server could not be set up.
struct ServerDidNotStart: Error {}

/// The bytes a `demo.csv` job of `rows` rows produces.
func expectedCSV(rows: Int) -> Data {
    Data((DemoCSVJob.header + (0..<rows).map(DemoCSVJob.line).joined()).utf8)
}

/// The files in a directory, sorted.
func files(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}
