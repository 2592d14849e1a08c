import ArgumentParser

/// The `asyncjobs` command: the server, a headless worker, tenant administration, and the client.
@main
struct AsyncJobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asyncjobs",
        abstract: "Asynchronous jobs behind a polling API: submit, poll, download through pre-signed URLs.",
        discussion: """
            Every option can also be set with the ASYNCJOBS_* environment variable named in its help.
            \(ClientExitCode.helpText)
            """,
        subcommands: [
            ServeCommand.self, WorkerCommand.self, TenantCommand.self, TBACommand.self, MigrateCommand.self,
            SubmitCommand.self, StatusCommand.self, WaitCommand.self, CancelCommand.self, JobsCommand.self,
            JobTypesCommand.self,
        ]
    )
}
