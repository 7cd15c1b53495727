import Testing

@testable import Proxy

/// R10: credentials typed into a prompt are masked before the spend row stores the body.
@Suite struct SecretMaskTests {
    let mask = SecretMask(secrets: ["master-key-000111", "azure-upstream-key-5678", "short"])

    @Test func knownSecretsAndVirtualKeysAreMasked() {
        let text =
            #"{"content":"my keys: master-key-000111, azure-upstream-key-5678 and sk-AbCdEfGhIjKlMnOpQrStUvWx_12 ok"}"#
        let masked = mask.masked(text)
        #expect(masked == #"{"content":"my keys: sk-...0111, sk-...5678 and sk-...x_12 ok"}"#)
        for secret in ["master-key-000111", "azure-upstream-key-5678", "sk-AbCdEfGhIjKlMnOpQrStUvWx_12"] {
            #expect(!masked.contains(secret))
        }
    }

    @Test func ordinaryTextIsLeftAlone() {
        for text in [
            #"{"content":"ask-me anything, sk-short, task-AbCdEfGhIjKlMnOpQrStUvWx, short"}"#, "", "sk-",
            "éèsk-AbCdEfGhIjKlMnOpQrSt",
        ] {
            let expected = text.hasSuffix("sk-AbCdEfGhIjKlMnOpQrSt") ? "éèsk-...QrSt" : text
            #expect(mask.masked(text) == expected)
        }
    }

    @Test func aKeyAtEitherEndIsMasked() {
        #expect(mask.masked("master-key-000111") == "sk-...0111")
        #expect(mask.masked("sk-AbCdEfGhIjKlMnOpQrStUv") == "sk-...StUv")
        #expect(mask.masked("x master-key-000111master-key-000111") == "x sk-...0111sk-...0111")
    }

    /// Random texts made of secrets, key-shaped tokens and filler: no secret and no `sk-` token of 20+ key characters
    /// (that does not follow a key character) survives, and a text with neither comes back unchanged.
    @Test func nothingSecretSurvivesRandomTexts() throws {
        let secrets = ["master-key-000111", "azure-upstream-key-5678"]
        let pieces =
            secrets + [
                "sk-", "sk-AbCdEfGhIjKlMnOpQrStUvWx", "AbCdEfGhIj", "-", "_", " ", "\"", "é", "task", "x", "0123456789",
            ]
        let keyShaped = try Regex("(?:^|[^A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}")
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 2000 {
            let text = (0 ..< Int.random(in: 0 ... 10, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            let masked = mask.masked(text)
            for secret in secrets { #expect(!masked.contains(secret), "\(text) → \(masked)") }
            #expect(masked.firstMatch(of: keyShaped) == nil, "\(text) → \(masked)")
            if !secrets.contains(where: text.contains), text.firstMatch(of: keyShaped) == nil {
                #expect(masked == text)
            }
        }
    }
}
