import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Wire

/// Writes spend rows without ever making a request wait for the database. Requests `enqueue` into a bounded
/// in-memory queue; this Service flushes it in batches (≤ 100 rows per INSERT) every `interval`, or sooner when
/// `flushAt` rows are queued. While the database is down it retries with backoff; rows beyond the
/// queue's capacity go to an append-only spill file (JSON lines) that is replayed when the database answers again
/// and at the next start. On graceful shutdown it flushes, and spills whatever the database did not take.
/// `INSERT … ON CONFLICT DO NOTHING` makes replays idempotent: nothing is lost, nothing duplicated.
public final class SpendWriter: Service, Sendable {
    public struct Counters: Sendable, Equatable {
        public var queued = 0
        public var written = 0
        public var spilled = 0
        public var replayed = 0
        public var dropped = 0
        public var connected = true
    }

    /// A queued row: encoded already (it went to the journal first), or built only when it is written or spilled
    /// (no journal: the request path pays for a closure, not for copying and truncating bodies).
    public struct Pending: Sendable {
        enum Form: Sendable {
            case ready(EncodedSpendRow)
            case later(@Sendable () -> EncodedSpendRow)
        }

        let form: Form

        public init(_ build: @escaping @Sendable () -> SpendRow) { form = .later { EncodedSpendRow(build()) } }
        init(encoding build: @escaping @Sendable () -> EncodedSpendRow) { form = .later(build) }
        init(_ row: EncodedSpendRow) { form = .ready(row) }

        func build() -> EncodedSpendRow {
            switch form {
            case .ready(let row): row
            case .later(let build): build()
            }
        }
    }

    struct State {
        var queue: [Pending] = []
        /// Spend to add to virtual keys at the next flush, by token.
        var keySpend: [String: Double] = [:]
        var counters = Counters()
        var wake: CheckedContinuation<Void, Never>?
        /// Rows not journaled yet (with a journal only): the next group commit encodes them, appends them to the
        /// journal in one write(2) and moves them to `queue`.
        var staged: [Pending] = []
        /// Rows a group commit is journaling: still shown by `queuedRows` until they are in `queue`.
        var committing: [Pending] = []
        var stagedWake: CheckedContinuation<Void, Never>?
        var stopping = false
        /// Journal segments of earlier processes still to replay.
        var leftovers: [String] = []
    }

    public let database: Database
    public var store: any SpendStore { database.spend }
    public let interval: Duration
    public let capacity: Int
    public let spillPath: String
    /// A database that neither answers nor refuses counts as down after this long, so the queue keeps moving to the
    /// spill file instead of growing while an INSERT waits for a connection.
    public let insertTimeout: Duration = .seconds(5)
    let logger: Logger
    /// Rows go to the local journal before they are queued.
    let journaling: Bool
    /// How long a row may wait to be journaled: the rows a SIGKILL can lose are those of requests answered in the
    /// last window (plus the time to encode them).
    let journalWindow: Duration
    /// A pthread mutex (NIOLock): uncontended it costs as little as `Synchronization.Mutex`, contended it parks
    /// without the priority-inheritance futex `Mutex` uses on Linux, and ThreadSanitizer sees it.
    let state = NIOLockedValueBox(State())
    /// The journal, apart from `state`: a group commit's write(2) never holds the lock requests enqueue under.
    /// Taken before `state` where both are.
    let journal = NIOLockedValueBox<SpendJournal?>(nil)

    /// `journalPath`: the base name of the local journal that makes rows survive a SIGKILL
    /// (nil: rows wait in memory only).
    public init(
        database: Database,
        interval: Duration = .seconds(10),
        capacity: Int = 10_000,
        spillPath: String,
        journalPath: String? = nil,
        journalWindow: Duration = SpendSettings().journalWindow,
        logger: Logger = Logger(label: "proxy.spend")
    ) {
        self.database = database
        self.interval = interval
        self.capacity = max(1, capacity)
        self.spillPath = spillPath
        self.logger = logger
        self.journaling = journalPath != nil
        self.journalWindow = journalWindow
        if let journalPath {
            state.withLockedValue { $0.leftovers = SpendJournal.leftovers(base: journalPath) }
            journal.withLockedValue { $0 = SpendJournal(base: journalPath) }
        }
    }

    public var counters: Counters {
        state.withLockedValue { state in
            var counters = state.counters
            counters.queued = state.queue.count + state.committing.count + state.staged.count
            return counters
        }
    }

    /// The newest rows still queued (at most `limit`), newest first: what the logs show before the next flush. A row
    /// leaves the queue only once its insert committed, so a reader that looks here first, then at the table, misses
    /// none (it may see one in both, by its request_id).
    public func queuedRows(limit: Int) -> [SpendRow] {
        let pending = state.withLockedValue { state in
            // Staged rows are the newest; the lock requests enqueue under is held for the copy of `limit` rows only.
            let staged = state.staged.suffix(max(0, limit))
            let committing = state.committing.suffix(max(0, limit) - staged.count)
            return Array(state.queue.suffix(max(0, limit) - staged.count - committing.count)) + committing + staged
        }
        return pending.reversed().compactMap { item in
            let line = item.build().line()
            return (try? JSON.parse(String(decoding: line, as: UTF8.self))).flatMap(SpendRow.init(json:))
        }
    }

    /// Adds spend to a virtual key at the next flush; returns at once.
    public func addKeySpend(token: String, amount: Double) {
        guard amount > 0 else { return }
        state.withLockedValue { $0.keySpend[token, default: 0] += amount }
    }

    /// Adds a row; returns at once.
    public func enqueue(_ row: SpendRow) {
        enqueue(Pending { row })
    }

    /// Adds a row to be built later, off the request path; returns at once. With a journal the row waits for the next
    /// group commit (`commitJournal`), else it goes straight to the queue.
    public func enqueue(_ pending: Pending) {
        let wake = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if journaling {
                state.staged.append(pending)
                guard state.staged.count == 1 else { return nil }
                defer { state.stagedWake = nil }
                return state.stagedWake
            }
            state.queue.append(pending)
            guard state.queue.count >= flushAt else { return nil }
            defer { state.wake = nil }
            return state.wake
        }
        wake?.resume()
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if journaling { group.addTask { await self.runJournal() } }
            await self.runFlushes()
            await group.waitForAll()
        }
        // Graceful shutdown: write what is queued, and spill what the database will not take.
        commitJournal()
        if !(await flush()) {
            spillAll()
            // Every row is in the spill file now: the journal's copies can go.
            journal.withLockedValue { journal in
                if let sealed = journal?.seal() { journal?.remove(sealed) }
            }
        }
        try? await store.close()
    }

    func runFlushes() async {
        await prepareStore()
        await replaySpillFile()
        await replayJournalLeftovers()
        var backoff = Duration.milliseconds(200)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await waitForWork()
            if await flush() {
                backoff = .milliseconds(200)
            } else {
                // The database may have been down at start: create what is missing once it answers.
                await prepareStore()
                spillOverflow()
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(10))
            }
        }
    }

    /// Creates missing tables, bounded like an insert: PostgreSQL's pool waits for a connection as long as the server
    /// is unreachable, and the writer must go on spilling and stop on SIGTERM meanwhile.
    func prepareStore() async {
        let database = self.database
        try? await Deadline.run(within: insertTimeout) { try await database.prepare() }
    }

    /// Sleeps until the interval passes, the queue fills past half, or shutdown begins.
    func waitForWork() async {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: self.interval) }
                group.addTask {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLockedValue { state -> Bool in
                            if state.queue.count >= self.flushAt { return true }
                            state.wake?.resume()
                            state.wake = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                }
                await group.next()
                group.cancelAll()
                self.state.withLockedValue { state in
                    state.wake?.resume()
                    state.wake = nil
                }
            }
        } onGracefulShutdown: {
            self.state.withLockedValue { state in
                state.wake?.resume()
                state.wake = nil
            }
        }
    }

    /// Writes everything queued; false when the database refused (the rows stay queued).
    @discardableResult
    public func flush() async -> Bool {
        let increments = state.withLockedValue { state in
            defer { state.keySpend.removeAll() }
            return state.keySpend
        }
        if !increments.isEmpty, let keys = database.keys {
            do {
                try await keys.addKeySpend(increments)
            } catch {
                // Put them back for the next flush.
                state.withLockedValue { state in
                    for (token, amount) in increments { state.keySpend[token, default: 0] += amount }
                }
            }
        }
        // Rows queued until now are in these segments; once the loop has written them all, the segments can go. Only
        // those rows: under steady load the queue never empties, and a flush must still end.
        let (sealed, target) = journal.withLockedValue { journal in
            (journal?.seal() ?? [], state.withLockedValue { $0.queue.count })
        }
        var done = 0
        while done < target {
            let pending = state.withLockedValue {
                Array($0.queue.prefix(min(SpendWriter.rowsPerInsert, target - done)))
            }
            if pending.isEmpty { break }
            let batch = pending.map { $0.build() }
            do {
                try await Deadline.run(within: insertTimeout) { try await self.store.insert(batch) }
                let wasDisconnected = state.withLockedValue { state -> Bool in
                    state.queue.removeFirst(min(batch.count, state.queue.count))
                    state.counters.written += batch.count
                    done += batch.count
                    defer { state.counters.connected = true }
                    return !state.counters.connected
                }
                if wasDisconnected {
                    logger.info("spend database reachable again")
                    await replaySpillFile()
                    await replayJournalLeftovers()
                }
            } catch {
                let wasConnected = state.withLockedValue { state -> Bool in
                    defer { state.counters.connected = false }
                    return state.counters.connected
                }
                if wasConnected {
                    logger.warning(
                        "spend database unreachable, rows stay queued",
                        metadata: ["error": "\(String(describing: error).prefix(200))"]
                    )
                }
                return false
            }
        }
        if !sealed.isEmpty { journal.withLockedValue { $0?.remove(sealed) } }
        return true
    }

    /// Rows per `insert` call: the stores write them in INSERTs of ≤ 100 rows, each call in one transaction.
    static let rowsPerInsert = 5000

    /// Queued rows that start a flush before the interval ends: half the queue's capacity, at most 2,000 (a smaller
    /// working set between flushes, and a transaction's worth).
    var flushAt: Int { min(capacity / 2, 2000) }

    /// Moves rows beyond the queue's capacity to the spill file.
    func spillOverflow() {
        let overflow = state.withLockedValue { state -> [Pending] in
            guard state.queue.count > capacity else { return [] }
            let excess = Array(state.queue[capacity...])
            state.queue.removeLast(excess.count)
            return excess
        }
        spill(overflow.map { $0.build() })
    }

    func spillAll() {
        spill(
            state.withLockedValue { state in
                defer { state.queue.removeAll() }
                return state.queue
            }.map { $0.build() }
        )
    }

    func spill(_ rows: [EncodedSpendRow]) {
        guard !rows.isEmpty else { return }
        var text: [UInt8] = []
        for row in rows { text += row.line() }
        do {
            if !FileManager.default.fileExists(atPath: spillPath) {
                _ = FileManager.default.createFile(
                    atPath: spillPath,
                    contents: nil,
                    attributes: [.posixPermissions: 0o600]
                )
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: spillPath))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: text)
            try handle.synchronize()
            state.withLockedValue { $0.counters.spilled += rows.count }
            logger.warning("spend rows spilled to file", metadata: ["rows": "\(rows.count)", "file": "\(spillPath)"])
        } catch {
            state.withLockedValue { $0.counters.dropped += rows.count }
            logger.error(
                "spend rows could not be spilled",
                metadata: ["rows": "\(rows.count)", "file": "\(spillPath)", "error": "\(error)"]
            )
        }
    }

    /// Inserts the rows of journal segments an earlier process left (killed before it could flush) and removes them.
    func replayJournalLeftovers() async {
        for path in state.withLockedValue({ $0.leftovers }) {
            if await replay(path) { state.withLockedValue { $0.leftovers.removeAll { $0 == path } } } else { return }
        }
    }

    /// Inserts the spill file's rows (idempotently) and removes the file once they are in.
    func replaySpillFile() async {
        _ = await replay(spillPath)
    }

    /// Inserts a JSON-lines file's rows (idempotently) and removes the file once they are in.
    func replay(_ path: String) async -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return true }
        guard !data.isEmpty else {
            try? FileManager.default.removeItem(atPath: path)
            return true
        }
        let rows = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap(EncodedSpendRow.init(line:))
        do {
            for start in stride(from: 0, to: rows.count, by: SpendWriter.rowsPerInsert) {
                let batch = Array(rows[start ..< min(rows.count, start + SpendWriter.rowsPerInsert)])
                try await Deadline.run(within: insertTimeout) { try await self.store.insert(batch) }
            }
            try FileManager.default.removeItem(atPath: path)
            state.withLockedValue { $0.counters.replayed += rows.count }
            logger.info("spend rows replayed from file", metadata: ["rows": "\(rows.count)", "file": "\(path)"])
            return true
        } catch {
            logger.warning("spend rows not replayed yet", metadata: ["rows": "\(rows.count)", "file": "\(path)"])
            return false
        }
    }
}
