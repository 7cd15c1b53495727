import NIOCore
import ServiceLifecycle

extension SpendWriter {
    /// Group commits until shutdown: once a row is staged, waits `journalWindow` for more, then journals them all.
    /// Rows are encoded here, on the writer's task, never on an event loop.
    func runJournal() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await waitForStaged()
            try? await Task.sleep(for: journalWindow)
            commitJournal()
        }
    }

    /// Encodes the staged rows, appends their lines to the journal in one write(2) and moves them to the queue (in
    /// one step under the journal's lock, so a flush that seals the journal sees every queued row in a segment).
    /// A row the journal could not take still goes to the queue: it then lives in memory only, as without a journal.
    public func commitJournal() {
        let due = journal.withLockedValue { journal -> Bool in
            let staged = state.withLockedValue { state in
                // Moved aside, not dropped: a reader must see each row somewhere while it is journaled.
                state.committing = state.staged
                state.staged = []
                return state.committing
            }
            guard !staged.isEmpty else { return false }
            let rows = staged.map { $0.build() }
            var lines: [UInt8] = []
            for row in rows { row.appendLine(to: &lines) }
            _ = journal?.append(lines)
            return state.withLockedValue { state in
                state.committing = []
                state.queue.append(contentsOf: rows.map(Pending.init))
                return state.queue.count >= flushAt
            }
        }
        guard due else { return }
        state.withLockedValue { state in
            defer { state.wake = nil }
            return state.wake
        }?.resume()
    }

    /// Returns once a row is staged, or when shutdown begins or the task is cancelled.
    func waitForStaged() async {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let now = state.withLockedValue { state -> Bool in
                        if !state.staged.isEmpty || state.stopping { return true }
                        state.stagedWake = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                self.stopJournal()
            }
        } onGracefulShutdown: {
            self.stopJournal()
        }
    }

    /// Ends `runJournal`'s wait for good (the final commit is `run`'s).
    func stopJournal() {
        state.withLockedValue { state in
            state.stopping = true
            defer { state.stagedWake = nil }
            return state.stagedWake
        }?.resume()
    }
}
