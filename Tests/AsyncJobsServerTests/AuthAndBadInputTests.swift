import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct AuthAndBadInputTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func tokenEndpointGrantsClientCredentials() async throws {
        let app = try await TestApp()
        let credentials = try await app.store.createTenant(named: "alice")
        try await app.application(workers: false).test(.router) { client in
            let body = "grant_type=client_credentials&client_id=\(credentials.clientId)&client_secret=\(credentials.clientSecret)"
            let viaForm = try await client.send("/oauth2/token", .post, headers: Self.form, json: body)
            #expect(viaForm.status == .ok)
            let token = try #require(try viaForm.json()["access_token"] as? String)
            #expect(try viaForm.json()["token_type"] as? String == "Bearer")
            #expect(try viaForm.json()["expires_in"] as? Int == 3600)
            #expect(viaForm.headers[.cacheControl] == "no-store")

            let basic = Data("\(credentials.clientId):\(credentials.clientSecret)".utf8).base64EncodedString()
            let viaBasic = try await client.send("/oauth2/token", .post, headers: Self.form.merging([.authorization: "Basic \(basic)"]), json: "grant_type=client_credentials")
            #expect(viaBasic.status == .ok)

            let key = HTTPField.Name("X-API-Key")!
            let jobs = try await client.send("/v1/jobs", headers: [key: credentials.apiKey, .authorization: "Bearer \(token)"])
            #expect(jobs.status == .ok, "the issued token works with the tenant's API key")

            let wrongSecret = try await client.send("/oauth2/token", .post, headers: Self.form, json: "grant_type=client_credentials&client_id=\(credentials.clientId)&client_secret=nope")
            #expect(wrongSecret.status == .unauthorized)
            #expect(try wrongSecret.json()["error"] as? String == "invalid_client")
            let wrongGrant = try await client.send("/oauth2/token", .post, headers: Self.form, json: "grant_type=password&client_id=\(credentials.clientId)&client_secret=\(credentials.clientSecret)")
            #expect(try wrongGrant.json()["error"] as? String == "unsupported_grant_type")
            let json = try await client.send("/oauth2/token", .post, json: #"{"grant_type":"client_credentials"}"#)
            #expect(json.status == .badRequest)
            let repeated = try await client.send("/oauth2/token", .post, headers: Self.form, json: "grant_type=client_credentials&grant_type=client_credentials")
            #expect(repeated.status == .badRequest)
        }
    }

    @Test func everyAPIRouteNeedsBothCredentialsOfOneTenant() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        let bob = try await app.tenant("bob")
        let key = HTTPField.Name("X-API-Key")!
        try await app.application(workers: false).test(.router) { client in
            let id = try await client.submitDemo(alice)
            let cases: [(String, HTTPFields)] = [
                ("nothing", [:]),
                ("API key only", [key: alice[key]!]),
                ("token only", [.authorization: alice[.authorization]!]),
                ("forged token", [key: alice[key]!, .authorization: alice[.authorization]! + "x"]),
                ("basic scheme", [key: alice[key]!, .authorization: "Basic YTpi"]),
                ("unknown key", [key: "ak_unknown", .authorization: alice[.authorization]!]),
                ("keys of two tenants", [key: bob[key]!, .authorization: alice[.authorization]!]),
            ]
            for (name, headers) in cases {
                for (uri, method) in [("/v1/jobs", HTTPRequest.Method.get), ("/v1/jobs/\(id)/status", .get), ("/v1/jobs/\(id)/cancel", .post)] {
                    let response = try await client.send(uri, method, headers: headers)
                    #expect(response.status == .unauthorized, "\(name): \(method) \(uri)")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                }
            }
            #expect(try await app.store.job(JobID(id), tenant: nil)?.state == .queued, "no refused request changed anything")

            let expiredIssuer = try await ServerSecrets.tokenIssuer(store: app.store, lifetime: 60)
            let tenantID = try #require(try await app.store.tenant(named: "alice")).id
            let expired = expiredIssuer.issue(tenant: tenantID, client: "x", now: Date().addingTimeInterval(-120))
            let response = try await client.send("/v1/jobs", headers: [key: alice[key]!, .authorization: "Bearer \(expired)"])
            #expect(response.status == .unauthorized)
        }
    }

    @Test func anotherTenantsJobDoesNotExist() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        let bob = try await app.tenant("bob")
        try await app.application(workers: false).test(.router) { client in
            let id = try await client.submitDemo(alice)
            #expect(try await client.send("/v1/jobs/\(id)/status", headers: bob).status == .notFound)
            #expect(try await client.send("/v1/jobs/\(id)", headers: bob).status == .notFound)
            #expect(try await client.send("/v1/jobs/\(id)/cancel", .post, headers: bob).status == .notFound)
            #expect(try await client.send("/v1/jobs/\(id)", .delete, headers: bob).status == .notFound)
            let list = try await client.send("/v1/jobs", headers: bob).json()
            #expect((list["jobs"] as? [Any])?.isEmpty == true)
            #expect(try await app.store.job(JobID(id), tenant: nil)?.state == .queued)
        }
    }

    @Test func badSubmissionsAreRefusedAndStoreNothing() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application(workers: false).test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String?)] = [
                ("{", .badRequest, "urn:asyncjobs:problem:malformed-json"),
                (#"{"type": "demo.csv", "parameters": {"rows": 1}"#, .badRequest, "urn:asyncjobs:problem:malformed-json"),
                ("[1, 2]", .badRequest, "urn:asyncjobs:problem:malformed-json"),
                (String(repeating: "[", count: 10_000), .badRequest, "urn:asyncjobs:problem:malformed-json"),
                (#"{"type": "no.such.type"}"#, .unprocessableContent, "urn:asyncjobs:problem:unknown-job-type"),
                (#"{"type": 42}"#, .unprocessableContent, "urn:asyncjobs:problem:invalid-request"),
                (#"{"type": "demo.csv", "parameters": [1]}"#, .unprocessableContent, "urn:asyncjobs:problem:invalid-request"),
                (#"{"type": "demo.csv", "params": {}}"#, .unprocessableContent, "urn:asyncjobs:problem:invalid-request"),
                (#"{"type": "demo.csv", "parameters": {"rows": -1}}"#, .unprocessableContent, "urn:asyncjobs:problem:invalid-parameters"),
                (#"{"type": "demo.csv", "parameters": {"rows": 1e400}}"#, .badRequest, "urn:asyncjobs:problem:malformed-json"),
                (#"{"type": "demo.csv", "parameters": {"rows": "ten"}}"#, .unprocessableContent, "urn:asyncjobs:problem:invalid-parameters"),
                (#"{"type": "demo.csv", "parameters": {"colour": "red"}}"#, .unprocessableContent, "urn:asyncjobs:problem:invalid-parameters"),
                (#"{"type": "demo.csv", "parameters": {"x": "\#(String(repeating: "a", count: 1 << 20))"}}"#, .contentTooLarge, "urn:asyncjobs:problem:body-too-large"),
            ]
            for (body, status, type) in cases {
                let response = try await client.send("/v1/jobs", .post, headers: alice, json: body)
                #expect(response.status == status, "\(body.prefix(60))")
                #expect(response.headers[.contentType] == "application/problem+json", "\(body.prefix(60))")
                if let type { #expect(try response.json()["type"] as? String == type, "\(body.prefix(60))") }
            }
            let field = try await client.send("/v1/jobs", .post, headers: alice, json: #"{"type": "demo.csv", "parameters": {"rows": -1}}"#)
            #expect(try field.json()["field"] as? String == "rows")
            let invalidUTF8 = try await client.executeRequest(
                uri: "/v1/jobs", method: .post, headers: alice.merging([.contentType: "application/json"]),
                body: ByteBuffer(bytes: Array(#"{"type": "demo.csv", "parameters": {"name": ""#.utf8) + [0xff, 0xfe] + Array(#""}}"#.utf8))
            )
            #expect(invalidUTF8.status == .badRequest)
            let xml = try await client.send("/v1/jobs", .post, headers: alice.merging([.contentType: "application/xml"]), json: "<job/>")
            #expect(xml.status == .unsupportedMediaType)
            let list = try await client.send("/v1/jobs", headers: alice).json()
            #expect((list["jobs"] as? [Any])?.isEmpty == true, "nothing was stored")
        }
    }

    @Test func idempotencyKeyReplaysOrConflicts() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        let bob = try await app.tenant("bob")
        let key = HTTPField.Name("Idempotency-Key")!
        try await app.application(workers: false).test(.router) { client in
            let body = #"{"type": "demo.csv", "parameters": {"rows": 5}}"#
            let first = try await client.send("/v1/jobs", .post, headers: alice.merging([key: "order-42"]), json: body)
            let replay = try await client.send("/v1/jobs", .post, headers: alice.merging([key: "order-42"]), json: body)
            #expect(first.status == .accepted)
            #expect(replay.status == .accepted)
            #expect(try replay.json()["jobId"] as? String == (try first.json()["jobId"] as? String))
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let conflict = try await client.send("/v1/jobs", .post, headers: alice.merging([key: "order-42"]), json: #"{"type": "demo.csv", "parameters": {"rows": 6}}"#)
            #expect(conflict.status == .conflict)
            #expect(try conflict.json()["type"] as? String == "urn:asyncjobs:problem:idempotency-key-reused")
            let otherTenant = try await client.send("/v1/jobs", .post, headers: bob.merging([key: "order-42"]), json: body)
            #expect(try otherTenant.json()["jobId"] as? String != (try first.json()["jobId"] as? String))
            let badKey = try await client.send("/v1/jobs", .post, headers: alice.merging([key: String(repeating: "k", count: 300)]), json: body)
            #expect(badKey.status == .badRequest)
            let list = try await client.send("/v1/jobs", headers: alice).json()
            #expect((list["jobs"] as? [Any])?.count == 1)
        }
    }
}
