import Testing
import Wire

@testable import MockAzure

@Suite struct JournalTests {
    @Test func secretsAreHashedAndTheRingIsBounded() {
        let journal = Journal(capacity: 3)
        for index in 0 ..< 5 {
            journal.record(
                method: "POST",
                path: "/p\(index)",
                query: "",
                headers: [("api-key", "secret-key-\(index)"), ("authorization", "Bearer tok"), ("x-other", "v")],
                body: Array("{\"a\":1}".utf8)
            )
        }
        let entries = journal.entries
        #expect(entries.map(\.path) == ["/p2", "/p3", "/p4"])
        let headers = entries[0].headers
        #expect(headers.contains { $0 == ("api-key", "sha256:" + SecretHash.sha256Hex("secret-key-2")) })
        #expect(headers.contains { $0 == ("authorization", "Bearer sha256:" + SecretHash.sha256Hex("tok")) })
        #expect(headers.contains { $0 == ("x-other", "v") })
        #expect(!entries.map { $0.json.serialized() }.joined().contains("secret-key"))
        journal.clear()
        #expect(journal.entries.isEmpty)
    }
}
