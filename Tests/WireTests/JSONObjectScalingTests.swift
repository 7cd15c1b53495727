import Foundation
import Testing
import Wire

/// Building an object of n members must cost O(n): a client-sized `metadata` (60,000 keys) was rebuilt member by
/// member with a linear search each, which stalled an event loop for seconds.
@Suite struct JSONObjectScalingTests {
    /// Seconds to build an object of `count` members through the subscript, rebuild it from its pairs, compare it
    /// with itself and read every key: the best of three runs.
    static func seconds(members count: Int) -> Double {
        var best = Double.infinity
        for _ in 0 ..< 3 {
            let started = ContinuousClock.now
            var object = JSONObject()
            for index in 0 ..< count { object["key\(index)"] = .int(index) }
            let rebuilt = JSONObject(object.map { ($0.key, $0.value) })
            precondition(rebuilt == object && rebuilt["key\(count - 1)"] == .int(count - 1))
            let elapsed = ContinuousClock.now - started
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return best
    }

    /// Four times the members may cost about four times the time; O(n²) costs sixteen.
    @Test func buildingIsLinearInTheMembers() {
        let small = Self.seconds(members: 20_000)
        let large = Self.seconds(members: 80_000)
        #expect(large / small < 9, "20,000 members: \(small) s, 80,000: \(large) s")
    }

    @Test func largeObjectsKeepOrderReplaceAndRemoveCorrectly() throws {
        var object = JSONObject()
        for index in 0 ..< 100 { object["k\(index)"] = .int(index) }
        object["k5"] = "five"
        object["k7"] = nil
        object.insert("first", true, at: 0)
        #expect(object.count == 100)
        #expect(object.keys.first == "first" && object.keys[6] == "k5")
        #expect(object["k5"] == "five" && object["k7"] == nil && object["k99"] == .int(99))
        #expect(object.removeValue(forKey: "k99") == .int(99) && object["k99"] == nil && object["k98"] == .int(98))
        for index in 0 ..< 95 { object["k\(index)"] = nil }
        #expect(object.keys == ["first", "k95", "k96", "k97", "k98"] && object["k96"] == .int(96))
        let parsed = try JSON.parse("{" + (0 ..< 40).map { #""d\#($0 % 20)":\#($0)"# }.joined(separator: ",") + "}")
        #expect(parsed.objectValue?.count == 20 && parsed["d3"] == .int(23))
    }
}
