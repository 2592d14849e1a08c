public import AsyncJobs
public import Foundation
public import Logging

/// The SOAP face of a job queue: parses a request, authenticates its `tokenPassport`, runs the
/// operation and answers a result or a fault. It never throws: every failure is a fault.
///
/// Operations: `checkAsyncStatus(jobId)` in the seed's exact shape, `getAsyncResult(jobId,
/// pageIndex)` (a download link with its expiry, and small results inline, paged), and
/// `submitAsyncJob(jobType, parameters, idempotencyKey?)`, so a SOAP-only client can do the whole flow.
///
/// ```swift
/// let endpoint = SOAPEndpoint(queue: queue, verifier: verifier, resultURLTTL: 300, logger: logger)
/// let response = await endpoint.respond(to: requestBody)
/// ```
public struct SOAPEndpoint: Sendable {
    let queue: JobQueue
    let verifier: TokenPassportVerifier
    let resultURLTTL: Int
    let parser: SOAPParser
    let logger: Logger
    /// Results up to this size are returned inline by `getAsyncResult`.
    public var inlineLimit: Int = 1 << 20
    /// The inline content of one `getAsyncResult` page.
    public var pageSize: Int = 64 << 10

    /// The operations, by the local name of the body element.
    public static let operations = ["checkAsyncStatus", "getAsyncResult", "submitAsyncJob"]

    /// Creates the endpoint.
    /// - Parameters:
    ///   - queue: The jobs it answers for.
    ///   - verifier: Checks token passports.
    ///   - resultURLTTL: Seconds a download link stays valid.
    ///   - parser: The hardened XML parser and its limits.
    ///   - logger: Where refusals are logged, with their reasons (never with secrets).
    public init(queue: JobQueue, verifier: TokenPassportVerifier, resultURLTTL: Int, parser: SOAPParser = SOAPParser(), logger: Logger) {
        self.queue = queue
        self.verifier = verifier
        self.resultURLTTL = resultURLTTL
        self.parser = parser
        self.logger = logger
    }

    /// Answers one request body.
    public func respond(to body: Data, now: Date = Date()) async -> SOAPResponse {
        do {
            let envelope = try parser.parseEnvelope(body)
            let operation = envelope.operation.name
            guard Self.operations.contains(operation) else {
                throw SOAPFault(.unknownOperation, "Unknown operation '\(operation)'; this endpoint offers \(Self.operations.joined(separator: ", ")).")
            }
            guard let passportElement = envelope.tokenPassportElement else {
                throw PassportRejection.invalidLogin("no tokenPassport header")
            }
            let token = try await verifier.verify(try TokenPassport(element: passportElement), now: now)
            let nsID = Self.nsID(account: token.account, now: now)
            switch operation {
            case "checkAsyncStatus":
                let job = try await job(envelope.operation, tenant: token.tenantID)
                return .result(nsID: nsID, body: "<checkAsyncStatusResponse xmlns=\"\">\(AsyncStatus(job: job, now: now).xml)</checkAsyncStatusResponse>")
            case "getAsyncResult":
                let job = try await job(envelope.operation, tenant: token.tenantID)
                return .result(nsID: nsID, body: try await asyncResult(job, request: envelope.operation, now: now))
            default:
                let job = try await submit(envelope.operation, tenant: token.tenantID, now: now)
                return .result(nsID: nsID, body: "<submitAsyncJobResponse xmlns=\"\">\(AsyncStatus(job: job, now: now).xml)</submitAsyncJobResponse>")
            }
        } catch let fault as SOAPFault {
            return .fault(fault)
        } catch let rejection as PassportRejection {
            logger.notice("SOAP request refused", metadata: ["reason": "\(rejection.reason)"])
            return .fault(rejection.fault)
        } catch {
            logger.error("SOAP request failed", metadata: ["error": "\(error)"])
            return .fault(SOAPFault(.unexpectedError, "An unexpected error occurred."))
        }
    }

    /// The tenant's job named by the request's `jobId`; another tenant's job is unknown, as in REST.
    private func job(_ request: SOAPElement, tenant: TenantID) async throws -> Job {
        guard let id = request.value(of: "jobId"), !id.isEmpty else {
            throw SOAPFault(.invalidRequest, "The request has no jobId.")
        }
        guard let job = try await queue.job(JobID(id), tenant: tenant) else {
            throw SOAPFault(.invalidJobID, "Invalid jobId '\(id)': no such job, or it was purged.")
        }
        return job
    }

    private func submit(_ request: SOAPElement, tenant: TenantID, now: Date) async throws -> Job {
        guard let type = request.value(of: "jobType"), !type.isEmpty else {
            throw SOAPFault(.invalidRequest, "The request has no jobType.")
        }
        var parameters: JobParameters = [:]
        if let text = request.value(of: "parameters"), !text.isEmpty {
            guard case .object(let object)? = try? JSONValue.parse(text) else {
                throw SOAPFault(.invalidValue, "parameters must be a JSON object, e.g. {\"rows\": 100}.")
            }
            parameters = object
        }
        let key = request.value(of: "idempotencyKey").flatMap { $0.isEmpty ? nil : $0 }
        do {
            return try await queue.submit(tenant: tenant, type: type, parameters: parameters, idempotencyKey: key, now: now).job
        } catch let error as JobError where [.unknownJobType, .invalidParameters, .idempotencyKeyReused].contains(error.code) {
            throw SOAPFault(.invalidValue, error.message)
        }
    }

    private func asyncResult(_ job: Job, request: SOAPElement, now: Date) async throws -> String {
        let pageText = request.value(of: "pageIndex") ?? "1"
        guard let pageIndex = Int(pageText), pageIndex >= 1 else {
            throw SOAPFault(.invalidValue, "pageIndex must be a whole number from 1.")
        }
        guard job.state.isTerminal else {
            throw SOAPFault(SOAPFault.Code(faultType: "asyncFault", code: "JOB_NOT_COMPLETE"), "Job \(job.id) has not finished; check its status with checkAsyncStatus.")
        }
        guard job.state == .succeeded, let result = job.result else {
            let reason = job.state == .cancelled ? "was cancelled" : "failed: \(job.failure?.message ?? "no reason recorded")"
            throw SOAPFault(.resultNotAvailable, "Job \(job.id) \(reason)")
        }
        if let expiredAt = job.resultExpiredAt {
            throw SOAPFault(.resultNotAvailable, "The result of job \(job.id) was deleted at \(expiredAt.formatted(.iso8601)) after the result retention period.")
        }
        let url = try queue.results.downloadURL(for: result, expiresIn: resultURLTTL, now: now)
        let inline = result.size <= Int64(inlineLimit)
        let totalPages = inline ? max(1, Int((result.size + Int64(pageSize) - 1) / Int64(pageSize))) : 1
        guard pageIndex <= totalPages else {
            throw SOAPFault(SOAPFault.Code(faultType: "asyncFault", code: "INVALID_PAGE_INDEX"), "pageIndex \(pageIndex) is past the last page, \(totalPages).")
        }
        var content = ""
        if inline {
            let bytes = try await queue.results.read(key: result.key, offset: Int64(pageIndex - 1) * Int64(pageSize), length: pageSize)
            content = "<platformCore:content>\(Data(bytes).base64EncodedString())</platformCore:content>"
        }
        func field(_ name: String, _ value: String) -> String {
            "<platformCore:\(name)>\(XMLEscaping.text(value))</platformCore:\(name)>"
        }
        return """
            <getAsyncResultResponse xmlns=""><platformCore:asyncResult xmlns:platformCore="\(SOAPNamespace.core)">\
            \(field("jobId", job.id.rawValue))\(field("status", AsyncStatus(job: job, now: now).status))\
            \(field("resultUrl", url.absoluteString))\(field("resultUrlExpiresInSeconds", String(resultURLTTL)))\
            \(field("fileName", result.fileName))\(field("contentType", result.contentType))\
            \(field("size", String(result.size)))\(field("sha256", result.sha256))\
            \(field("pageIndex", String(pageIndex)))\(field("totalPages", String(totalPages)))\(content)\
            </platformCore:asyncResult></getAsyncResultResponse>
            """
    }

    /// A document id in NetSuite's style: `WEBSERVICES_<account>_<time>_<random>`.
    static func nsID(account: String, now: Date) -> String {
        let milliseconds = Int64(now.timeIntervalSince1970 * 1000)
        let account = String(account.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return "WEBSERVICES_\(account)_\(milliseconds)_\(RandomToken.hex(bytes: 3))"
    }
}
