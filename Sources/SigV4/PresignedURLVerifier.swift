public import Foundation

/// Checks presigned URLs (SigV4 query-string authentication) on the server side.
///
/// Give it the request as received — the percent-encoded path, the raw query
/// string and the `Host` header — and it recomputes the signature with the
/// secret looked up from the URL's access key ID. It accepts URLs from
/// ``SigV4Signer`` and from AWS SDKs such as boto3.
///
/// ```swift
/// let verifier = PresignedURLVerifier(signer: signer)
/// do {
///     let verified = try verifier.verify(
///         method: request.method,
///         path: request.rawPath,
///         query: request.rawQuery ?? "",
///         host: request.headers["Host"] ?? "",
///         now: .now
///     )
///     let remaining = verified.secondsRemaining(at: .now)
/// } catch {
///     let body = S3ErrorXML(error).render() // send with error.httpStatus
/// }
/// ```
public struct PresignedURLVerifier: Sendable {
    /// What the verifier needs to know about one access key.
    public struct Credential: Sendable, Hashable {
        /// The secret the URL must have been signed with.
        public var secretAccessKey: String
        /// The only region accepted in this key's credential scope.
        public var region: String
        /// The only service accepted in this key's credential scope.
        public var service: String
        /// When set, `X-Amz-Security-Token` must equal it; when `nil`, a URL
        /// carrying a token is refused.
        public var sessionToken: String?

        /// Creates a credential entry.
        public init(secretAccessKey: String, region: String, service: String = "s3", sessionToken: String? = nil) {
            self.secretAccessKey = secretAccessKey
            self.region = region
            self.service = service
            self.sessionToken = sessionToken
        }
    }

    /// How far in the future `X-Amz-Date` may lie before a URL is refused as
    /// not yet valid; AWS allows 15 minutes of clock skew.
    public var maximumClockSkew: TimeInterval

    private let lookup: @Sendable (String) -> Credential?
    private let keyCache = SigningKeyCache(capacity: 64)

    static let signatureParameter = "X-Amz-Signature"
    static let tokenParameter = "X-Amz-Security-Token"

    /// Creates a verifier that resolves access key IDs with `lookup`.
    ///
    /// - Parameters:
    ///   - maximumClockSkew: Tolerance for signers whose clock runs ahead.
    ///   - lookup: Returns the credential for an access key ID, or `nil` if unknown.
    ///     It is called once per verification, possibly concurrently.
    public init(maximumClockSkew: TimeInterval = 15 * 60, lookup: @escaping @Sendable (_ accessKeyID: String) -> Credential?) {
        self.maximumClockSkew = maximumClockSkew
        self.lookup = lookup
    }

    /// Creates a verifier for a fixed set of access keys sharing one scope.
    public init(
        credentials: [SigV4Credentials],
        region: String,
        service: String = "s3",
        maximumClockSkew: TimeInterval = 15 * 60
    ) {
        let table = Dictionary(
            credentials.map {
                ($0.accessKeyID, Credential(
                    secretAccessKey: $0.secretAccessKey,
                    region: region,
                    service: service,
                    sessionToken: $0.sessionToken
                ))
            },
            uniquingKeysWith: { _, last in last }
        )
        self.init(maximumClockSkew: maximumClockSkew) { table[$0] }
    }

    /// Creates a verifier that accepts exactly what `signer` produces.
    public init(signer: SigV4Signer, maximumClockSkew: TimeInterval = 15 * 60) {
        self.init(
            credentials: [signer.credentials],
            region: signer.region,
            service: signer.service,
            maximumClockSkew: maximumClockSkew
        )
    }

    /// Verifies a presigned request.
    ///
    /// - Parameters:
    ///   - method: The request's HTTP method.
    ///   - path: The request path exactly as received, still percent-encoded,
    ///     without the query. Equivalent encodings (`%7E` and `~`) verify alike.
    ///   - query: The raw query string, without the leading `?`.
    ///   - host: The `Host` header value as received, including any `:port`.
    ///   - headers: Values for any other headers named in `X-Amz-SignedHeaders`;
    ///     names are case-insensitive.
    ///   - now: The server's current time.
    /// - Returns: The verified access key and the URL's validity window.
    /// - Throws: ``SigV4Error``; its ``SigV4Error/code`` says why.
    public func verify(
        method: String,
        path: String,
        query: String,
        host: String,
        headers: [String: String] = [:],
        now: Date = .now
    ) throws(SigV4Error) -> Verified {
        let parameters = QueryParameter.parse(query)
        let auth = try authenticationParameters(in: parameters)

        guard let algorithm = auth["X-Amz-Algorithm"], let credentialValue = auth["X-Amz-Credential"],
              let provided = auth[Self.signatureParameter], let dateValue = auth["X-Amz-Date"],
              let signedHeadersValue = auth["X-Amz-SignedHeaders"], let expiresValue = auth["X-Amz-Expires"] else {
            throw .missingAuthenticationParameters
        }
        guard algorithm == SigV4.algorithm else {
            throw .unsupportedAlgorithm(algorithm)
        }
        let scope = try CredentialScope(parsing: credentialValue)
        guard let timestamp = AmzDate(parsing: dateValue) else {
            throw .malformedDate
        }
        guard scope.dateStamp == timestamp.dateStamp else {
            throw .credentialDateMismatch
        }
        let expires = try Self.parseExpires(expiresValue)

        guard let credential = lookup(scope.accessKeyID) else {
            throw .unknownAccessKey(scope.accessKeyID)
        }
        guard scope.region == credential.region else {
            throw .wrongRegion(scope.region, expected: credential.region)
        }
        guard scope.service == credential.service else {
            throw .wrongService(scope.service, expected: credential.service)
        }
        try checkToken(auth[Self.tokenParameter], against: credential.sessionToken)

        let signedHeaders = try Self.signedHeaderValues(signedHeadersValue, host: host, headers: headers)

        let signedAt = timestamp.date
        let expiresAt = signedAt.addingTimeInterval(TimeInterval(expires))
        if signedAt.timeIntervalSince(now) > maximumClockSkew {
            throw .notYetValid(amzDateParameter: dateValue, expiresAt: AmzDate(expiresAt), now: AmzDate(now))
        }
        if now > expiresAt {
            throw .expired(expiresParameter: expiresValue, expiresAt: AmzDate(expiresAt), now: AmzDate(now))
        }

        let canonical = CanonicalRequest(
            method: method,
            canonicalURI: URIEncoding.canonicalPath(encodedPath: path),
            canonicalQuery: QueryParameter.canonical(parameters.filter { $0.name != Self.signatureParameter }),
            headers: signedHeaders,
            payloadHash: SigV4.unsignedPayload
        )
        let canonicalString = canonical.string
        let stringToSign = SigV4.stringToSign(
            amzDate: timestamp.basic,
            scope: scope.scopeString,
            canonicalRequest: canonicalString
        )
        let key = keyCache.key(for: SigningKeyCache.Scope(
            secretAccessKey: credential.secretAccessKey,
            dateStamp: scope.dateStamp,
            region: scope.region,
            service: scope.service
        ))
        guard SigV4.isValidSignature(hex: provided, stringToSign: stringToSign, signingKey: key) else {
            throw .signatureMismatch(
                accessKeyID: scope.accessKeyID,
                stringToSign: stringToSign,
                signatureProvided: provided,
                canonicalRequest: canonicalString
            )
        }
        return Verified(
            accessKeyID: scope.accessKeyID,
            region: scope.region,
            service: scope.service,
            signedAt: signedAt,
            expires: expires,
            signedHeaders: canonical.headers.map(\.name)
        )
    }

    /// Verifies a presigned request given as a URL; the `Host` value is derived
    /// from the URL the same way ``SigV4Signer`` derives it.
    public func verify(method: String = "GET", url: URL, headers: [String: String] = [:], now: Date = .now) throws(SigV4Error) -> Verified {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true),
              let host = HostHeader.value(for: components) else {
            throw .invalidArgument("Cannot verify \(url.absoluteString): the URL has no host.")
        }
        return try verify(
            method: method,
            path: components.percentEncodedPath,
            query: components.percentEncodedQuery ?? "",
            host: host,
            headers: headers,
            now: now
        )
    }
}

extension PresignedURLVerifier {
    /// The `X-Amz-*` parameters, each required to appear at most once: with two
    /// values it would be unclear which one the signer meant.
    private func authenticationParameters(in parameters: [QueryParameter]) throws(SigV4Error) -> [String: String] {
        var found: [String: String] = [:]
        for parameter in parameters {
            let name = parameter.name
            guard SigV4Signer.authenticationParameters.contains(name) else { continue }
            guard found[name] == nil else { throw .duplicatedParameter(name) }
            found[name] = parameter.value
        }
        // An empty value is as unusable as an absent one.
        return found.filter { !$0.value.isEmpty }
    }

    private static func parseExpires(_ text: String) throws(SigV4Error) -> Int {
        let isDigits = { (s: Substring) in !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        if text.hasPrefix("-"), isDigits(text.dropFirst()) {
            throw .expiresNegative
        }
        guard isDigits(text[...]) else {
            throw .expiresNotANumber
        }
        // All digits but too long for Int is simply a very large lifetime.
        guard let value = Int(text), value <= SigV4.maximumExpiry else {
            throw .expiresTooLarge
        }
        guard value >= 1 else {
            throw .expiresZero
        }
        return value
    }

    private func checkToken(_ provided: String?, against expected: String?) throws(SigV4Error) {
        switch (provided, expected) {
        case (nil, nil):
            return
        case let (provided?, expected?) where ConstantTime.equals(Array(provided.utf8), Array(expected.utf8)):
            return
        default:
            throw .invalidToken
        }
    }

    /// Pairs each signed header name with the value the request carries.
    ///
    /// Only `host` comes from the request line; anything else must be supplied
    /// by the caller, because a signed header the server cannot see can never
    /// be checked.
    private static func signedHeaderValues(
        _ list: String,
        host: String,
        headers: [String: String]
    ) throws(SigV4Error) -> [(String, String)] {
        let names = list.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard names.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() && !$0.contains(" ") }) else {
            throw .malformedSignedHeaders(list)
        }
        guard names.contains("host") else {
            throw .headersNotSigned(["host"])
        }
        var lowered: [String: String] = [:]
        for (name, value) in headers {
            lowered[CanonicalRequest.normalizeName(name)] = value
        }
        var values: [(String, String)] = []
        for name in names {
            if name == "host" {
                values.append((name, host))
            } else if let value = lowered[name] {
                values.append((name, value))
            } else {
                throw .missingSignedHeader(name)
            }
        }
        return values
    }
}
