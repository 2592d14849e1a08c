import AsyncJobs
import AsyncJobsSOAP
import Foundation
import Logging
import Testing

/// A queue on memory stores with a tenant, its passport credentials and a SOAP endpoint.
struct SOAPFixture {
    let store = MemoryJobStore()
    let results = MemoryResultStore()
    let queue: JobQueue
    let endpoint: SOAPEndpoint
    let verifier: TokenPassportVerifier
    let tenant: Tenant
    let credentials: PassportCredentials

    init(tenantName: String = "acme", window: Duration = .seconds(300)) async throws {
        queue = JobQueue(store: store, results: results, registry: JobRegistry([DemoCSVJob.handler()]))
        _ = try await store.createTenant(named: tenantName)
        tenant = try #require(try await store.tenant(named: tenantName))
        let sealer = try PassportKeySealer(base64Key: PassportKeySealer.generateKey())
        let token: PassportToken
        (credentials, token) = try PassportCredentials.generate(for: tenant, sealer: sealer)
        try await store.createPassportToken(token)
        verifier = TokenPassportVerifier(store: store, sealer: sealer, window: window)
        var logger = Logger(label: "test.soap")
        logger.logLevel = .critical
        endpoint = SOAPEndpoint(queue: queue, verifier: verifier, resultURLTTL: 300, logger: logger)
    }

    /// The seed's request, byte for byte, with its placeholders filled in and its job id replaced.
    static let seedRequest: String = {
        let url = Bundle.module.url(forResource: "seed-checkAsyncStatus-request", withExtension: "xml", subdirectory: "Fixtures")!
        return try! String(contentsOf: url, encoding: .utf8)
    }()

    static let seedJobID = "ASYNCWEBSERVICES_TSTDRV2782962_080120231326469820838822226_7"

    /// A passport for this fixture's credentials, signed at `now`.
    func passport(now: Date = Date(), nonce: String = TokenPassport.randomNonce()) -> TokenPassport {
        TokenPassport.signed(with: credentials, now: now, nonce: nonce)
    }

    /// The seed's request for `jobID`, signed with `passport` (algorithm as the seed spells it).
    func seedRequest(jobID: JobID, passport: TokenPassport) -> Data {
        let filled = Self.seedRequest
            .replacingOccurrences(of: "{{accountId}}", with: passport.account)
            .replacingOccurrences(of: "{{consumerKey}}", with: passport.consumerKey)
            .replacingOccurrences(of: "{{tokenId}}", with: passport.token)
            .replacingOccurrences(of: "{{nonce}}", with: passport.nonce)
            .replacingOccurrences(of: "{{timestamp}}", with: passport.timestamp)
            .replacingOccurrences(of: "{{signature}}", with: passport.signature)
            .replacingOccurrences(of: Self.seedJobID, with: jobID.rawValue)
        return Data(filled.utf8)
    }

    /// A request in the seed's form for any operation and body content.
    func request(operation: String, body: String, passport: TokenPassport) -> Data {
        Data(SOAPRequestDocument.envelope(operation: operation, body: body, passport: passport).utf8)
    }

    /// A job of this tenant that succeeded with `content` as its result.
    func succeededJob(content: String = "id,value\n1,a\n", itemErrors: Int = 0) async throws -> Job {
        let job = try await queue.submit(tenant: tenant.id, type: "demo.csv", parameters: ["rows": 1]).job
        let claimed = try #require(try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 1, leaseExpiry: Date() + 60, now: Date())).first)
        let result = try await results.write(key: ResultKey.make(tenantID: tenant.id, jobID: job.id, attempt: 1, fileName: "demo.csv"), contentType: "text/csv", fileName: "demo.csv") { writer in
            try await writer.write(content)
        }
        #expect(try await store.complete(claimed.lease, result: result, itemErrors: itemErrors, now: Date()))
        return try #require(try await store.job(job.id, tenant: nil))
    }
}

/// Reads a response document with the same hardened parser the server uses for requests.
func parseResponse(_ response: SOAPResponse) throws -> SOAPElement {
    try SOAPParser().parse(Data(response.xml.utf8))
}

extension SOAPElement {
    /// The descendant reached by following local names.
    func path(_ names: String...) -> SOAPElement? {
        var current: SOAPElement? = self
        for name in names { current = current?.child(name) }
        return current
    }
}
