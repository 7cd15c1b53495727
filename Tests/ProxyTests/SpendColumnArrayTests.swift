import NIOCore
import PostgresNIO
import Testing

@testable import Proxy

/// A batch's column as one PostgreSQL binary array (`SpendColumnArray`): the bytes PostgreSQL's `array_recv` reads.
@Suite struct SpendColumnArrayTests {
    func bytes(_ column: SpendColumnArray) -> [UInt8] {
        var buffer = ByteBuffer()
        column.encode(into: &buffer, context: .default)
        return Array(buffer.readableBytesView)
    }

    func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    @Test func textWithANull() {
        let column = SpendColumnArray(kind: .text, values: [.text("ab"), .null, .json("{}"), .text("é")])
        let expected =
            int32(1) + int32(1) + int32(25) + int32(4) + int32(1)
            + int32(2) + Array("ab".utf8) + int32(-1) + int32(2) + Array("{}".utf8) + int32(2) + Array("é".utf8)
        #expect(bytes(column) == expected)
        #expect(column.psqlType == .textArray)
    }

    @Test func numbersWithoutNulls() {
        let integers = SpendColumnArray(kind: .integer, values: [.integer(172), .integer(-1)])
        #expect(
            bytes(integers) == int32(1) + int32(0) + int32(20) + int32(2) + int32(1)
                + int32(8) + withUnsafeBytes(of: Int64(172).bigEndian, Array.init) + int32(8)
                + withUnsafeBytes(of: Int64(-1).bigEndian, Array.init)
        )
        let doubles = SpendColumnArray(kind: .double, values: [.double(0.0007689)])
        #expect(
            bytes(doubles) == int32(1) + int32(0) + int32(701) + int32(1) + int32(1)
                + int32(8) + withUnsafeBytes(of: (0.0007689).bitPattern.bigEndian, Array.init)
        )
        #expect(doubles.psqlType == .float8Array)
    }

    /// Every column of an encoded row holds values of its array's kind (or nulls): a value of another kind would be
    /// written as a null.
    @Test func everyColumnsValuesFitItsKind() {
        for row in [SpendEncodingTests.awkwardRow(), SpendWriterTests.row(3)] {
            let encoded = EncodedSpendRow(row)
            for (index, column) in SpendSchema.columns.enumerated() {
                let array = SpendColumnArray(kind: .of(column: column), values: [encoded.values[index]])
                #expect(array.fits(encoded.values[index]) || encoded.values[index] == .null, "\(column)")
            }
        }
    }
}
