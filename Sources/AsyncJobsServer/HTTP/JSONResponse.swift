import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON bodies of the REST API, in the negotiated media type and never cached.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:], context: AppRequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var headers = headers
        headers[.contentType] = context.mediaType.rawValue
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
