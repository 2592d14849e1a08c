public import Foundation

/// Signs requests with AWS Signature Version 4 for one credential, region and service.
///
/// A signer is cheap to copy and safe to share between tasks. Copies share a
/// cache of derived signing keys, so presigning on every request costs one
/// SHA-256 of the canonical request and one HMAC.
///
/// ```swift
/// let signer = SigV4Signer(
///     credentials: SigV4Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
///                                   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
///     region: "us-east-1",
///     service: "s3"
/// )
/// let url = try signer.presignedURL(
///     url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
///     expires: 86_400,
///     date: .now
/// )
/// ```
public struct SigV4Signer: Sendable {
    /// The credentials every signature is made with.
    public let credentials: SigV4Credentials
    /// The region in the credential scope, such as `us-east-1`.
    public let region: String
    /// The service in the credential scope, such as `s3`.
    public let service: String

    let keyCache: SigningKeyCache

    /// Query parameters the presigner writes itself and therefore refuses to
    /// find already present in the URL it is asked to sign.
    static let authenticationParameters: Set<String> = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
    ]

    /// Creates a signer.
    ///
    /// - Parameters:
    ///   - credentials: The access key to sign with.
    ///   - region: The region of the credential scope.
    ///   - service: The service of the credential scope; `"s3"` for S3.
    public init(credentials: SigV4Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.keyCache = SigningKeyCache(capacity: 4)
    }

    /// Returns a presigned URL (query-string authentication) for `url`.
    ///
    /// The result carries `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
    /// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Security-Token` (with a
    /// session token) and finally `X-Amz-Signature`, after any query items `url`
    /// already had — the order botocore produces. Existing items are signed too,
    /// so a `response-content-disposition` cannot be altered by the holder. The
    /// payload is always `UNSIGNED-PAYLOAD`, as for every S3 presigned URL.
    ///
    /// The path is written back in canonical encoding, so the bytes the client
    /// sends are exactly the bytes that were signed.
    ///
    /// ```swift
    /// let download = try signer.presignedURL(
    ///     url: URL(string: "http://127.0.0.1:8080/jobs/42/result?response-content-disposition=attachment")!,
    ///     expires: 300,
    ///     date: .now
    /// )
    /// ```
    ///
    /// - Parameters:
    ///   - method: The HTTP method the URL will be used with.
    ///   - url: An absolute `http` or `https` URL, without authentication parameters.
    ///   - expires: Lifetime in seconds, `1...604800`.
    ///   - date: The signing time; truncated to the second.
    ///   - signedHeaders: Headers, besides `host`, the client must send with
    ///     exactly these values. Names are case-insensitive.
    /// - Throws: ``SigV4Error`` with code ``SigV4Error/Code/invalidArgument``.
    public func presignedURL(
        method: String = "GET",
        url: URL,
        expires: Int,
        date: Date,
        signedHeaders: [String: String] = [:]
    ) throws(SigV4Error) -> URL {
        try presign(method: method, url: url, expires: expires, date: date, signedHeaders: signedHeaders).url
    }

    /// Signs an ordinary request and returns the headers to add to it.
    ///
    /// The result holds `Authorization`, `x-amz-date`, `x-amz-content-sha256`
    /// and, with a session token, `x-amz-security-token`. Every header passed
    /// in is signed, plus `host` (derived from `url` unless given), so send them
    /// unchanged.
    ///
    /// ```swift
    /// let added = try signer.signHeaders(
    ///     method: "GET",
    ///     url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
    ///     headers: [("Range", "bytes=0-9")],
    ///     payloadHash: SigV4.emptyPayloadSHA256,
    ///     date: .now
    /// )
    /// ```
    ///
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - url: The absolute request URL; its path and query are signed.
    ///   - headers: Headers to sign, in order; repeated names are joined with `,`.
    ///   - payloadHash: ``SigV4/sha256Hex(_:)`` of the body, or
    ///     ``SigV4/unsignedPayload``.
    ///   - date: The signing time; truncated to the second.
    /// - Throws: ``SigV4Error`` with code ``SigV4Error/Code/invalidArgument``.
    public func signHeaders(
        method: String = "GET",
        url: URL,
        headers: [(String, String)] = [],
        payloadHash: String,
        date: Date
    ) throws(SigV4Error) -> [String: String] {
        try sign(method: method, url: url, headers: headers, payloadHash: payloadHash, date: date).headers
    }

    /// Signs an ordinary request; see ``signHeaders(method:url:headers:payloadHash:date:)``.
    public func signHeaders(
        method: String = "GET",
        url: URL,
        headers: [String: String],
        payloadHash: String,
        date: Date
    ) throws(SigV4Error) -> [String: String] {
        try signHeaders(method: method, url: url, headers: headers.map { ($0.key, $0.value) }, payloadHash: payloadHash, date: date)
    }
}

extension SigV4Signer {
    /// Everything computed while presigning, for tests and diagnostics.
    struct Presigned {
        var url: URL
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
    }

    /// Everything computed while signing headers, for tests and diagnostics.
    struct SignedRequest {
        var headers: [String: String]
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
    }

    func credentialScope(_ timestamp: AmzDate) -> String {
        "\(timestamp.dateStamp)/\(region)/\(service)/\(SigV4.scopeTerminator)"
    }

    func signature(stringToSign: String, timestamp: AmzDate) -> String {
        let key = keyCache.key(for: SigningKeyCache.Scope(
            secretAccessKey: credentials.secretAccessKey,
            dateStamp: timestamp.dateStamp,
            region: region,
            service: service
        ))
        return SigV4.signature(stringToSign: stringToSign, signingKey: key)
    }

    func presign(
        method: String,
        url: URL,
        expires: Int,
        date: Date,
        signedHeaders extraHeaders: [String: String]
    ) throws(SigV4Error) -> Presigned {
        guard (1...SigV4.maximumExpiry).contains(expires) else {
            throw .invalidArgument("expires must be between 1 and \(SigV4.maximumExpiry) seconds, got \(expires).")
        }
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true),
              let host = HostHeader.value(for: components) else {
            throw .invalidArgument("Cannot presign \(url.absoluteString): the URL has no host.")
        }
        let existing = QueryParameter.parse(components.percentEncodedQuery ?? "")
        if let clash = existing.first(where: { Self.authenticationParameters.contains($0.name) }) {
            throw .invalidArgument("The URL already carries \(clash.name); presign the unsigned URL.")
        }
        var headers: [(String, String)] = [("host", host)]
        for (name, value) in extraHeaders {
            // The host header is fixed by the URL; letting callers override it
            // would produce URLs that can never verify.
            guard CanonicalRequest.normalizeName(name) != "host" else {
                throw .invalidArgument("signedHeaders must not contain host; it is taken from the URL.")
            }
            headers.append((name, value))
        }

        let timestamp = AmzDate(date)
        let canonicalPath = URIEncoding.canonicalPath(encodedPath: components.percentEncodedPath)
        // X-Amz-SignedHeaders is itself part of the signed query, so the list
        // is needed before the canonical request can be assembled.
        let signedHeaderNames = CanonicalRequest.canonicalHeaders(headers).map(\.name).joined(separator: ";")

        var authentication = [
            QueryParameter(name: "X-Amz-Algorithm", value: SigV4.algorithm),
            QueryParameter(name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(credentialScope(timestamp))"),
            QueryParameter(name: "X-Amz-Date", value: timestamp.basic),
            QueryParameter(name: "X-Amz-Expires", value: String(expires)),
            QueryParameter(name: "X-Amz-SignedHeaders", value: signedHeaderNames),
        ]
        if let token = credentials.sessionToken {
            authentication.append(QueryParameter(name: "X-Amz-Security-Token", value: token))
        }

        let canonical = CanonicalRequest(
            method: method,
            canonicalURI: canonicalPath,
            canonicalQuery: QueryParameter.canonical(existing + authentication),
            headers: headers,
            payloadHash: SigV4.unsignedPayload
        )
        let canonicalString = canonical.string
        let stringToSign = SigV4.stringToSign(
            amzDate: timestamp.basic,
            scope: credentialScope(timestamp),
            canonicalRequest: canonicalString
        )
        let signature = signature(stringToSign: stringToSign, timestamp: timestamp)

        let query = (existing + authentication + [QueryParameter(name: "X-Amz-Signature", value: signature)])
            .map(\.encoded)
            .joined(separator: "&")
        components.percentEncodedPath = canonicalPath
        components.percentEncodedQuery = query
        guard let signedURL = components.url else {
            throw .invalidArgument("Cannot rebuild a URL from \(url.absoluteString).")
        }
        return Presigned(url: signedURL, canonicalRequest: canonicalString, stringToSign: stringToSign, signature: signature)
    }

    func sign(
        method: String,
        url: URL,
        headers given: [(String, String)],
        payloadHash: String,
        date: Date,
        includeContentHashHeader: Bool = true
    ) throws(SigV4Error) -> SignedRequest {
        guard payloadHash == SigV4.unsignedPayload || Hex.decodeLowercase(payloadHash)?.count == 32 else {
            throw .invalidArgument("payloadHash must be a lowercase hex SHA-256 or \(SigV4.unsignedPayload).")
        }
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
            throw .invalidArgument("Cannot sign \(url.absoluteString): not a valid URL.")
        }
        let timestamp = AmzDate(date)
        // Values this method sets itself replace caller-supplied ones, which
        // would otherwise be merged into a comma list and break the signature.
        let owned: Set<String> = ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]
        var headers = given.filter { !owned.contains(CanonicalRequest.normalizeName($0.0)) }
        if !headers.contains(where: { CanonicalRequest.normalizeName($0.0) == "host" }) {
            guard let host = HostHeader.value(for: components) else {
                throw .invalidArgument("Cannot sign \(url.absoluteString): the URL has no host.")
            }
            headers.append(("host", host))
        }
        var added: [String: String] = ["x-amz-date": timestamp.basic]
        if includeContentHashHeader {
            added["x-amz-content-sha256"] = payloadHash
        }
        if let token = credentials.sessionToken {
            added["x-amz-security-token"] = token
        }
        headers.append(contentsOf: added.map { ($0.key, $0.value) })

        let canonical = CanonicalRequest(
            method: method,
            canonicalURI: URIEncoding.canonicalPath(encodedPath: components.percentEncodedPath),
            canonicalQuery: QueryParameter.canonical(QueryParameter.parse(components.percentEncodedQuery ?? "")),
            headers: headers,
            payloadHash: payloadHash
        )
        let canonicalString = canonical.string
        let scope = credentialScope(timestamp)
        let stringToSign = SigV4.stringToSign(amzDate: timestamp.basic, scope: scope, canonicalRequest: canonicalString)
        let signature = signature(stringToSign: stringToSign, timestamp: timestamp)
        added["Authorization"] =
            "\(SigV4.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return SignedRequest(headers: added, canonicalRequest: canonicalString, stringToSign: stringToSign, signature: signature)
    }
}
