public import AsyncJobs
import Crypto
import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore
import SigV4

/// `POST /oauth2/token`: the OAuth 2 client-credentials grant (RFC 6749 §4.4).
///
/// Client credentials come as HTTP Basic or as `client_id`/`client_secret` form fields. Errors are
/// problem documents that also carry RFC 6749's `error` member, so OAuth libraries understand them.
public struct TokenController: Sendable {
    let tenants: any TenantStore
    let tokens: AccessTokenIssuer
    let bodyTimeout: Duration

    /// Creates the controller.
    public init(tenants: any TenantStore, tokens: AccessTokenIssuer, bodyTimeout: Duration = .seconds(30)) {
        self.bodyTimeout = bodyTimeout
        self.tenants = tenants
        self.tokens = tokens
    }

    /// Adds the route.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/oauth2/token", use: issue)
    }

    struct TokenResponse: ResponseEncodable {
        var access_token: String
        var token_type = "Bearer"
        var expires_in: Int
    }

    @Sendable func issue(_ request: Request, context: AppRequestContext) async throws -> Response {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw oauthError(.badRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
        }
        let body = try await request.collectBody(upTo: 64 * 1024, within: bodyTimeout)
        guard let form = FormBody(String(buffer: body)) else {
            throw oauthError(.badRequest, "invalid_request", "the form body is malformed or repeats a field")
        }
        guard let grant = form["grant_type"] else {
            throw oauthError(.badRequest, "invalid_request", "grant_type is required")
        }
        guard grant == "client_credentials" else {
            throw oauthError(.badRequest, "unsupported_grant_type", "only the client_credentials grant is supported")
        }
        let basic = request.headers[.authorization].flatMap(Self.basicCredentials)
        if basic != nil && (form["client_id"] != nil || form["client_secret"] != nil) {
            throw oauthError(.badRequest, "invalid_request", "send client credentials either as HTTP Basic or in the body, not both")
        }
        guard let (clientID, secret) = basic ?? form["client_id"].flatMap({ id in form["client_secret"].map { (id, $0) } }) else {
            throw invalidClient("client_id and client_secret are required")
        }
        guard let client = try await tenants.client(id: clientID) else {
            throw invalidClient("client authentication failed")
        }
        let presented = Array(TenantCredentials.hash(secret).utf8)
        let stored = Array(client.secretHash.utf8)
        guard presented.count == stored.count, constantTimeEqual(presented, stored) else {
            throw invalidClient("client authentication failed")
        }
        let token = tokens.issue(tenant: client.tenantID, client: clientID)
        var response = try TokenResponse(access_token: token, expires_in: tokens.lifetime).response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Pragma")!] = "no-cache"
        return response
    }

    private func oauthError(_ status: HTTPResponse.Status, _ error: String, _ detail: String) -> Problem {
        Problem(status, code: "oauth-\(error.replacingOccurrences(of: "_", with: "-"))", title: "Token request refused", detail: detail, extensions: ["error": error, "error_description": detail])
    }

    private func invalidClient(_ detail: String) -> Problem {
        var problem = oauthError(.unauthorized, "invalid_client", detail)
        problem.headers[.wwwAuthenticate] = #"Basic realm="asyncjobs""#
        return problem
    }

    /// `Basic base64(urlencode(id):urlencode(secret))`, per RFC 6749 §2.3.1.
    static func basicCredentials(_ header: String) -> (String, String)? {
        guard header.lowercased().hasPrefix("basic ") else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingSpacesAndTabs()),
            let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        let id = FormBody.decode(String(decoded[..<colon])) ?? String(decoded[..<colon])
        let secret = FormBody.decode(String(decoded[decoded.index(after: colon)...])) ?? String(decoded[decoded.index(after: colon)...])
        return (id, secret)
    }
}

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}

/// An `application/x-www-form-urlencoded` body; a repeated field makes it invalid (RFC 6749 §3.2).
struct FormBody {
    private var fields: [String: String] = [:]

    init?(_ text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(String(parts[0])),
                let value = Self.decode(parts.count > 1 ? String(parts[1]) : "")
            else { return nil }
            guard fields[name] == nil else { return nil }
            fields[name] = value
        }
    }

    subscript(name: String) -> String? { fields[name] }

    static func decode(_ text: String) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
