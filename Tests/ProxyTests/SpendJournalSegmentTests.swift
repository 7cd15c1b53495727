import Foundation
import Testing
import TestSupport

@testable import Proxy

/// The journal's segments: lines are readable in the file before any seal (a SIGKILL keeps them), a written segment
/// is zeroed and reused as the next one, and a replay after a kill reads only the lines written since the reuse.
@Suite struct SpendJournalSegmentTests {
    static func line(_ id: Int) -> [UInt8] { Array(#"{"request_id":"row-\#(id)"}"#.utf8) + [0x0A] }

    /// The file's lines as a replay reads them: up to the first zero byte.
    static func replayed(_ path: String) -> [String] {
        let file = FileManager.default.contents(atPath: path) ?? Data()
        return file[..<(file.firstIndex(of: 0) ?? file.endIndex)].split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func aWrittenSegmentIsZeroedAndReused() throws {
        let folder = try TestPaths.temporaryDirectory("journal-segments")
        var journal = SpendJournal(base: folder.appendingPathComponent("spend.journal").path)
        for id in 0..<3 {
            let appended = journal.append(Self.line(id))
            #expect(appended)
        }
        let first = try #require(journal.active)
        #expect(first.mapping != nil, "a mapped segment")
        #expect(Self.replayed(first.path) == (0..<3).map { #"{"request_id":"row-\#($0)"}"# }, "lines readable before any seal")

        let sealed = journal.seal()
        #expect(sealed == [first.path])
        let appended = journal.append(Self.line(3))
        #expect(appended, "rows go on while the sealed ones are written")
        let removed = journal.remove(sealed)
        var recyclable = try #require(removed, "no spare yet: the written segment comes back for reuse")
        #expect(recyclable.path == first.path && recyclable.used > 0)
        SpendJournal.zero(&recyclable)
        journal.install(spare: recyclable)

        let second = journal.seal()
        let appendedAgain = journal.append(Self.line(4))
        #expect(appendedAgain, "the next row goes to the reused segment")
        #expect(journal.active?.path == first.path)
        #expect(Self.replayed(first.path) == [#"{"request_id":"row-4"}"#], "a kill now replays only the line written since the reuse")
        if let extra = journal.remove(second) { SpendJournal.discard(extra) }

        _ = journal.seal()
        if let last = journal.remove(journal.sealed) { SpendJournal.discard(last) }
        journal.dropSpare()
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty, "every segment deleted")
    }

    @Test func aSpareInPlaceMeansTheWrittenSegmentIsDeleted() throws {
        let folder = try TestPaths.temporaryDirectory("journal-spare-slot")
        var journal = SpendJournal(base: folder.appendingPathComponent("spend.journal").path)
        let appended = journal.append(Self.line(1))
        #expect(appended)
        let spare = try #require(SpendJournal.create(path: journal.nextPath(), size: 4096, touch: true))
        journal.install(spare: spare)
        let sealed = journal.seal()
        let removed = journal.remove(sealed)
        #expect(removed?.path == nil)
        #expect(!FileManager.default.fileExists(atPath: sealed[0]))
        journal.dropSpare()
        #expect(!FileManager.default.fileExists(atPath: spare.path))
    }
}
