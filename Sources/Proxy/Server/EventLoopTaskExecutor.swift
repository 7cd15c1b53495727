import NIOConcurrencyHelpers
import NIOCore

/// A task executor that runs jobs on one NIO event loop. A connection's task prefers the executor of its own loop,
/// so the request path (reading the request, the engine, the pinned upstream exchange, writing the answer) resumes
/// on the thread that owns the client's channel instead of hopping to the global executor and back at every await:
/// at one request at a time those hops were most of the proxy's added latency.
///
/// Work that blocks must not run here (it would stall every connection of the loop); the request path does not
/// block: its I/O is NIO's, the spend writer and the stores run on their own tasks and thread pools.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    static let shared = NIOLockedValueBox<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    /// The executor of `eventLoop` (one per loop, kept for the process's life like the loops themselves).
    public static func of(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor {
        shared.withLockedValue { executors in
            if let executor = executors[ObjectIdentifier(eventLoop)] { return executor }
            let executor = EventLoopTaskExecutor(eventLoop)
            executors[ObjectIdentifier(eventLoop)] = executor
            return executor
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
