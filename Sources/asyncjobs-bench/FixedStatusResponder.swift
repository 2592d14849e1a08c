import AsyncJobsServer
import Hummingbird

/// Answers status polls with the same bytes every time, built into a response as the status route
/// builds its own, and anything else with 404.
struct FixedStatusResponder: HTTPResponder {
    let body: ByteBuffer

    func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        guard request.method == .get, AsyncJobsResponder.statusPollJobID(request.uri.path) != nil else {
            return Response(status: .notFound)
        }
        return JSONResponse.make(body: body, status: .ok, context: context)
    }
}
