public import Foundation
import Crypto

/// Seals passport HMAC keys (AES-256-GCM) so that the token table never holds them in plain text.
public struct PassportKeySealer: Sendable {
    private let key: SymmetricKey

    /// Creates a sealer from a base64 256-bit key (kept in the store's secret table).
    public init(base64Key: String) throws {
        guard let data = Data(base64Encoded: base64Key), data.count == 32 else {
            throw SOAPFault(.unexpectedError, "the passport sealing key is not 32 bytes of base64")
        }
        key = SymmetricKey(data: data)
    }

    /// A new random key, base64.
    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// Encrypts and authenticates `secret`; the result is base64.
    public func seal(_ secret: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else {
            throw SOAPFault(.unexpectedError, "sealing failed")
        }
        return combined.base64EncodedString()
    }

    /// Decrypts what ``seal(_:)`` produced; throws if it was altered or sealed under another key.
    public func open(_ sealed: String) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw SOAPFault(.unexpectedError, "a sealed key is not base64") }
        return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }
}
