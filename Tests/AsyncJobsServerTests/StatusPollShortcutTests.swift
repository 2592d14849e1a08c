import AsyncJobs
@testable import AsyncJobsServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// The status poll's shortcut past the router (`AsyncJobsResponder`): which paths take it, and that it
/// answers exactly as the router does.
@Suite struct StatusPollShortcutTests {
    @Test func onlyTheCanonicalStatusPathIsRecognised() {
        #expect(AsyncJobsResponder.statusPollJobID("/v1/jobs/0b3c-9f_A/status") == "0b3c-9f_A")
        #expect(AsyncJobsResponder.statusPollJobID("/v1/jobs/x/status") == "x")
        for path in [
            "/v1/jobs//status", "/v1/jobs/status", "/v1/jobs/a/b/status", "/v1/jobs/a/status/", "/v1/jobs/a/statuses",
            "/v1/jobs/a/Status", "/v2/jobs/a/status", "/v1/job/a/status", "//v1/jobs/a/status", "/v1/jobs/a", "", "/",
            "/v1/jobs/bad%20id/status", "/v1/jobs/a%2Fb/status", "/v1/jobs/a.b/status", "/v1/jobs/é/status",
            // The router splits on characters: here the slash and the combining accent after it are one.
            "/v1/jobs/\u{301}x/status",
        ] {
            #expect(AsyncJobsResponder.statusPollJobID(path) == nil, "\(path)")
        }
    }

    @Test func aStatusPollReachesTheShortcutWithItsIDAndEverythingElseTheRouter() async throws {
        let router = Router(context: AppRequestContext.self)
        router.get("/v1/jobs/:id/status/") { _, _ in "router" }
        router.post("/v1/jobs/:id/status") { _, _ in "router" }
        let shortcut = CallbackResponder<AppRequestContext> { _, context in
            if context.parameters.get("id") == "conflict" { throw HTTPError(.conflict) }
            return Response(
                status: .ok,
                body: .init(byteBuffer: ByteBuffer(string: "shortcut \(context.parameters.get("id") ?? "-") \(context.endpointPath ?? "-")"))
            )
        }
        let routes = AsyncJobsRoutes(router: router, statusPoll: MiddlewareChain([], endpoint: shortcut))
        try await Application(router: routes).test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.send("/v1/jobs/abc/status").text == "shortcut abc /v1/jobs/{id}/status")
            #expect(try await client.send("/v1/jobs/abc/status?verbose=1").text == "shortcut abc /v1/jobs/{id}/status")
            #expect(try await client.send("/v1/jobs/abc/status", .post).text == "router")
            #expect(try await client.send("/v1/jobs/abc/status", .head).status == .notFound, "HEAD goes to the router, which has no such route")
            #expect(try await client.send("/v1/jobs/abc/status/").text == "router", "a spelling the check does not take goes to the router")
            #expect(try await client.send("/v1/jobs/a/b/status").status == .notFound)
            #expect(try await client.send("/v1/jobs/conflict/status").status == .conflict, "an HTTP error becomes its response, as the router makes it")
        }
    }

    @Test func middlewaresRunInTheOrderGivenAroundTheEndpoint() async throws {
        let trail = Mutex<[String]>([])
        struct Mark: RouterMiddleware {
            typealias Context = AppRequestContext
            let name: String
            let trail: @Sendable (String) -> Void
            func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
                trail("\(name)>")
                defer { trail("<\(name)") }
                return try await next(request, context)
            }
        }
        let record: @Sendable (String) -> Void = { step in trail.withLock { $0.append(step) } }
        let endpoint = CallbackResponder<AppRequestContext> { _, _ in
            record("endpoint")
            return Response(status: .ok)
        }
        let routes = AsyncJobsRoutes(
            router: Router(context: AppRequestContext.self),
            statusPoll: MiddlewareChain(["a", "b", "c"].map { Mark(name: $0, trail: record) }, endpoint: endpoint)
        )
        try await Application(router: routes).test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.send("/v1/jobs/x/status").status == .ok)
        }
        #expect(trail.withLock { $0 } == ["a>", "b>", "c>", "endpoint", "<c", "<b", "<a"])
    }

    @Test func theShortcutSharesTheRoutersLimiters() async throws {
        let app = try await TestApp(rateLimit: (rate: 0.01, burst: 2))
        var configuration = app.configuration
        configuration.maxConcurrentRequests = 1
        let alice = try await app.tenant("alice")
        let routes = buildRoutes(configuration: configuration, components: app.components)
        let (entered, enter) = AsyncStream<Void>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        routes.router.get("hold") { _, _ -> String in
            enter.yield()
            for await _ in released { break }
            return "held"
        }
        try await Application(router: routes).test(.router) { (client: any TestClientProtocol) async throws in
            // The only place is taken by a request the router serves: the poll is refused.
            async let held = client.send("/hold")
            for await _ in entered { break }
            #expect(try await client.send("/v1/jobs/x/status", headers: alice).status == .serviceUnavailable)
            release.yield()
            #expect(try await held.status == .ok)
            // Requests the router serves spend alice's bucket of two, and the poll finds it empty.
            #expect(try await client.send("/v1/jobs", headers: alice).status == .ok)
            #expect(try await client.send("/v1/job-types", headers: alice).status == .ok)
            #expect(try await client.send("/v1/jobs/x/status", headers: alice).status == .tooManyRequests)
        }
    }

    /// The same requests, through the router alone and through the shortcut, get the same answers:
    /// authentication, tenancy, media types, bad ids and a rate limit running out.
    @Test(arguments: [false, true])
    func theShortcutAnswersAsTheRouterDoes(limited: Bool) async throws {
        let app = try await TestApp(rateLimit: limited ? (rate: 0.01, burst: 4) : nil)
        var configuration = app.configuration
        if limited { configuration.maxConcurrentRequests = 4 }
        let alice = try await app.tenant("alice")
        let bob = try await app.tenant("bob")
        let id = try await app.application(workers: false).test(.router) { client in try await client.submitDemo(alice) }
        let requests: [(uri: String, headers: HTTPFields)] = [
            ("/v1/jobs/\(id)/status", alice),
            ("/v1/jobs/\(id)/status", alice.merging([.accept: APIMediaType.vendor.rawValue])),
            ("/v1/jobs/\(id)/status", alice.merging([.accept: "image/png"])),
            ("/v1/jobs/\(id)/status", [:]),
            ("/v1/jobs/\(id)/status", [.authorization: alice[.authorization]!]),
            ("/v1/jobs/\(id)/status", alice.merging([.authorization: "Bearer not-a-token"])),
            ("/v1/jobs/\(id)/status", bob),
            ("/v1/jobs/no-such-job/status", alice),
            ("/v1/jobs/bad%20id/status", alice),
            // With the limiter, these are alice's fifth and sixth authenticated requests: her bucket of
            // four is empty by then on both sides (406 and 401 come before authentication and cost nothing).
            ("/v1/jobs/\(id)/status", alice),
            ("/v1/jobs/\(id)/status", alice),
        ]
        func answers<Builder: HTTPResponderBuilder>(_ router: Builder) async throws -> [String] where Builder.Responder.Context == AppRequestContext {
            try await Application(router: router).test(.router) { client in
                var answers: [String] = []
                for request in requests {
                    let response = try await client.send(request.uri, headers: request.headers)
                    var headers = response.headers
                    headers[.date] = nil
                    // The encoder writes an object's keys in no fixed order: compare them sorted.
                    let body = try JSONSerialization.data(
                        withJSONObject: JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)),
                        options: .sortedKeys
                    )
                    var text = String(decoding: body, as: UTF8.self)
                    if response.status == .tooManyRequests {
                        // The wait counts down while the requests run: compare that there is one, not its value.
                        #expect(headers[.retryAfter].flatMap { Int($0) } != nil)
                        headers[.retryAfter] = "n"
                        headers[.contentLength] = nil
                        text = text.replacing(/retry after \d+ s/, with: "retry after n s")
                    }
                    answers.append("\(response.status.code) \(headers.sorted { $0.name.canonicalName < $1.name.canonicalName }) \(text)")
                }
                return answers
            }
        }
        let viaRouter = try await answers(buildRouter(configuration: configuration, components: app.components))
        let viaShortcut = try await answers(buildRoutes(configuration: configuration, components: app.components))
        #expect(viaShortcut == viaRouter)
        let codes = viaShortcut.map { $0.prefix(3) }
        #expect(codes == ["200", "200", "406", "401", "401", "401", "404", "404", "404", limited ? "429" : "200", limited ? "429" : "200"])
    }
}
