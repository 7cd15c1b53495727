import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import TestSupport
import Testing
import Wire

@testable import Proxy

/// A page as a browser would get it, without following redirects.
struct UIPage: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var text: String

    var location: String? { headers.first(name: "location") }
    var setCookies: [String] { headers["set-cookie"] }

    /// The first CSRF token in the page's forms.
    var csrf: String? { UIBrowser.attribute(in: text, after: #"name="csrf_token" value=""#) }
}

/// A tiny browser for the server-side UI tests: keeps cookies, never follows redirects, submits forms. It talks to
/// a proxy on a port, or to the proxy's router in memory.
final class UIBrowser: Sendable {
    typealias Transport = @Sendable (HTTPMethod, String, [(String, String)], String?) async throws -> TestResponse

    let transport: Transport
    /// The network client, shut down by `withUI`; nil in memory.
    let client: HTTPClient?
    let jar = NIOLockedValueBox<[String: String]>([:])

    init(base: String) {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(redirectConfiguration: .disallow)
        )
        self.client = client
        self.transport = { method, path, headers, body in
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return TestResponse(
                status: Int(response.status.code),
                headers: response.headers,
                body: Array(bytes.readableBytesView)
            )
        }
    }

    private init(transport: @escaping Transport) {
        self.client = nil
        self.transport = transport
    }

    /// Another browser on the same server, with no cookies of its own yet (its own session once it logs in).
    func newSession() -> UIBrowser { UIBrowser(transport: transport) }

    init(router: ProxyRouterClient) {
        self.client = nil
        self.transport = { method, path, headers, body in
            try await router.request(HTTPRequest.Method(method.rawValue)!, path, headers: headers, body: body)
        }
    }

    var sessionCookie: String? { jar.withLockedValue { $0[AdminUI.sessionCookie] } }

    func cookie(_ name: String) -> String? { jar.withLockedValue { $0[name] } }

    func setCookie(_ name: String, _ value: String?) { jar.withLockedValue { $0[name] = value } }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> UIPage {
        try await send(.GET, path, body: nil, headers: headers)
    }

    func post(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> UIPage {
        try await send(
            .POST,
            path,
            body: UIForm.encode(fields.map { ($0.0, $0.1) }),
            headers: headers + [("content-type", "application/x-www-form-urlencoded")]
        )
    }

    /// Opens the login page and submits it.
    @discardableResult
    func login(username: String = "admin", password: String = TestConfigs.masterKey, headers: [(String, String)] = [])
        async throws -> UIPage
    {
        let form = try await get("/ui/login")
        return try await post(
            "/ui/login",
            [("csrf_token", form.csrf ?? ""), ("next", "/ui/logs"), ("username", username), ("password", password)],
            headers: headers
        )
    }

    /// A form post carrying the session's CSRF token (read from `page`, default the Keys page).
    func submit(_ path: String, _ fields: [(String, String)], from page: String = "/ui/keys") async throws -> UIPage {
        let token = try #require(try await get(page).csrf)
        return try await post(path, [("csrf_token", token)] + fields)
    }

    /// Waits for a page (spend rows are written in batches) until it contains `text`.
    func poll(_ path: String, until text: String) async throws -> UIPage {
        var page = try await get(path)
        _ = try await eventually {
            page = try await get(path)
            return page.text.contains(text)
        }
        return page
    }

    func send(_ method: HTTPMethod, _ path: String, body: String?, headers: [(String, String)]) async throws -> UIPage {
        let cookie = jar.withLockedValue { $0.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        let response = try await transport(method, path, headers + (cookie.isEmpty ? [] : [("cookie", cookie)]), body)
        let page = UIPage(status: response.status, headers: response.headers, text: response.text)
        for line in page.setCookies {
            let pair = line.split(separator: ";")[0].split(
                separator: "=",
                maxSplits: 1,
                omittingEmptySubsequences: false
            )
            let value = pair.count > 1 ? String(pair[1]) : ""
            setCookie(String(pair[0]), line.contains("Max-Age=0") || value.isEmpty ? nil : value)
        }
        return page
    }

    static func attribute(in text: String, after marker: String) -> String? {
        guard let range = text.range(of: marker) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// A proxy in front of MockAzure and a browser on its UI; the browser's client is shut down afterwards.
func withUI<T: Sendable>(
    config: @escaping @Sendable (String) -> String = { TestConfigs.standard(mockBase: $0) },
    loggedIn: Bool = true,
    _ body: @escaping @Sendable (ProxyTestContext, UIBrowser) async throws -> T
) async throws -> T {
    try await withProxy(config: config) { proxy in
        let browser = UIBrowser(base: proxy.base)
        do {
            if loggedIn { try await browser.login() }
            let result = try await body(proxy, browser)
            try await browser.client?.shutdown()
            return result
        } catch {
            try? await browser.client?.shutdown()
            throw error
        }
    }
}

/// The UI through the proxy's router in memory (no port, no upstream): for pages and forms that need no model.
func withUIInMemory<T: Sendable>(
    loggedIn: Bool = true,
    _ body: @escaping @Sendable (ProxyRouterClient, UIBrowser) async throws -> T
) async throws -> T {
    try await withProxyRouter { proxy in
        let browser = UIBrowser(router: proxy)
        if loggedIn { try await browser.login() }
        return try await body(proxy, browser)
    }
}

/// A chat completion through the proxy.
@discardableResult
func uiChat(
    _ proxy: ProxyTestContext,
    model: String = "o4-mini",
    prompt: String = "what llm are you",
    key: String = TestConfigs.masterKey,
    extra: JSONObject = [:]
) async throws -> TestResponse {
    var body: JSONObject = ["model": .string(model), "messages": [["role": "user", "content": .string(prompt)]]]
    for member in extra { body[member.key] = member.value }
    return try await TestHTTP.request(
        .POST,
        "\(proxy.base)/chat/completions",
        headers: [("authorization", "Bearer \(key)")],
        body: JSON.object(body).serialized()
    )
}
