/// The namespace URIs of SOAP 1.1 and of the NetSuite 2021.2 endpoint whose shapes we answer in.
public enum SOAPNamespace {
    /// SOAP 1.1 envelope.
    public static let envelope = "http://schemas.xmlsoap.org/soap/envelope/"
    /// XML Schema.
    public static let xsd = "http://www.w3.org/2001/XMLSchema"
    /// XML Schema instance (`xsi:type`).
    public static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    /// WSDL 1.1.
    public static let wsdl = "http://schemas.xmlsoap.org/wsdl/"
    /// WSDL 1.1 SOAP binding.
    public static let wsdlSOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
    /// NetSuite platform messages (`platformMsgs`).
    public static let messages = "urn:messages_2021_2.platform.webservices.netsuite.com"
    /// NetSuite platform core types (`platformCore`).
    public static let core = "urn:core_2021_2.platform.webservices.netsuite.com"
    /// NetSuite platform faults (`platformFaults`).
    public static let faults = "urn:faults_2021_2.platform.webservices.netsuite.com"
}
