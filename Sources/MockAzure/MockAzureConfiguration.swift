/// How a MockAzure server runs. A value type with defaults, as Hummingbird's configurations are.
public struct MockAzureConfiguration: Sendable {
    /// Address to bind; port 0 picks a free port (read it back from `MockAzureServer.port`).
    public var host: String
    public var port: Int
    /// The folder holding `deployments.yaml` and `scenarios/`.
    public var fixturesDirectory: String
    /// When set, `api-key` / `Authorization: Bearer` must equal it; otherwise any non-empty key is accepted.
    public var apiKey: String?
    /// Multiplies stream frame delays' speed: 2 = twice as fast, 0 = no delays at all.
    public var speed: Double
    /// Seed for generated answers and random faults: the same seed gives the same answers.
    public var seed: UInt64
    /// Share of requests (0...1) that get a random fault (429, 500, 503, hang, disconnect, malformed frame).
    public var faultRate: Double
    /// How long a `hang` fault holds a request before giving up on it.
    public var hangSeconds: Double
    /// Requests kept in the journal (a ring: the oldest are dropped).
    public var journalCapacity: Int
    /// Larger request bodies get Azure's 413.
    public var maximumBodySize: Int
    /// Region reported in `x-ms-region`.
    public var region: String
    /// Refuse what Azure refuses: unknown arguments for the api-version, o-series sampling parameters and
    /// `max_tokens` (`StrictParameters`). A scenario can relax it (`strict: false`).
    public var strict: Bool
    /// The Entra ID tenant and Graph emulation (`/{tenant}/oauth2/v2.0/…`, `/v1.0/me`): its application, users and
    /// token lifetime. The default accepts any client and offers four users.
    public var entra: EntraConfiguration
    /// The resource's `disableLocalAuth`: an `api-key` gets Azure's 403 and only Entra ID tokens are accepted.
    public var localAuthDisabled = false
    /// How long a batch takes from created to completed (validating, in progress, finalizing: a third each).
    public var batchSeconds: Double = 3

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        fixturesDirectory: String = "fixtures",
        apiKey: String? = nil,
        speed: Double = 1.0,
        seed: UInt64 = 0,
        faultRate: Double = 0,
        hangSeconds: Double = 120,
        journalCapacity: Int = 1000,
        maximumBodySize: Int = 16 * 1024 * 1024,
        region: String = "East US",
        strict: Bool = true,
        entra: EntraConfiguration = EntraConfiguration()
    ) {
        self.host = host
        self.port = port
        self.fixturesDirectory = fixturesDirectory
        self.apiKey = apiKey
        self.speed = speed
        self.seed = seed
        self.faultRate = faultRate
        self.hangSeconds = hangSeconds
        self.journalCapacity = journalCapacity
        self.maximumBodySize = maximumBodySize
        self.region = region
        self.strict = strict
        self.entra = entra
    }
}
