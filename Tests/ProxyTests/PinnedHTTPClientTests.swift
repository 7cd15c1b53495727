import MockAzure
import NIOCore
import NIOPosix
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The event-loop-pinned keep-alive client against a real MockAzure.
@Suite struct PinnedHTTPClientTests {
    static let body = ByteBuffer(string: #"{"messages":[{"role":"user","content":"what llm are you"}]}"#)
    static let headers = [("api-key", "k"), ("content-type", "application/json")]

    @Test func reusesOneConnectionPerLoop() async throws {
        try await withMockAzure { _, base in
            let client = PinnedHTTPClient()
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let url = "\(base)/openai/deployments/o4-mini/chat/completions?api-version=2025-01-01-preview"
            for _ in 0 ..< 5 {
                let response = try await client.post(
                    url: url,
                    headers: Self.headers,
                    body: Self.body,
                    on: loop,
                    deadline: .now() + .seconds(10),
                    maximumBodySize: 1 << 20
                ).get()
                #expect(response.status == .ok)
                #expect(
                    try JSON.parse(response.body.readableBytesView)["id"] == "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B"
                )
            }
            let idle = try await loop.submit { client.pool(for: loop).idle.values.map(\.count).reduce(0, +) }.get()
            #expect(idle == 1, "five sequential requests share one keep-alive connection")
            let channel = try await loop.submit { client.pool(for: loop).idle.values.joined().first!.channel }.get()
            await client.closeIdleConnections()
            #expect(try await loop.submit { client.pool(for: loop).idle.isEmpty }.get(), "closed on return, not later")
            #expect(try await loop.submit { channel.isActive }.get() == false)
        }
    }

    @Test func boundsBodyAndTime() async throws {
        try await withMockAzure(
            MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0, hangSeconds: 5)
        ) { _, base in
            let client = PinnedHTTPClient()
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let url = "\(base)/openai/deployments/o4-mini/chat/completions?api-version=2025-01-01-preview"
            await #expect(throws: PinnedHTTPClient.Failure.bodyTooLarge) {
                try await client.post(
                    url: url,
                    headers: Self.headers,
                    body: Self.body,
                    on: loop,
                    deadline: .now() + .seconds(10),
                    maximumBodySize: 100
                ).get()
            }
            let started = ContinuousClock.now
            await #expect(throws: PinnedHTTPClient.Failure.timeout) {
                try await client.post(
                    url: url,
                    headers: Self.headers + [("x-mock-fault", "hang")],
                    body: Self.body,
                    on: loop,
                    deadline: .now() + .milliseconds(300),
                    maximumBodySize: 1 << 20
                ).get()
            }
            #expect(ContinuousClock.now - started < .seconds(2))
            // After a timed-out exchange the next request gets a fresh connection and succeeds.
            let response = try await client.post(
                url: url,
                headers: Self.headers,
                body: Self.body,
                on: loop,
                deadline: .now() + .seconds(10),
                maximumBodySize: 1 << 20
            ).get()
            #expect(response.status == .ok)
            await #expect(throws: PinnedHTTPClient.Failure.invalidURL) {
                try await client.post(
                    url: "ftp://x",
                    headers: [],
                    body: Self.body,
                    on: loop,
                    deadline: .now() + .seconds(1),
                    maximumBodySize: 1
                ).get()
            }
            await #expect(throws: (any Error).self) {
                try await client.post(
                    url: "http://127.0.0.1:1/x",
                    headers: [],
                    body: Self.body,
                    on: loop,
                    deadline: .now() + .seconds(5),
                    maximumBodySize: 1
                ).get()
            }
            await client.closeIdleConnections()
        }
    }
}
