import AsyncJobsSOAP
import Foundation
import FuzzReplay

/// A libFuzzer target for the SOAP envelope parser: every input is a request body as the SOAP route
/// receives it. It is parsed under the server's limits, and when it is an envelope its token passport
/// and operation arguments are read as the endpoint reads them. It must answer (an envelope, or a
/// ``SOAPFault``) and never crash, hang or read a file.
///
/// Built with `-D FUZZING -sanitize=fuzzer,address` by `scripts/fuzz-parsers.sh`; built normally it
/// replays the files or directories it is given (`swift run FuzzSOAPEnvelope crash-…`).
enum SOAPEnvelopeTarget {
    static let parser = SOAPParser()

    /// Parses one input; returns whether it was an envelope with a readable passport.
    @discardableResult
    static func run(_ bytes: UnsafeRawBufferPointer) -> Bool {
        do {
            let envelope = try parser.parseEnvelope(Data(bytes))
            _ = envelope.operation.value(of: "jobId")
            guard let element = envelope.tokenPassportElement else { return false }
            let passport = try TokenPassport(element: element)
            _ = passport.baseString
            return true
        } catch {
            _ = error.message
            return false
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    SOAPEnvelopeTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable target's entry point under this name (so tests can link the
/// module); in the fuzzing build it hands control to libFuzzer's driver.
@_cdecl("FuzzSOAPEnvelope_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc: argc, argv: argv, fuzzOneInput)
}
#else
@main
struct ReplaySOAPEnvelope {
    static func main() throws {
        try FuzzReplay.replay(CommandLine.arguments.dropFirst()) { SOAPEnvelopeTarget.run($0) }
    }
}
#endif
