import Wire

/// The errors LiteLLM 1.110.2 answers when a guardrail refuses a request or an answer, or cannot be asked.
enum GuardrailRefusal {
    /// LiteLLM's 400 for a guardrail's refusal: its message, and in `provider_specific_fields` the guardrail's detail
    /// (`error` and what it found) with the guardrail and the hook named.
    static func refused(
        _ message: String,
        _ guardrail: GuardrailSettings,
        mode: GuardrailSettings.Mode,
        detail: JSONObject = JSONObject()
    ) -> ProxyError {
        var fields: JSONObject = ["error": .string(message)]
        for member in detail where member.key != "error" { fields[member.key] = member.value }
        fields["guardrail_name"] = .string(guardrail.name)
        fields["guardrail_mode"] = .string(mode.rawValue)
        return ProxyError(
            OpenAIError(
                status: 400,
                message: message,
                type: "invalid_request_error",
                extra: ["provider_specific_fields": .object(fields)]
            )
        )
    }

    /// Prompt Shields found an attack.
    static func promptShield(_ guardrail: GuardrailSettings, mode: GuardrailSettings.Mode) -> ProxyError {
        refused(
            "Violated Azure Prompt Shield guardrail policy",
            guardrail,
            mode: mode,
            detail: ["detection_message": "Attack detected: {'attackDetected': True}"]
        )
    }

    /// A moderation category at or above its threshold.
    static func moderation(
        _ guardrail: GuardrailSettings,
        mode: GuardrailSettings.Mode,
        category: String,
        threshold: Int,
        severity: Int
    ) -> ProxyError {
        refused(
            "Azure Content Safety Guardrail: \(category) crossed severity \(threshold), Got severity: \(severity)",
            guardrail,
            mode: mode
        )
    }

    /// The content filter's refusal: its detail (`pattern`, or `keyword` and `description`).
    static func contentFilter(
        _ blocked: ContentFilter.Blocked,
        _ guardrail: GuardrailSettings,
        mode: GuardrailSettings.Mode
    ) -> ProxyError {
        refused(blocked.message, guardrail, mode: mode, detail: blocked.detail.objectValue ?? JSONObject())
    }

    /// Content Safety could not be asked (unreachable, an error, a timeout): the request is refused, never let
    /// through unchecked.
    static func failed(_ guardrail: GuardrailSettings, reason: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 500,
                message: "Guardrail \(guardrail.name) failed to respond: \(reason)",
                type: "guardrail_failed_to_respond"
            )
        )
    }

    /// A held stream its post-call guardrails cannot read whole (tool calls, several choices, longer than the
    /// assembled bound) or cannot send masked (a completion stream): refused rather than sent unchecked.
    static func unreadable(_ guardrail: GuardrailSettings?) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 400,
                message: "Guardrail \(guardrail?.name ?? "post_call") cannot check this streamed answer (tool calls, "
                    + "several choices or a completion stream); it is not sent unchecked",
                type: "invalid_request_error"
            )
        )
    }
}
