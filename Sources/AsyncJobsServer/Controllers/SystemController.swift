public import AsyncJobs
public import Hummingbird
import NIOCore

/// `GET /healthz` and `GET /openapi.yaml`.
public struct SystemController: Sendable {
    let tenants: any TenantStore

    /// Creates the controller.
    public init(tenants: any TenantStore) {
        self.tenants = tenants
    }

    /// Adds the routes.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/healthz", use: health)
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml))
            )
        }
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            _ = try await tenants.tenantCount()
        } catch {
            throw Problem(.serviceUnavailable, code: "store-unavailable", title: "The job store is unavailable", detail: "the job store did not answer", headers: [.retryAfter: "5"])
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
}
