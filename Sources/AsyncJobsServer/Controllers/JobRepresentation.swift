import AsyncJobs
import Foundation

extension JobState {
    /// The REST seed's status: `processing`, `completed`, `failed` or `cancelled`.
    var restStatus: String {
        switch self {
        case .queued, .running: "processing"
        case .succeeded: "completed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        }
    }

    /// The states a REST (or internal) status filter names.
    static func matching(restStatus: String) -> Set<JobState>? {
        switch restStatus {
        case "processing": [.queued, .running]
        case "completed": [.succeeded]
        case "failed": [.failed]
        case "cancelled": [.cancelled]
        default: JobState(rawValue: restStatus).map { [$0] }
        }
    }
}

/// The body of `GET /v1/jobs/{id}/status`: the seed's fields, then (for `application/json`) ours.
struct StatusBody: Encodable {
    var status: String
    var resultUrl: String?
    var resultUrlExpiresInSeconds: Int?
    var jobId: String?
    var percentCompleted: Double?
    var estRemainingDuration: Double?
    var error: ErrorBody?
    var resultExpiredAt: Date?
}

struct ErrorBody: Encodable {
    var code: String
    var message: String
}

/// The body of `POST /v1/jobs`.
struct SubmitResponse: Encodable {
    var jobId: String
    var statusUrl: String
    var status: String
}

/// The whole job, as `GET /v1/jobs/{id}` and the listing show it.
struct JobBody: Encodable {
    struct ResultBody: Encodable {
        var size: Int64
        var sha256: String
        var contentType: String
        var fileName: String
        var expiredAt: Date?
    }

    var jobId: String
    var type: String
    var status: String
    var state: String
    var parameters: JobParameters
    var attempt: Int
    var maxAttempts: Int
    var percentCompleted: Double
    var estRemainingDuration: Double?
    var createdAt: Date
    var updatedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var retryAt: Date?
    var error: ErrorBody?
    var itemErrors: Int
    var result: ResultBody?
    var idempotencyKey: String?
    var statusUrl: String

    init(_ job: Job, statusURL: String, now: Date) {
        jobId = job.id.rawValue
        type = job.type
        status = job.state.restStatus
        state = job.state.rawValue
        parameters = job.parameters
        attempt = job.attempt
        maxAttempts = job.maxAttempts
        percentCompleted = job.progress.percent
        estRemainingDuration = job.state == .running ? job.progress.remainingSeconds(at: now) : nil
        createdAt = job.createdAt
        updatedAt = job.updatedAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        retryAt = job.state == .queued && job.runAfter > now ? job.runAfter : nil
        error = job.failure.map { ErrorBody(code: $0.code, message: $0.message) }
        itemErrors = job.itemErrors
        result = job.result.map { ResultBody(size: $0.size, sha256: $0.sha256, contentType: $0.contentType, fileName: $0.fileName, expiredAt: job.resultExpiredAt) }
        idempotencyKey = job.idempotencyKey
        self.statusUrl = statusURL
    }
}

struct JobListBody: Encodable {
    var jobs: [JobBody]
    var nextCursor: String?
}
