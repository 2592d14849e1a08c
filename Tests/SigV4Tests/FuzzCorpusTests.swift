import Foundation
import SigV4
import Testing

/// Replays the PresignedURL fuzz target's corpus (`Fuzz/Corpus/PresignedURL`) through the verifier,
/// with the key and instant the target uses: `valid-*` seeds verify, `refused-*` seeds are refused
/// with the code their name gives, and `regression-*` inputs (ones that once crashed) get an answer.
@Suite struct PresignedURLFuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/PresignedURL")

    static let verifier = PresignedURLVerifier(maximumClockSkew: 15 * 60) { accessKeyID in
        accessKeyID == "AKIAFUZZEXAMPLE00000" ? .init(secretAccessKey: "fuzz/secret/key", region: "us-east-1") : nil
    }
    static let signedAt = Date(timeIntervalSince1970: 1_767_225_600)

    static let refusals: [String: SigV4Error.Code] = [
        "refused-duplicate-signature": .malformed,
        "refused-empty": .malformed,
        "refused-tampered-path": .signatureMismatch,
        "refused-too-long": .malformed,
        "refused-traversal": .signatureMismatch,
        "refused-unknown-key": .unknownAccessKey,
    ]

    static func inputs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
    }

    static func verify(_ name: String) throws(SigV4Error) -> PresignedURLVerifier.Verified {
        let target = (try? String(contentsOf: corpus.appendingPathComponent(name), encoding: .utf8)) ?? ""
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return try verifier.verify(
            method: "GET",
            path: String(parts[0]),
            query: parts.count > 1 ? String(parts[1]) : "",
            host: "127.0.0.1:8080",
            now: signedAt
        )
    }

    @Test func theCorpusHasSeedsOfEveryKind() throws {
        let names = try Self.inputs()
        #expect(names.filter { $0.hasPrefix("valid-") }.count >= 4)
        #expect(Set(names.filter { $0.hasPrefix("refused-") }) == Set(Self.refusals.keys))
        #expect(names.allSatisfy { $0.hasPrefix("valid-") || $0.hasPrefix("refused-") || $0.hasPrefix("regression-") }, "\(names)")
    }

    @Test(arguments: try inputs())
    func corpusInput(_ name: String) throws {
        if name.hasPrefix("valid-") {
            let verified = try Self.verify(name)
            #expect(verified.accessKeyID == "AKIAFUZZEXAMPLE00000")
            #expect(verified.secondsRemaining(at: Self.signedAt) > 0)
        } else if let code = Self.refusals[name] {
            let error = #expect(throws: SigV4Error.self) { try Self.verify(name) }
            #expect(error?.code == code, "\(name): \(error?.message ?? "accepted")")
        } else {
            _ = try? Self.verify(name)
        }
    }
}
