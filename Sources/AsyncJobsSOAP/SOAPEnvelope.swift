/// A parsed SOAP 1.1 request: its header entries and the operation element of its body.
public struct SOAPEnvelope: Sendable {
    /// The children of `soapenv:Header`, in order.
    public var headers: [SOAPElement]
    /// The first child of `soapenv:Body`: its local name is the operation.
    public var operation: SOAPElement

    /// Creates an envelope.
    public init(headers: [SOAPElement], operation: SOAPElement) {
        self.headers = headers
        self.operation = operation
    }

    /// The `tokenPassport` header entry, in whatever namespace the client put it (the seed uses none,
    /// SuiteTalk clients use the messages namespace).
    public var tokenPassportElement: SOAPElement? {
        headers.first { $0.name == "tokenPassport" }
    }
}
