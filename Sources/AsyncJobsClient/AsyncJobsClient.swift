public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// A client for AsyncJobs servers, and for any server that speaks the REST seed's status contract:
/// submit a job, poll its status URL, download its result through the pre-signed link.
///
/// ```swift
/// let client = AsyncJobsClient(configuration: .init(
///     serverURL: URL(string: "http://127.0.0.1:8080")!,
///     credentials: .init(apiKey: apiKey, clientID: clientID, clientSecret: clientSecret)
/// ))
/// let job = try await client.submit(type: "demo.csv", parameters: ["rows": 100_000])
/// for try await status in client.poll(job.statusURL) {
///     print(status.status, status.percentCompleted ?? 0)
/// }
/// let result = try await client.waitForResult(job.statusURL, to: URL(fileURLWithPath: "out.csv"))
/// ```
///
/// The client is a value that can be shared between tasks; copies share the bearer token.
public struct AsyncJobsClient: Sendable {
    /// The configuration it was created with.
    public let configuration: Configuration
    let httpClient: HTTPClient
    let tokens: AccessTokenCache

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: Server, credentials and policies.
    ///   - httpClient: The HTTP client to send requests with; by default ``defaultHTTPClient``, which
    ///     needs no shutdown.
    public init(configuration: Configuration, httpClient: HTTPClient = Self.defaultHTTPClient) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.tokens = AccessTokenCache()
    }

    /// The HTTP client used when none is given: one per process and never shut down (like
    /// `HTTPClient.shared`), but giving up on a connection after 5 s rather than 90 s, so an unreachable
    /// server is reported (or retried by the policies) quickly, with a 60 s read timeout so a stalled
    /// download resumes, and without decompression, so byte ranges count the bytes the server stores.
    public static let defaultHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(5), read: .seconds(60)),
            decompression: .disabled
        )
    )

    // MARK: Jobs

    /// Submits a job and returns where to poll it.
    ///
    /// The submission carries an `Idempotency-Key` (a new random one unless given). When the connection
    /// fails before the answer arrives, or the server answers 502/503/504, the same submission is sent
    /// again with the same key, so the server creates the job at most once.
    /// - Parameters:
    ///   - type: The job type, e.g. `demo.csv`.
    ///   - parameters: The job's parameters; anything that encodes to a JSON object.
    ///   - idempotencyKey: The key; by default a new UUID.
    public func submit(
        type: String,
        parameters: some Encodable & Sendable,
        idempotencyKey: String? = nil
    ) async throws -> SubmittedJob {
        let key = idempotencyKey ?? UUID().uuidString
        let body: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            body = try encoder.encode(Submission(type: type, parameters: parameters))
        } catch {
            throw AsyncJobsClientError(.configuration, "the parameters cannot be encoded as JSON", underlying: error)
        }
        let url = try endpoint("v1/jobs")
        var failures = 0
        while true {
            let response: APIResponse
            do {
                response = try await send(.POST, url, body: body, headers: ["Content-Type": "application/json", "Idempotency-Key": key])
            } catch let error as AsyncJobsClientError where error.code == .transport && failures + 1 < configuration.submitAttempts {
                failures += 1
                try await Task.sleep(for: configuration.download.delay(afterFailures: failures))
                continue
            }
            if [502, 503, 504].contains(response.status), failures + 1 < configuration.submitAttempts {
                failures += 1
                try await Task.sleep(for: max(response.retryAfter ?? .zero, configuration.download.delay(afterFailures: failures)))
                continue
            }
            guard response.status == 202 || response.status == 200 || response.status == 201 else {
                throw response.error("the submission of a '\(type)' job was refused")
            }
            let accepted = try? JSONDecoder().decode(SubmissionAccepted.self, from: response.body)
            guard let location = response.headers.first(name: "Location") ?? accepted?.statusUrl,
                let statusURL = URL(string: location, relativeTo: url)?.absoluteURL
            else {
                throw AsyncJobsClientError(.invalidResponse, "the server accepted the job but sent no status URL", httpStatus: response.status)
            }
            return SubmittedJob(
                jobID: accepted?.jobId ?? statusURL.deletingLastPathComponent().lastPathComponent,
                statusURL: statusURL,
                idempotencyKey: key,
                replayed: response.headers.first(name: "Idempotent-Replayed")?.lowercased() == "true",
                retryAfter: response.retryAfter
            )
        }
    }

    /// Submits a job without parameters.
    public func submit(type: String, idempotencyKey: String? = nil) async throws -> SubmittedJob {
        try await submit(type: type, parameters: [String: String](), idempotencyKey: idempotencyKey)
    }

    /// Asks a status URL once (the seed's GET Async Status).
    ///
    /// Works with any server that speaks the seed's contract: only `status` is required.
    public func status(_ statusURL: URL) async throws -> JobStatus {
        let response = try await send(.GET, statusURL)
        guard response.status == 200 else { throw response.error("the status request failed") }
        return try JobStatus(body: response.body, statusURL: statusURL, retryAfter: response.retryAfter)
    }

    /// The status URL of a job of this server, from its id.
    public func statusURL(forJobID jobID: String) throws -> URL {
        try endpoint("v1/jobs").appendingPathComponent(jobID).appendingPathComponent("status")
    }

    /// The whole job (`GET /v1/jobs/{id}`, this server's resource), from its status URL.
    public func job(_ statusURL: URL) async throws -> JobSummary {
        let response = try await send(.GET, try Self.jobResource(statusURL))
        guard response.status == 200 else { throw response.error("the job request failed") }
        return try response.decode(JobSummary.self)
    }

    /// Cancels a job (`POST /v1/jobs/{id}/cancel`); cancelling a cancelled job succeeds again.
    /// - Returns: The job after cancelling.
    /// - Throws: ``AsyncJobsClientError/Code/httpError`` with status 409 when it already finished otherwise.
    @discardableResult
    public func cancel(_ statusURL: URL) async throws -> JobSummary {
        let response = try await send(.POST, try Self.jobResource(statusURL).appendingPathComponent("cancel"))
        guard response.status == 200 else { throw response.error("the job could not be cancelled") }
        return try response.decode(JobSummary.self)
    }

    /// The job types the server accepts, with their parameters (`GET /v1/job-types`).
    public func jobTypes() async throws -> [JobTypeDescription] {
        struct Listing: Decodable { var jobTypes: [JobTypeDescription] }
        let response = try await send(.GET, try endpoint("v1/job-types"))
        guard response.status == 200 else { throw response.error("the job-type request failed") }
        return try response.decode(Listing.self).jobTypes
    }

    /// `https://host/v1/jobs/ID/status` → `https://host/v1/jobs/ID`.
    static func jobResource(_ statusURL: URL) throws -> URL {
        guard statusURL.lastPathComponent == "status" else {
            throw AsyncJobsClientError(.configuration, "\(statusURL.redactedForLogs) is not a status URL of this server (…/v1/jobs/ID/status)")
        }
        return statusURL.deletingLastPathComponent()
    }

    func endpoint(_ path: String) throws -> URL {
        guard let serverURL = configuration.serverURL else {
            throw AsyncJobsClientError(.configuration, "no server URL is configured")
        }
        return serverURL.appendingPathComponent(path)
    }
}

/// The body of a 202 to `POST /v1/jobs`; a server may send only the `Location` header.
struct SubmissionAccepted: Decodable {
    var jobId: String?
    var statusUrl: String?
}

/// The body of `POST /v1/jobs`.
struct Submission<Parameters: Encodable>: Encodable {
    var type: String
    var parameters: Parameters
}
