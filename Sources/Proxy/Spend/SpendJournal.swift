import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local append-only journal of the spend rows not yet in the database. Each row is appended (one JSON line, one
/// `write(2)` into the page cache) before its request answers, so a process killed without warning — SIGKILL, the
/// OOM killer — loses nothing: the next start replays what the journal still holds. Segments are sealed at each
/// flush and deleted once every row in them is written or spilled; replays are idempotent (`ON CONFLICT DO NOTHING`).
/// Not thread-safe on its own: `SpendWriter` keeps it inside its state lock, so appending a row and queueing it are
/// one step, as are sealing and taking the queue.
struct SpendJournal {
    /// Files are `<base>.<pid>-<start>-<n>.jsonl`.
    let base: String
    let stem: String
    var descriptor: Int32 = -1
    var activePath: String?
    var sequence = 0
    var sealed: [String] = []
    var failures = 0

    init(base: String) {
        self.base = base
        self.stem = "\(base).\(getpid())-\(Int(Date().timeIntervalSince1970 * 1000))"
    }

    /// Appends one line; false if the file could not be written (the row then lives in memory only).
    mutating func append(_ line: [UInt8]) -> Bool {
        if descriptor < 0 {
            sequence += 1
            let path = "\(stem)-\(sequence).jsonl"
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                failures += 1
                return false
            }
            activePath = path
        }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written != line.count { failures += 1 }
        return written == line.count
    }

    /// Closes the active segment; returns every sealed segment not yet removed.
    mutating func seal() -> [String] {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
            if let activePath { sealed.append(activePath) }
            activePath = nil
        }
        return sealed
    }

    /// Deletes segments whose rows are all written.
    mutating func remove(_ paths: [String]) {
        for path in paths { unlink(path) }
        sealed.removeAll { paths.contains($0) }
    }

    /// Segments left by processes that are gone, oldest first. A segment of another live process (two processes
    /// sharing the path) is not touched; one with this process's pid is an earlier incarnation's (a restarted
    /// container is pid 1 again).
    static func leftovers(base: String) -> [String] {
        let url = URL(fileURLWithPath: base)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        return names.filter { name in
            guard name.hasPrefix(prefix), name.hasSuffix(".jsonl") else { return false }
            let owner = name.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
            guard let owner, owner != getpid() else { return true }
            return kill(owner, 0) != 0 && errno == ESRCH
        }.sorted().map { (directory.isEmpty ? "" : directory + "/") + $0 }
    }
}
