/// What the SOAP endpoint answers: an HTTP status (200, or 500 for a fault) and the XML document.
public struct SOAPResponse: Sendable {
    /// 200 for a result, 500 for a fault (SOAP 1.1 §6.2).
    public var status: Int
    /// The whole document.
    public var xml: String

    /// Creates a response.
    public init(status: Int, xml: String) {
        self.status = status
        self.xml = xml
    }

    /// The media type of every SOAP 1.1 message.
    public static let contentType = "text/xml; charset=utf-8"

    static let envelopeOpen = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="\(SOAPNamespace.envelope)" xmlns:xsd="\(SOAPNamespace.xsd)" xmlns:xsi="\(SOAPNamespace.xsi)">
        """

    /// A result: the seed's `documentInfo/nsId` header and `body` (one response element).
    static func result(nsID: String, body: String) -> SOAPResponse {
        SOAPResponse(
            status: 200,
            xml: """
                \(envelopeOpen)
                <soapenv:Header><platformMsgs:documentInfo xmlns:platformMsgs="\(SOAPNamespace.messages)">\
                <platformMsgs:nsId>\(XMLEscaping.text(nsID))</platformMsgs:nsId></platformMsgs:documentInfo></soapenv:Header>
                <soapenv:Body>\(body)</soapenv:Body>
                </soapenv:Envelope>

                """
        )
    }

    /// A fault in NetSuite's shape.
    public static func fault(_ fault: SOAPFault) -> SOAPResponse {
        let message = XMLEscaping.text(fault.message)
        let element = "platformFaults:" + fault.code.faultType
        return SOAPResponse(
            status: 500,
            xml: """
                \(envelopeOpen)
                <soapenv:Body><soapenv:Fault><faultcode>soapenv:Server.userException</faultcode><faultstring>\(message)</faultstring>\
                <detail><\(element) xmlns:platformFaults="\(SOAPNamespace.faults)"><platformFaults:code>\(fault.code.code)</platformFaults:code>\
                <platformFaults:message>\(message)</platformFaults:message></\(element)></detail></soapenv:Fault></soapenv:Body>
                </soapenv:Envelope>

                """
        )
    }
}
