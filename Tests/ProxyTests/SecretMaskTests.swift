@testable import Proxy
import Testing

/// R10: credentials typed into a prompt are masked before the spend row stores the body.
@Suite struct SecretMaskTests {
    let mask = SecretMask(secrets: ["master-key-000111", "azure-upstream-key-5678", "short"])

    @Test func knownSecretsAndVirtualKeysAreMasked() {
        let text = #"{"content":"my keys: master-key-000111, azure-upstream-key-5678 and sk-AbCdEfGhIjKlMnOpQrStUvWx_12 ok"}"#
        let masked = mask.masked(text)
        #expect(masked == #"{"content":"my keys: sk-...0111, sk-...5678 and sk-...x_12 ok"}"#)
        for secret in ["master-key-000111", "azure-upstream-key-5678", "sk-AbCdEfGhIjKlMnOpQrStUvWx_12"] {
            #expect(!masked.contains(secret))
        }
    }

    @Test func ordinaryTextIsLeftAlone() {
        for text in [#"{"content":"ask-me anything, sk-short, task-AbCdEfGhIjKlMnOpQrStUvWx, short"}"#, "", "sk-", "éèsk-AbCdEfGhIjKlMnOpQrSt"] {
            let expected = text.hasSuffix("sk-AbCdEfGhIjKlMnOpQrSt") ? "éèsk-...QrSt" : text
            #expect(mask.masked(text) == expected)
        }
    }

    @Test func aKeyAtEitherEndIsMasked() {
        #expect(mask.masked("master-key-000111") == "sk-...0111")
        #expect(mask.masked("sk-AbCdEfGhIjKlMnOpQrStUv") == "sk-...StUv")
        #expect(mask.masked("x master-key-000111master-key-000111") == "x sk-...0111sk-...0111")
    }
}
