import AsyncJobs
import AsyncJobsCommands
import Testing

@Suite struct CommandJobsFileTests {
    static let gzip = """
        jobs:
          - type: file.gzip
            summary: Compress a file
            executable: /bin/sh
            arguments: ["-c", "gzip -c -$0 -- \\"$1\\"", "{level}", "{file}"]
            concurrency: 2
            timeoutSeconds: 60
            maxAttempts: 2
            parameters:
              - {name: file, type: string, required: true}
              - {name: level, type: integer, default: 6, minimum: 1, maximum: 9}
              - {name: note, type: string}
            result:
              fileName: "{file}.gz"
              contentType: application/gzip
        """

    @Test func readsADeclaration() throws {
        let file = try CommandJobsFile(yaml: Self.gzip)
        let job = try #require(file.jobs.first)
        #expect(job.type == "file.gzip")
        #expect(job.options.concurrencyLimit == 2)
        #expect(job.options.maxAttempts == 2)
        #expect(job.options.timeout == .seconds(60))
        #expect(job.resultSource == .stdout)
        #expect(job.parameters.parameter(named: "level")?.maximum == 9)
        #expect(file.handlers.first?.parameterSchema == job.parameters)
    }

    @Test func argvKeepsEveryValueOneLiteralArgument() throws {
        let job = try #require(try CommandJobsFile(yaml: Self.gzip).jobs.first)
        let hostile = "\"; rm -rf / #$(touch /tmp/x) `id` {level} {{"
        let argv = try job.argv(for: try job.parameters.validate(["file": .string(hostile)]), scratch: "/s")
        #expect(argv == ["-c", "gzip -c -$0 -- \"$1\"", "6", hostile])
    }

    @Test func loneOptionalPlaceholderIsDroppedAndBracesEscape() throws {
        let template = try ArgumentTemplate("--x={{{level}}}")
        #expect(try template.render(["level": 3], scratch: "/s") == "--x={3}")
        #expect(try ArgumentTemplate("{note}").render([:], scratch: "/s") == nil)
        #expect(try ArgumentTemplate("{scratch}/out").render([:], scratch: "/s") == "/s/out")
        #expect(throws: JobError.self) { try ArgumentTemplate("--note={note}").render([:], scratch: "/s") }
    }

    @Test(arguments: [
        ("arguments: [\"{nope}\"]", "not a declared parameter"),
        ("arguments: [\"{open\"]", "unclosed"),
        ("arguments: [\"a}b\"]", "unmatched"),
        ("executable: relative/gzip", "must be an absolute path"),
        ("executable: /nonexistent/prog", "does not exist"),
        ("parameters: [{name: p, type: string, pattern: \"(\"}]", "does not compile"),
        ("parameters: [{name: p, type: integer, default: 12, maximum: 9}]", "default of 'p' is invalid"),
        ("parameters: [{name: p, type: text}]", "not a valid command-jobs file"),
        ("result: {from: file}", "needs result.path"),
    ])
    func refusesBadDeclarations(line: String, message: String) {
        var entry = ["type: t", "executable: /bin/true"]
        let key = line.split(separator: ":")[0]
        entry.removeAll { $0.hasPrefix(key + ":") }
        entry.append(line)
        let yaml = "jobs:\n" + entry.enumerated().map { ($0.offset == 0 ? "  - " : "    ") + $0.element }.joined(separator: "\n")
        do {
            _ = try CommandJobsFile(yaml: yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func refusesATypeDeclaredTwice() {
        let yaml = "jobs:\n  - {type: t, executable: /bin/true}\n  - {type: t, executable: /bin/true}\n"
        #expect(throws: CommandJobError.self) { try CommandJobsFile(yaml: yaml) }
    }
}
