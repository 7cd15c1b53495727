import NIOCore
import Testing
import Wire

@Suite struct WireHelpersTests {
    @Test func secretForms() {
        #expect(SecretHash.sha256Hex("sk-1234") == "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")
        #expect(SecretHash.abbreviated("sk-abcdefgh1234") == "sk-...1234")
        #expect(SecretHash.abbreviated("short") == "sk-...")
        #expect(SecretHash.constantTimeEquals("sk-1234", "sk-1234"))
        #expect(!SecretHash.constantTimeEquals("sk-1234", "sk-1235"))
        #expect(!SecretHash.constantTimeEquals("sk-1234", "sk-12345"))
        #expect(!SecretHash.constantTimeEquals("", "x"))
    }

    @Test func includesComparesBytes() {
        #expect("azure/o4-mini-2025".includes("o4"))
        #expect("gpt-4o".includes("gpt-4o"))
        #expect("abc".includes(""))
        #expect(!"gpt-4o".includes("o1"))
        #expect(!"o".includes("o1"))
        #expect("ab\u{00E9}cd".includes("\u{00E9}c"))
    }

    @Test func chatRequestView() throws {
        let request = ChatRequest(
            body: try JSON.parse(
                #"""
                {"model":"o4-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":50,\#
                "messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user",\#
                "content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{}},{"type":"text",\#
                "text":"b"}]}]}
                """#
            )
        )
        #expect(request.model == "o4-mini")
        #expect(request.isStream)
        #expect(request.includeUsage)
        #expect(request.maxOutputTokens == 50)
        #expect(request.lastUserMessageText == "a\nb")
        #expect(TokenEstimate.prompt(of: request) > 3)
    }

    @Test func errorBodies() throws {
        let error = OpenAIError(
            status: 401,
            message: "Authentication Error, No api key passed in.",
            type: "auth_error",
            param: "None"
        )
        #expect(
            error.json.serialized()
                == #"""
                {"error":{"message":"Authentication Error, No api key passed in.","type":"auth_error",\#
                "param":"None","code":"401"}}
                """#
        )
        #expect(OpenAIError(status: 401, body: error.json) == error)
        #expect(
            AzureError.resourceNotFound.body.serialized() == #"{"error":{"code":"404","message":"Resource not found"}}"#
        )
        #expect(
            AzureError.unsupportedParameter("max_tokens").body.value(at: "error.message")?.stringValue?.hasSuffix(
                "Use 'max_completion_tokens' instead."
            ) == true
        )
    }
}
