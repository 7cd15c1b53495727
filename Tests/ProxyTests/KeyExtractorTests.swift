import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

@Suite struct KeyExtractorTests {
    func extract(_ headers: [String: String], custom: String? = nil) -> PresentedKey {
        KeyExtractor(customHeader: custom).extract { headers[$0] }
    }

    @Test func litellmHeaderOrder() {
        #expect(
            extract(["x-litellm-api-key": "Bearer a", "authorization": "Bearer b", "api-key": "c", "x-api-key": "d"])
                == .key("a")
        )
        #expect(extract(["x-litellm-api-key": "a2"]) == .key("a2"))
        #expect(extract(["authorization": "Bearer b", "api-key": "c", "x-api-key": "d"]) == .key("b"))
        #expect(extract(["authorization": "bearer  b2 "]) == .key("b2"))
        #expect(extract(["api-key": "c", "x-api-key": "d"]) == .key("c"))
        #expect(extract(["x-api-key": "d"]) == .key("d"))
        #expect(extract(["authorization": "sk-1234"]) == .malformed)
        #expect(extract(["authorization": "Basic xyz"]) == .malformed)
        #expect(extract(["authorization": "Bearer"]) == .none)
        #expect(extract([:]) == .none)
        #expect(extract(["my-key": "e", "authorization": "Bearer b"], custom: "My-Key") == .key("e"))
    }

    @Test func authenticator() async throws {
        let auth = Authenticator(masterKey: "sk-master")
        #expect(try await auth.authenticate { $0 == "authorization" ? "Bearer sk-master" : nil }.kind == .master)
        await #expect(throws: ProxyError.self) { try await auth.authenticate { _ in nil } }
        let wrong = await #expect(throws: ProxyError.self) {
            try await auth.authenticate { $0 == "api-key" ? "sk-wrong-9999" : nil }
        }
        #expect(wrong?.status == 401 && wrong?.error.type == "token_not_found_in_db")
        #expect(
            wrong?.error.message.contains("sk-...9999") == true
                && wrong?.error.message.contains("sk-wrong-9999") == false
        )
        let open = Authenticator(masterKey: nil)
        #expect(try await open.authenticate { _ in nil }.kind == .anonymous)
    }
}
