/// The WSDL of the SOAP endpoint, in NetSuite's 2021.2 namespaces, with the service address of the
/// server that serves it.
///
/// Requests and responses are described in the messages and core namespaces, as SuiteTalk's WSDL
/// does; the endpoint also accepts the seed's unqualified form, since it matches elements by local
/// name. `tokenPassport` is declared as the input header of every operation, so generated clients
/// (zeep, JAX-WS, .NET) can send it.
public enum WSDLDocument {
    /// The target namespace of the WSDL definitions.
    public static let targetNamespace = "urn:platform_2021_2.webservices.netsuite.com"

    /// The WSDL for a service at `address` (for example `https://jobs.example.com/soap`).
    public static func xml(address: String) -> String {
        let operations = SOAPEndpoint.operations
        // The fault messages every operation declares: WSDL name and platformFaults element.
        let faults = [
            ("InvalidCredentialsFault", "invalidCredentialsFault"),
            ("AsyncFault", "asyncFault"),
            ("InvalidRequestFault", "invalidRequestFault"),
            ("UnexpectedErrorFault", "unexpectedErrorFault"),
        ]
        let faultElements = faults.map { #"      <xsd:element name="\#($0.1)" type="platformFaults:SoapFault"/>"# }.joined(separator: "\n")
        let faultMessages = faults.map { #"  <message name="\#($0.0)"><part name="fault" element="platformFaults:\#($0.1)"/></message>"# }
            .joined(separator: "\n")
        let portFaults = faults.map { #"      <fault name="\#($0.0)" message="tns:\#($0.0)"/>"# }.joined(separator: "\n")
        let bindingFaults = faults.map { #"      <fault name="\#($0.0)"><soap:fault name="\#($0.0)" use="literal"/></fault>"# }
            .joined(separator: "\n")
        let messages = operations.map { name in
            """
              <message name="\(name)Request"><part name="parameters" element="platformMsgs:\(name)"/></message>
              <message name="\(name)Response"><part name="parameters" element="platformMsgs:\(name)Response"/></message>
            """
        }.joined(separator: "\n")
        let portOperations = operations.map { name in
            """
                <operation name="\(name)">
                  <input name="\(name)Request" message="tns:\(name)Request"/>
                  <output name="\(name)Response" message="tns:\(name)Response"/>
            \(portFaults)
                </operation>
            """
        }.joined(separator: "\n")
        let bindingOperations = operations.map { name in
            """
                <operation name="\(name)">
                  <soap:operation soapAction="\(name)"/>
                  <input name="\(name)Request">
                    <soap:header message="tns:headers" part="tokenPassport" use="literal"/>
                    <soap:body use="literal"/>
                  </input>
                  <output name="\(name)Response">
                    <soap:header message="tns:headers" part="documentInfo" use="literal"/>
                    <soap:body use="literal"/>
                  </output>
            \(bindingFaults)
                </operation>
            """
        }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <definitions xmlns="\(SOAPNamespace.wsdl)" xmlns:soap="\(SOAPNamespace.wsdlSOAP)" xmlns:xsd="\(SOAPNamespace.xsd)"
              xmlns:tns="\(targetNamespace)" xmlns:platformMsgs="\(SOAPNamespace.messages)"
              xmlns:platformCore="\(SOAPNamespace.core)" xmlns:platformFaults="\(SOAPNamespace.faults)"
              targetNamespace="\(targetNamespace)">
              <documentation>AsyncJobs: check, fetch and submit asynchronous jobs with NetSuite-style token-based authentication.</documentation>
              <types>
                <xsd:schema targetNamespace="\(SOAPNamespace.core)" elementFormDefault="qualified">
                  <xsd:simpleType name="AsyncStatusType">
                    <xsd:restriction base="xsd:string">
                      <xsd:enumeration value="failed"/>
                      <xsd:enumeration value="finishedWithErrors"/>
                      <xsd:enumeration value="pending"/>
                      <xsd:enumeration value="processing"/>
                      <xsd:enumeration value="finished"/>
                    </xsd:restriction>
                  </xsd:simpleType>
                  <xsd:complexType name="TokenPassportSignature">
                    <xsd:simpleContent>
                      <xsd:extension base="xsd:string"><xsd:attribute name="algorithm" type="xsd:string" use="required"/></xsd:extension>
                    </xsd:simpleContent>
                  </xsd:complexType>
                  <xsd:complexType name="TokenPassport">
                    <xsd:sequence>
                      <xsd:element name="account" type="xsd:string"/>
                      <xsd:element name="consumerKey" type="xsd:string"/>
                      <xsd:element name="token" type="xsd:string"/>
                      <xsd:element name="nonce" type="xsd:string"/>
                      <xsd:element name="timestamp" type="xsd:long"/>
                      <xsd:element name="signature" type="platformCore:TokenPassportSignature"/>
                    </xsd:sequence>
                  </xsd:complexType>
                  <xsd:complexType name="AsyncStatusResult">
                    <xsd:sequence>
                      <xsd:element name="jobId" type="xsd:string"/>
                      <xsd:element name="status" type="platformCore:AsyncStatusType"/>
                      <xsd:element name="percentCompleted" type="xsd:double"/>
                      <xsd:element name="estRemainingDuration" type="xsd:double"/>
                    </xsd:sequence>
                  </xsd:complexType>
                  <xsd:element name="asyncStatusResult" type="platformCore:AsyncStatusResult"/>
                  <xsd:complexType name="AsyncResult">
                    <xsd:sequence>
                      <xsd:element name="jobId" type="xsd:string"/>
                      <xsd:element name="status" type="platformCore:AsyncStatusType"/>
                      <xsd:element name="resultUrl" type="xsd:string"/>
                      <xsd:element name="resultUrlExpiresInSeconds" type="xsd:int"/>
                      <xsd:element name="fileName" type="xsd:string"/>
                      <xsd:element name="contentType" type="xsd:string"/>
                      <xsd:element name="size" type="xsd:long"/>
                      <xsd:element name="sha256" type="xsd:string"/>
                      <xsd:element name="pageIndex" type="xsd:int"/>
                      <xsd:element name="totalPages" type="xsd:int"/>
                      <xsd:element name="content" type="xsd:base64Binary" minOccurs="0"/>
                    </xsd:sequence>
                  </xsd:complexType>
                  <xsd:element name="asyncResult" type="platformCore:AsyncResult"/>
                </xsd:schema>
                <xsd:schema targetNamespace="\(SOAPNamespace.faults)" elementFormDefault="qualified">
                  <xsd:complexType name="SoapFault">
                    <xsd:sequence>
                      <xsd:element name="code" type="xsd:string"/>
                      <xsd:element name="message" type="xsd:string"/>
                    </xsd:sequence>
                  </xsd:complexType>
            \(faultElements)
                </xsd:schema>
                <xsd:schema targetNamespace="\(SOAPNamespace.messages)" elementFormDefault="qualified">
                  <xsd:import namespace="\(SOAPNamespace.core)"/>
                  <xsd:complexType name="DocumentInfo">
                    <xsd:sequence><xsd:element name="nsId" type="xsd:string"/></xsd:sequence>
                  </xsd:complexType>
                  <xsd:element name="documentInfo" type="platformMsgs:DocumentInfo"/>
                  <xsd:element name="tokenPassport" type="platformCore:TokenPassport"/>
                  <xsd:element name="checkAsyncStatus">
                    <xsd:complexType><xsd:sequence><xsd:element name="jobId" type="xsd:string"/></xsd:sequence></xsd:complexType>
                  </xsd:element>
                  <xsd:element name="checkAsyncStatusResponse">
                    <xsd:complexType><xsd:sequence><xsd:element ref="platformCore:asyncStatusResult"/></xsd:sequence></xsd:complexType>
                  </xsd:element>
                  <xsd:element name="getAsyncResult">
                    <xsd:complexType>
                      <xsd:sequence>
                        <xsd:element name="jobId" type="xsd:string"/>
                        <xsd:element name="pageIndex" type="xsd:int"/>
                      </xsd:sequence>
                    </xsd:complexType>
                  </xsd:element>
                  <xsd:element name="getAsyncResultResponse">
                    <xsd:complexType><xsd:sequence><xsd:element ref="platformCore:asyncResult"/></xsd:sequence></xsd:complexType>
                  </xsd:element>
                  <xsd:element name="submitAsyncJob">
                    <xsd:complexType>
                      <xsd:sequence>
                        <xsd:element name="jobType" type="xsd:string"/>
                        <xsd:element name="parameters" type="xsd:string" minOccurs="0"/>
                        <xsd:element name="idempotencyKey" type="xsd:string" minOccurs="0"/>
                      </xsd:sequence>
                    </xsd:complexType>
                  </xsd:element>
                  <xsd:element name="submitAsyncJobResponse">
                    <xsd:complexType><xsd:sequence><xsd:element ref="platformCore:asyncStatusResult"/></xsd:sequence></xsd:complexType>
                  </xsd:element>
                </xsd:schema>
              </types>
              <message name="headers">
                <part name="tokenPassport" element="platformMsgs:tokenPassport"/>
                <part name="documentInfo" element="platformMsgs:documentInfo"/>
              </message>
            \(faultMessages)
            \(messages)
              <portType name="AsyncJobsPortType">
            \(portOperations)
              </portType>
              <binding name="AsyncJobsBinding" type="tns:AsyncJobsPortType">
                <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
            \(bindingOperations)
              </binding>
              <service name="AsyncJobsService">
                <port name="AsyncJobsPort" binding="tns:AsyncJobsBinding">
                  <soap:address location="\(XMLEscaping.attribute(address))"/>
                </port>
              </service>
            </definitions>

            """
    }
}
