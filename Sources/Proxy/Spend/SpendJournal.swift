#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A local append-only journal of the spend rows not yet in the database. Each row is appended (one JSON line) before
/// its request answers, so a process killed without warning — SIGKILL, the OOM killer — loses nothing: the next start
/// replays what the journal still holds. A segment is a file mapped into memory (`MAP_SHARED`; its blocks reserved
/// with `posix_fallocate`, so a full disk fails the reservation, never a copy): appending a line is a copy into the
/// page cache, which outlives the process as a `write(2)` would. Segments are sealed at each flush (or when full); once
/// every row in a sealed segment is written, the segment is zeroed and kept as the next one (`recyclable`), so under
/// steady load two segments take turns and a request's copy takes no page fault; when there is none to reuse, the
/// writer maps and touches a new one ahead (`SpendWriter.prepareSpare`), off the request path. Where a file cannot be
/// mapped, lines go through `write(2)`. A killed process's segment ends in zero bytes, which replay cuts off; replays
/// are idempotent (`ON CONFLICT DO NOTHING`). Not thread-safe on its own: `SpendWriter` keeps it inside its state
/// lock, so appending a row and queueing it are one step, as are sealing and taking the queue.
struct SpendJournal {
    /// An open segment file: mapped (`mapping`, `size` bytes) or, where mapping failed, written with `write(2)`;
    /// `descriptor` is -1 once it is closed. Its mapping is only touched under the writer's lock, or by the writer alone
    /// while it is out of the journal (zeroed for reuse).
    struct Segment: @unchecked Sendable {
        let path: String
        var descriptor: Int32
        var mapping: UnsafeMutableRawPointer?
        var size: Int
        /// Bytes its lines fill.
        var used = 0
    }

    /// Files are `<base>.<pid>-<start>-<n>.jsonl`.
    let base: String
    let stem: String
    var sequence = 0
    var failures = 0
    var active: Segment?
    /// Sealed segments whose rows are not all written yet.
    var sealedSegments: [Segment] = []
    /// The next segment: a written one zeroed for reuse, or a new one mapped and touched ahead by the writer.
    var spare: Segment?
    /// The most bytes a recent segment held (decaying by an eighth per seal): a new spare is sized on it, since pages
    /// touched ahead and left unused cost as much as the copies they spare, and a spare too small sends the rest of a
    /// flush's rows to an untouched segment.
    var recentPeak = 0
    /// A segment's largest size: about 3,000 rows of the seed's size (the writer flushes every 2,000 rows or sooner);
    /// a longer line gets a segment of its own size.
    static let segmentSize = 8 << 20
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// Sealed segments kept mapped for reuse; more (a database outage) are cut to their lines and unmapped.
    static let mappedSealedLimit = 2

    init(base: String) {
        self.base = base
        self.stem = "\(base).\(getpid())-\(Int(Date().timeIntervalSince1970 * 1000))"
    }

    var sealed: [String] { sealedSegments.map(\.path) }

    /// Appends one line; false if the file could not be written (the row then lives in memory only).
    mutating func append(_ line: [UInt8]) -> Bool {
        if let active, active.mapping != nil, active.used + line.count > active.size { sealActive() }
        if active == nil {
            if let spare, spare.size >= line.count {
                active = spare
                self.spare = nil
            } else if let opened = SpendJournal.create(path: nextPath(), size: max(spareSize, line.count), touch: false) {
                active = opened
            } else {
                failures += 1
                return false
            }
        }
        guard var segment = active else { return false }
        if let mapping = segment.mapping {
            line.withUnsafeBytes { (mapping + segment.used).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            segment.used += line.count
            active = segment
            return true
        }
        let written = line.withUnsafeBytes { write(segment.descriptor, $0.baseAddress, $0.count) }
        if written != line.count { failures += 1 }
        return written == line.count
    }

    /// The path of a new segment.
    mutating func nextPath() -> String {
        sequence += 1
        return "\(stem)-\(sequence).jsonl"
    }

    /// Creates a segment file of `size` bytes (rounded up to pages; never one that exists) and maps it; `touch` faults
    /// every page in, writable, so later copies take no fault. A file that cannot be reserved or mapped is written with
    /// `write(2)` instead (nil when `touch`: a spare must be mapped). Nil when the file cannot be created.
    static func create(path: String, size: Int, touch: Bool) -> Segment? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        let size = (size + pageSize - 1) / pageSize * pageSize
        if posix_fallocate(descriptor, 0, off_t(size)) == 0,
           let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapping != MAP_FAILED {
            // MADV_POPULATE_WRITE (Linux 5.14) faults every page in writable in one call; older kernels: a byte per page.
            if touch, madvise(mapping, size, 23) != 0 {
                for offset in stride(from: 0, to: size, by: pageSize) { mapping.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self) }
            }
            return Segment(path: path, descriptor: descriptor, mapping: mapping, size: size)
        }
        _ = ftruncate(descriptor, 0)
        guard !touch else {
            close(descriptor)
            unlink(path)
            return nil
        }
        return Segment(path: path, descriptor: descriptor, mapping: nil, size: 0)
    }

    /// Moves the active segment to the sealed ones: kept mapped for reuse, or (past `mappedSealedLimit`, and every
    /// `write(2)` segment) cut to its lines and closed.
    mutating func sealActive() {
        guard var segment = active else { return }
        recentPeak = max(segment.used, recentPeak - recentPeak / 8)
        if segment.mapping == nil || sealedSegments.filter({ $0.mapping != nil }).count >= SpendJournal.mappedSealedLimit {
            SpendJournal.closeSegment(&segment)
        }
        sealedSegments.append(segment)
        active = nil
    }

    /// Seals the active segment; returns every sealed segment not yet removed.
    mutating func seal() -> [String] {
        sealActive()
        return sealed
    }

    /// The size of a new spare: a quarter more than the recent peak, within 256 KiB…`segmentSize`.
    var spareSize: Int { min(SpendJournal.segmentSize, max(256 << 10, recentPeak + recentPeak / 4)) }

    /// Takes segments whose rows are all written out of the journal: deletes them, except one mapped segment large
    /// enough to be the next spare, returned for the writer to zero (outside the lock) and give back with `install`.
    mutating func remove(_ paths: [String]) -> Segment? {
        var recyclable: Segment?
        for path in paths {
            guard let index = sealedSegments.firstIndex(where: { $0.path == path }) else { continue }
            let segment = sealedSegments.remove(at: index)
            if recyclable == nil, spare == nil, segment.mapping != nil, segment.size >= spareSize {
                recyclable = segment
            } else {
                SpendJournal.discard(segment)
            }
        }
        return recyclable
    }

    /// Zeroes a written segment's lines, so a replay after a kill reads only the lines written after its reuse.
    static func zero(_ segment: inout Segment) {
        if let mapping = segment.mapping { mapping.initializeMemory(as: UInt8.self, repeating: 0, count: segment.used) }
        segment.used = 0
    }

    /// Takes a spare segment (a new one, or a written one zeroed); closes and deletes it when there is one already.
    mutating func install(spare segment: Segment) {
        guard spare == nil else { return SpendJournal.discard(segment) }
        spare = segment
    }

    /// Closes and deletes the spare (an idle writer gives its pages back).
    mutating func dropSpare() {
        if let spare { SpendJournal.discard(spare) }
        spare = nil
    }

    /// Unmaps and closes a segment, its file cut to its lines.
    static func closeSegment(_ segment: inout Segment) {
        if let mapping = segment.mapping {
            munmap(mapping, segment.size)
            _ = ftruncate(segment.descriptor, off_t(segment.used))
        }
        if segment.descriptor >= 0 { close(segment.descriptor) }
        segment.mapping = nil
        segment.descriptor = -1
    }

    static func discard(_ segment: Segment) {
        var segment = segment
        closeSegment(&segment)
        unlink(segment.path)
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
