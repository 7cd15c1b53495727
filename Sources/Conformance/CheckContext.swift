import Foundation
import NIOCore
import NIOHTTP1
import Wire

/// What a run is pointed at.
public struct ConformanceTarget: Sendable {
    public enum Upstream: Sendable, Equatable {
        /// MockAzure at this URL: exact fixture values, journal checks.
        case mock(String)
        /// Real Azure: structure and invariants only.
        case real
    }

    /// How the proxy under test authenticates to Azure: its `api-key`, or Entra ID bearer tokens (keyless).
    public enum UpstreamAuth: String, Sendable, CaseIterable {
        case key, entra
    }

    public var proxy: String
    public var key: String
    public var upstream: Upstream
    /// The seed's model group (an o-series deployment).
    public var model: String
    public var chatModel: String
    public var embeddingModel: String
    public var completionModel: String
    /// The Azure key the proxy is configured with (journal checks compare its hash), when known.
    public var upstreamKey: String?
    /// Allowed lateness of a relayed stream frame against the fixture's schedule.
    public var timingTolerance: Duration
    /// Selects the checks for the proxy's Azure credential (`ConformanceCheck.auth`).
    public var upstreamAuth: UpstreamAuth
    /// The model group the Responses API checks call (a deployment whose api-version serves it).
    public var responsesModel: String
    /// A second replica of the proxy (same config, same database), for continuity checks.
    public var replica: String?

    public init(
        proxy: String,
        key: String,
        upstream: Upstream,
        model: String = "o4-mini",
        chatModel: String = "gpt-4o",
        embeddingModel: String = "text-embedding-3-small",
        completionModel: String = "gpt-35-turbo-instruct",
        upstreamKey: String? = nil,
        timingTolerance: Duration = .milliseconds(150),
        upstreamAuth: UpstreamAuth = .key,
        responsesModel: String = "o4-mini-responses",
        replica: String? = nil
    ) {
        var proxy = proxy
        while proxy.hasSuffix("/") { proxy.removeLast() }
        self.proxy = proxy
        self.key = key
        self.upstream = upstream
        self.model = model
        self.chatModel = chatModel
        self.embeddingModel = embeddingModel
        self.completionModel = completionModel
        self.upstreamKey = upstreamKey
        self.timingTolerance = timingTolerance
        self.upstreamAuth = upstreamAuth
        self.responsesModel = responsesModel
        self.replica = replica.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    public var mockURL: String? {
        if case .mock(let url) = upstream { return url }
        return nil
    }
}

/// Helpers a check uses: requests to the proxy with the key, MockAzure's journal, and expectations that fail with
/// what was seen.
public struct CheckContext: Sendable {
    public var target: ConformanceTarget
    /// Model groups the proxy lists in /v1/models (fetched once per run).
    public var availableModels: Set<String>

    public var auth: [(String, String)] { [("authorization", "Bearer \(target.key)")] }

    public func url(_ path: String) -> String { target.proxy + path }

    public func post(
        _ path: String,
        _ body: JSON,
        headers: [(String, String)]? = nil,
        timeout: TimeAmount = .seconds(60)
    ) async throws -> ObservedResponse {
        try await HTTPProbe.request(
            .POST,
            url(path),
            headers: headers ?? auth,
            body: body.serialized(),
            timeout: timeout
        )
    }

    public func get(_ path: String, headers: [(String, String)]? = nil) async throws -> ObservedResponse {
        try await HTTPProbe.request(.GET, url(path), headers: headers ?? auth)
    }

    public func stream(
        _ path: String,
        _ body: JSON,
        headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(60)
    ) async throws -> ObservedStream {
        try await HTTPProbe.stream(url(path), headers: auth + headers, body: body.serialized(), timeout: timeout)
    }

    /// A chat body for `model` with one user message.
    public func chat(
        _ model: String? = nil,
        _ prompt: String,
        stream: Bool = false,
        includeUsage: Bool? = nil,
        extra: JSONObject = JSONObject()
    ) -> JSON {
        var body: JSONObject = [
            "model": .string(model ?? target.model), "messages": [["role": "user", "content": .string(prompt)]],
        ]
        if stream { body["stream"] = true }
        if let includeUsage { body["stream_options"] = ["include_usage": .bool(includeUsage)] }
        for member in extra { body[member.key] = member.value }
        return .object(body)
    }

    /// Skips the check unless the proxy serves `model`.
    public func requireModel(_ model: String) throws {
        guard availableModels.isEmpty || availableModels.contains(model) else {
            throw CheckSkipped("the proxy does not list model \(model)")
        }
    }

    public func expect(_ condition: Bool, _ message: @autoclosure () -> String, observed: JSON = nil) throws {
        if !condition { throw CheckFailure(message(), observed: observed) }
    }

    /// MockAzure's journal entries whose body contains `marker` (a unique string the check put in its prompt).
    public func journalEntries(containing marker: String) async throws -> [JSON] {
        guard let mock = target.mockURL else { throw CheckSkipped("needs MockAzure's journal (--upstream mock)") }
        for _ in 0 ..< 20 {
            let response = try await HTTPProbe.request(.GET, mock + "/__mock/journal")
            let entries = response.json?["entries"]?.arrayValue ?? []
            let matching = entries.filter { $0["body"]?.serialized().contains(marker) == true }
            if !matching.isEmpty { return matching }
            try await Task.sleep(for: .milliseconds(50))
        }
        return []
    }

    /// A fresh marker to find one request in the journal.
    public func marker() -> String { "conformance-" + UUID().uuidString.lowercased() }
}
