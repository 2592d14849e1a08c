import ArgumentParser
import AsyncJobs
import AsyncJobsServer
import Foundation
import Hummingbird

/// `asyncjobs-bench http-floor`: the framework's ceiling for the status benchmark. One Hummingbird
/// route of the status route's shape answers fixed bytes with the status answer's headers, set up as
/// `asyncjobs serve` sets up its HTTP server, with no authentication, no store and no signing.
/// `scripts/bench/status.sh` polls it beside our status route, so that the run shows which part of
/// the gap to nginx is the framework's and which is ours.
struct HTTPFloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-floor",
        abstract: "Serve fixed bytes on GET /v1/jobs/{id}/status through a bare Hummingbird router, until stopped."
    )

    @Option(help: "The port to listen on, on 127.0.0.1.")
    var port: Int

    @Option(name: .customLong("body-file"), help: "The file whose bytes every answer carries (a status answer's JSON).")
    var bodyFile: String

    func run() async throws {
        let logger = BenchCommand.bootstrapLogging()
        let body = try ByteBuffer(bytes: Data(contentsOf: URL(fileURLWithPath: bodyFile)))
        let router = Router()
        router.get("/v1/jobs/:id/status") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: body))
        }
        let serve = AsyncJobsServer.ServerConfiguration(host: "127.0.0.1", port: port)
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(serve.idleTimeout.nanoseconds))),
            configuration: .init(address: .hostname(serve.host, port: serve.port), serverName: "AsyncJobs"),
            logger: logger
        )
        try await application.runService()
    }
}
