public import AsyncJobs
import Foundation
public import Hummingbird

/// `GET /v1/job-types`: the job types this node accepts, each with its parameter schema, so clients
/// can discover what to submit.
public struct JobTypesController: Sendable {
    let registry: JobRegistry

    /// Creates the controller for the types of `registry`.
    public init(registry: JobRegistry) {
        self.registry = registry
    }

    /// Adds the route to a group that already authenticates and negotiates.
    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("job-types", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireTenant()
        return try JSONResponse.make(JobTypeListBody(registry: registry), status: .ok, context: context)
    }
}

/// The body of `GET /v1/job-types`.
struct JobTypeListBody: Encodable {
    struct JobTypeBody: Encodable {
        var type: String
        var summary: String?
        var maxAttempts: Int
        var timeoutSeconds: Int64
        var concurrencyLimit: Int?
        /// A JSON Schema of the `parameters` object; `{"type": "object"}` when the type declares none.
        var parameters: JSONValue
    }

    var jobTypes: [JobTypeBody]

    init(registry: JobRegistry) {
        jobTypes = registry.types.compactMap { registry.handler(for: $0) }.map { handler in
            JobTypeBody(
                type: handler.type,
                summary: handler.summary,
                maxAttempts: handler.options.maxAttempts,
                timeoutSeconds: handler.options.timeout.components.seconds,
                concurrencyLimit: handler.options.concurrencyLimit,
                parameters: handler.parameterSchema?.jsonSchema ?? ["type": "object"]
            )
        }
    }
}
