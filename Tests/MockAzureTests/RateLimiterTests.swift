import Testing
import Wire

@testable import MockAzure

@Suite struct RateLimiterTests {
    @Test func requestsPerMinute() {
        var limiter = RateLimiter(windowSeconds: 60)
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 0)
                == .allowed(remainingRequests: 1, remainingTokens: nil)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 10)
                == .allowed(remainingRequests: 0, remainingTokens: nil)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 20)
                == .limited(retryAfter: 40, tokens: false)
        )
        #expect(
            limiter.admit(deployment: "other", rpm: 2, tpm: nil, cost: 10, now: 20)
                == .allowed(remainingRequests: 1, remainingTokens: nil)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 60.5)
                == .allowed(remainingRequests: 0, remainingTokens: nil)
        )
    }

    @Test func tokensPerMinuteWaitsForEnoughToLeave() {
        var limiter = RateLimiter(windowSeconds: 60)
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 400, now: 0)
                == .allowed(remainingRequests: nil, remainingTokens: 600)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 400, now: 5)
                == .allowed(remainingRequests: nil, remainingTokens: 200)
        )
        // 700 more needs both earlier requests gone: the second leaves at 65 s.
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 700, now: 10)
                == .limited(retryAfter: 55, tokens: true)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 300, now: 10)
                == .limited(retryAfter: 50, tokens: true)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 700, now: 65.1)
                == .allowed(remainingRequests: nil, remainingTokens: 300)
        )
    }

    @Test func unlimitedWithoutQuota() {
        var limiter = RateLimiter()
        for second in 0 ..< 1000 {
            #expect(
                limiter.admit(deployment: "d", rpm: nil, tpm: nil, cost: 1_000_000, now: Double(second))
                    == .allowed(remainingRequests: nil, remainingTokens: nil)
            )
        }
    }
}
