import AsyncHTTPClient
import Foundation
import Logging
import Wire

/// The config's guardrails, ready to run: which ones a request gets (those `default_on`, those its body or metadata
/// names, its key's and its team's) and each hook's pass over the request or the answer. A pass masks in place,
/// records what each guardrail did and says whether one refused.
public final class Guardrails: Sendable {
    /// What a hook's guardrails did.
    struct Pass: Sendable {
        var records: [GuardrailRecord] = []
        /// The first refusal (LiteLLM stops at the first guardrail that raises).
        var refusal: ProxyError?
    }

    let all: [GuardrailSettings]
    let filters: [String: ContentFilter]
    let safety: ContentSafetyClient
    let logger: Logger

    init(_ settings: [GuardrailSettings], client: HTTPClient, identity: EntraTokenProvider, logger: Logger) {
        self.all = settings
        var filters: [String: ContentFilter] = [:]
        for guardrail in settings where guardrail.provider == .contentFilter {
            filters[guardrail.name] = ContentFilter(guardrail)
        }
        self.filters = filters
        self.safety = ContentSafetyClient(client: client, identity: identity)
        self.logger = logger
    }

    /// The request's guardrails in config order: `default_on`, or named by the body's `guardrails` (a list of names
    /// or a map keyed by them), its `metadata.guardrails`, its key's or its team's metadata. A request cannot turn a
    /// `default_on` one off; a name the config lacks is ignored, as LiteLLM ignores it.
    func selected(_ body: JSONObject, caller: Caller) -> [GuardrailSettings] {
        var named = Set(caller.guardrails)
        for value in [body["guardrails"], body["metadata"]?["guardrails"]] {
            switch value {
            case .array(let items)?: named.formUnion(items.compactMap(\.stringValue))
            case .object(let object)?: named.formUnion(object.keys)
            case .string(let name)?: named.insert(name)
            default: break
            }
        }
        return all.filter { $0.defaultOn || named.contains($0.name) }
    }

    /// `pre_call` (masks the body) or `during_call` (reads it) over a request's texts.
    func checkRequest(_ body: inout JSONObject, _ guardrails: [GuardrailSettings], mode: GuardrailSettings.Mode)
        async -> Pass
    {
        var pass = Pass()
        // logging_only masks what is stored; only the content filter masks.
        for guardrail in guardrails
        where guardrail.runs(in: mode) && (mode != .loggingOnly || guardrail.provider == .contentFilter) {
            let started = Date()
            let verdict: Verdict
            switch guardrail.provider {
            case .contentFilter:
                verdict = filter(guardrail, mode: mode) { transform throws in
                    try GuardedText.mapRequest(&body, transform)
                }
            case .promptShield:
                verdict = await shield(GuardedText.userTurn(body), guardrail, mode: mode)
            case .textModeration:
                verdict = await moderate(GuardedText.userTurn(body), guardrail, mode: mode)
            }
            if record(verdict, guardrail, mode: mode, started: started, into: &pass) { break }
        }
        return pass
    }

    /// `post_call` over an answer's texts (masks them in place).
    func checkAnswer(_ answer: inout JSON, _ guardrails: [GuardrailSettings]) async -> Pass {
        var pass = Pass()
        for guardrail in guardrails where guardrail.runs(in: .postCall) {
            let started = Date()
            let verdict: Verdict
            switch guardrail.provider {
            case .contentFilter:
                verdict = filter(guardrail, mode: .postCall) { transform throws in
                    try GuardedText.mapAnswer(&answer, transform)
                }
            case .promptShield:
                // Prompt Shields reads prompts; after the call LiteLLM's does nothing either.
                continue
            case .textModeration:
                verdict = await moderate(GuardedText.answerText(answer), guardrail, mode: .postCall)
            }
            if record(verdict, guardrail, mode: .postCall, started: started, into: &pass) { break }
        }
        return pass
    }

    /// The `logging_only` content filters over an answer as it is stored (they mask; they never refuse).
    func maskLogged(_ answer: JSON, _ guardrails: [GuardrailSettings]) -> JSON {
        var answer = answer
        for guardrail in guardrails where guardrail.runs(in: .loggingOnly) {
            guard let filter = filters[guardrail.name] else { continue }
            var masked: [String: Int] = [:]
            GuardedText.mapAnswer(&answer) { text in (try? filter.apply(text, masked: &masked, blocking: false)) ?? text
            }
        }
        return answer
    }

    /// What one guardrail decided.
    enum Verdict {
        case passed(response: JSON, masked: [String: Int])
        case refused(ProxyError, response: JSON)
        case failed(ProxyError)
    }

    /// Adds the verdict's record; true when it refused (the pass stops there).
    func record(
        _ verdict: Verdict,
        _ guardrail: GuardrailSettings,
        mode: GuardrailSettings.Mode,
        started: Date,
        into pass: inout Pass
    ) -> Bool {
        var entry = GuardrailRecord(
            name: guardrail.name,
            provider: guardrail.provider.loggedName,
            mode: mode.rawValue,
            status: .success,
            response: .null,
            started: started,
            ended: Date()
        )
        switch verdict {
        case .passed(let response, let masked):
            entry.response = response
            // LiteLLM logs a masking pass as a success, with what it masked counted.
            entry.maskedEntities = masked
        case .refused(let error, let response):
            entry.status = .intervened
            entry.response = response
            pass.refusal = error
        case .failed(let error):
            entry.status = .failed
            entry.response = .string(error.error.message)
            pass.refusal = error
            logger.warning(
                "guardrail failed to respond",
                metadata: ["guardrail": "\(guardrail.name)", "reason": "\(error.error.message)"]
            )
        }
        pass.records.append(entry)
        return pass.refusal != nil
    }

    /// The content filter over the texts `apply` walks (masking them as it goes).
    func filter(
        _ guardrail: GuardrailSettings,
        mode: GuardrailSettings.Mode,
        _ apply: ((String) throws -> String) throws -> Void
    ) -> Verdict {
        guard let filter = filters[guardrail.name] else { return .passed(response: .null, masked: [:]) }
        var masked: [String: Int] = [:]
        do {
            try apply { text in try filter.apply(text, masked: &masked, blocking: mode != .loggingOnly) }
        } catch let blocked as ContentFilter.Blocked {
            let detection: JSON = [
                "type": blocked.detail["pattern"] == nil ? "blocked_word" : "pattern",
                "pattern_name": blocked.detail["pattern"] ?? blocked.detail["keyword"] ?? .null, "action": "BLOCK",
            ]
            return .refused(GuardrailRefusal.contentFilter(blocked, guardrail, mode: mode), response: [detection])
        } catch {
            return .failed(GuardrailRefusal.failed(guardrail, reason: "\(type(of: error))"))
        }
        let detections = masked.keys.sorted().map { name -> JSON in
            ["type": "pattern", "pattern_name": .string(name), "action": "MASK"]
        }
        return .passed(response: .array(detections), masked: masked)
    }

    func shield(_ text: String, _ guardrail: GuardrailSettings, mode: GuardrailSettings.Mode) async -> Verdict {
        guard !text.isEmpty else { return .passed(response: .null, masked: [:]) }
        do throws(ContentSafetyClient.Failure) {
            let attack = try await safety.attackDetected(text, guardrail: guardrail, logger: logger)
            let response: JSON = ["userPromptAnalysis": ["attackDetected": .bool(attack)]]
            guard attack else { return .passed(response: response, masked: [:]) }
            return .refused(GuardrailRefusal.promptShield(guardrail, mode: mode), response: response)
        } catch {
            return .failed(GuardrailRefusal.failed(guardrail, reason: error.reason))
        }
    }

    func moderate(_ text: String, _ guardrail: GuardrailSettings, mode: GuardrailSettings.Mode) async -> Verdict {
        guard !text.isEmpty else { return .passed(response: .null, masked: [:]) }
        do throws(ContentSafetyClient.Failure) {
            let severities = try await safety.severities(text, guardrail: guardrail, logger: logger)
            let response: JSON = [
                "categoriesAnalysis": .array(
                    severities.map { ["category": .string($0.category), "severity": .int($0.severity)] }
                )
            ]
            for (category, severity) in severities {
                let threshold = guardrail.severityByCategory[category] ?? guardrail.severityThreshold
                if severity >= threshold {
                    let refusal = GuardrailRefusal.moderation(
                        guardrail,
                        mode: mode,
                        category: category,
                        threshold: threshold,
                        severity: severity
                    )
                    return .refused(refusal, response: response)
                }
            }
            return .passed(response: response, masked: [:])
        } catch {
            return .failed(GuardrailRefusal.failed(guardrail, reason: error.reason))
        }
    }
}
