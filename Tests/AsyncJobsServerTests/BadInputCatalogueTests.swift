import AsyncJobs
import AsyncJobsSOAP
import AsyncJobsSQLite
import AsyncJobsServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Hostile and broken input across REST, SOAP, the token endpoint and the download route: each case
/// gets its exact status (and problem type or SOAP fault code), and nothing in the store changes.
@Suite struct BadInputCatalogueTests {
    /// What a case must get back.
    enum Expected {
        /// An HTTP status and, for problem+json, the problem code (`urn:asyncjobs:problem:<code>`).
        case problem(HTTPResponse.Status, String?)
        /// An HTTP status with a body we do not inspect (S3 XML for the download route, OAuth JSON).
        case status(HTTPResponse.Status, String)
        /// A SOAP Fault (HTTP 500) with this `platformFaults:code`.
        case fault(String)
    }

    /// One request of the catalogue.
    struct Case {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var headers: HTTPFields
        var body: [UInt8]?
        var expected: Expected
    }

    /// The state every case starts from: two tenants, a finished job of A with a result, a running one.
    struct Fixture {
        let app: TestApp
        let alice: HTTPFields
        let bob: HTTPFields
        let finishedID: String
        let runningID: String
        let resultURL: URL
        let passport: PassportCredentials
        let bobPassport: PassportCredentials
    }

    @Test func everyBadInputGetsItsExactAnswerAndChangesNothing() async throws {
        let app = try await TestApp()
        try await app.application().test(.router) { client in
            let alice = try await app.tenant("alice")
            let bob = try await app.tenant("bob")
            let finishedID = try await client.submitDemo(alice, parameters: #"{"rows": 5}"#)
            let finished = try await client.waitForStatus(finishedID, "completed", headers: alice)
            let resultURL = try #require(URL(string: finished["resultUrl"] as? String ?? ""))
            let keyed = try await client.send(
                "/v1/jobs", .post, headers: alice.merging([HTTPField.Name("Idempotency-Key")!: "k-reused"]), json: #"{"type": "demo.csv", "parameters": {"rows": 3}}"#
            )
            _ = try await client.waitForStatus(try keyed.json()["jobId"] as? String ?? "", "completed", headers: alice)
            let runningID = try await client.submitDemo(alice, parameters: #"{"rows": 5, "durationMs": 60000}"#)
            _ = try await client.waitForStatus(runningID, "processing", headers: alice)
            let fixture = Fixture(
                app: app,
                alice: alice,
                bob: bob,
                finishedID: finishedID,
                runningID: runningID,
                resultURL: resultURL,
                passport: try await app.passportCredentials(for: "alice"),
                bobPassport: try await app.passportCredentials(for: "bob")
            )
            let cases = Self.cases(fixture)
            #expect(cases.count >= 50)
            #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")

            let before = try await snapshot(app)
            var replayed: [UInt8]?
            for item in cases {
                var body = item.body
                if item.name == "SOAP: the same envelope twice" {
                    // Sent once for real first; the catalogue's request is the replay.
                    replayed = body
                    let first = try await client.executeRequest(uri: item.uri, method: item.method, headers: item.headers, body: ByteBuffer(bytes: body ?? []))
                    #expect(first.status == .ok, "the first sending of the replayed envelope is accepted")
                    body = replayed
                }
                let response = try await client.executeRequest(uri: item.uri, method: item.method, headers: item.headers, body: body.map { ByteBuffer(bytes: $0) })
                check(response, item)
            }
            let after = try await snapshot(app)
            #expect(before == after, "no case changed a job, a tenant or a credential")
        }
    }

    func check(_ response: TestResponse, _ item: Case, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = response.text
        switch item.expected {
        case .problem(let status, let code):
            #expect(response.status == status, "\(item.name): status \(response.status), body \(text.prefix(300))", sourceLocation: sourceLocation)
            #expect(response.headers[.contentType] == "application/problem+json", "\(item.name): problem+json", sourceLocation: sourceLocation)
            if let code {
                #expect(text.contains("urn:asyncjobs:problem:\(code)"), "\(item.name): problem \(code) in \(text.prefix(300))", sourceLocation: sourceLocation)
            }
        case .status(let status, let needle):
            #expect(response.status == status, "\(item.name): status \(response.status), body \(text.prefix(300))", sourceLocation: sourceLocation)
            #expect(text.contains(needle), "\(item.name): '\(needle)' in \(text.prefix(300))", sourceLocation: sourceLocation)
        case .fault(let code):
            #expect(response.status == .internalServerError, "\(item.name): SOAP faults are HTTP 500, got \(response.status)", sourceLocation: sourceLocation)
            #expect(text.contains("<platformFaults:code>\(code)</platformFaults:code>"), "\(item.name): fault \(code) in \(text.prefix(400))", sourceLocation: sourceLocation)
        }
        #expect(!text.contains("root:x:0:0"), "\(item.name): nothing of /etc/passwd", sourceLocation: sourceLocation)
        #expect(!text.contains("Fatal error") && !text.contains(".swift:"), "\(item.name): no stack trace", sourceLocation: sourceLocation)
    }

    /// Everything a bad request could have changed.
    func snapshot(_ app: TestApp) async throws -> [String] {
        var lines = ["tenants \(try await app.store.tenantCount())"]
        for name in ["alice", "bob"] {
            let tenant = try #require(try await app.store.tenant(named: name))
            for job in try await app.store.jobs(JobQuery(tenantID: tenant.id, limit: 1000)).jobs {
                // A running job's heartbeat moves its lease, not its meaning: compare what a client sees.
                lines.append("\(name) \(job.id) \(job.state) \(job.attempt) \(job.type) \(JSONValue.object(job.parameters).canonicalJSON()) \(job.result?.sha256 ?? "-")")
            }
        }
        return lines
    }

    // MARK: The catalogue

    static func cases(_ f: Fixture) -> [Case] {
        let json: HTTPFields = [.contentType: "application/json"]
        let alice = f.alice.merging(json)
        func rest(_ name: String, _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields? = nil, body: String? = nil, _ expected: Expected) -> Case {
            Case(name: name, method: method, uri: uri, headers: headers ?? alice, body: body.map { Array($0.utf8) }, expected: expected)
        }
        func raw(_ name: String, _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields, bytes: [UInt8], _ expected: Expected) -> Case {
            Case(name: name, method: method, uri: uri, headers: headers, body: bytes, expected: expected)
        }
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        func token(_ name: String, headers: HTTPFields = form, body: String, _ expected: Expected) -> Case {
            Case(name: name, method: .post, uri: "/oauth2/token", headers: headers, body: Array(body.utf8), expected: expected)
        }
        let clientID = "unknown-client"
        let link = f.resultURL
        let path = link.path
        let query = link.query ?? ""
        func download(_ name: String, _ uri: String, _ expected: Expected) -> Case {
            Case(name: name, method: .get, uri: uri, headers: [:], body: nil, expected: expected)
        }
        let xml: HTTPFields = [.contentType: "text/xml; charset=utf-8"]
        func soap(_ name: String, _ document: String, _ expected: Expected) -> Case {
            Case(name: name, method: .post, uri: "/soap", headers: xml, body: Array(document.utf8), expected: expected)
        }
        func envelope(_ operation: String, _ content: String, passport: TokenPassport?) -> String {
            SOAPRequestDocument.envelope(operation: operation, body: content, passport: passport)
        }
        func signed(_ credentials: PassportCredentials, algorithm: String = "HMAC-SHA256", now: Date = Date()) -> TokenPassport {
            var passport = TokenPassport.signed(with: credentials, now: now)
            passport.algorithm = algorithm
            return passport
        }
        var forged = signed(f.passport)
        forged.signature = "AAAA" + forged.signature.dropFirst(4)
        let replay = envelope("checkAsyncStatus", "<jobId>\(f.finishedID)</jobId>", passport: signed(f.passport))
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let xxe = #"<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><checkAsyncStatus><jobId>&x;</jobId></checkAsyncStatus></soapenv:Body></soapenv:Envelope>"#
        var laughs = #"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">"#
        for level in 1...6 { laughs += "<!ENTITY a\(level) \"" + String(repeating: "&a\(level == 1 ? "" : String(level - 1));", count: 10) + "\">" }
        laughs += #"]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x>&a6;</x></soapenv:Body></soapenv:Envelope>"#

        return [
            // REST: submissions.
            rest("malformed JSON", .post, "/v1/jobs", body: #"{"type": "demo.csv", "#, .problem(.badRequest, "malformed-json")),
            rest("truncated JSON", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": 1}"#, .problem(.badRequest, "malformed-json")),
            rest("a JSON array instead of an object", .post, "/v1/jobs", body: "[]", .problem(.badRequest, nil)),
            rest("type of the wrong JSON type", .post, "/v1/jobs", body: #"{"type": 5}"#, .problem(.unprocessableContent, "invalid-request")),
            rest("no type", .post, "/v1/jobs", body: #"{"parameters": {}}"#, .problem(.unprocessableContent, "invalid-request")),
            rest("unknown job type", .post, "/v1/jobs", body: #"{"type": "rm -rf"}"#, .problem(.unprocessableContent, "unknown-job-type")),
            rest("rows as a string", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": "ten"}}"#, .problem(.unprocessableContent, "invalid-parameters")),
            rest("negative rows", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": -1}}"#, .problem(.unprocessableContent, "invalid-parameters")),
            rest("a huge number", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": 1e400}}"#, .problem(.badRequest, nil)),
            rest("rows past the limit", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": 99999999999}}"#, .problem(.unprocessableContent, "invalid-parameters")),
            rest("a fraction of a row", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": 1.5}}"#, .problem(.unprocessableContent, "invalid-parameters")),
            rest("an unknown parameter", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": 1, "shell": "; rm -rf /"}}"#, .problem(.unprocessableContent, "invalid-parameters")),
            rest("parameters nested 600 deep", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"rows": \#(deep)}}"#, .problem(.badRequest, nil)),
            rest("a body over 1 MiB", .post, "/v1/jobs", body: #"{"type": "demo.csv", "parameters": {"pad": ""# + String(repeating: "x", count: 1_100_000) + #""}}"#, .problem(.contentTooLarge, nil)),
            raw("invalid UTF-8", .post, "/v1/jobs", headers: alice, bytes: Array(#"{"type": "demo"#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""}"#.utf8), .problem(.badRequest, nil)),
            rest("no content type", .post, "/v1/jobs", headers: f.alice, body: #"{"type": "demo.csv"}"#, .problem(.unsupportedMediaType, nil)),
            rest("text/plain body", .post, "/v1/jobs", headers: f.alice.merging([.contentType: "text/plain"]), body: #"{"type": "demo.csv"}"#, .problem(.unsupportedMediaType, nil)),
            rest("an Accept the API cannot produce", .post, "/v1/jobs", headers: alice.merging([.accept: "image/png"]), body: #"{"type": "demo.csv"}"#, .problem(.notAcceptable, nil)),
            rest("an idempotency key reused for another body", .post, "/v1/jobs", headers: alice.merging([HTTPField.Name("Idempotency-Key")!: "k-reused"]), body: #"{"type": "demo.csv", "parameters": {"rows": 99}}"#, .problem(.conflict, "idempotency-key-reused")),

            // REST: authentication.
            rest("no credentials", .post, "/v1/jobs", headers: json, body: #"{"type": "demo.csv"}"#, .problem(.unauthorized, nil)),
            rest("an API key without a token", .get, "/v1/jobs", headers: [HTTPField.Name("X-API-Key")!: f.alice[HTTPField.Name("X-API-Key")!] ?? ""], .problem(.unauthorized, nil)),
            rest("a forged bearer token", .get, "/v1/jobs", headers: f.alice.merging([.authorization: "Bearer at1.eyJ0ZW5hbnQiOiJ4In0.AAAA"]), .problem(.unauthorized, nil)),
            rest("an expired bearer token", .get, "/v1/jobs", headers: f.alice.merging([.authorization: "Bearer " + f.app.components.tokens.issue(tenant: TenantID("x"), client: "c", now: Date() - 7200)]), .problem(.unauthorized, nil)),
            rest("Alice's key with Bob's token", .get, "/v1/jobs", headers: f.alice.merging([.authorization: f.bob[.authorization] ?? ""]), .problem(.unauthorized, nil)),
            rest("a token sent as Basic", .get, "/v1/jobs", headers: f.alice.merging([.authorization: "Basic Zm9vOmJhcg=="]), .problem(.unauthorized, nil)),

            // REST: ids, filters and state.
            rest("another tenant's job", .get, "/v1/jobs/\(f.finishedID)", headers: f.bob, .problem(.notFound, "job-not-found")),
            rest("another tenant's job status", .get, "/v1/jobs/\(f.finishedID)/status", headers: f.bob, .problem(.notFound, "job-not-found")),
            rest("an SQL-looking id", .get, "/v1/jobs/1'%20OR%20'1'%3D'1", .problem(.notFound, "job-not-found")),
            rest("a traversal id", .get, "/v1/jobs/..%2F..%2Fetc%2Fpasswd", .problem(.notFound, "job-not-found")),
            rest("a 10,000-character id", .get, "/v1/jobs/" + String(repeating: "a", count: 10_000), .problem(.notFound, "job-not-found")),
            rest("an SQL-looking status filter", .get, "/v1/jobs?status=queued'%20OR%201%3D1--", .problem(.badRequest, "bad-request")),
            rest("a negative limit", .get, "/v1/jobs?limit=-1", .problem(.badRequest, "bad-request")),
            rest("a limit that is not a number", .get, "/v1/jobs?limit=ten", .problem(.badRequest, "bad-request")),
            rest("a forged cursor", .get, "/v1/jobs?cursor=1%20OR%201%3D1", .problem(.badRequest, "bad-request")),
            rest("cancelling another tenant's job", .post, "/v1/jobs/\(f.runningID)/cancel", headers: f.bob, .problem(.notFound, "job-not-found")),
            rest("deleting another tenant's job", .delete, "/v1/jobs/\(f.finishedID)", headers: f.bob, .problem(.notFound, "job-not-found")),
            rest("deleting a running job", .delete, "/v1/jobs/\(f.runningID)", .problem(.conflict, nil)),
            rest("cancelling a finished job", .post, "/v1/jobs/\(f.finishedID)/cancel", .problem(.conflict, nil)),

            // The token endpoint.
            token("an unsupported grant type", body: "grant_type=password&client_id=a&client_secret=b", .status(.badRequest, "unsupported_grant_type")),
            token("an unknown client", body: "grant_type=client_credentials&client_id=\(clientID)&client_secret=b", .status(.unauthorized, "invalid_client")),
            token("no client id", body: "grant_type=client_credentials&client_secret=b", .status(.unauthorized, "invalid_client")),
            token("a malformed Basic header", headers: form.merging([.authorization: "Basic ###"]), body: "grant_type=client_credentials", .status(.unauthorized, "invalid_client")),
            token("a JSON body", headers: json, body: #"{"grant_type": "client_credentials"}"#, .status(.badRequest, "invalid_request")),

            // The download route.
            download("no signature", path, .status(.badRequest, "AuthorizationQueryParametersError")),
            download("a tampered signature", path + "?" + query.replacingOccurrences(of: "X-Amz-Signature=", with: "X-Amz-Signature=00"), .status(.forbidden, "SignatureDoesNotMatch")),
            download("a duplicated signature parameter", path + "?" + query + "&X-Amz-Signature=00", .status(.badRequest, "X-Amz-Signature is repeated")),
            download("another key under the same signature", path.replacingOccurrences(of: "demo.csv", with: "other.csv") + "?" + query, .status(.forbidden, "SignatureDoesNotMatch")),
            download("a traversal key", "/v1/results/..%2F..%2Fetc%2Fpasswd?" + query, .status(.forbidden, "SignatureDoesNotMatch")),
            download("an expiry past seven days", path + "?" + query.replacingOccurrences(of: "X-Amz-Expires=300", with: "X-Amz-Expires=700000"), .status(.badRequest, "less than a week")),
            download("a date that is not a date", path + "?" + query.replacingOccurrences(of: "X-Amz-Date=", with: "X-Amz-Date=x"), .status(.badRequest, "ISO8601")),

            // SOAP.
            soap("SOAP: malformed XML", "<soapenv:Envelope", .fault("INVALID_REQUEST")),
            soap("SOAP: a truncated envelope", String(replay.prefix(replay.count / 2)), .fault("INVALID_REQUEST")),
            soap("SOAP: an external entity", xxe, .fault("INVALID_REQUEST")),
            soap("SOAP: entity expansion", laughs, .fault("INVALID_REQUEST")),
            soap("SOAP: nesting 100 deep", envelope("checkAsyncStatus", String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100), passport: signed(f.passport)), .fault("INVALID_REQUEST")),
            soap("SOAP: not an envelope", "<html><body>hi</body></html>", .fault("INVALID_REQUEST")),
            // Found by FuzzSOAPEnvelope: this took the whole server down through FoundationXML.
            Case(
                name: "SOAP: a namespace prefix that is not UTF-8",
                method: .post,
                uri: "/soap",
                headers: xml,
                body: Array(#"<soapenv:Envelope xmlns:soa"#.utf8) + [0xDA] + Array(#"env="urn:x"><soa"#.utf8) + [0xDA] + Array(#"env:Body/></soa"#.utf8) + [0xDA] + Array("env:Envelope>".utf8),
                expected: .fault("INVALID_REQUEST")
            ),
            soap("SOAP: no passport", envelope("checkAsyncStatus", "<jobId>\(f.finishedID)</jobId>", passport: nil), .fault("INVALID_LOGIN_ATTEMPT")),
            soap("SOAP: a forged signature", envelope("checkAsyncStatus", "<jobId>\(f.finishedID)</jobId>", passport: forged), .fault("INVALID_LOGIN_ATTEMPT")),
            soap("SOAP: a timestamp 10 minutes old", envelope("checkAsyncStatus", "<jobId>\(f.finishedID)</jobId>", passport: signed(f.passport, now: Date() - 600)), .fault("INVALID_LOGIN_ATTEMPT")),
            soap("SOAP: the same envelope twice", replay, .fault("INVALID_LOGIN_ATTEMPT")),
            soap("SOAP: HMAC-SHA1", envelope("checkAsyncStatus", "<jobId>\(f.finishedID)</jobId>", passport: signed(f.passport, algorithm: "HMAC-SHA1")), .fault("UNSUPPORTED_SIGNATURE_ALGORITHM")),
            soap("SOAP: another account's job", envelope("checkAsyncStatus", "<jobId>\(f.finishedID)</jobId>", passport: signed(f.bobPassport)), .fault("INVALID_JOBID")),
            soap("SOAP: an SQL-looking job id", envelope("checkAsyncStatus", "<jobId>1' OR '1'='1</jobId>", passport: signed(f.passport)), .fault("INVALID_JOBID")),
            soap("SOAP: an unknown operation", envelope("deleteAll", "", passport: signed(f.passport)), .fault("UNKNOWN_OPERATION")),
            soap("SOAP: parameters that are not JSON", envelope("submitAsyncJob", "<jobType>demo.csv</jobType><parameters>rows=5</parameters>", passport: signed(f.passport)), .fault("INVALID_VALUE")),
            soap("SOAP: an unknown job type", envelope("submitAsyncJob", "<jobType>nope</jobType>", passport: signed(f.passport)), .fault("INVALID_VALUE")),
            soap("SOAP: a page index of zero", envelope("getAsyncResult", "<jobId>\(f.finishedID)</jobId><pageIndex>0</pageIndex>", passport: signed(f.passport)), .fault("INVALID_VALUE")),
            raw("SOAP: invalid UTF-8", .post, "/soap", headers: xml, bytes: Array("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><x>".utf8) + [0xFF, 0xFE] + Array("</x></soapenv:Body></soapenv:Envelope>".utf8), .fault("INVALID_REQUEST")),
            soap("SOAP: a body over 1 MiB", String(repeating: " ", count: 1_100_000), .fault("INVALID_REQUEST")),
            rest("SOAP: JSON instead of XML", .post, "/soap", headers: json, body: "{}", .fault("INVALID_REQUEST")),
        ]
    }
}
