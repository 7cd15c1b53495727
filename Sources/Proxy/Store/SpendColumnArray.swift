import NIOCore
import PostgresNIO

/// One column of a batch of spend rows as a single PostgreSQL array parameter (binary format: text[], int8[] or
/// float8[], nulls allowed), for `INSERT … SELECT … FROM unnest($1, $2, …)`: a batch binds one parameter per column
/// instead of one per value, and PostgreSQL initialises 26 parameter expressions per statement instead of 2,600.
struct SpendColumnArray: PostgresDynamicTypeEncodable {
    enum Kind {
        case text, integer, double

        var element: PostgresDataType {
            switch self {
            case .text: .text
            case .integer: .int8
            case .double: .float8
            }
        }

        var array: PostgresDataType {
            switch self {
            case .text: .textArray
            case .integer: .int8Array
            case .double: .float8Array
            }
        }

        /// The array's type as SQL names it.
        var sqlArray: String {
            switch self {
            case .text: "text[]"
            case .integer: "int8[]"
            case .double: "float8[]"
            }
        }

        /// A column's kind (text travels as text, and becomes a timestamp or jsonb in the INSERT's select list).
        static func of(column: String) -> Kind {
            switch column {
            case "spend": .double
            case "total_tokens", "prompt_tokens", "completion_tokens", "request_duration_ms": .integer
            default: .text
            }
        }
    }

    let kind: Kind
    let values: [SpendSchema.Value]

    var psqlType: PostgresDataType { kind.array }
    var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's binary array: dimensions, null flag, element type, length and lower bound, then each element as
    /// its length (-1 for null) and bytes. A value of another kind than the column's is a null (`EncodedSpendRow`
    /// gives each column one kind; `SpendColumnArrayTests` holds the two together).
    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(Int32(1))
        buffer.writeInteger(Int32(values.allSatisfy(fits) ? 0 : 1))
        buffer.writeInteger(Int32(bitPattern: kind.element.rawValue))
        buffer.writeInteger(Int32(values.count))
        buffer.writeInteger(Int32(1))
        for value in values {
            switch (kind, value) {
            case (.text, .text(let text)), (.text, .json(let text)):
                let start = buffer.writerIndex
                buffer.writeInteger(Int32(0))
                buffer.setInteger(Int32(buffer.writeString(text)), at: start)
            case (.integer, .integer(let number)):
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(Int64(number))
            case (.double, .double(let number)):
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(number.bitPattern)
            default:
                buffer.writeInteger(Int32(-1))
            }
        }
    }

    /// Whether `value` is written as a value of this column's kind (otherwise it is a null).
    func fits(_ value: SpendSchema.Value) -> Bool {
        switch (kind, value) {
        case (.text, .text), (.text, .json), (.integer, .integer), (.double, .double): true
        default: false
        }
    }
}
