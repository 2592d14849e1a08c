import ArgumentParser
import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsSOAP
import AsyncJobsServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `asyncjobs serve`: the REST API, the download route and a worker pool, on embedded storage.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the API server and its workers (by default SQLite and local files under --data-dir; --store postgres://… for many nodes)."
    )

    @Option(help: "Address to listen on (ASYNCJOBS_HOST).")
    var host: String = Environment.string("ASYNCJOBS_HOST", default: "127.0.0.1")

    @Option(help: "Port to listen on (ASYNCJOBS_PORT).")
    var port: Int = Environment.int("ASYNCJOBS_PORT", default: 8080)

    @Option(name: .customLong("public-url"), help: "Base of the URLs handed to clients, e.g. https://jobs.example.com (ASYNCJOBS_PUBLIC_URL); default http://HOST:PORT.")
    var publicURLOption: String?

    var publicURL: String? { publicURLOption ?? Environment.string("ASYNCJOBS_PUBLIC_URL") }

    @Option(name: .customLong("result-url-ttl"), help: "Seconds a resultUrl stays valid, 1–604800 (ASYNCJOBS_RESULT_URL_TTL).")
    var resultURLTTL: Int = Environment.int("ASYNCJOBS_RESULT_URL_TTL", default: 300)

    @Option(name: .customLong("token-ttl"), help: "Seconds an OAuth access token stays valid (ASYNCJOBS_TOKEN_TTL).")
    var tokenTTL: Int = Environment.int("ASYNCJOBS_TOKEN_TTL", default: 3600)

    @Option(name: .customLong("rate-limit"), help: "API requests a second each tenant may sustain on this node, bursts of twice that; 0 for no limit (ASYNCJOBS_RATE_LIMIT).")
    var rateLimit: Double = Environment.double("ASYNCJOBS_RATE_LIMIT", default: 100)

    @Option(name: .customLong("max-concurrent-requests"), help: "Requests this node handles at once; past that a request gets 503 with Retry-After; 0 for no limit (ASYNCJOBS_MAX_CONCURRENT_REQUESTS).")
    var maxConcurrentRequests: Int = Environment.int("ASYNCJOBS_MAX_CONCURRENT_REQUESTS", default: 1000)

    @Option(name: .customLong("max-queued-jobs"), help: "Queued or running jobs each tenant may have; past that a submission gets 429 with Retry-After; 0 for no limit (ASYNCJOBS_MAX_QUEUED_JOBS).")
    var maxQueuedJobs: Int = Environment.int("ASYNCJOBS_MAX_QUEUED_JOBS", default: 10_000)

    @Option(name: .customLong("status-cache-ttl"), help: "Seconds the status route answers for a finished job from memory before reading the store again; a deletion on another node shows within this time; 0 reads the store on every poll (ASYNCJOBS_STATUS_CACHE_TTL).")
    var statusCacheTTL: Int = Environment.int("ASYNCJOBS_STATUS_CACHE_TTL", default: 1)

    @Option(name: .customLong("body-timeout"), help: "Seconds a request body may take to arrive before the request gets 408 (ASYNCJOBS_BODY_TIMEOUT).")
    var bodyTimeout: Int = Environment.int("ASYNCJOBS_BODY_TIMEOUT", default: 30)

    @Option(name: .customLong("soap-timestamp-window"), help: "Seconds a SOAP tokenPassport timestamp may differ from the server's clock (ASYNCJOBS_SOAP_TIMESTAMP_WINDOW).")
    var soapTimestampWindow: Int = Environment.int("ASYNCJOBS_SOAP_TIMESTAMP_WINDOW", default: 300)

    @OptionGroup var store: StoreOptions
    @OptionGroup var results: ResultsOptions
    @OptionGroup var workers: WorkerOptions
    @OptionGroup var jobTypes: JobTypesOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
        guard (1...604_800).contains(resultURLTTL) else { throw ValidationError("--result-url-ttl must be 1–604800 seconds") }
        guard (60...86_400).contains(tokenTTL) else { throw ValidationError("--token-ttl must be 60–86400 seconds") }
        guard (1...3600).contains(bodyTimeout) else { throw ValidationError("--body-timeout must be 1–3600 seconds") }
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit cannot be negative") }
        guard maxConcurrentRequests >= 0 else { throw ValidationError("--max-concurrent-requests cannot be negative") }
        guard maxQueuedJobs >= 0 else { throw ValidationError("--max-queued-jobs cannot be negative") }
        guard (0...60).contains(statusCacheTTL) else { throw ValidationError("--status-cache-ttl must be 0–60 seconds") }
        guard (10...3600).contains(soapTimestampWindow) else { throw ValidationError("--soap-timestamp-window must be 10–3600 seconds") }
        if let publicURL {
            guard let url = URL(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--public-url must be an absolute http(s) URL")
            }
        }
    }

    func run() async throws {
        let logger = try log.bootstrap()
        let registry = try jobTypes.registry()
        try await store.withStore(logger: logger) { opened in
            var configuration = ServerConfiguration(host: host, port: port, resultURLTTL: resultURLTTL, tokenLifetime: tokenTTL)
            configuration.publicURL = publicURL.flatMap(URL.init(string:))
            configuration.bodyTimeout = .seconds(bodyTimeout)
            configuration.maxConcurrentRequests = maxConcurrentRequests > 0 ? maxConcurrentRequests : nil
            configuration.maxUnfinishedJobsPerTenant = maxQueuedJobs > 0 ? maxQueuedJobs : nil
            configuration.finishedStatusCacheLifetime = .seconds(statusCacheTTL)
            if rateLimit > 0 {
                configuration.rateLimit = rateLimit
                configuration.rateBurst = max(1, Int(rateLimit * 2))
            }
            let signer = try await signing.signer(store: opened.store)
            let resultStore = try await results.open(
                dataDirectory: store.dataDirectoryURL,
                signer: signer,
                publicURL: configuration.effectivePublicURL,
                logger: logger
            )
            let queue = JobQueue(store: opened.store, results: resultStore.store, registry: registry)
            let verifier = TokenPassportVerifier(
                store: opened.store,
                sealer: try await ServerSecrets.passportSealer(store: opened.store),
                window: .seconds(soapTimestampWindow)
            )
            let components = ServerComponents(
                queue: queue,
                tenants: opened.store,
                tokens: try await ServerSecrets.tokenIssuer(store: opened.store, lifetime: tokenTTL),
                fileResults: resultStore.files,
                soap: SOAPEndpoint(queue: queue, verifier: verifier, resultURLTTL: resultURLTTL, logger: logger)
            )
            try await bootstrapDevTenant(store: opened.store, baseURL: configuration.effectivePublicURL, logger: logger)
            logger.info(
                "AsyncJobs serving",
                metadata: [
                    "address": "\(host):\(port)",
                    "public.url": "\(configuration.effectivePublicURL)",
                    "store": "\(opened.description)",
                    "data.dir": "\(store.dataDirectoryURL.path)",
                    "results": "\(resultStore.description)",
                    "workers": "\(workers.workers)",
                    "job.types": "\(registry.types.joined(separator: ","))",
                ]
            )
            let services = workers.services(queue: queue, store: opened, logger: logger)
            let app = buildApplication(configuration: configuration, components: components, services: services, logger: logger)
            try await app.runService()
        }
    }

    /// On a data directory with no tenant, creates `dev` and writes its credentials to a file only the
    /// owner can read, so the quickstart needs no other step.
    func bootstrapDevTenant(store jobStore: any TenantStore, baseURL: URL, logger: Logger) async throws {
        guard try await jobStore.tenantCount() == 0 else { return }
        let credentials: TenantCredentials
        do {
            credentials = try await jobStore.createTenant(named: "dev")
        } catch let error as JobError where error.code == .tenantExists {
            return
        }
        let file = store.dataDirectoryURL.appendingPathComponent("dev-credentials.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard FileManager.default.createFile(atPath: file.path, contents: try encoder.encode(credentials), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(file.path)")
        }
        let base = baseURL.absoluteString
        logger.notice(
            """
            created tenant 'dev'; its credentials are in \(file.path) (mode 0600). Quickstart:
              CREDS=\(file.path)
              TOKEN=$(curl -s -X POST \(base)/oauth2/token -d grant_type=client_credentials \\
                -d client_id=$(jq -r .clientId $CREDS) -d client_secret=$(jq -r .clientSecret $CREDS) | jq -r .access_token)
              curl -s -X POST \(base)/v1/jobs -H "X-API-Key: $(jq -r .apiKey $CREDS)" -H "Authorization: Bearer $TOKEN" \\
                -H 'Content-Type: application/json' -d '{"type":"demo.csv","parameters":{"rows":1000}}'
            """
        )
    }
}
