import ArgumentParser
import AsyncJobsServer
import Foundation
import Hummingbird

/// `asyncjobs-bench http-floor`: the framework's floor under the status benchmark. Status polls reach
/// it as they reach `asyncjobs serve`: the same HTTP server set-up (idle timeout, server name,
/// logging), the same request context, and the path matched byte by byte as
/// ``AsyncJobsServer/AsyncJobsResponder`` matches it, past the router. It answers fixed bytes, with no
/// middleware, authentication, store or signing, so `scripts/bench/status.sh` can show which part of
/// the gap to nginx is the framework's and which is ours.
struct HTTPFloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-floor",
        abstract: "Answer GET /v1/jobs/{id}/status with fixed bytes through bare Hummingbird, until stopped."
    )

    @Option(help: "The port to listen on, on 127.0.0.1.")
    var port: Int

    @Option(name: .customLong("body-file"), help: "The file whose bytes every answer carries (a status answer's JSON).")
    var bodyFile: String

    func run() async throws {
        let logger = BenchCommand.bootstrapLogging()
        let body = try ByteBuffer(bytes: Data(contentsOf: URL(fileURLWithPath: bodyFile)))
        let serve = AsyncJobsServer.ServerConfiguration(host: "127.0.0.1", port: port)
        let application = Application(
            responder: FixedStatusResponder(body: body),
            server: serve.httpServer,
            configuration: serve.applicationConfiguration,
            logger: logger
        )
        try await application.runService()
    }
}
