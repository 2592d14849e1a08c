import AsyncJobs
import AsyncJobsCommands
import AsyncJobsTestSupport
import Foundation
import Testing

/// Real child processes run by a real worker pool over in-memory stores.
@Suite struct CommandRunnerTests {
    static let tenant = EngineHarness.tenant

    /// The engine with the jobs' handlers; the pool polls often so a retry is picked up at once.
    struct Harness {
        let engine: EngineHarness
        var queue: JobQueue { engine.queue }

        init(_ jobs: [CommandJob]) {
            engine = EngineHarness(jobs.map(\.handler))
        }

        func pool(grace: Duration = .seconds(5)) -> WorkerPool {
            engine.pool(concurrency: 4, poll: .milliseconds(200), grace: grace)
        }

        func submit(_ type: String, _ parameters: JobParameters = [:]) async throws -> JobID {
            try await engine.submit(type, parameters)
        }

        func job(_ id: JobID) async throws -> Job { try await engine.job(id) }

        func waitFor(_ id: JobID, _ states: Set<JobState>) async throws -> Job {
            try await engine.waitFor(id, states)
        }

        func resultText(_ job: Job) throws -> String { try engine.resultText(job) }
    }

    /// A job running `/bin/sh -c SCRIPT` with the parameters as `$1`…: the shell is the declared
    /// program here, as any program could be; the parameters still arrive as separate arguments.
    static func shell(
        _ type: String,
        _ script: String,
        parameters: [JobParameter] = [],
        options: JobTypeOptions = JobTypeOptions(maxAttempts: 1),
        grace: Duration = .seconds(5),
        result: CommandJob.ResultSource = .stdout,
        resultPath: String? = nil
    ) throws -> CommandJob {
        CommandJob(
            type: type,
            executable: "/bin/sh",
            arguments: try (["-c", script, "sh"] + parameters.map { "{\($0.name)}" }).map(ArgumentTemplate.init),
            parameters: JobParameterSchema(parameters),
            options: options,
            cancelGracePeriod: grace,
            resultSource: result,
            resultPath: try resultPath.map(ArgumentTemplate.init),
            resultFileName: try ArgumentTemplate("out.txt"),
            resultContentType: "text/plain"
        )
    }

    @Test func streamsStdoutAsTheResultAndReportsProgress() async throws {
        let job = try Self.shell(
            "echo",
            #"echo "::progress 40" >&2; printf '%s|' "$@"; echo "::progress 70" >&2; echo noise >&2"#,
            parameters: [JobParameter("text", .string, required: true)]
        )
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let hostile = "\"; rm -rf / $(id) `id` *"
            let id = try await harness.submit("echo", ["text": .string(hostile)])
            let done = try await harness.waitFor(id, [.succeeded, .failed])
            #expect(done.state == .succeeded, "\(String(describing: done.failure))")
            #expect(try harness.resultText(done) == hostile + "|")
            #expect(done.result?.fileName == "out.txt")
            #expect(done.progress.percent == 100)
        }
    }

    @Test func theProgramSeesDeclaredVariablesButNotTheServersSettings() async throws {
        setenv("ASYNCJOBS_TEST_SECRET", "do-not-leak", 1)
        var job = try Self.shell("env", #"printf '%s|%s|%s' "$(printenv ASYNCJOBS_TEST_SECRET || echo unset)" "$GREETING" "$(test -n "$PATH" && echo path)""#)
        job.environment = ["GREETING": "hello"]
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let done = try await harness.waitFor(try await harness.submit("env"), [.succeeded, .failed])
            #expect(try harness.resultText(done) == "unset|hello|path")
        }
    }

    @Test func readsTheResultFromAFileInTheScratchDirectory() async throws {
        let job = try Self.shell("file", "printf 'from a file' > result.bin; echo done", result: .file, resultPath: "result.bin")
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let done = try await harness.waitFor(try await harness.submit("file"), [.succeeded, .failed])
            #expect(done.state == .succeeded)
            #expect(try harness.resultText(done) == "from a file")
        }
    }

    @Test func aMissingResultFileFailsTheJob() async throws {
        let job = try Self.shell("nofile", "true", result: .file, resultPath: "absent.bin")
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let done = try await harness.waitFor(try await harness.submit("nofile"), [.succeeded, .failed])
            #expect(done.state == .failed)
            #expect(done.failure?.code == "result_missing")
        }
    }

    @Test func aNonZeroExitFailsWithTheTailOfStderr() async throws {
        let job = try Self.shell("fail", "echo starting >&2; echo 'disk full' >&2; exit 3", options: JobTypeOptions(maxAttempts: 3))
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let done = try await harness.waitFor(try await harness.submit("fail"), [.succeeded, .failed])
            #expect(done.state == .failed)
            #expect(done.failure?.code == "exit_status")
            #expect(done.failure?.message == "fail exited with status 3: starting\ndisk full")
            // 3 is not a retryable status: one attempt although three are allowed.
            #expect(done.attempt == 1)
        }
    }

    @Test func aRetryableExitStatusIsRetried() async throws {
        let fast = JobTypeOptions(maxAttempts: 2, backoff: RetryBackoff(initial: .milliseconds(10), maximum: .milliseconds(20)))
        let job = try Self.shell("tempfail", "echo 'try later' >&2; exit 75", options: fast)
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let done = try await harness.waitFor(try await harness.submit("tempfail"), [.succeeded, .failed])
            #expect(done.state == .failed)
            #expect(done.attempt == 2)
        }
    }

    /// A script that starts a grandchild which ignores SIGTERM, writes both pids, then waits.
    static let stubbornTree = #"trap '' TERM; sh -c 'trap "" TERM; while :; do sleep 1; done' & echo "$$ $!" > "$1"; while :; do sleep 1; done"#

    @Test func cancellingKillsTheWholeProcessTree() async throws {
        let directory = try TemporaryDirectory()
        let pidFile = directory.path + "/pids"
        let job = try Self.shell("tree", Self.stubbornTree, parameters: [JobParameter("pidFile", .string, required: true)], grace: .milliseconds(500))
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let id = try await harness.submit("tree", ["pidFile": .string(pidFile)])
            let pids = try await Self.pids(in: pidFile)
            #expect(pids.count == 2 && pids.allSatisfy(ProcessProbe.isAlive))
            _ = try await harness.queue.cancel(id, tenant: Self.tenant)
            // Both ignore SIGTERM: only the SIGKILL after the 0.5 s grace period can end them.
            try await eventually(timeout: .seconds(30), "the process tree to be gone") { !pids.contains(where: ProcessProbe.isAlive) }
            #expect(try await harness.job(id).state == .cancelled)
        }
    }

    @Test func theTimeoutKillsTheProcessTreeAndFailsTheAttempt() async throws {
        let directory = try TemporaryDirectory()
        let pidFile = directory.path + "/pids"
        let job = try Self.shell(
            "slow",
            Self.stubbornTree,
            parameters: [JobParameter("pidFile", .string, required: true)],
            options: JobTypeOptions(maxAttempts: 1, timeout: .seconds(1)),
            grace: .milliseconds(200)
        )
        let harness = Harness([job])
        try await withRunningServices([harness.pool()]) {
            let id = try await harness.submit("slow", ["pidFile": .string(pidFile)])
            let pids = try await Self.pids(in: pidFile)
            let done = try await harness.waitFor(id, [.failed, .succeeded])
            #expect(done.failure?.code == "timeout")
            try await eventually(timeout: .seconds(30), "the process tree to be gone") { !pids.contains(where: ProcessProbe.isAlive) }
        }
    }

    @Test func shutdownLeavesNoProcessBehind() async throws {
        let directory = try TemporaryDirectory()
        let pidFile = directory.path + "/pids"
        let job = try Self.shell("tree", Self.stubbornTree, parameters: [JobParameter("pidFile", .string, required: true)], grace: .milliseconds(200))
        let harness = Harness([job])
        let pids = try await withRunningServices([harness.pool(grace: .milliseconds(100))]) {
            _ = try await harness.submit("tree", ["pidFile": .string(pidFile)])
            return try await Self.pids(in: pidFile)
        }
        // The services have stopped: the shutdown waited for the process group to die.
        try await eventually(timeout: .seconds(10), "the process tree to be gone") { !pids.contains(where: ProcessProbe.isAlive) }
    }

    static func pids(in file: String) async throws -> [Int32] {
        var pids: [Int32] = []
        try await eventually(timeout: .seconds(30), "the script to write its pids") {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            pids = text.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
            return pids.count == 2
        }
        return pids
    }
}
