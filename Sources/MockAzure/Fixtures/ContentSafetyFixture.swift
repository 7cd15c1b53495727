import Wire

/// A Content Safety answer kept in `fixtures/content-safety/`: what `text:shieldPrompt` or `text:analyze` returns when
/// the analysed text has a line `#mock-content-safety: NAME` (its own directive: a `#mock-scenario` line would also
/// pick a chat scenario when the same prompt goes on to the model).
public struct ContentSafetyFixture: Sendable {
    public enum Operation: String, Sendable {
        case shieldPrompt
        case analyze
    }

    public var name: String
    public var description: String?
    public var operation: Operation
    public var response: JSON

    /// `{name, description, operation: shieldPrompt | analyze, response: {…}}`; the name defaults to the file's.
    static func decode(_ document: JSON, reader: FixtureReader, fallbackName: String) throws(FixtureError)
        -> ContentSafetyFixture
    {
        let root = try reader.object(document, "")
        let name = try reader.optionalString(root["name"], "name") ?? fallbackName
        let operationName = try reader.string(root["operation"], "operation")
        guard let operation = Operation(rawValue: operationName) else {
            throw reader.fail("operation", "expected shieldPrompt or analyze, found '\(operationName.prefix(40))'")
        }
        guard let response = root["response"], response.objectValue != nil else {
            throw reader.fail("response", "expected the answer's JSON object")
        }
        return ContentSafetyFixture(
            name: name,
            description: try reader.optionalString(root["description"], "description"),
            operation: operation,
            response: response
        )
    }
}
