/// One set of per-minute limits a request counts against: its key's, its team's, its end user's. `scope` names the
/// usage counter (a key's token, `team:<id>`, `end_user:<id>`), shared across replicas like a key's.
public struct RateLimit: Sendable, Equatable {
    public var scope: String
    /// How refusals name it: "key", "team", "end user".
    public var name: String
    public var rpm: Int?
    public var tpm: Int?
    public var parallel: Int?

    public init(scope: String, name: String, rpm: Int?, tpm: Int?, parallel: Int?) {
        self.scope = scope
        self.name = name
        self.rpm = rpm
        self.tpm = tpm
        self.parallel = parallel
    }

    /// None when nothing is limited.
    public static func of(scope: String, name: String, rpm: Int?, tpm: Int?, parallel: Int?) -> [RateLimit] {
        rpm == nil && tpm == nil && parallel == nil
            ? [] : [RateLimit(scope: scope, name: name, rpm: rpm, tpm: tpm, parallel: parallel)]
    }
}
