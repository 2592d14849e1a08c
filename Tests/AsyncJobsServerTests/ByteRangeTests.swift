@testable import AsyncJobsServer
import Testing

@Suite struct ByteRangeTests {
    @Test(arguments: [
        ("bytes=0-9", ByteRange.satisfiable(0..<10)),
        ("bytes=5-", .satisfiable(5..<100)),
        ("bytes=-10", .satisfiable(90..<100)),
        ("bytes=-500", .satisfiable(0..<100)),
        ("bytes=90-500", .satisfiable(90..<100)),
        ("bytes=100-", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=9-2", .none),
        ("bytes=0-1,5-6", .none),
        ("items=0-1", .none),
        ("bytes=abc", .none),
    ])
    func parsesSingleRanges(_ header: String, _ expected: ByteRange) {
        #expect(ByteRange.parse(header, size: 100) == expected)
    }
}
