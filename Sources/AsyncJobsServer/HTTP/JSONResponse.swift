import Foundation
package import HTTPTypes
package import Hummingbird
package import NIOCore

/// JSON bodies of the REST API, in the negotiated media type and never cached.
package enum JSONResponse {
    /// One encoder for every response: configuring a new one per poll of the status route is work
    /// the hot path does not need, and encoding with a shared, unchanging encoder is thread-safe.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:], context: AppRequestContext) throws -> Response {
        make(body: try encode(value), status: status, headers: headers, context: context)
    }

    /// The JSON encoding of `value`.
    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try encoder.encode(value))
    }

    /// A response carrying an already encoded body. `Content-Type` and `Cache-Control` are this
    /// function's to set, so `headers` never carries them and both are appended without a search.
    package static func make(body: ByteBuffer, status: HTTPResponse.Status, headers: HTTPFields = [:], context: AppRequestContext) -> Response {
        var fields = headers
        fields.append(HTTPField(name: .contentType, value: context.mediaType.rawValue))
        fields.append(HTTPField(name: .cacheControl, value: "no-store"))
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}
