public import AsyncJobs
import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore

/// The REST jobs API: submit, status (the seed's GET Async Status), job resource, list, cancel, delete.
public struct JobsController: Sendable {
    let queue: JobQueue
    let links: PublicLinks
    let resultURLTTL: Int
    let bodyTimeout: Duration
    let unfinishedJobLimit: Int?
    let finishedStatusCache: FinishedStatusCache?

    /// Creates the controller.
    /// - Parameters:
    ///   - queue: The engine.
    ///   - links: Builds the absolute URLs handed to clients.
    ///   - resultURLTTL: Seconds a `resultUrl` stays valid.
    ///   - bodyTimeout: The longest a request body may take to arrive.
    ///   - unfinishedJobLimit: The most queued or running jobs a tenant may have; `nil` for no limit.
    ///   - finishedStatusCacheLifetime: How long the status route answers for a finished job from
    ///     memory before reading the store again; `.zero` reads it on every poll.
    public init(
        queue: JobQueue,
        links: PublicLinks,
        resultURLTTL: Int,
        bodyTimeout: Duration = .seconds(30),
        unfinishedJobLimit: Int? = nil,
        finishedStatusCacheLifetime: Duration = .seconds(1)
    ) {
        self.finishedStatusCache = finishedStatusCacheLifetime > .zero ? FinishedStatusCache(lifetime: finishedStatusCacheLifetime) : nil
        self.bodyTimeout = bodyTimeout
        self.queue = queue
        self.links = links
        self.resultURLTTL = resultURLTTL
        self.unfinishedJobLimit = unfinishedJobLimit
    }

    /// Adds the routes to a group that already authenticates and negotiates.
    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("jobs", use: submit)
        group.get("jobs", use: list)
        group.get("jobs/:id", use: show)
        // AsyncJobsResponder also sends this route's polls straight to `status`, through the same
        // middlewares (see `buildRoutes`): a change to the route belongs in both.
        group.get("jobs/:id/status", use: status)
        group.post("jobs/:id/cancel", use: cancel)
        group.delete("jobs/:id", use: delete)
    }

    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.contains("+json") else {
            throw Problem(.unsupportedMediaType, code: "unsupported-media-type", title: "Unsupported media type", detail: "the body must be application/json")
        }
        let key = try idempotencyKey(request)
        let body = try await request.collectBody(upTo: context.maxUploadSize, within: bodyTimeout)
        let (type, parameters) = try Self.decodeSubmission(body)
        try await admit(tenant)
        let submission = try await queue.submit(tenant: tenant, type: type, parameters: parameters, idempotencyKey: key)
        let job = submission.job
        let statusURL = links.statusURL(job.id)
        var headers: HTTPFields = [.location: statusURL, .retryAfter: "1"]
        if !submission.created { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        let response = SubmitResponse(jobId: job.id.rawValue, statusUrl: statusURL, status: job.state.restStatus)
        return try encode(response, status: .accepted, headers: headers, context: context)
    }

    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> Response {
        let key = FinishedStatusCache.Key(tenant: try context.requireTenant(), job: try jobID(context), mediaType: context.mediaType)
        let now = Date()
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let clock = ContinuousClock.now
        let revision = queue.finishedJobChanges.current
        let job: Job
        var readAt = clock
        if let cache = finishedStatusCache, let cached = cache.lookup(key, now: clock, revision: revision), !cached.refresh {
            if cached.entry.second == second { return JSONResponse.make(body: cached.entry.body, status: .ok, context: context) }
            job = cached.entry.job
            readAt = cached.entry.readAt
        } else {
            job = try await requireJob(key.job, tenant: key.tenant)
        }
        let body = try JSONResponse.encode(statusBody(job, mediaType: context.mediaType, now: now))
        if let cache = finishedStatusCache, job.state.isTerminal {
            cache.store(.init(job: job, readAt: readAt, revision: revision, second: second, body: body), for: key)
        }
        let headers: HTTPFields = job.state.isTerminal ? [:] : [.retryAfter: "1"]
        return JSONResponse.make(body: body, status: .ok, headers: headers, context: context)
    }

    private func statusBody(_ job: Job, mediaType: APIMediaType, now: Date) throws -> StatusBody {
        var body = StatusBody(status: job.state.restStatus)
        if job.state == .succeeded, let expiredAt = job.resultExpiredAt {
            // The job stays readable after its result was deleted: say so rather than hand out a dead link.
            body.resultExpiredAt = expiredAt
            body.error = ErrorBody(
                code: "result_expired",
                message: "the result was deleted at \(expiredAt.formatted(.iso8601)) after the result retention period"
            )
        } else if job.state == .succeeded, let result = job.result {
            body.resultUrl = try queue.results.downloadURL(for: result, expiresIn: resultURLTTL, now: now).absoluteString
            body.resultUrlExpiresInSeconds = resultURLTTL
        }
        if mediaType == .json {
            body.jobId = job.id.rawValue
            body.percentCompleted = job.progress.percent
            if job.state == .running { body.estRemainingDuration = job.progress.remainingSeconds(at: now) }
            if job.state == .failed || job.state == .cancelled {
                body.error = job.failure.map { ErrorBody(code: $0.code, message: $0.message) }
                    ?? (job.state == .cancelled ? ErrorBody(code: "cancelled", message: "the job was cancelled by the client") : nil)
            }
        }
        return body
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let job = try await requireJob(context)
        return try encode(JobBody(job, statusURL: links.statusURL(job.id), now: Date()), status: .ok, context: context)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let parameters = request.uri.queryParameters
        var query = JobQuery(tenantID: tenant)
        for name in Set(parameters.map(\.key)) where !["status", "type", "limit", "cursor"].contains(String(name)) {
            throw Problem.badRequest("unknown query parameter '\(name)'; use status, type, limit or cursor", field: String(name))
        }
        for name in ["status", "type", "limit", "cursor"] where parameters.getAll(name).count > 1 {
            throw Problem.badRequest("the query parameter '\(name)' is repeated", field: name)
        }
        if let status = parameters["status"] {
            for value in status.split(separator: ",") {
                guard let states = JobState.matching(restStatus: String(value)) else {
                    throw Problem.badRequest("status '\(value)' is not one of processing, completed, failed, cancelled", field: "status")
                }
                query.states.formUnion(states)
            }
        }
        if let type = parameters["type"] { query.type = String(type) }
        if let limit = parameters["limit"] {
            guard let value = Int(limit), (1...200).contains(value) else {
                throw Problem.badRequest("limit must be an integer from 1 to 200", field: "limit")
            }
            query.limit = value
        }
        if let cursor = parameters["cursor"] { query.cursor = String(cursor) }
        let page: JobPage
        do {
            page = try await queue.store.jobs(query)
        } catch let error as JobError where error.code == .invalidParameters {
            throw Problem.badRequest(error.message, field: error.field)
        }
        let now = Date()
        let body = JobListBody(jobs: page.jobs.map { JobBody($0, statusURL: links.statusURL($0.id), now: now) }, nextCursor: page.nextCursor)
        return try encode(body, status: .ok, context: context)
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try jobID(context)
        switch try await queue.cancel(id, tenant: tenant) {
        case .notFound:
            throw Problem.jobNotFound(id.rawValue)
        case .alreadyTerminal(let job):
            throw Problem(
                .conflict,
                code: "job-already-finished",
                title: "The job has already finished",
                detail: "job '\(job.id)' is \(job.state.restStatus) and can no longer be cancelled",
                extensions: ["jobId": job.id.rawValue, "jobStatus": job.state.restStatus]
            )
        case .cancelled(let job, _):
            return try encode(JobBody(job, statusURL: links.statusURL(job.id), now: Date()), status: .ok, context: context)
        }
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try jobID(context)
        switch try await queue.delete(id, tenant: tenant) {
        case .notFound:
            throw Problem.jobNotFound(id.rawValue)
        case .notTerminal(let job):
            throw Problem(
                .conflict,
                code: "job-not-finished",
                title: "The job has not finished",
                detail: "job '\(job.id)' is still \(job.state.restStatus); cancel it first",
                extensions: ["jobId": job.id.rawValue, "jobStatus": job.state.restStatus]
            )
        case .deleted:
            return Response(status: .noContent)
        }
    }

    // MARK: Helpers

    /// Refuses a submission that would take the tenant past its queued-job limit. Concurrent
    /// submissions are counted before any of them is stored, so the limit may be passed by as many
    /// jobs as arrive at the same instant; it bounds a runaway client, not an exact quota.
    private func admit(_ tenant: TenantID) async throws {
        guard let limit = unfinishedJobLimit else { return }
        guard try await queue.store.countUnfinishedJobs(tenant: tenant, upTo: limit) >= limit else { return }
        throw Problem(
            .tooManyRequests,
            code: "too-many-queued-jobs",
            title: "Too many queued jobs",
            detail: "this tenant already has \(limit) jobs queued or running; submit more once some have finished",
            extensions: ["limit": String(limit)],
            headers: [.retryAfter: "5"]
        )
    }

    private func jobID(_ context: AppRequestContext) throws -> JobID {
        let raw = try context.parameters.require("id")
        // Ids are UUIDs; anything else cannot exist, and saying so early keeps odd input away from the store.
        guard (1...100).contains(raw.utf8.count), raw.utf8.allSatisfy(Self.isIDByte) else {
            throw Problem.jobNotFound(raw)
        }
        return JobID(raw)
    }

    /// Whether `byte` may appear in a job id: ASCII letters, digits, `-` and `_`.
    static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    private func requireJob(_ context: AppRequestContext) async throws -> Job {
        try await requireJob(try jobID(context), tenant: try context.requireTenant())
    }

    private func requireJob(_ id: JobID, tenant: TenantID) async throws -> Job {
        guard let job = try await queue.job(id, tenant: tenant) else { throw Problem.jobNotFound(id.rawValue) }
        return job
    }

    private func idempotencyKey(_ request: Request) throws -> String? {
        let values = request.headers[values: Self.idempotencyKeyHeader]
        guard let key = values.first else { return nil }
        guard values.count == 1, (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw Problem.badRequest("Idempotency-Key must be one value of 1–255 visible ASCII characters", field: "Idempotency-Key")
        }
        return key
    }

    static func decodeSubmission(_ body: ByteBuffer) throws -> (String, JobParameters) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            throw Problem.badRequest("the body is not valid JSON", code: "malformed-json")
        }
        guard case .object(let object) = value else {
            throw Problem.badRequest("the body must be a JSON object {\"type\": ..., \"parameters\": {...}}", code: "malformed-json")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "type" && $0 != "parameters" }) {
            throw Problem(.unprocessableContent, code: "invalid-request", title: "Invalid request", detail: "unknown field '\(unknown)'; a submission has 'type' and 'parameters'", extensions: ["field": unknown])
        }
        guard case .string(let type) = object["type"], !type.isEmpty, type.utf8.count <= 100 else {
            throw Problem(.unprocessableContent, code: "invalid-request", title: "Invalid request", detail: "'type' must be a non-empty string naming a job type", extensions: ["field": "type"])
        }
        switch object["parameters"] {
        case nil, .null?:
            return (type, [:])
        case .object(let parameters)?:
            return (type, parameters)
        default:
            throw Problem(.unprocessableContent, code: "invalid-request", title: "Invalid request", detail: "'parameters' must be a JSON object", extensions: ["field": "parameters"])
        }
    }

    private func encode(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:], context: AppRequestContext) throws -> Response {
        try JSONResponse.make(value, status: status, headers: headers, context: context)
    }
}
