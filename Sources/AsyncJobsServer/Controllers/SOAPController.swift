public import AsyncJobsSOAP
public import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

/// `POST /soap` (SOAP 1.1; `SOAPAction` accepted, not required) and `GET /soap?wsdl`.
///
/// Every answer to a POST is a SOAP document: a result, or a Fault with HTTP 500, never
/// problem+json and never a stack trace.
public struct SOAPController: Sendable {
    let endpoint: SOAPEndpoint
    let wsdl: String
    let bodyTimeout: Duration

    /// Creates the controller.
    /// - Parameters:
    ///   - endpoint: Runs the operations.
    ///   - serviceAddress: The URL clients post to, written into the WSDL.
    ///   - bodyTimeout: The longest a request body may take to arrive.
    public init(endpoint: SOAPEndpoint, serviceAddress: URL, bodyTimeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        self.bodyTimeout = bodyTimeout
        self.wsdl = WSDLDocument.xml(address: serviceAddress.absoluteString)
    }

    /// Adds the routes.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/soap", use: call)
        router.get("/soap") { request, _ in
            guard request.uri.queryParameters.contains(where: { $0.key.lowercased() == "wsdl" }) else {
                throw Problem(.notFound, code: "not-found", title: "Not found", detail: "the WSDL is at /soap?wsdl; operations are POSTed to /soap")
            }
            return Self.xmlResponse(status: .ok, xml: wsdl)
        }
    }

    @Sendable func call(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let type = request.headers[.contentType]?.lowercased(), !(type.contains("xml")) {
            return Self.response(.fault(SOAPFault(.invalidRequest, "SOAP 1.1 requests are sent as text/xml, not \(type).")))
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: context.maxUploadSize, within: bodyTimeout)
        } catch let problem as Problem where problem.status == .requestTimeout {
            return Self.response(.fault(SOAPFault(.invalidRequest, "The request body did not arrive in time.")))
        } catch {
            return Self.response(.fault(SOAPFault(.invalidRequest, "The request is larger than \(context.maxUploadSize) bytes.")))
        }
        return Self.response(await endpoint.respond(to: Data(body.readableBytesView)))
    }

    static func response(_ soap: SOAPResponse) -> Response {
        xmlResponse(status: soap.status == 200 ? .ok : .internalServerError, xml: soap.xml)
    }

    static func xmlResponse(status: HTTPResponse.Status, xml: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: SOAPResponse.contentType, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: xml))
        )
    }
}
