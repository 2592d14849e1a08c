public import AsyncHTTPClient
public import AsyncJobsSOAP
public import Foundation
import NIOCore
import NIOHTTP1

/// Checks jobs on a SuiteTalk-style SOAP endpoint with `checkAsyncStatus`, signing a fresh token
/// passport (HMAC-SHA256, random nonce, current time) for every call. Works against AsyncJobs'
/// `/soap` and against any server that accepts the seed's request.
///
/// ```swift
/// let soap = SOAPStatusClient(endpoint: URL(string: "http://127.0.0.1:8080/soap")!, credentials: tba)
/// let status = try await soap.checkAsyncStatus(jobID: id)
/// print(status.status, status.percentCompleted)
/// ```
public struct SOAPStatusClient: Sendable {
    /// Where the SOAP requests go.
    public var endpoint: URL
    /// The token-based-authentication credentials to sign with.
    public var credentials: PassportCredentials
    let httpClient: HTTPClient

    /// Creates a client.
    public init(endpoint: URL, credentials: PassportCredentials, httpClient: HTTPClient = AsyncJobsClient.defaultHTTPClient) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.httpClient = httpClient
    }

    /// The job's status. A SOAP Fault (bad credentials, unknown job) is thrown as
    /// ``AsyncJobsClientError/Code/soapFault`` with the server's fault code and message.
    public func checkAsyncStatus(jobID: String) async throws -> AsyncStatus {
        let envelope = SOAPRequestDocument.envelope(
            operation: "checkAsyncStatus",
            fields: ["jobId": jobID],
            passport: TokenPassport.signed(with: credentials)
        )
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
        request.headers.add(name: "SOAPAction", value: "\"checkAsyncStatus\"")
        request.body = .bytes(ByteBuffer(string: envelope))
        let body: ByteBuffer
        let status: UInt
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(30))
            status = response.status.code
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw AsyncJobsClient.transportError(error, request.url)
        }
        let document: SOAPElement
        do {
            document = try SOAPParser().parse(Data(body.readableBytesView))
        } catch {
            throw AsyncJobsClientError(.invalidResponse, "the SOAP endpoint answered HTTP \(status) with something that is not a SOAP document", httpStatus: Int(status))
        }
        let responseBody = document.child("Body")
        if let fault = responseBody?.child("Fault") {
            let code = fault.child("detail")?.children.first?.value(of: "code")
            let message = fault.value(of: "faultstring") ?? "SOAP Fault"
            throw AsyncJobsClientError(.soapFault, [code, message].compactMap { $0 }.joined(separator: ": "), httpStatus: Int(status))
        }
        guard let result = responseBody?.child("checkAsyncStatusResponse")?.child("asyncStatusResult"),
            let id = result.value(of: "jobId"), let state = result.value(of: "status")
        else {
            throw AsyncJobsClientError(.invalidResponse, "the SOAP response has no asyncStatusResult", httpStatus: Int(status))
        }
        return AsyncStatus(
            jobID: id,
            status: state,
            percentCompleted: result.value(of: "percentCompleted").flatMap(Double.init) ?? 0,
            estRemainingDuration: result.value(of: "estRemainingDuration").flatMap(Double.init) ?? 0
        )
    }
}
