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
    /// The columns an upsert's conflict updates: all but the key and `spend`.
    var updatedOnConflict: [String] { names.dropFirst().filter { $0 != "spend" } }

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
    /// Inserts, or replaces the row with the same key but for its `spend` (only spend credits and budget resets
    /// change an existing row's spend, so a management write never undoes spend credited since it read the row).
    func upsert(_ table: RecordTable, _ values: [String?]) async throws
    /// Starts a new budget period if the row's is over: `budget_reset_at` = `next` and its `spend` (if any) 0, only
    /// where `budget_reset_at` ≤ `now` (one replica wins). Answers whether it did.
    func renewBudget(_ table: RecordTable, key: String, next: String, now: String) async throws -> Bool
    /// Sets `spend` to 0 on the rows where `column` equals `value` (end users of a renewed budget).
    func zeroSpend(_ table: RecordTable, where column: String, equals value: String) async throws
    /// Rows passing the filter, ordered by key; a filter on a column the table lacks matches nothing.
    func rows(_ table: RecordTable, _ filter: RowFilter, limit: Int) async throws -> [[String: String]]
    func delete(_ table: RecordTable, keys: [String]) async throws -> [String]
    /// How many rows pass the filter (its order and offset aside).
    func count(_ table: RecordTable, _ filter: RowFilter) async throws -> Int
    /// Whether any row has one of `columns` set or `flag` true (one indexed probe, `LIMIT 1`).
    func anyRow(_ table: RecordTable, notNull columns: [String], orTrue flag: String) async throws -> Bool
    /// Adds amounts to the `spend` column of rows by key (batched from the spend writer).
    func addSpend(_ table: RecordTable, _ increments: [String: Double]) async throws
}

/// Which rows a read takes: columns equal to values, a column within an inclusive text range (dates), in key order
/// or newest first by a column, from an offset.
public struct RowFilter: Sendable {
    public var equals: [(column: String, value: String)]
    public var range: (column: String, from: String?, to: String?)?
    /// By this column (largest first when `descending`), then by key; nil: by key.
    public var sort: (column: String, descending: Bool)?
    public var offset: Int

    public init(
        equals: (column: String, value: String)? = nil,
        all more: [(column: String, value: String)] = [],
        range: (column: String, from: String?, to: String?)? = nil,
        sort: (column: String, descending: Bool)? = nil,
        offset: Int = 0
    ) {
        self.equals = (equals.map { [$0] } ?? []) + more
        self.range = range
        self.sort = sort
        self.offset = max(0, offset)
    }

    /// The conditions with their bound values in order (`placeholder` numbers them for PostgreSQL), or nil when a
    /// column is not the table's.
    func conditions(_ table: RecordTable, placeholder: (Int) -> String) -> (sql: String, values: [String])? {
        var parts: [String] = [], values: [String] = []
        func bind(_ sql: String, _ value: String) {
            values.append(value)
            parts.append(sql + placeholder(values.count))
        }
        for equals in equals {
            guard table.names.contains(equals.column) else { return nil }
            bind("\"\(equals.column)\"::text = ", equals.value)
        }
        if let range {
            guard table.names.contains(range.column) else { return nil }
            if let from = range.from { bind("\"\(range.column)\"::text >= ", from) }
            if let to = range.to { bind("\"\(range.column)\"::text <= ", to) }
        }
        if let sort, !table.names.contains(sort.column) { return nil }
        return (parts.isEmpty ? "" : "WHERE " + parts.joined(separator: " AND ") + " ", values)
    }

    /// `ORDER BY …` for the table (the column was checked by `conditions`).
    func order(_ table: RecordTable) -> String {
        sort.map { "ORDER BY \"\($0.column)\" \($0.descending ? "DESC" : "ASC"), \"\(table.key)\"" }
            ?? "ORDER BY \"\(table.key)\""
    }
}

extension RecordStore {
    /// Rows where `column` equals `value` (all rows when nil), ordered by key.
    public func rows(_ table: RecordTable, where column: String?, equals value: String?, limit: Int) async throws
        -> [[String: String]]
    {
        try await rows(table, RowFilter(equals: column.map { ($0, value ?? "") }), limit: limit)
    }

    public func row(_ table: RecordTable, key: String) async throws -> [String: String]? {
        try await rows(table, where: table.key, equals: key, limit: 1).first
    }
}
