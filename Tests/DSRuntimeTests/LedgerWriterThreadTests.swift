import DSRuntime
import DSRuntimePOSIX
import Foundation
import XCTest

/// The ledger's writer thread (DSRuntimePOSIX): jobs run one at a time, in submission
/// order, on the writer's own thread (never on the submitting task's thread, so an fsync
/// never holds a thread of the Swift concurrency pool); drain and close wait for them.
final class LedgerWriterThreadTests: XCTestCase {
    func testJobsRunInOrderOneAtATimeOnTheWriterThread() {
        let writer = LedgerWriterThread()
        let log = Locked<[Int]>([])
        let threads = Locked<Set<ObjectIdentifier>>([])
        let inJob = Locked(0)
        let overlaps = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { producer in
            for i in 0..<250 {
                writer.submit {
                    if inJob.withLock({ n -> Int in n += 1; return n }) > 1 { overlaps.withLock { $0 += 1 } }
                    log.withLock { $0.append(producer * 1000 + i) }
                    threads.withLock { _ = $0.insert(ObjectIdentifier(Thread.current)) }
                    inJob.withLock { $0 -= 1 }
                }
            }
        }
        writer.drain()
        let order = log.withLock { $0 }
        XCTAssertEqual(order.count, 1000, "drain returns only after every submitted job ran")
        for producer in 0..<4 {
            XCTAssertEqual(order.filter { $0 / 1000 == producer }, (0..<250).map { producer * 1000 + $0 }, "each submitter's jobs run in its order")
        }
        XCTAssertEqual(overlaps.withLock { $0 }, 0)
        let writerThreads = threads.withLock { $0 }
        XCTAssertEqual(writerThreads.count, 1, "every job runs on the one writer thread")
        XCTAssertFalse(writerThreads.contains(ObjectIdentifier(Thread.current)))
        writer.close()
    }

    func testCloseRunsQueuedJobsAndLaterJobsRunOnTheCaller() {
        let writer = LedgerWriterThread()
        let count = Locked(0)
        for _ in 0..<100 { writer.submit { count.withLock { $0 += 1 } } }
        writer.close()
        XCTAssertEqual(count.withLock { $0 }, 100, "close drains the queue first")
        let ranOn = Locked<ObjectIdentifier?>(nil)
        writer.submit { ranOn.withLock { $0 = ObjectIdentifier(Thread.current) } }
        XCTAssertEqual(ranOn.withLock { $0 }, ObjectIdentifier(Thread.current), "after close a job runs at once on the caller: nothing is lost")
    }

    /// The file-backed ledger writes on the writer thread, not on the request task's thread.
    func testLedgerWritesRunOnTheWriterThread() async throws {
        let sink = ThreadRecordingSink()
        let writer = LedgerWriterThread()
        let probe = Locked<ObjectIdentifier?>(nil)
        writer.submit { probe.withLock { $0 = ObjectIdentifier(Thread.current) } }
        writer.drain()
        let ledger = DeliveryLedger(deadLetters: sink, writer: writer)
        ledger.deadLettered([DeadLetter(line: 1, eventID: "e1", reason: "r")])
        await ledger.flush()
        XCTAssertNil(ledger.close())
        let writerThread = try XCTUnwrap(probe.withLock { $0 })
        XCTAssertEqual(sink.threads.withLock { $0 }, [writerThread], "the sink is written on the writer thread")
    }
}

private final class ThreadRecordingSink: DeadLetterSink {
    let threads = Locked<[ObjectIdentifier]>([])
    func write(_ letters: [DeadLetter]) throws(RuntimeFileError) { threads.withLock { $0.append(ObjectIdentifier(Thread.current)) } }
}
