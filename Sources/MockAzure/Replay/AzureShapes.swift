import Wire

/// Pieces of Azure's response bodies, keys in the order Azure emits them.
enum AzureShapes {
    static func severity(_ level: String = "safe") -> JSON { ["filtered": false, "severity": .string(level)] }
    static let notDetected: JSON = ["detected": false, "filtered": false]

    /// A choice's `content_filter_results` with nothing found.
    static let safeChoiceFilter: JSON = [
        "hate": severity(),
        "protected_material_code": notDetected,
        "protected_material_text": notDetected,
        "self_harm": severity(),
        "sexual": severity(),
        "violence": severity(),
    ]

    /// `prompt_filter_results` for a prompt with nothing found.
    static func safePromptFilter(count: Int = 1) -> JSON {
        .array(
            (0 ..< max(1, count)).map { index in
                [
                    "prompt_index": .int(index),
                    "content_filter_results": [
                        "hate": severity(),
                        "jailbreak": notDetected,
                        "self_harm": severity(),
                        "sexual": severity(),
                        "violence": severity(),
                    ],
                ]
            }
        )
    }

    static func chatUsage(prompt: Int, completion: Int, reasoning: Int, cached: Int = 0) -> JSON {
        [
            "completion_tokens": .int(completion),
            "completion_tokens_details": [
                "accepted_prediction_tokens": 0, "audio_tokens": 0, "reasoning_tokens": .int(reasoning),
                "rejected_prediction_tokens": 0,
            ],
            "prompt_tokens": .int(prompt),
            "prompt_tokens_details": ["audio_tokens": 0, "cached_tokens": .int(cached)],
            "total_tokens": .int(prompt + completion),
        ]
    }
}
