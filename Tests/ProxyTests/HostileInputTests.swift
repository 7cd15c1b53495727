import AsyncHTTPClient
import Foundation
import Hummingbird
import MockAzure
import NIOConcurrencyHelpers
import TestSupport
import Testing
import Wire

@testable import Proxy

/// What an adversarial probe found (docs/reliability.md, "Hostile input"): each test fails on the behaviour before
/// its fix.
@Suite struct HostileInputTests {
    static func chatBody(_ model: String, _ prompt: String = "hello", stream: Bool = false, extra: String = "")
        -> String
    {
        #"""
        {"model":"\#(model)","messages":[{"role":"user","content":"\#(prompt)"}]\#
        \#(stream ? #","stream":true"# : "")\#(extra)}
        """#
    }

    /// A POST with the master key (a chat completion unless `path` says otherwise).
    static func post(_ proxy: ProxyTestContext, _ body: String, path: String = "/chat/completions") async throws
        -> TestResponse
    {
        try await TestHTTP.request(.POST, "\(proxy.base)\(path)", headers: proxy.auth, body: body)
    }

    static func config(_ base: String, model: String = "gpt-4o", params: String = "", general: String = "") -> String {
        """
        model_list:
          - model_name: \(model)
            litellm_params: {model: azure/\(model), api_base: "\(base)", \
        api_version: "2025-01-01-preview", api_key: \(TestConfigs.azureKey)\(params)}
        router_settings: {num_retries: 0}
        general_settings:
          master_key: \(TestConfigs.masterKey)
          proxy_batch_write_at: 0.1
          sqlite_path: \(TestConfigs.temporarySQLitePath())
        \(general)
        """
    }

    /// An upstream redirect is an error, never followed: the api-key and the prompt stay with the configured origin.
    @Test func upstreamRedirectsAreNotFollowed() async throws {
        let elsewhere = NIOLockedValueBox(0)
        try await withStubUpstream({ router in
            router.post("/**") { _, _ -> Response in
                elsewhere.withLockedValue { $0 += 1 }
                return Response(status: .ok)
            }
        }) { other in
            try await withStubUpstream({ router in
                router.post("/**") { _, _ in
                    Response(
                        status: .temporaryRedirect,
                        headers: [.location: other + "/openai/deployments/gpt-4o/chat/completions"]
                    )
                }
            }) { redirecting in
                try await withProxy(config: { _ in Self.config(redirecting) }) { proxy in
                    for stream in [false, true] {
                        let answer = try await Self.post(
                            proxy,
                            Self.chatBody("gpt-4o", stream: stream)
                        )
                        #expect(answer.status == 500, "\(answer.text)")
                        #expect(answer.json?.value(at: "error.message")?.stringValue?.contains("redirect") == true)
                    }
                    let health = try await TestHTTP.request(.GET, "\(proxy.base)/health", headers: proxy.auth)
                    #expect(health.json?["unhealthy_count"]?.intValue == 1)
                }
            }
        }
        #expect(elsewhere.withLockedValue { $0 } == 0, "a redirect was followed to another origin")
    }

    /// `user:password@` in an api_base and `extra_headers` values are credentials: shown and stored nowhere, and the
    /// headers travel as headers.
    @Test func deploymentCredentialsAreMaskedAndExtraHeadersAreHeaders() async throws {
        let password = "pw-in-api-base-7731"
        let header = "hdr-secret-value-4410"
        try await withProxy(config: { base in
            let withUser = base.replacingOccurrences(of: "http://", with: "http://gateway:\(password)@")
            return Self.config(
                withUser,
                params: ", extra_headers: {x-tenant-secret: \(header)}",
                general: "  store_prompts_in_spend_logs: true"
            )
        }) { proxy in
            let answer = try await Self.post(
                proxy,
                Self.chatBody("gpt-4o")
            )
            #expect(answer.status == 200, "\(answer.text)")
            let sent = try #require(proxy.mock.journal.entries.last)
            #expect(
                sent.headers.contains { $0.0.lowercased() == "x-tenant-secret" },
                "extra_headers were not sent as headers"
            )
            #expect(sent.body?["extra_headers"] == nil, "extra_headers went into the upstream body")
            #expect(answer.header("x-litellm-model-api-base").map { !$0.contains(password) } == true)
            let info = try await TestHTTP.request(.GET, "\(proxy.base)/model/info", headers: proxy.auth)
            let health = try await TestHTTP.request(.GET, "\(proxy.base)/health", headers: proxy.auth)
            let rows = try await SpendLogTests.rows(proxy)
            for text in [info.text, health.text, rows.map { $0.serialized() }.joined()] {
                #expect(!text.contains(password) && !text.contains(header), "\(text.prefix(400))")
            }
            #expect(info.text.contains("x-tenant-secret"))
        }
    }

    /// A client that hangs up before the usage frame still pays: prompt estimate + what was delivered.
    @Test func streamCutByTheClientIsBookedWithAnEstimate() async throws {
        try await withProxy(mock: MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0.1)) {
            proxy in
            // Reads until a content delta has arrived, then hangs up (the task is cancelled).
            let delivered = NIOLockedValueBox(false)
            let reader = Task {
                var request = HTTPClientRequest(url: "\(proxy.base)/chat/completions")
                request.method = .POST
                for (name, value) in proxy.auth { request.headers.add(name: name, value: value) }
                request.body = .bytes(
                    ByteBuffer(string: Self.chatBody("gpt-4o", "Say hello in three languages", stream: true))
                )
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                for try await chunk in response.body
                where String(buffer: chunk).range(of: #""content":"[^"]"#, options: .regularExpression) != nil {
                    delivered.withLockedValue { $0 = true }
                }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while !delivered.withLockedValue({ $0 }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(delivered.withLockedValue { $0 })
            reader.cancel()
            _ = try? await reader.value
            let row = try #require(try await SpendLogTests.rows(proxy).first)
            #expect((row["prompt_tokens"]?.intValue ?? 0) > 0, "\(row.serialized())")
            #expect((row["completion_tokens"]?.intValue ?? 0) > 0, "\(row.serialized())")
            #expect((row["spend"]?.doubleValue ?? 0) > 0)
            #expect(row.value(at: "metadata.stream_outcome") == "client_disconnected")
            // As LiteLLM records a stream its client left: a success, with a 499 note.
            #expect(row["status"] == "success" && row.value(at: "metadata.error_information.error_code") == "499")
            #expect(row.value(at: "metadata.usage_estimated") == true)
        }
    }

    /// An upstream that goes quiet after its headers ends the stream with LiteLLM's 408 after `stream_timeout`.
    @Test func stalledUpstreamStreamEndsWith408() async throws {
        try await withStubUpstream({ router in
            router.post("/**") { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: "text/event-stream"],
                    body: .init { writer in
                        let frame =
                            #"{"id":"chatcmpl-stall","object":"chat.completion.chunk","model":"gpt-4o","#
                            + #""choices":[{"index":0,"delta":{"content":"Hi"}}]}"#
                        try await writer.write(ByteBuffer(string: "data: \(frame)\n\n"))
                        // Well past stream_timeout; the server waits for it at shutdown.
                        try await Task.sleep(for: .seconds(4))
                        try await writer.finish(nil)
                    }
                )
            }
        }) { stalling in
            try await withProxy(config: { _ in Self.config(stalling, params: ", stream_timeout: 1") }) { proxy in
                let started = ContinuousClock.now
                let stream = try await TestHTTP.stream(
                    "\(proxy.base)/chat/completions",
                    headers: proxy.auth,
                    body: Self.chatBody("gpt-4o", stream: true)
                )
                #expect(ContinuousClock.now - started < .seconds(10))
                let error = stream.events.compactMap { try? JSON.parse($0.event.data) }.first { $0["error"] != nil }
                #expect(error?.value(at: "error.code") == "408", "\(String(decoding: stream.raw, as: UTF8.self))")
                #expect(stream.events.last?.event.isDone == true)
                let row = try #require(try await SpendLogTests.rows(proxy).first)
                #expect(row["status"] == "failure" && row.value(at: "metadata.stream_outcome") == "upstream_timeout")
            }
        }
    }

    /// The body's `user` is the end user; the row's `user` is the key's owner, which no caller can choose.
    @Test func bodyUserIsTheEndUserNotTheRowsUser() async throws {
        try await withProxy { proxy in
            let generated = try await VirtualKeyTests.manage(proxy, "/key/generate", ["user_id": "owner-1"])
            let key = try #require(generated.json?["key"]?.stringValue)
            let body = #"{"model":"gpt-4o","user":"someone-else","messages":[{"role":"user","content":"hi"}]}"#
            let answer = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: [("authorization", "Bearer \(key)")],
                body: body
            )
            #expect(answer.status == 200)
            let row = try #require(try await SpendLogTests.rows(proxy).first)
            #expect(row["user"] == "owner-1" && row["end_user"] == "someone-else", "\(row.serialized())")
        }
    }

    /// The path's model routes an Azure-style call; the body's free text must not become a metric label.
    @Test func requestedModelLabelIsBounded() async throws {
        try await MetricsTests.withPrometheus { proxy in
            for index in 0 ..< 3 {
                let body = #"{"model":"flood-\#(index)","messages":[{"role":"user","content":"hi"}]}"#
                let answer = try await Self.post(proxy, body, path: "/openai/deployments/gpt-4o/chat/completions")
                #expect(answer.status == 200)
            }
            let metrics = try await TestHTTP.request(.GET, "\(proxy.base)/metrics")
            #expect(!metrics.text.contains("flood-"), "a client-chosen string became a label")
            #expect(metrics.text.contains(#"requested_model="gpt-4o""#))
        }
    }

    /// `X-Forwarded-For` is believed only from a configured proxy.
    @Test func forwardedForIsTrustedOnlyFromConfiguredProxies() async throws {
        let untrusted = ForwardedFor()
        #expect(untrusted.clientIP(forwardedFor: "6.6.6.6", peer: "10.0.0.9") == "10.0.0.9")
        let trusted = ForwardedFor(trustedProxies: ["10.0.0.9", "10.0.0.8"])
        #expect(trusted.clientIP(forwardedFor: "6.6.6.6, 1.2.3.4, 10.0.0.8", peer: "10.0.0.9") == "1.2.3.4")
        #expect(trusted.clientIP(forwardedFor: "1.2.3.4", peer: "10.0.0.7") == "10.0.0.7")
        #expect(
            ForwardedFor(trustEveryPeer: true).clientIP(forwardedFor: "1.2.3.4, 5.6.7.8", peer: "9.9.9.9") == "1.2.3.4"
        )
        try await withProxy(config: { base in Self.config(base, general: "  trusted_proxies: [\"127.0.0.1\"]") }) {
            proxy in
            let answer = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth + [("x-forwarded-for", "10.1.2.3")],
                body: Self.chatBody("gpt-4o")
            )
            #expect(answer.status == 200)
            let row = try #require(try await SpendLogTests.rows(proxy).first)
            #expect(row["requester_ip_address"] == "10.1.2.3")
        }
    }

    /// Guessing keys: after the limit an address gets 429 with `retry-after`, whatever key it presents.
    @Test func refusedKeysAreThrottledPerAddress() async throws {
        try await withProxy { proxy in
            let limit = proxy.gateway.config.settings.auth.failedKeyThrottle.limit
            for index in 0 ..< limit {
                let answer = try await TestHTTP.request(
                    .POST,
                    "\(proxy.base)/chat/completions",
                    headers: [("authorization", "Bearer sk-guess-\(index)-0000000")],
                    body: Self.chatBody("gpt-4o")
                )
                #expect(answer.status == 401)
            }
            let throttled = try await Self.post(
                proxy,
                Self.chatBody("gpt-4o")
            )
            #expect(
                throttled.status == 429 && throttled.json?.value(at: "error.type") == "throttling_error",
                "\(throttled.text)"
            )
            #expect(throttled.header("retry-after").flatMap(Int.init).map { $0 >= 1 && $0 <= 60 } == true)
            let management = try await TestHTTP.request(.GET, "\(proxy.base)/key/list", headers: proxy.auth)
            #expect(management.status == 429)
        }
    }

    @Test func failedUILoginsAreThrottledPerAddress() async throws {
        try await withUI(loggedIn: false) { proxy, browser in
            for _ in 0 ..< proxy.gateway.config.settings.auth.uiLoginThrottle.limit {
                #expect(try await browser.login(password: "wrong-password").status == 401)
            }
            let throttled = try await browser.login()
            #expect(
                throttled.status == 429 && throttled.headers.first(name: "retry-after") != nil,
                "\(throttled.status)"
            )
            #expect(browser.sessionCookie == nil)
        }
    }

    /// A body trickled a byte at a time is cut off at `request_body_timeout` with a 408.
    @Test func trickledBodyGets408() async throws {
        try await withProxy(
            config: { base in Self.config(base, general: "  request_body_timeout: 1") },
            keepAliveTimeout: .seconds(5)
        ) { proxy in
            let port = Int(proxy.base.split(separator: ":").last!)!
            // The data plane answers 408; a management route (Hummingbird's) closes the connection.
            for path in ["/chat/completions", "/key/generate"] {
                let (received, elapsed) = try await Self.trickle(port: port, path: path)
                #expect(received.closed, "\(path) still open after \(elapsed)")
                #expect(elapsed < .seconds(4), "\(path): \(elapsed)")
                if path == "/chat/completions" {
                    #expect(received.text.hasPrefix("HTTP/1.1 408"), "\(received.text)")
                    #expect(received.text.contains(#""param":"request_body""#))
                } else {
                    #expect(received.text.isEmpty, "\(received.text)")
                }
            }
        }
    }

    /// Sends a head that promises 200 bytes, then one byte every 300 ms, until the server closes (at most 6 s).
    static func trickle(port: Int, path: String) async throws -> (
        received: (text: String, closed: Bool), elapsed: Duration
    ) {
        let connection = try await RawConnection.connect(port: port)
        let auth = "authorization: Bearer \(TestConfigs.masterKey)"
        try await connection.send(
            "POST \(path) HTTP/1.1\r\nhost: x\r\n\(auth)\r\n"
                + "content-type: application/json\r\ncontent-length: 200\r\n\r\n"
        )
        let started = ContinuousClock.now
        var received = connection.received
        while !received.closed, ContinuousClock.now - started < .seconds(6) {
            try? await connection.send("{")
            try await Task.sleep(for: .milliseconds(300))
            received = connection.received
        }
        let elapsed = ContinuousClock.now - started
        await connection.close()
        return (received, elapsed)
    }

    /// Upstream token counts near Int.max are clamped, not trapped on when added up.
    @Test func upstreamUsageNearIntMaxDoesNotTrap() async throws {
        try await withStubUpstream({ router in
            router.post("/**") { _, _ in
                let body =
                    #"""
                    {"id":"chatcmpl-big","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,\#
                    "message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],\#
                    "usage":{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807,\#
                    "total_tokens":9223372036854775807,\#
                    "completion_tokens_details":{"reasoning_tokens":9223372036854775807}}}
                    """#
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: body))
                )
            }
        }) { big in
            try await withProxy(config: { _ in Self.config(big, general: "litellm_settings: {callbacks: [prometheus]}")
            }) { proxy in
                for _ in 0 ..< 3 {
                    let answer = try await Self.post(
                        proxy,
                        Self.chatBody("gpt-4o")
                    )
                    #expect(answer.status == 200)
                }
                let metrics = try await TestHTTP.request(.GET, "\(proxy.base)/metrics")
                #expect(metrics.status == 200 && metrics.text.contains("litellm_input_tokens_metric_total"))
            }
        }
        #expect(JSON.number("9223372036854775807").tokenCount == 1 << 40 && JSON.number("-5").tokenCount == 0)
    }

    /// The spend database holds prompts and answers: created readable by its owner only.
    @Test func sqliteFileIsCreatedOwnerOnly() async throws {
        let path = TestConfigs.temporarySQLitePath()
        try await withProxy(config: { base in
            Self.config(base).replacingOccurrences(
                of: #"sqlite_path: .*"#,
                with: "sqlite_path: \(path)",
                options: .regularExpression
            )
        }) { proxy in
            let answer = try await Self.post(
                proxy,
                Self.chatBody("gpt-4o")
            )
            #expect(answer.status == 200)
            _ = try await SpendLogTests.rows(proxy)
        }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "mode \(String(mode ?? 0, radix: 8))")
    }

    /// A page shows at most a bounded part of a client-sized body.
    @Test func pagesCapWhatTheyShow() {
        let metadata = JSON.object(JSONObject((0 ..< 60_000).map { ("k\($0)", JSON.string("v\($0)")) }))
        let shown = UIFormat.json(metadata, masterKey: nil)
        let (size, marked) = (shown.utf8.count, shown.contains("more bytes not shown"))
        #expect(size < UIFormat.maximumShownCharacters + 200)
        #expect(marked)
    }
}
