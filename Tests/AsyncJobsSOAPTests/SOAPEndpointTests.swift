import AsyncJobs
import AsyncJobsSOAP
import Foundation
import Logging
import Testing

@Suite struct SOAPEndpointTests {
    /// The seed's request, unchanged but for its placeholders and job id, answered in the seed's shape.
    @Test func theSeedsRequestGetsTheSeedsResponse() async throws {
        let fixture = try await SOAPFixture()
        let job = try await fixture.succeededJob()
        var passport = fixture.passport()
        passport.algorithm = "HMAC_SHA256"
        let response = await fixture.endpoint.respond(to: fixture.seedRequest(jobID: job.id, passport: passport))
        #expect(response.status == 200)
        #expect(response.xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))

        let envelope = try parseResponse(response)
        #expect(envelope.namespace == SOAPNamespace.envelope && envelope.name == "Envelope")
        #expect(envelope.children.map(\.name) == ["Header", "Body"])
        let documentInfo = try #require(envelope.path("Header", "documentInfo"))
        #expect(documentInfo.namespace == SOAPNamespace.messages)
        #expect(documentInfo.children.map(\.name) == ["nsId"])
        #expect(documentInfo.value(of: "nsId")?.hasPrefix("WEBSERVICES_ACME_") == true)

        let body = try #require(envelope.child("Body"))
        #expect(body.children.map(\.name) == ["checkAsyncStatusResponse"])
        let wrapper = try #require(body.child("checkAsyncStatusResponse"))
        #expect(wrapper.namespace == nil, "the seed's response element is in no namespace (xmlns=\"\")")
        let result = try #require(wrapper.child("asyncStatusResult"))
        #expect(result.namespace == SOAPNamespace.core)
        #expect(result.children.map(\.name) == ["jobId", "status", "percentCompleted", "estRemainingDuration"], "the seed's order")
        #expect(result.children.allSatisfy { $0.namespace == SOAPNamespace.core })
        #expect(result.value(of: "jobId") == job.id.rawValue)
        #expect(result.value(of: "status") == "finished")
        #expect(result.value(of: "percentCompleted") == "100.0")
        #expect(result.value(of: "estRemainingDuration") == "0.0")
        // The literal prefixes and declarations, as the seed writes them.
        #expect(response.xml.contains(#"<checkAsyncStatusResponse xmlns=""><platformCore:asyncStatusResult xmlns:platformCore="urn:core_2021_2.platform.webservices.netsuite.com">"#))
        #expect(response.xml.contains(#"<platformMsgs:documentInfo xmlns:platformMsgs="urn:messages_2021_2.platform.webservices.netsuite.com">"#))
    }

    @Test func theSameEnvelopeTwiceIsRefusedTheSecondTime() async throws {
        let fixture = try await SOAPFixture()
        let job = try await fixture.succeededJob()
        let request = fixture.seedRequest(jobID: job.id, passport: fixture.passport())
        #expect(await fixture.endpoint.respond(to: request).status == 200)
        let replay = await fixture.endpoint.respond(to: request)
        #expect(replay.status == 500)
        #expect(try faultCode(replay) == "INVALID_LOGIN_ATTEMPT")
    }

    @Test func statusesMapAsDesigned() async throws {
        let fixture = try await SOAPFixture()
        // Made first: succeededJob claims the oldest queued job.
        let withErrors = try await fixture.succeededJob(itemErrors: 2)
        #expect(try await status(of: withErrors.id, fixture) == "finishedWithErrors")
        let queued = try await fixture.queue.submit(tenant: fixture.tenant.id, type: "demo.csv", parameters: ["rows": 1]).job
        #expect(try await status(of: queued.id, fixture) == "pending")
        let cancelled = try await fixture.queue.submit(tenant: fixture.tenant.id, type: "demo.csv", parameters: ["rows": 2]).job
        _ = try await fixture.queue.cancel(cancelled.id, tenant: fixture.tenant.id)
        #expect(try await status(of: cancelled.id, fixture) == "failed")
    }

    @Test func anotherAccountsJobIsAnInvalidJobID() async throws {
        let owner = try await SOAPFixture(tenantName: "owner")
        let job = try await owner.succeededJob()
        // Another tenant on the same store, with its own token.
        _ = try await owner.store.createTenant(named: "other")
        let otherTenant = try #require(try await owner.store.tenant(named: "other"))
        let sealer = try PassportKeySealer(base64Key: PassportKeySealer.generateKey())
        let (credentials, token) = try PassportCredentials.generate(for: otherTenant, sealer: sealer)
        try await owner.store.createPassportToken(token)
        let endpoint = SOAPEndpoint(queue: owner.queue, verifier: TokenPassportVerifier(store: owner.store, sealer: sealer), resultURLTTL: 60, logger: .init(label: "test"))
        let passport = TokenPassport.signed(with: credentials)
        let response = await endpoint.respond(to: owner.request(operation: "checkAsyncStatus", body: "<jobId>\(job.id)</jobId>", passport: passport))
        #expect(response.status == 500)
        #expect(try faultCode(response) == "INVALID_JOBID")
        #expect(try parseResponse(response).path("Body", "Fault", "detail", "asyncFault") != nil)
    }

    @Test func faultsHaveNetSuitesShapeAndRevealNothing() async throws {
        let fixture = try await SOAPFixture()
        var passport = fixture.passport()
        passport.signature = "AAAA" + passport.signature.dropFirst(4)
        let response = await fixture.endpoint.respond(to: fixture.request(operation: "checkAsyncStatus", body: "<jobId>x</jobId>", passport: passport))
        #expect(response.status == 500)
        let fault = try #require(try parseResponse(response).path("Body", "Fault"))
        #expect(fault.value(of: "faultcode") == "soapenv:Server.userException")
        #expect(fault.value(of: "faultstring") == "Invalid login attempt.")
        let detail = try #require(fault.path("detail", "invalidCredentialsFault"))
        #expect(detail.namespace == SOAPNamespace.faults)
        #expect(detail.value(of: "code") == "INVALID_LOGIN_ATTEMPT")
        #expect(!response.xml.contains("signature"), "the fault does not say which part was wrong")
    }

    @Test func unknownOperationsAndBadDocumentsAreFaults() async throws {
        let fixture = try await SOAPFixture()
        let unknown = await fixture.endpoint.respond(to: fixture.request(operation: "deleteEverything", body: "", passport: fixture.passport()))
        #expect(try faultCode(unknown) == "UNKNOWN_OPERATION")
        let xxe = await fixture.endpoint.respond(to: Data(#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#.utf8))
        #expect(xxe.status == 500)
        #expect(try faultCode(xxe) == "INVALID_REQUEST")
        #expect(!xxe.xml.contains("root:"))
    }

    @Test func aSOAPOnlyClientCanSubmitCheckAndFetch() async throws {
        let fixture = try await SOAPFixture()
        let submitted = await fixture.endpoint.respond(
            to: fixture.request(operation: "submitAsyncJob", body: #"<jobType>demo.csv</jobType><parameters>{"rows": 3}</parameters>"#, passport: fixture.passport())
        )
        #expect(submitted.status == 200)
        let id = try #require(try parseResponse(submitted).path("Body", "submitAsyncJobResponse", "asyncStatusResult")?.value(of: "jobId"))
        let stored = try #require(try await fixture.store.job(JobID(id), tenant: fixture.tenant.id))
        #expect(stored.parameters["rows"] == .number(3))

        let unfinished = await fixture.endpoint.respond(to: fixture.request(operation: "getAsyncResult", body: "<jobId>\(id)</jobId><pageIndex>1</pageIndex>", passport: fixture.passport()))
        #expect(try faultCode(unfinished) == "JOB_NOT_COMPLETE")

        let bad = await fixture.endpoint.respond(to: fixture.request(operation: "submitAsyncJob", body: "<jobType>nope</jobType>", passport: fixture.passport()))
        #expect(try faultCode(bad) == "INVALID_VALUE")
    }

    @Test func smallResultsComeInlineInPages() async throws {
        let fixture = try await SOAPFixture()
        var endpoint = fixture.endpoint
        endpoint.pageSize = 10
        let content = "id,value\n1,alpha\n2,beta\n"
        let job = try await fixture.succeededJob(content: content)
        var pages: [UInt8] = []
        var totalPages = 1
        var index = 1
        while index <= totalPages {
            let response = await endpoint.respond(to: fixture.request(operation: "getAsyncResult", body: "<jobId>\(job.id)</jobId><pageIndex>\(index)</pageIndex>", passport: fixture.passport()))
            let result = try #require(try parseResponse(response).path("Body", "getAsyncResultResponse", "asyncResult"))
            #expect(result.value(of: "sha256") == job.result?.sha256)
            #expect(result.value(of: "resultUrl")?.contains(job.result!.key) == true)
            totalPages = Int(result.value(of: "totalPages") ?? "") ?? 0
            pages += Array(try #require(Data(base64Encoded: result.value(of: "content") ?? "")))
            index += 1
        }
        #expect(totalPages == 3)
        #expect(String(decoding: pages, as: UTF8.self) == content)
        let past = await endpoint.respond(to: fixture.request(operation: "getAsyncResult", body: "<jobId>\(job.id)</jobId><pageIndex>4</pageIndex>", passport: fixture.passport()))
        #expect(try faultCode(past) == "INVALID_PAGE_INDEX")
    }

    private func status(of id: JobID, _ fixture: SOAPFixture) async throws -> String? {
        let response = await fixture.endpoint.respond(to: fixture.request(operation: "checkAsyncStatus", body: "<jobId>\(id)</jobId>", passport: fixture.passport()))
        return try parseResponse(response).path("Body", "checkAsyncStatusResponse", "asyncStatusResult")?.value(of: "status")
    }

    private func faultCode(_ response: SOAPResponse) throws -> String? {
        try parseResponse(response).path("Body", "Fault", "detail")?.children.first?.value(of: "code")
    }
}
