/// A LiteLLM table whose rows this gateway reads and writes whole, column values as text (teams, users, end users,
/// budgets). The first column is the primary key. Columns LiteLLM has and this gateway does not write keep their
/// defaults, so a LiteLLM started on the same database reads the rows.
public struct RecordTable: Sendable {
    public enum Kind: Sendable {
        /// `serial`: an integer key LiteLLM numbers itself (PostgreSQL SERIAL; SQLite's INTEGER PRIMARY KEY).
        case text, double, bigint, integer, serial, boolean, json, textArray, timestamp

        var postgresType: String {
            switch self {
            case .text: "TEXT"
            case .double: "DOUBLE PRECISION"
            case .bigint: "BIGINT"
            case .integer: "INTEGER"
            case .serial: "SERIAL"
            case .boolean: "BOOLEAN"
            case .json: "JSONB"
            case .textArray: "TEXT[]"
            case .timestamp: "TIMESTAMP(3)"
            }
        }

        var sqliteType: String {
            switch self {
            case .double: "REAL"
            case .bigint, .integer, .serial: "INTEGER"
            default: "TEXT"
            }
        }

        /// How a text-bound value becomes the column's type in PostgreSQL.
        func postgresValue(_ index: Int) -> String {
            switch self {
            case .text: "$\(index)"
            case .textArray: "ARRAY(SELECT jsonb_array_elements_text($\(index)::jsonb))"
            case .double: "$\(index)::double precision"
            case .serial: "$\(index)::integer"
            default: "$\(index)::" + postgresType.lowercased()
            }
        }
    }

    public struct Column: Sendable {
        public let name: String
        public let kind: Kind
    }

    public let name: String
    public let columns: [Column]

    public init(_ name: String, _ columns: [(String, Kind)]) {
        self.name = name
        self.columns = columns.map { Column(name: $0.0, kind: $0.1) }
    }

    public var key: String { columns[0].name }
    var names: [String] { columns.map(\.name) }
    var quotedName: String { "\"\(name)\"" }
    var quotedColumns: String { names.map { "\"\($0)\"" }.joined(separator: ", ") }

    /// PostgreSQL's statements: the table, then each column it may lack (a table an older release or LiteLLM made).
    var postgresSchema: [String] {
        [create(postgres: true)]
            + columns.dropFirst().map {
                "ALTER TABLE \(quotedName) ADD COLUMN IF NOT EXISTS \"\($0.name)\" \($0.kind.postgresType)"
            }
    }

    /// `CREATE TABLE IF NOT EXISTS` for a backend, the key first.
    func create(postgres: Bool) -> String {
        let definitions = columns.enumerated().map { index, column in
            "\"\(column.name)\" \(postgres ? column.kind.postgresType : column.kind.sqliteType)"
                + (index == 0 ? " NOT NULL PRIMARY KEY" : "")
        }
        return "CREATE TABLE IF NOT EXISTS \(quotedName) (\(definitions.joined(separator: ", ")))"
    }
}

/// Where whole rows of `RecordTable`s live: the proxy's database (both backends).
public protocol RecordStore: Sendable {
    func prepare(_ tables: [RecordTable]) async throws
    /// Inserts, or replaces the row with the same key.
    func upsert(_ table: RecordTable, _ values: [String?]) async throws
    /// Rows where `column` equals `value` (all rows when nil), ordered by key.
    func rows(_ table: RecordTable, where column: String?, equals value: String?, limit: Int) async throws
        -> [[String: String]]
    func delete(_ table: RecordTable, keys: [String]) async throws -> [String]
    /// Whether any row has one of `columns` set or `flag` true (one indexed probe, `LIMIT 1`).
    func anyRow(_ table: RecordTable, notNull columns: [String], orTrue flag: String) async throws -> Bool
    /// Adds amounts to the `spend` column of rows by key (batched from the spend writer).
    func addSpend(_ table: RecordTable, _ increments: [String: Double]) async throws
}

extension RecordStore {
    public func row(_ table: RecordTable, key: String) async throws -> [String: String]? {
        try await rows(table, where: table.key, equals: key, limit: 1).first
    }
}
