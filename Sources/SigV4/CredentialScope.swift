/// The parsed `X-Amz-Credential` value, `AKID/yyyyMMdd/region/service/aws4_request`.
struct CredentialScope: Hashable, Sendable {
    var accessKeyID: String
    var dateStamp: String
    var region: String
    var service: String

    init(parsing value: String) throws(SigV4Error) {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .malformedCredential
        }
        guard AmzDate.isValidDateStamp(parts[1]) else {
            throw .credentialDateFormat(parts[1])
        }
        guard parts[4] == SigV4.scopeTerminator else {
            throw .credentialTerminal(parts[4])
        }
        accessKeyID = parts[0]
        dateStamp = parts[1]
        region = parts[2]
        service = parts[3]
    }

    /// The scope as it appears in the string to sign, without the access key.
    var scopeString: String {
        "\(dateStamp)/\(region)/\(service)/\(SigV4.scopeTerminator)"
    }
}
