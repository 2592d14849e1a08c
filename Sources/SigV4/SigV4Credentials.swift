/// An AWS-style access key pair, optionally with a temporary session token.
public struct SigV4Credentials: Sendable, Hashable {
    /// The public identifier that appears in every signed request's credential scope.
    public var accessKeyID: String
    /// The secret from which signing keys are derived; it never appears in a request.
    public var secretAccessKey: String
    /// A session token for temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Creates credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension SigV4Credentials: CustomStringConvertible, CustomDebugStringConvertible {
    /// Shows the access key ID only, so credentials can be logged without leaking secrets.
    public var description: String {
        "SigV4Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    /// Same as ``description``; secrets stay redacted in debugger output too.
    public var debugDescription: String { description }
}
