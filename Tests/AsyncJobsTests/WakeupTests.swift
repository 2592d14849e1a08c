@testable import AsyncJobs
import Testing

@Suite struct WakeupTests {
    @Test func aSignalWithNoWaiterIsKeptForTheNextOneOnly() async {
        let wakeup = Wakeup()
        wakeup.signal()
        #expect(wakeup.isSet)
        await wakeup.wait()
        #expect(!wakeup.isSet, "the waiter consumed it")
    }

    @Test func aSignalWakesAWaitingTask() async {
        let wakeup = Wakeup()
        let woken = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await wakeup.wait()
                return !Task.isCancelled
            }
            // The waiter may not be suspended yet; a signal given before is kept for it either way.
            wakeup.signal()
            return await group.next() ?? false
        }
        #expect(woken)
        #expect(!wakeup.isSet, "the waiter consumed the signal")
    }

    @Test func aLatchReleasesEveryPresentAndFutureWaiter() async {
        let latch = Latch()
        #expect(!latch.isSet)
        latch.set()
        await latch.wait()
        await latch.wait()
        #expect(latch.isSet, "waiting does not reset a latch")
    }

    @Test func cancellationEndsAWait() async {
        let wakeup = Wakeup()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await wakeup.wait() }
            group.cancelAll()
            await group.waitForAll()
        }
        #expect(!wakeup.isSet)
    }
}
