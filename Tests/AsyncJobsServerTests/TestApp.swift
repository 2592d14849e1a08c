import AsyncJobs
import AsyncJobsSOAP
import AsyncJobsSQLite
import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SigV4
import Testing

/// A server over a fresh SQLite store and result directory, with helpers to authenticate.
struct TestApp {
    let directory: TemporaryDirectory
    let store: SQLiteJobStore
    let results: FileResultStore
    let queue: JobQueue
    let configuration: ServerConfiguration
    let components: ServerComponents

    /// The router test framework sends every request with authority `localhost`, so URLs handed out in
    /// router tests name that host; live tests pass their own.
    init(
        publicURL: String = "http://localhost",
        port: Int = 8080,
        resultURLTTL: Int = 300,
        rateLimit: (rate: Double, burst: Int)? = nil,
        maxUnfinishedJobsPerTenant: Int? = nil,
        statusCacheLifetime: Duration = .seconds(1),
        handlers: [JobHandler] = [DemoCSVJob.handler()]
    ) async throws {
        directory = try TemporaryDirectory()
        store = try SQLiteJobStore(path: directory.path + "/asyncjobs.sqlite")
        var configuration = ServerConfiguration(host: "127.0.0.1", port: port, publicURL: URL(string: publicURL), resultURLTTL: resultURLTTL)
        if let rateLimit {
            configuration.rateLimit = rateLimit.rate
            configuration.rateBurst = rateLimit.burst
        }
        configuration.maxUnfinishedJobsPerTenant = maxUnfinishedJobsPerTenant
        configuration.finishedStatusCacheLifetime = statusCacheLifetime
        self.configuration = configuration
        let credentials = try await ServerSecrets.signingCredentials(store: store, accessKeyID: nil, secretAccessKey: nil)
        results = try FileResultStore(
            root: URL(fileURLWithPath: directory.path + "/results"),
            signer: SigV4Signer(credentials: credentials, region: "us-east-1"),
            publicURL: configuration.effectivePublicURL
        )
        queue = JobQueue(store: store, results: results, registry: JobRegistry(handlers))
        components = ServerComponents(
            queue: queue,
            tenants: store,
            tokens: try await ServerSecrets.tokenIssuer(store: store, lifetime: 3600),
            fileResults: results,
            soap: SOAPEndpoint(
                queue: queue,
                verifier: TokenPassportVerifier(store: store, sealer: try await ServerSecrets.passportSealer(store: store)),
                resultURLTTL: resultURLTTL,
                logger: Logger(label: "test.soap")
            )
        )
    }

    /// Token-passport credentials for an existing tenant, as `asyncjobs tba create` makes them.
    func passportCredentials(for name: String) async throws -> PassportCredentials {
        let tenant = try #require(try await store.tenant(named: name))
        let (credentials, token) = try PassportCredentials.generate(for: tenant, sealer: try await ServerSecrets.passportSealer(store: store))
        try await store.createPassportToken(token)
        return credentials
    }

    /// The application; with `workers` it runs a worker pool that wakes on submission.
    func application(workers: Bool = true) -> some ApplicationProtocol {
        let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 2, pollInterval: .milliseconds(200)))
        return buildApplication(configuration: configuration, components: components, services: workers ? [pool] : [])
    }

    /// Creates a tenant and returns the headers that authenticate as it.
    func tenant(_ name: String) async throws -> HTTPFields {
        let credentials = try await store.createTenant(named: name)
        let client = try #require(try await store.client(id: credentials.clientId))
        let token = components.tokens.issue(tenant: client.tenantID, client: credentials.clientId)
        return [
            HTTPField.Name("X-API-Key")!: credentials.apiKey,
            .authorization: "Bearer \(token)",
        ]
    }
}

extension TestClientProtocol {
    /// Sends a request, with a JSON body if given.
    func send(_ uri: String, _ method: HTTPRequest.Method = .get, headers: HTTPFields = [:], json: String? = nil) async throws -> TestResponse {
        var headers = headers
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await executeRequest(
            uri: uri,
            method: method,
            headers: headers,
            body: json.map { ByteBuffer(string: $0) }
        )
    }

    /// Submits a demo.csv job and returns its id.
    func submitDemo(_ headers: HTTPFields, parameters: String = #"{"rows": 20}"#) async throws -> String {
        let response = try await send("/v1/jobs", .post, headers: headers, json: #"{"type": "demo.csv", "parameters": \#(parameters)}"#)
        #expect(response.status == .accepted, "submit answered \(response.status): \(String(buffer: response.body))")
        return try response.json()["jobId"] as? String ?? ""
    }

    /// Polls the status route until it reports `status`.
    func waitForStatus(_ id: String, _ status: String, headers: HTTPFields) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        try await eventually("job \(id) to be \(status)") {
            last = try await send("/v1/jobs/\(id)/status", headers: headers).json()
            return last["status"] as? String == status
        }
        return last
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}

extension TestResponse {
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}
