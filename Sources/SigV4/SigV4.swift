public import Foundation
import Crypto

/// Namespace for AWS Signature Version 4 constants and hashing helpers.
///
/// The signing and verification entry points are ``SigV4Signer`` and
/// ``PresignedURLVerifier``; this type only holds what both share.
public enum SigV4 {
    /// The only signing algorithm this module produces and accepts.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// The payload-hash placeholder used by presigned URLs and unsigned uploads.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The hex SHA-256 of an empty body, the payload hash of a body-less request.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The longest lifetime, in seconds, S3 accepts for a presigned URL (seven days).
    public static let maximumExpiry = 604_800

    /// The final element of every credential scope.
    static let scopeTerminator = "aws4_request"

    /// Returns the lowercase hex SHA-256 digest of `data`.
    ///
    /// Use it to compute the `payloadHash` for ``SigV4Signer/signHeaders(method:url:headers:payloadHash:date:)``:
    ///
    /// ```swift
    /// let body = Data("Welcome to Amazon S3.".utf8)
    /// let hash = SigV4.sha256Hex(body)
    /// ```
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        Hex.encode(SHA256.hash(data: data))
    }

    /// Returns the lowercase hex SHA-256 digest of the UTF-8 encoding of `string`.
    public static func sha256Hex(_ string: String) -> String {
        sha256Hex(Data(string.utf8))
    }

    /// Returns the lowercase hex SHA-256 digest of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}

extension SigV4 {
    /// HMAC-SHA256 of `data` under `key`, as raw bytes.
    static func hmac(key: some ContiguousBytes, data: some DataProtocol) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    /// The intermediate keys of the SigV4 key derivation, exposed so tests can
    /// check each stage against AWS's published example rather than only the last.
    static func signingKeyStages(
        secretAccessKey: String,
        dateStamp: String,
        region: String,
        service: String
    ) -> (date: [UInt8], region: [UInt8], service: [UInt8], signing: [UInt8]) {
        let kDate = hmac(key: Array("AWS4\(secretAccessKey)".utf8), data: Array(dateStamp.utf8))
        let kRegion = hmac(key: kDate, data: Array(region.utf8))
        let kService = hmac(key: kRegion, data: Array(service.utf8))
        let kSigning = hmac(key: kService, data: Array(scopeTerminator.utf8))
        return (kDate, kRegion, kService, kSigning)
    }

    /// Derives the signing key for one (date, region, service) scope.
    static func deriveSigningKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        SymmetricKey(data: signingKeyStages(
            secretAccessKey: secretAccessKey,
            dateStamp: dateStamp,
            region: region,
            service: service
        ).signing)
    }

    /// The "string to sign" of the SigV4 specification.
    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        "\(algorithm)\n\(amzDate)\n\(scope)\n\(sha256Hex(canonicalRequest))"
    }

    /// The hex signature of `stringToSign` under a derived signing key.
    static func signature(stringToSign: String, signingKey: SymmetricKey) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey))
    }

    /// Checks a hex signature without leaking, through timing, how much of it matched.
    ///
    /// The comparison is delegated to swift-crypto's MAC validation, which is
    /// constant-time; only the hex decoding of the caller-supplied value (which
    /// the caller already knows) depends on its content.
    static func isValidSignature(hex provided: String, stringToSign: String, signingKey: SymmetricKey) -> Bool {
        // Only lowercase hex is what signers emit; rejecting anything else keeps
        // one canonical spelling per signature.
        guard let bytes = Hex.decodeLowercase(provided), bytes.count == SHA256.byteCount else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(
            bytes,
            authenticating: Data(stringToSign.utf8),
            using: signingKey
        )
    }
}

extension SigV4 {
    /// Percent-encodes an S3 object key for a URL path the way SigV4 canonicalises it: every byte
    /// but `A-Z a-z 0-9 - . _ ~` and `/` becomes `%XX`, so the path sent is the path signed.
    public static func encodeKeyPath(_ key: String) -> String {
        URIEncoding.encode(Array(key.utf8), keepSlash: true)
    }
}
