import AsyncJobs

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a file beside the database, held while the migrations run.
///
/// GRDB's migrator reads which migrations are applied before it takes SQLite's write lock. Two
/// processes opening an older file at once (a `serve` and a `worker` restarted together) would
/// both decide to run the same migration, and the second would fail on its record of it. Under
/// this lock the second waits for the first and then finds nothing left to do.
enum MigrationLock {
    /// Runs `body` while holding the lock on `databasePath` + `.migrating`, waiting for another
    /// process (or store in this process) that holds it.
    static func withLock<Result>(beside databasePath: String, _ body: () throws -> Result) throws -> Result {
        let lockPath = databasePath + ".migrating"
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw JobError(.storage, "cannot open the migration lock \(lockPath) (errno \(errno))")
        }
        defer { close(descriptor) }
        var status: Int32
        repeat {
            status = flock(descriptor, LOCK_EX)
        } while status != 0 && errno == EINTR
        guard status == 0 else {
            throw JobError(.storage, "cannot lock \(lockPath) (errno \(errno))")
        }
        // Closing the descriptor releases the lock.
        return try body()
    }
}
