import Wire

/// Turns a scenario document into a `Scenario`. The format (YAML or JSON):
///
///     name: seed-o4-mini            # default: the file name
///     description: ...
///     priority: 0                   # higher wins among matching scenarios
///     strict: false                 # relax Azure's argument checks for requests naming it (default true)
///     match:                        # all must hold; without `match` the scenario is chosen only by name
///       deployment: o4-mini         # or a list
///       path: chat/completions      # chat/completions | completions | embeddings
///       stream: false
///       last_user_message: {equals: "what llm are you"}   # or {contains: ...}
///       body: [{path: temperature, exists: true}]         # or equals: <json> / contains: <text>
///     response:
///       status: 200
///       headers: {retry-after: "6"}
///       body: {...}                 # JSON body, or raw_body: "text sent verbatim"
///       stream:                     # SSE frames: data is JSON or a string such as "[DONE]"
///         - {delay_ms: 120, data: {...}}
///       end: close                  # or disconnect: drop the connection after the last frame
struct ScenarioDecoder {
    let reader: FixtureReader

    func decode(_ document: JSON, fallbackName: String) throws(FixtureError) -> Scenario {
        let root = try reader.object(document, "")
        try reader.onlyKnownKeys(root, ["name", "description", "priority", "strict", "match", "response"], "")
        let name = try reader.optionalString(root["name"], "name") ?? fallbackName
        guard !name.isEmpty else { throw reader.fail("name", "must not be empty") }
        let match = try root["match"].map { value throws(FixtureError) in try decodeMatch(value) }
        guard let responseValue = root["response"] else { throw reader.fail("response", "is required") }
        var scenario = Scenario(
            name: name,
            description: try reader.optionalString(root["description"], "description") ?? "",
            match: match,
            priority: try reader.optionalInt(root["priority"], "priority", in: Int.min ... Int.max) ?? 0,
            response: try decodeResponse(responseValue),
            file: reader.file
        )
        scenario.strict = try reader.optionalBool(root["strict"], "strict") ?? true
        return scenario
    }

    func decodeMatch(_ value: JSON) throws(FixtureError) -> ScenarioMatch {
        let object = try reader.object(value, "match")
        try reader.onlyKnownKeys(object, ["deployment", "path", "stream", "last_user_message", "body"], "match")
        var match = ScenarioMatch()
        match.deployments = try reader.stringList(object["deployment"], "match.deployment")
        if let path = try reader.optionalString(object["path"], "match.path") {
            guard let operation = MockOperation(rawValue: path) else {
                throw reader.fail(
                    "match.path",
                    "must be one of \(MockOperation.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            match.operation = operation
        }
        match.stream = try reader.optionalBool(object["stream"], "match.stream")
        if let rule = object["last_user_message"] {
            match.lastUserMessage = try decodeTextRule(rule, "match.last_user_message")
        }
        if let rules = object["body"] {
            guard case .array(let items) = rules else { throw reader.fail("match.body", "expected a list") }
            for (offset, item) in items.enumerated() {
                match.body.append(try decodeBodyRule(item, "match.body[\(offset)]"))
            }
        }
        return match
    }

    func decodeTextRule(_ value: JSON, _ path: String) throws(FixtureError) -> ScenarioMatch.TextRule {
        let object = try reader.object(value, path)
        try reader.onlyKnownKeys(object, ["equals", "contains"], path)
        if let text = try reader.optionalString(object["equals"], "\(path).equals") { return .equals(text) }
        if let text = try reader.optionalString(object["contains"], "\(path).contains") { return .contains(text) }
        throw reader.fail(path, "needs equals or contains")
    }

    func decodeBodyRule(_ value: JSON, _ path: String) throws(FixtureError) -> ScenarioMatch.BodyRule {
        let object = try reader.object(value, path)
        try reader.onlyKnownKeys(object, ["path", "exists", "equals", "contains"], path)
        let keyPath = try reader.string(object["path"], "\(path).path")
        if let exists = try reader.optionalBool(object["exists"], "\(path).exists") {
            return .init(path: keyPath, test: .exists(exists))
        }
        if let expected = object["equals"] { return .init(path: keyPath, test: .equals(expected)) }
        if let part = try reader.optionalString(object["contains"], "\(path).contains") {
            return .init(path: keyPath, test: .contains(part))
        }
        throw reader.fail(path, "needs exists, equals or contains")
    }

    func decodeResponse(_ value: JSON) throws(FixtureError) -> ScenarioResponse {
        let object = try reader.object(value, "response")
        try reader.onlyKnownKeys(object, ["status", "headers", "body", "raw_body", "stream", "end"], "response")
        var response = ScenarioResponse()
        if let status = try reader.optionalInt(object["status"], "response.status") {
            guard (100 ... 599).contains(status) else {
                throw reader.fail("response.status", "must be an HTTP status (100–599)")
            }
            response.status = status
        }
        if let headers = object["headers"] {
            for member in try reader.object(headers, "response.headers") {
                let path = "response.headers.\(member.key)"
                switch member.value {
                case .string(let text): response.headers.append((member.key, text))
                case .number(let text): response.headers.append((member.key, text))
                default: throw reader.fail(path, "expected a string or number")
                }
                guard isValidHeader(name: member.key, value: response.headers.last!.1) else {
                    throw reader.fail(path, "not a valid HTTP header")
                }
            }
        }
        response.body = object["body"]
        response.rawBody = try reader.optionalString(object["raw_body"], "response.raw_body")
        if let stream = object["stream"] {
            guard case .array(let items) = stream else {
                throw reader.fail("response.stream", "expected a list of frames")
            }
            var frames: [StreamFrame] = []
            for (offset, item) in items.enumerated() {
                let path = "response.stream[\(offset)]"
                let frame = try reader.object(item, path)
                try reader.onlyKnownKeys(frame, ["delay_ms", "data"], path)
                let delay = try reader.optionalDouble(frame["delay_ms"], "\(path).delay_ms", atMost: 3_600_000) ?? 0
                switch frame["data"] {
                case .string(let text)?: frames.append(StreamFrame(delayMs: delay, data: text))
                case .object?, .array?: frames.append(StreamFrame(delayMs: delay, json: frame["data"]!))
                case nil: throw reader.fail("\(path).data", "is required")
                case let other?:
                    throw reader.fail("\(path).data", "expected a JSON object or a string, found \(other.kindName)")
                }
            }
            response.frames = frames
        }
        if let end = try reader.optionalString(object["end"], "response.end") {
            guard let ending = ScenarioResponse.Ending(rawValue: end) else {
                throw reader.fail("response.end", "must be close or disconnect")
            }
            response.ending = ending
        }
        if response.frames != nil, response.body != nil || response.rawBody != nil {
            throw reader.fail("response", "has both a body and a stream; a scenario answers one way")
        }
        return response
    }

    func isValidHeader(name: String, value: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
            && value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }
    }
}

/// `deployments.yaml`:
///
///     api_versions: [...]              # optional: replaces the built-in list of accepted api-versions
///     rate_limit_window_seconds: 60    # optional
///     deployments:
///       - {name: o4-mini, model: o4-mini-2025-04-16, kind: chat, rpm: 600, tpm: 100000, default_scenario: ...}
struct DeploymentsDecoder {
    struct Settings {
        var deployments: [Deployment]
        var apiVersions: Set<String>?
        var windowSeconds: Double?
    }

    let reader: FixtureReader

    func decode(_ document: JSON) throws(FixtureError) -> Settings {
        let root = try reader.object(document, "")
        try reader.onlyKnownKeys(root, ["deployments", "api_versions", "rate_limit_window_seconds"], "")
        guard case .array(let items) = root["deployments"] else {
            throw reader.fail("deployments", "expected a list of deployments")
        }
        var deployments: [Deployment] = []
        for (offset, item) in items.enumerated() {
            let path = "deployments[\(offset)]"
            let object = try reader.object(item, path)
            try reader.onlyKnownKeys(
                object,
                ["name", "model", "kind", "rpm", "tpm", "default_scenario", "dimensions"],
                path
            )
            let name = try reader.string(object["name"], "\(path).name")
            let kindText = try reader.optionalString(object["kind"], "\(path).kind") ?? "chat"
            guard let kind = Deployment.Kind(rawValue: kindText) else {
                throw reader.fail(
                    "\(path).kind",
                    "must be chat, completions, embeddings, images, transcription or speech"
                )
            }
            deployments.append(
                Deployment(
                    name: name,
                    model: try reader.optionalString(object["model"], "\(path).model") ?? name,
                    kind: kind,
                    rpm: try reader.optionalInt(object["rpm"], "\(path).rpm"),
                    tpm: try reader.optionalInt(object["tpm"], "\(path).tpm"),
                    defaultScenario: try reader.optionalString(object["default_scenario"], "\(path).default_scenario"),
                    dimensions: try reader.optionalInt(object["dimensions"], "\(path).dimensions", in: 1 ... 16_384)
                        ?? 1536
                )
            )
        }
        let versions = try reader.stringList(root["api_versions"], "api_versions").map(Set.init)
        let window = try reader.optionalDouble(
            root["rate_limit_window_seconds"],
            "rate_limit_window_seconds",
            atMost: 86_400
        )
        if let window, window <= 0 { throw reader.fail("rate_limit_window_seconds", "must be > 0") }
        return Settings(deployments: deployments, apiVersions: versions, windowSeconds: window)
    }
}
