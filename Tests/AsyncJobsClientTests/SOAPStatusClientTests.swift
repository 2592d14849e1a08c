import AsyncHTTPClient
import AsyncJobsClient
import AsyncJobsSOAP
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The SOAP status check against a live server on 127.0.0.1.
@Suite struct SOAPStatusClientTests {
    @Test func checksAJobWithASignedPassport() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let status = try await server.completedDemoJob(client, rows: 20)
            let jobID = try #require(status.jobID)
            let soap = SOAPStatusClient(endpoint: server.baseURL.appendingPathComponent("soap"), credentials: try await server.passportCredentials())
            let checked = try await soap.checkAsyncStatus(jobID: jobID)
            #expect(checked == AsyncStatus(jobID: jobID, status: "finished", percentCompleted: 100, estRemainingDuration: 0))
            // Every call signs a fresh passport, so asking twice is not a replay.
            #expect(try await soap.checkAsyncStatus(jobID: jobID).status == "finished")
        }
    }

    @Test func faultsBecomeTypedErrors() async throws {
        try await LiveServer.run { server in
            let endpoint = server.baseURL.appendingPathComponent("soap")
            var credentials = try await server.passportCredentials()
            await #expect { try await SOAPStatusClient(endpoint: endpoint, credentials: credentials).checkAsyncStatus(jobID: "no-such-job") } throws: { error in
                let error = error as? AsyncJobsClientError
                return error?.code == .soapFault && error?.message.contains("INVALID_JOBID") == true && error?.httpStatus == 500
            }
            credentials.tokenSecret = String(credentials.tokenSecret.reversed())
            await #expect { try await SOAPStatusClient(endpoint: endpoint, credentials: credentials).checkAsyncStatus(jobID: "x") } throws: { error in
                let error = error as? AsyncJobsClientError
                return error?.code == .soapFault && error?.message == "INVALID_LOGIN_ATTEMPT: Invalid login attempt."
            }
        }
    }

    @Test func theWSDLNamesTheServerItCameFrom() async throws {
        try await LiveServer.run { server in
            let response = try await AsyncJobsClient.defaultHTTPClient.execute(HTTPClientRequest(url: server.baseURL.absoluteString + "/soap?wsdl"), timeout: .seconds(10))
            #expect(response.status.code == 200)
            let body = try await response.body.collect(upTo: 1 << 20)
            let wsdl = try SOAPParser().parse(Data(body.readableBytesView))
            let address = wsdl.path("service", "port", "address")?.attributes["location"]
            #expect(address == server.baseURL.appendingPathComponent("soap").absoluteString)
            let operations = Set(wsdl.child("portType")?.children.map { $0.attributes["name"] ?? "" } ?? [])
            #expect(operations == ["checkAsyncStatus", "getAsyncResult", "submitAsyncJob"])
        }
    }
}

extension SOAPElement {
    func path(_ names: String...) -> SOAPElement? {
        var current: SOAPElement? = self
        for name in names { current = current?.child(name) }
        return current
    }
}
