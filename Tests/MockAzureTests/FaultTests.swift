import Testing
import Wire

@testable import MockAzure

@Suite struct FaultTests {
    @Test func parsesFaults() throws {
        #expect(try FaultPlan.parse("429").steps == [.status(429)])
        #expect(try FaultPlan.parse("429 then 200").steps == [.status(429), .none])
        #expect(try FaultPlan.parse("500, 503 ,ok").steps == [.status(500), .status(503), .none])
        #expect(try FaultPlan.parse("disconnect-after:3").steps == [.disconnectAfter(3)])
        #expect(try FaultPlan.parse("stall-after:2 then 200").steps == [.stallAfter(2), .none])
        #expect(try FaultPlan.parse("hang").steps == [.hang])
        #expect(try FaultPlan.parse("malformed-frame").steps == [.malformedFrame])
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("teapot") }
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("") }
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("200 then 700") }
    }

    @Test func sequencesAdvanceAndStartOver() throws {
        let sequencer = FaultSequencer()
        let plan = try FaultPlan.parse("429 then 500 then 200")
        let walked = (0 ..< 7).map { _ in sequencer.next(plan, key: "k") }
        #expect(walked == [.status(429), .status(500), .none, .status(429), .status(500), .none, .status(429)])
        #expect(sequencer.next(plan, key: "other") == .status(429))
        sequencer.reset()
        #expect(sequencer.next(plan, key: "k") == .status(429))
    }

    @Test func randomFaultsFollowTheSeedAndRate() {
        let a = RandomFaults(rate: 0.1, seed: 42)
        let b = RandomFaults(rate: 0.1, seed: 42)
        let first = (0 ..< 2000).map { _ in a.next() }
        let second = (0 ..< 2000).map { _ in b.next() }
        #expect(first == second)
        let faults = first.filter { $0 != .none }.count
        #expect((120 ... 280).contains(faults), "about 10% of 2000, got \(faults)")
        #expect(Set(first.map { "\($0)" }).count >= 6)
        #expect((0 ..< 100).allSatisfy { _ in RandomFaults(rate: 0, seed: 1).next() == .none })
    }
}
