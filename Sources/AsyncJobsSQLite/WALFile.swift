import AsyncJobs
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A database's write-ahead log, opened only to wait for the disk.
///
/// A transaction committed with `synchronous = NORMAL` has its frames written to the log, and is
/// visible to the next transaction, but may still be in the page cache. Syncing the log file makes
/// every frame written before the sync durable: SQLite's frames carry cumulative checksums, so after
/// a crash the log is replayed up to the last frame that reached the disk intact, never past a gap.
/// `synchronous = FULL` syncs inside the commit, before the transaction becomes visible, and holds
/// the single writer meanwhile. Syncing afterwards lets the next transaction run while the disk
/// works; the price is that a commit is visible a moment before it is durable
/// (`docs/RELIABILITY.md`).
final class WALFile: Sendable {
    /// The log's path, for errors.
    let path: String
    private let descriptor: CInt

    /// Opens the log at `path` (the database's path followed by `-wal`) for syncing.
    init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw JobError(.storage, "cannot open the SQLite write-ahead log \(path): \(Self.describe(code))")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Returns once everything written to the log before the call is on disk. The `fdatasync` runs
    /// on NIO's pool of threads for blocking calls, not on the caller's executor, and runs to its
    /// end even if the caller's task is cancelled: other callers share this sync.
    func sync() async throws {
        try await NIOThreadPool.singleton.runIfActive(eventLoop: MultiThreadedEventLoopGroup.singleton.any()) {
            #if os(Linux)
            let failed = fdatasync(self.descriptor) != 0
            #else
            let failed = fsync(self.descriptor) != 0
            #endif
            if failed {
                let code = errno
                throw JobError(.storage, "syncing the SQLite write-ahead log \(self.path) failed: \(Self.describe(code))")
            }
        }
        .get()
    }

    private static func describe(_ code: CInt) -> String {
        String(cString: strerror(code))
    }
}
