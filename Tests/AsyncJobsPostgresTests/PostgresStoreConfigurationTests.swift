import AsyncJobsPostgres
import Testing

@Suite struct PostgresStoreConfigurationTests {
    @Test func aFullURL() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgresql://jobs:p%40ss%2Fword@db.internal:6543/queue?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "jobs")
        #expect(configuration.password == "p@ss/word")
        #expect(configuration.database == "queue")
        #expect(configuration.tlsMode == .verifyFull)
        #expect(configuration.rootCertificatePath == "/etc/ca.pem")
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(!configuration.redactedDescription.contains("p@ss"), "the password never reaches a log line")
    }

    @Test func defaultsFollowLibpq() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://app@localhost")
        #expect(configuration.port == 5432)
        #expect(configuration.database == "app", "the database defaults to the user name")
        #expect(configuration.password == nil)
        #expect(configuration.tlsMode == .prefer)
    }

    @Test(arguments: [
        "mysql://u:p@h/db",
        "postgres://h/db",
        "postgres://u:p@/db",
        "postgres://u:p@h/db?sslmode=sometimes",
        "postgres://u:p@h/db?pool=3",
        "postgres://u:p@h/db?connect_timeout=soon",
    ])
    func badURLsAreRefusedWithAReason(_ url: String) {
        #expect { try PostgresStoreConfiguration(url: url) } throws: { error in
            (error as? PostgresStoreError)?.code == .invalidURL && !"\(error)".contains(":p@")
        }
    }
}
