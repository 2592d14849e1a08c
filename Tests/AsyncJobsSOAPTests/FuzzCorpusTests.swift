import AsyncJobsSOAP
import Foundation
import Testing

/// Replays the SOAPEnvelope fuzz target's corpus (`Fuzz/Corpus/SOAPEnvelope`) through the parser and
/// the passport reader, as the target does, with the answer each seed must get; `regression-*` inputs
/// (ones that once crashed) must get an answer.
@Suite struct SOAPEnvelopeFuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/SOAPEnvelope")

    enum Outcome: Equatable {
        case passport(consumerKey: String)
        case noPassport
        case fault(String)
    }

    static let expected: [String: Outcome] = [
        "seed-checkAsyncStatus": .passport(consumerKey: "ck-0123456789abcdef"),
        "suitetalk-getAsyncResult": .passport(consumerKey: "ck"),
        "no-passport": .noPassport,
        "xxe": .fault("document type declarations are not allowed"),
        "entity-expansion": .fault("document type declarations are not allowed"),
        "deep-nesting": .fault("nests deeper"),
        "truncated": .fault("not well-formed"),
        "not-soap": .fault("not a SOAP 1.1 envelope"),
        "invalid-utf8": .fault("not UTF-8"),
        // Crashed the server through FoundationXML before the parser refused non-UTF-8 input.
        "regression-non-utf8-namespace-prefix": .fault("not UTF-8"),
    ]

    static func inputs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
    }

    static func outcome(of name: String) throws -> Outcome {
        let data = try Data(contentsOf: corpus.appendingPathComponent(name))
        do {
            let envelope = try SOAPParser().parseEnvelope(data)
            guard let element = envelope.tokenPassportElement else { return .noPassport }
            return .passport(consumerKey: try TokenPassport(element: element).consumerKey)
        } catch {
            return .fault(error.message)
        }
    }

    @Test func everySeedHasAnExpectedAnswer() throws {
        let names = try Self.inputs()
        #expect(Set(names.filter { !$0.hasPrefix("regression-") }).isSubset(of: Self.expected.keys))
        #expect(Set(Self.expected.keys).isSubset(of: names), "every expected input is in the corpus")
    }

    @Test(arguments: try inputs())
    func corpusInput(_ name: String) throws {
        let outcome = try Self.outcome(of: name)
        switch Self.expected[name] {
        case .fault(let words):
            guard case .fault(let message) = outcome else {
                Issue.record("\(name) must be refused, got \(outcome)")
                return
            }
            #expect(message.contains(words), "\(name): \(message)")
        case let expected?:
            #expect(outcome == expected, "\(name)")
        case nil:
            break  // a regression input: answering at all is the test
        }
    }
}
