import Foundation
import FuzzReplay
import SigV4

/// A libFuzzer target for the SigV4 query parser and pre-signed URL verifier: every input is a
/// request target (`/path?query`) as the download route receives it, verified against one known
/// access key at a fixed instant. It must answer (verified, or a ``SigV4Error``) and never crash.
///
/// Built with `-D FUZZING -sanitize=fuzzer,address` by `scripts/fuzz-parsers.sh`; built normally it
/// replays the files or directories it is given, so a crash file can be reproduced with
/// `swift run FuzzPresignedURL crash-…`.
enum PresignedURLTarget {
    /// The key the corpus was signed with (see `Fuzz/README.md`).
    static let verifier = PresignedURLVerifier(maximumClockSkew: 15 * 60) { accessKeyID in
        accessKeyID == "AKIAFUZZEXAMPLE00000" ? .init(secretAccessKey: "fuzz/secret/key", region: "us-east-1") : nil
    }
    /// The instant the corpus URLs were signed at: 2026-01-01T00:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_767_225_600)

    /// Verifies one input; returns whether it verified.
    @discardableResult
    static func run(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let target = String(decoding: bytes, as: UTF8.self)
        let path: Substring
        let query: Substring
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = target[...]
            query = ""
        }
        do {
            let verified = try verifier.verify(method: "GET", path: String(path), query: String(query), host: "127.0.0.1:8080", now: now)
            _ = verified.secondsRemaining(at: now)
            return true
        } catch {
            _ = S3ErrorXML(error).render()
            return false
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    PresignedURLTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable target's entry point under this name (so tests can link the
/// module); in the fuzzing build it hands control to libFuzzer's driver.
@_cdecl("FuzzPresignedURL_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc: argc, argv: argv, fuzzOneInput)
}
#else
@main
struct ReplayPresignedURL {
    static func main() throws {
        try FuzzReplay.replay(CommandLine.arguments.dropFirst()) { PresignedURLTarget.run($0) }
    }
}
#endif
