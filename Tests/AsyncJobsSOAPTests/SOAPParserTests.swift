import AsyncJobsSOAP
import Foundation
import Testing

@Suite struct SOAPParserTests {
    @Test func anyPrefixTheClientChoosesWorks() throws {
        let document = """
            <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:messages_2021_2.platform.webservices.netsuite.com">
              <e:Body><m:checkAsyncStatus><m:jobId> job-1 </m:jobId></m:checkAsyncStatus></e:Body>
            </e:Envelope>
            """
        let envelope = try SOAPParser().parseEnvelope(Data(document.utf8))
        #expect(envelope.operation.name == "checkAsyncStatus")
        #expect(envelope.operation.namespace == "urn:messages_2021_2.platform.webservices.netsuite.com")
        #expect(envelope.operation.value(of: "jobId") == "job-1")
    }

    @Test func aPrefixBoundToAnotherNamespaceIsNotAnEnvelope() {
        let document = #"<soapenv:Envelope xmlns:soapenv="urn:not-soap"><soapenv:Body><x/></soapenv:Body></soapenv:Envelope>"#
        #expect(throws: SOAPFault.self) { try SOAPParser().parseEnvelope(Data(document.utf8)) }
    }

    @Test func externalEntitiesAreRefusedAndNoFileIsRead() {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
              <soapenv:Body><checkAsyncStatus><jobId>&xxe;</jobId></checkAsyncStatus></soapenv:Body>
            </soapenv:Envelope>
            """
        #expect { try SOAPParser().parseEnvelope(Data(document.utf8)) } throws: { error in
            let fault = error as? SOAPFault
            return fault?.code == .invalidRequest && fault?.message.contains("document type") == true && !"\(error)".contains("root:")
        }
    }

    @Test func entityExpansionIsRefused() {
        var document = #"<?xml version="1.0"?><!doctype lolz [<!ENTITY lol "lol">"#
        for level in 1...9 {
            document += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">"
        }
        document += #"]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x>&lol9;</x></soapenv:Body></soapenv:Envelope>"#
        #expect(throws: SOAPFault.self) { try SOAPParser().parseEnvelope(Data(document.utf8)) }
    }

    @Test func depthElementCountAndSizeAreBounded() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect { try SOAPParser().parse(Data(deep.utf8)) } throws: { ($0 as? SOAPFault)?.message.contains("deeper") == true }
        let wide = "<a>" + String(repeating: "<b/>", count: 20_000) + "</a>"
        #expect { try SOAPParser().parse(Data(wide.utf8)) } throws: { ($0 as? SOAPFault)?.message.contains("elements") == true }
        let limits = SOAPParser.Limits(maxBytes: 100)
        #expect { try SOAPParser(limits: limits).parse(Data(String(repeating: " ", count: 101).utf8)) } throws: {
            ($0 as? SOAPFault)?.message.contains("larger") == true
        }
    }

    @Test func onlyUTF8ReachesTheXMLParser() throws {
        let envelope = #"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x/></soapenv:Body></soapenv:Envelope>"#
        let doctype = #"<!DOCTYPE x [<!ENTITY e "expanded">]>"#
        let refused: [Data] = [
            // UTF-16LE without a byte-order mark: every byte is ASCII or NUL, so it passes a UTF-8 check.
            Data((doctype + envelope).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
            // UTF-7 spells the declaration `+ADw-!DOCTYPE`, which a byte scan for `<!DOCTYPE` misses.
            Data((#"<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x +AFs-+ADw-!ENTITY e "expanded"+AD4-+AF0-+AD4-"# + envelope).utf8),
            Data((#"<?xml version='1.0' encoding = 'ISO-8859-1'?>"# + envelope).utf8),
        ]
        for document in refused {
            #expect { try SOAPParser().parseEnvelope(document) } throws: { ($0 as? SOAPFault)?.message == "the request is not UTF-8" }
        }
        for declaration in [#"<?xml version="1.0" encoding="UTF-8"?>"#, "<?xml version='1.0' encoding='utf-8'?>", #"<?xml version="1.0"?>"#, "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf8\"?>"] {
            #expect(try SOAPParser().parseEnvelope(Data((declaration + envelope).utf8)).operation.name == "x", "\(declaration)")
        }
    }

    @Test(arguments: [
        "<?b2?>)<!DUnsabb",  // FuzzSOAPEnvelope's crash: FoundationXML took strlen of a null pointer
        #"<?xml-stylesheet href="a.xsl"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x/></soapenv:Body></soapenv:Envelope>"#,
        #"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><?pi?><x/></soapenv:Body></soapenv:Envelope>"#,
        #" <?xml version="1.0"?><a/>"#,
    ])
    func processingInstructionsAreRefusedBeforeTheXMLParser(_ document: String) {
        #expect { try SOAPParser().parseEnvelope(Data(document.utf8)) } throws: {
            ($0 as? SOAPFault)?.message == "processing instructions are not allowed in SOAP messages"
        }
    }

    @Test(arguments: ["", "not xml", "<a><b></a>", "<a>&undefined;</a>"])
    func malformedDocumentsAreFaults(_ document: String) {
        #expect(throws: SOAPFault.self) { try SOAPParser().parseEnvelope(Data(document.utf8)) }
    }
}
