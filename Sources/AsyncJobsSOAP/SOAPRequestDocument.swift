/// Request envelopes in the seed's form, for clients and tests: `xsi`, `xsd`, `platformCore` and
/// `platformMsgs` declared on the envelope, the `tokenPassport` header unqualified, the operation
/// and its fields in no namespace.
///
/// ```swift
/// let xml = SOAPRequestDocument.envelope(operation: "checkAsyncStatus", fields: ["jobId": id], passport: passport)
/// ```
public enum SOAPRequestDocument {
    /// An envelope whose operation element holds `body`, which is written as given (already XML).
    public static func envelope(operation: String, body: String, passport: TokenPassport?) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:xsd="\(SOAPNamespace.xsd)" xmlns:xsi="\(SOAPNamespace.xsi)" xmlns:soapenv="\(SOAPNamespace.envelope)" \
        xmlns:platformCore="\(SOAPNamespace.core)" xmlns:platformMsgs="\(SOAPNamespace.messages)">
        <soapenv:Header>\(passport?.headerXML() ?? "")</soapenv:Header>
        <soapenv:Body><\(operation)>\(body)</\(operation)></soapenv:Body>
        </soapenv:Envelope>
        """
    }

    /// An envelope whose operation element holds one child per field, with the values escaped.
    public static func envelope(operation: String, fields: KeyValuePairs<String, String>, passport: TokenPassport?) -> String {
        envelope(operation: operation, body: fields.map { "<\($0.key)>\(XMLEscaping.text($0.value))</\($0.key)>" }.joined(), passport: passport)
    }
}
