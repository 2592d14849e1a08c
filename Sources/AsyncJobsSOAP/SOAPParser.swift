public import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A hardened parser for SOAP 1.1 request documents.
///
/// It refuses what a SOAP request never needs and attacks rely on: bytes that are not UTF-8, any
/// document type declaration (and with it every entity, so neither external entities nor entity
/// expansion can happen), and documents past the size, depth or element-count limits. Namespaces are resolved, so elements are
/// matched by URI and local name whatever prefixes the client chose.
///
/// ```swift
/// let envelope = try SOAPParser().parseEnvelope(body)
/// ```
public struct SOAPParser: Sendable {
    /// Upper bounds on what a request may contain.
    public struct Limits: Sendable {
        /// The most bytes a document may have.
        public var maxBytes: Int
        /// The deepest element nesting.
        public var maxDepth: Int
        /// The most elements in the whole document.
        public var maxElements: Int

        /// Creates limits; the defaults are far above any legitimate request.
        public init(maxBytes: Int = 1 << 20, maxDepth: Int = 32, maxElements: Int = 10_000) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxElements = maxElements
        }
    }

    /// The limits in force.
    public var limits: Limits

    /// Creates a parser.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Parses a document and returns its root element.
    public func parse(_ data: Data) throws(SOAPFault) -> SOAPElement {
        guard data.count <= limits.maxBytes else {
            throw SOAPFault(.invalidRequest, "the request is larger than \(limits.maxBytes) bytes")
        }
        // FoundationXML traps (taking the whole process down) when libxml2 hands it a name that is
        // not UTF-8, e.g. a namespace prefix with a stray 0xDA byte: found by FuzzSOAPEnvelope. So
        // nothing that is not UTF-8 reaches it; SOAP requests are UTF-8 in practice anyway.
        // libxml2 picks the encoding itself (from NUL patterns or the XML declaration), and the byte
        // checks here (UTF-8, `<!DOCTYPE`) only hold for bytes it reads as UTF-8: UTF-16 without a
        // byte-order mark is ASCII plus NULs, and `encoding="UTF-7"` spells `<!DOCTYPE` as `+ADw-!DOCTYPE`.
        guard String(validating: data, as: UTF8.self) != nil, !data.contains(0), !Self.declaresOtherEncoding(data) else {
            throw SOAPFault(.invalidRequest, "the request is not UTF-8")
        }
        guard !Self.declaresDocumentType(data) else {
            throw SOAPFault(.invalidRequest, "document type declarations are not allowed in SOAP messages")
        }
        // SOAP 1.1 (section 3) forbids processing instructions, and FoundationXML crashes (strlen of a
        // null pointer) on one without data, such as `<?b2?>`: found by FuzzSOAPEnvelope.
        guard !Self.containsProcessingInstruction(data) else {
            throw SOAPFault(.invalidRequest, "processing instructions are not allowed in SOAP messages")
        }
        let builder = TreeBuilder(limits: limits)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let parsed = parser.parse()
        if let refusal = builder.refusal { throw refusal }
        guard parsed, let root = builder.root else {
            throw SOAPFault(.invalidRequest, "the request is not well-formed XML")
        }
        return root
    }

    /// Parses a SOAP 1.1 envelope.
    public func parseEnvelope(_ data: Data) throws(SOAPFault) -> SOAPEnvelope {
        let root = try parse(data)
        guard root.namespace == SOAPNamespace.envelope, root.name == "Envelope" else {
            throw SOAPFault(.invalidRequest, "the document is not a SOAP 1.1 envelope")
        }
        let header = root.children.first { $0.namespace == SOAPNamespace.envelope && $0.name == "Header" }
        guard let body = root.children.first(where: { $0.namespace == SOAPNamespace.envelope && $0.name == "Body" }) else {
            throw SOAPFault(.invalidRequest, "the envelope has no Body")
        }
        guard let operation = body.children.first else {
            throw SOAPFault(.invalidRequest, "the Body names no operation")
        }
        return SOAPEnvelope(headers: header?.children ?? [], operation: operation)
    }

    /// Whether the bytes contain `<!DOCTYPE`, in any letter case. Checked before parsing so that
    /// the XML library never sees a DTD at all.
    /// Whether an XML declaration at the start names an encoding other than UTF-8.
    static func declaresOtherEncoding(_ data: Data) -> Bool {
        let head = String(decoding: data.prefix(256), as: UTF8.self)
        let declaration = head.drop { $0 == "\u{FEFF}" }
        guard declaration.hasPrefix("<?xml"), let end = declaration.range(of: "?>") else { return false }
        let attributes = declaration[..<end.lowerBound].lowercased()
        guard let name = attributes.range(of: "encoding") else { return false }
        let value = attributes[name.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" || $0 == "\"" || $0 == "'" }
        return !(value.hasPrefix("utf-8\"") || value.hasPrefix("utf-8'") || value.hasPrefix("utf8\"") || value.hasPrefix("utf8'"))
    }

    /// Whether the bytes contain `<?` anywhere but in an XML declaration at the very start (after an
    /// optional byte-order mark). Like the `<!DOCTYPE` check, a `<?` inside a comment or CDATA is
    /// refused too; SOAP messages do not carry one.
    static func containsProcessingInstruction(_ data: Data) -> Bool {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var index = 0
            while index + 1 < bytes.count {
                if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "?") && !(index == start && isXMLDeclaration(bytes, at: start)) {
                    return true
                }
                index += 1
            }
            return false
        }
    }

    /// Whether `<?xml` followed by whitespace starts at `index`.
    private static func isXMLDeclaration(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        let opening = "<?xml".utf8
        guard bytes.count > index + opening.count, bytes[index..<index + opening.count].elementsEqual(opening) else { return false }
        return [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(bytes[index + opening.count])
    }

    static func declaresDocumentType(_ data: Data) -> Bool {
        let marker = Array("<!doctype".utf8)
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            guard bytes.count >= marker.count else { return false }
            var index = 0
            while index <= bytes.count - marker.count {
                if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "!") {
                    var matches = true
                    for offset in 2..<marker.count where bytes[index + offset] | 0x20 != marker[offset] {
                        matches = false
                        break
                    }
                    if matches { return true }
                }
                index += 1
            }
            return false
        }
    }
}

/// Builds the element tree from parser events, enforcing the limits as it goes.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    let limits: SOAPParser.Limits
    var stack: [SOAPElement] = []
    var root: SOAPElement?
    var elementCount = 0
    var refusal: SOAPFault?

    init(limits: SOAPParser.Limits) {
        self.limits = limits
    }

    func refuse(_ parser: XMLParser, _ message: String) {
        if refusal == nil { refusal = SOAPFault(.invalidRequest, message) }
        parser.abortParsing()
    }

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elementCount += 1
        guard elementCount <= limits.maxElements else { return refuse(parser, "the request has more than \(limits.maxElements) elements") }
        guard stack.count < limits.maxDepth else { return refuse(parser, "the request nests deeper than \(limits.maxDepth) elements") }
        var localAttributes: [String: String] = [:]
        for (name, value) in attributes {
            let local = name.split(separator: ":", maxSplits: 1).last.map(String.init) ?? name
            localAttributes[local] = value
        }
        let namespace = namespaceURI.flatMap { $0.isEmpty ? nil : $0 }
        stack.append(SOAPElement(namespace: namespace, name: elementName, attributes: localAttributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        refuse(parser, "entity declarations are not allowed in SOAP messages")
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        refuse(parser, "entity declarations are not allowed in SOAP messages")
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        refuse(parser, "external entities are not allowed in SOAP messages")
        return nil
    }
}
