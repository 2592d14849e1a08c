/// An S3-style XML error document.
///
/// ```swift
/// let xml = S3ErrorXML(error, requestID: "4442587FB7D0A2F9").render()
/// // <?xml version="1.0" encoding="UTF-8"?>
/// // <Error><Code>AccessDenied</Code><Message>Request has expired</Message>...</Error>
/// ```
public struct S3ErrorXML: Sendable, Hashable {
    /// The S3 error code, such as `SignatureDoesNotMatch`.
    public var code: String
    /// The human-readable message.
    public var message: String
    /// Further elements written after `Message`, in order.
    public var elements: [SigV4Error.Detail]
    /// Written as `<RequestId>` when set.
    public var requestID: String?
    /// Written as `<HostId>` when set.
    public var hostID: String?

    /// Creates a document from its parts. Element names are written as given
    /// and must be valid XML names; all text content is escaped.
    public init(
        code: String,
        message: String,
        elements: [SigV4Error.Detail] = [],
        requestID: String? = nil,
        hostID: String? = nil
    ) {
        self.code = code
        self.message = message
        self.elements = elements
        self.requestID = requestID
        self.hostID = hostID
    }

    /// Creates the document S3 would send for `error`.
    public init(_ error: SigV4Error, requestID: String? = nil, hostID: String? = nil) {
        self.init(code: error.s3Code, message: error.message, elements: error.details, requestID: requestID, hostID: hostID)
    }

    /// The XML text, UTF-8, with the declaration S3 sends.
    public func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
        func element(_ name: String, _ value: String) {
            out += "<\(name)>\(Self.escape(value))</\(name)>"
        }
        element("Code", code)
        element("Message", message)
        for detail in elements {
            element(detail.name, detail.value)
        }
        if let requestID { element("RequestId", requestID) }
        if let hostID { element("HostId", hostID) }
        out += "</Error>"
        return out
    }

    /// Escapes text for use as XML character data or attribute content.
    ///
    /// Characters XML 1.0 cannot represent at all (most C0 controls, lone
    /// surrogates cannot occur in `String`) become U+FFFD, so hostile input can
    /// never make the document ill-formed. Carriage returns are written as a
    /// character reference because parsers would otherwise normalise them away.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#xD;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
