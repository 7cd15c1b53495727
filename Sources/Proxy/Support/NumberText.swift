import Foundation
import Wire

/// Numbers as LiteLLM prints them in headers, rows and pages.
public enum NumberText {
    /// A cost as Python prints a float (`0.0007689`), rounded to 12 significant digits to drop binary noise.
    public static func cost(_ cost: Double) -> String {
        JSON.double(significant12(cost)).serialized()
    }

    /// `value` rounded to 12 significant digits (as `%.12g` would print it, without formatting a string).
    public static func significant12(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let exponent = Int(log10(abs(value)).rounded(.down))
        let digits = 11 - exponent
        guard digits > -300, digits < 300 else { return value }
        let scale = pow(10.0, Double(abs(digits)))
        let rounded = digits >= 0 ? (value * scale).rounded() / scale : (value / scale).rounded() * scale
        return rounded.isFinite ? rounded : value
    }

    /// Milliseconds with three decimals (`1.732`).
    public static func milliseconds(_ duration: Duration) -> String {
        let micros = max(
            0,
            duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        )
        let fraction = micros % 1000
        return "\(micros / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + String(fraction)
    }

    /// A duration in seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Python's `str()` of a float (`1.0`, `0.001`, `1e-05`), as LiteLLM prints seconds in `x-litellm-timeout`.
    public static func pythonFloat(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e16 ? String(Int64(value)) + ".0" : value.description
    }
}
