/// One element of a parsed SOAP document: its namespace-resolved name, attributes and content.
///
/// Names are compared by namespace URI and local name, never by prefix, so any prefix a client
/// chooses works.
public struct SOAPElement: Sendable, Hashable {
    /// The namespace URI, or `nil` for an element in no namespace.
    public var namespace: String?
    /// The local name.
    public var name: String
    /// Attributes by their local name (prefixes dropped: none of the attributes we read collide).
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [SOAPElement]
    /// The element's own character data, concatenated.
    public var text: String

    /// Creates an element.
    public init(namespace: String?, name: String, attributes: [String: String] = [:], children: [SOAPElement] = [], text: String = "") {
        self.namespace = namespace
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child with this local name, in any namespace.
    public func child(_ name: String) -> SOAPElement? {
        children.first { $0.name == name }
    }

    /// The trimmed text of the first child with this local name.
    public func value(of name: String) -> String? {
        child(name).map { $0.text.trimmingWhitespace() }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
