public import AsyncJobs
public import Hummingbird

/// The request context of every AsyncJobs route: who is calling and which media type they accept.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated tenant, set by ``APIAuthenticator``.
    public var tenantID: TenantID?
    /// The media type the response is written in, chosen by ``MediaTypeNegotiator``.
    public var mediaType: APIMediaType = .json

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Request bodies are small JSON documents; anything over 1 MiB is refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    /// The authenticated tenant; throws 401 if a route forgot its authenticator.
    func requireTenant() throws -> TenantID {
        guard let tenantID else { throw Problem.unauthorized("authentication required") }
        return tenantID
    }
}
