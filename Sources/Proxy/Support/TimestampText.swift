import Foundation

/// Timestamps as the spend and key tables hold them, and as the API's date filters take them.
public enum TimestampText {
    /// `2025-09-20 12:37:48.123` (UTC), the text of a Postgres `timestamp(3)`. Digits written by hand: two of these per
    /// row, and `String(format:)` cost more than the rest of the row's scalar columns together.
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (secondsOfEpoch, millisecond) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let seconds = millisecond < 0 ? secondsOfEpoch - 1 : secondsOfEpoch
        let fraction = millisecond < 0 ? millisecond + 1000 : millisecond
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, proleptic Gregorian).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (0 ... 9999).contains(year) else {
            return String(year)
                + String(
                    format: "-%02d-%02d %02d:%02d:%02d.%03d",
                    Int(month),
                    Int(day),
                    Int(secondOfDay / 3600),
                    Int(secondOfDay / 60 % 60),
                    Int(secondOfDay % 60),
                    Int(fraction)
                )
        }
        return String(unsafeUninitializedCapacity: 23) { buffer in
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            buffer[10] = UInt8(ascii: " ")
            put(secondOfDay / 3600, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(fraction, 3, at: 20)
            return 23
        }
    }

    public static func parse(_ text: String) -> Date? {
        let normalized = text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        let parts = normalized.split(whereSeparator: { " -:.".contains($0) })
        guard parts.count >= 6 else {
            // A date alone (`2025-09-20`), as the API's start_date / end_date take.
            guard parts.count == 3 else { return nil }
            return parse(normalized + " 00:00:00")
        }
        // Each field a number in its calendar range, so that a query's `start_date=99999999999-01-01` is not a date (it
        // trapped converting to the C calendar's 32-bit fields).
        let pieces = parts.prefix(6).compactMap { Int($0) }
        let ranges = [1 ... 9999, 1 ... 12, 1 ... 31, 0 ... 24, 0 ... 59, 0 ... 60]
        guard pieces.count == 6, zip(pieces, ranges).allSatisfy({ $1.contains($0) }) else { return nil }
        var fields = tm()
        fields.tm_year = Int32(pieces[0] - 1900)
        fields.tm_mon = Int32(pieces[1] - 1)
        fields.tm_mday = Int32(pieces[2])
        fields.tm_hour = Int32(pieces[3])
        fields.tm_min = Int32(pieces[4])
        fields.tm_sec = Int32(pieces[5])
        let seconds = timegm(&fields)
        // The fraction's digits as written: PostgreSQL prints `48.5` for 48.500, and `48.05` is not 48.005.
        let fraction = parts.count > 6 ? Double("0." + parts[6].prefix { $0.isASCII && $0.isNumber }) ?? 0 : 0
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
