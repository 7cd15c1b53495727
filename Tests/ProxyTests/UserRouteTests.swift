import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// `/user/*`, `/customer/*` and `/budget/*` through the router in memory.
@Suite struct UserRouteTests {
    typealias Call = KeyAccessTests

    /// A user gets its first key; its keys read only that user; they manage only their own keys.
    @Test func usersOwnTheirKeys() async throws {
        try await withProxyRouter { proxy in
            let first = try await Call.post(proxy, "/user/new", #"{"user_id": "u1", "models": ["gpt-4o"]}"#)
            let key1 = try #require(first.json?["key"]?.stringValue, "\(first.text)")
            #expect(first.json?["user_id"] == "u1" && first.json?["user_role"] == "internal_user", "\(first.text)")
            let key2 = try #require(
                try await Call.post(proxy, "/user/new", #"{"user_id": "u2"}"#).json?["key"]?.stringValue
            )
            #expect(try await Call.post(proxy, "/user/new", #"{"user_id": "u1"}"#).status == 409)
            #expect(try await Call.post(proxy, "/user/new", #"{"user_role": "app_owner"}"#).status == 422)
            let own = try await Call.get(proxy, "/user/info?user_id=u1", key: key1)
            #expect(own.json?.value(at: "user_info.user_id") == "u1" && own.json?["keys"]?.arrayValue?.count == 1)
            let other = try await Call.get(proxy, "/user/info?user_id=u1", key: key2)
            #expect(other.status == 403, "\(other.text)")
            let made = try await Call.post(
                proxy,
                "/key/generate",
                #"{"key_alias": "mine", "user_id": "u2"}"#,
                key: key1
            )
            #expect(made.status == 200 && made.json?["user_id"] == "u1", "a user's keys are the user's: \(made.text)")
            let rebind = try await Call.post(proxy, "/key/update", #"{"key": "\#(key1)", "user_id": "u2"}"#, key: key1)
            #expect(rebind.status == 403, "\(rebind.text)")
            let steal = try await Call.post(proxy, "/key/delete", #"{"keys": ["\#(key1)"]}"#, key: key2)
            #expect(
                steal.json?.value(at: "error.message") == "You are not authorized to delete this key",
                "\(steal.text)"
            )
            let mine = try await Call.get(proxy, "/key/list", key: key1)
            #expect(mine.json?["total_count"] == 2, "\(mine.text)")
            // An internal user narrows its own keys; it never lifts an admin's block, budget or team.
            for body in [#"{"key": "\#(key1)", "blocked": false}"#, #"{"key": "\#(key1)", "max_budget": 1000}"#] {
                let lifted = try await Call.post(proxy, "/key/update", body, key: key1)
                #expect(lifted.status == 403, "\(body): \(lifted.text)")
            }
            _ = try await Call.post(proxy, "/team/new", #"{"team_id": "others"}"#)
            let joined = try await Call.post(proxy, "/key/generate", #"{"team_id": "others"}"#, key: key1)
            #expect(joined.status == 403, "not a member: \(joined.text)")
            let spent = try await Call.post(proxy, "/key/generate", #"{"spend": 0}"#, key: key1)
            #expect(spent.status == 403, "\(spent.text)")
            // A personal key answers to its user's models too.
            let wide = try await Call.newKey(proxy, #"{"user_id": "u1"}"#)
            let outside = try await Call.post(
                proxy,
                "/chat/completions",
                #"{"model": "o4-mini", "messages": [{"role": "user", "content": "hi"}]}"#,
                key: wide
            )
            #expect(outside.json?.value(at: "error.type") == "user_model_access_denied", "\(outside.text)")
            let upsert = try await Call.post(proxy, "/user/update", #"{"user_id": "litellm-proxy-budget", "spend": 0}"#)
            #expect(upsert.status == 200 && upsert.json?.value(at: "data.user_id") == "litellm-proxy-budget")
        }
    }

    /// A budget's duration sets its reset; an end user under a budget is held to its limits, even with the master
    /// key; a blocked end user is refused.
    @Test func endUsersCountAgainstTheirBudget() async throws {
        try await withProxyRouter { proxy in
            let budget = try await Call.post(
                proxy,
                "/budget/new",
                #"{"budget_id": "b1", "budget_duration": "1d", "rpm_limit": 0}"#
            )
            let created = try #require(budget.json?["created_at"]?.stringValue.flatMap(TimestampText.parse))
            let reset = try #require(budget.json?["budget_reset_at"]?.stringValue.flatMap(TimestampText.parse))
            #expect(abs(reset.timeIntervalSince(created) - 86_400) < 3, "\(budget.text)")
            #expect(try await Call.post(proxy, "/budget/new", #"{"budget_id": "b1"}"#).status == 400)
            let customer = try await Call.post(
                proxy,
                "/end_user/new",
                #"{"user_id": "c1", "budget_id": "b1", "default_model": null}"#
            )
            #expect(customer.json?.value(at: "litellm_budget_table.rpm_limit") == 0, "\(customer.text)")
            #expect(try await Call.post(proxy, "/customer/new", #"{"user_id": "c1"}"#).status == 400)
            let chat = #"{"model": "gpt-4o", "user": "c1", "messages": [{"role": "user", "content": "hi"}]}"#
            // rpm_limit 0 refuses the first request, before any upstream call (none is reachable in memory).
            let limited = try await Call.post(proxy, "/chat/completions", chat)
            #expect(
                limited.status == 429
                    && limited.json?.value(at: "error.message")?.stringValue?.contains("end user") == true,
                "\(limited.text)"
            )
            _ = try await Call.post(proxy, "/customer/block", #"{"user_ids": ["c1"]}"#)
            let blocked = try await Call.post(proxy, "/chat/completions", chat)
            #expect(blocked.status == 403, "\(blocked.text)")
            // A region no deployment is in: nothing is picked (and no upstream reached).
            _ = try await Call.post(proxy, "/end_user/new", #"{"user_id": "c2", "allowed_model_region": "mars"}"#)
            let nowhere = try await Call.post(
                proxy,
                "/chat/completions",
                chat.replacingOccurrences(of: "c1", with: "c2")
            )
            #expect(nowhere.status != 200 && nowhere.text.contains("gpt-4o"), "\(nowhere.text)")
            let info = try await proxy.request(.get, "/customer/info?end_user_id=c1", headers: proxy.auth)
            #expect(info.json?["blocked"] == true, "\(info.text)")
        }
    }
}

/// LiteLLM's Usage reads over the daily rollups the spend rows write.
@Suite struct DailyActivityRouteTests {
    typealias Call = KeyAccessTests

    @Test func activityByUserTeamAndTag() async throws {
        try await withProxyRouter { proxy in
            let made = try await Call.post(proxy, "/user/new", #"{"user_id": "u9"}"#)
            let key = try #require(made.json?["key"]?.stringValue, "\(made.text)")
            let rows = SpendWriterTests.markedRows(2, prefix: "activity", marker: "hash-u9").map { row in
                var row = row
                row.user = "u9"
                row.teamID = "t9"
                row.requestTags = ["nightly"]
                row.spend = 0.25
                row.startTime = Date()
                return row
            }
            try await #require(proxy.gateway.spend?.writer.database.spend).insert(rows)
            let day = String(TimestampText.format(rows[0].startTime).prefix(10))
            for (path, entity) in [
                ("/user/daily/activity?user_id=u9", "u9"), ("/team/daily/activity?team_ids=t9", "t9"),
                ("/tag/daily/activity?tags=nightly", "nightly"),
            ] {
                let answer = try await proxy.get(path + "&start_date=\(day)&end_date=\(day)")
                #expect(answer.json?.value(at: "results.0.date")?.stringValue == day, "\(path): \(answer.text)")
                #expect(answer.json?.value(at: "results.0.metrics.api_requests") == 2, "\(path): \(answer.text)")
                #expect(answer.json?.value(at: "metadata.total_spend")?.doubleValue == 0.5, "\(answer.text)")
                let entities = answer.json?.value(at: "results.0.breakdown.entities")?.objectValue?.map(\.key)
                #expect(entities == [entity], "\(path): \(answer.text)")
            }
            _ = try await proxy.post("/team/new", #"{"team_id": "t9", "team_alias": "nine"}"#)
            let teams = try await proxy.get("/global/spend/teams")
            #expect(
                teams.json?.value(at: "total_spend_per_team.0") == [
                    "team_id": "t9", "team_alias": "nine", "total_spend": 0.5,
                ]
            )
            #expect(
                teams.json?["teams"] == ["nine"] && teams.json?.value(at: "daily_spend.0.nine") == 0.5,
                "\(teams.text)"
            )
            let report = try await proxy.get("/global/spend/report?start_date=\(day)&end_date=\(day)")
            #expect(report.json?.value(at: "0.teams.0.team_name") == "nine", "\(report.text)")
            #expect(report.json?.value(at: "0.teams.0.total_spend") == 0.5, "\(report.text)")
            #expect(report.json?.value(at: "0.group_by_day")?.stringValue?.hasPrefix(day) == true)
            let before = try await proxy.get("/user/daily/activity?end_date=2000-01-01")
            #expect(before.json?["results"] == [], "\(before.text)")
            let own = try await proxy.get("/user/daily/activity?user_id=someone-else", key: key)
            #expect(own.json?.value(at: "results.0.breakdown.entities.u9") != nil, "a user reads its own: \(own.text)")
            #expect(try await proxy.get("/tag/daily/activity", key: key).status == 401)
            // A key without a user never reads the rollup of every request without one.
            let loner = try await Call.newKey(proxy, "{}")
            #expect(try await proxy.get("/user/daily/activity", key: loner).status == 401)
            #expect(try await proxy.get("/team/daily/activity", key: loner).status == 401)
        }
    }
}

/// A finished request shows in the logs before the writer's next flush (the reader looks at its queue first).
@Suite struct LiveLogTests {
    @Test func queuedRowsShowAtOnce() async throws {
        try await withProxyRouter { proxy in
            var row = SpendWriterTests.row(7)
            row.requestID = "live-\(UUID().uuidString)"
            row.startTime = Date()
            let writer = try #require(proxy.gateway.spend?.writer)
            writer.enqueue(row)
            #expect(writer.counters.queued == 1, "still queued: the flush interval has not passed")
            let logs = try await proxy.get("/spend/logs?request_id=\(row.requestID)")
            #expect(logs.json?.value(at: "0.request_id")?.stringValue == row.requestID, "\(logs.text)")
            let page = try await proxy.get("/spend/logs/ui")
            #expect(page.json?.value(at: "data.0.request_id")?.stringValue == row.requestID, "\(page.text)")
            #expect(page.json?["total"] == 1, "\(page.text)")
            let other = try await proxy.get("/spend/logs?request_id=someone-else")
            #expect(other.json == [], "\(other.text)")
        }
    }
}

@Suite struct ModelRegionHeaderTests {
    /// An answer from a deployment with a `region_name` names it, as LiteLLM's `x-litellm-model-region`.
    @Test func answersNameTheirRegion() throws {
        let config = try ConfigLoader.parse(
            """
            model_list:
              - {model_name: g, litellm_params: {model: azure/a, api_key: k, api_base: "http://x", region_name: eu}}
              - {model_name: h, litellm_params: {model: azure/b, api_key: k, api_base: "http://x"}}
            """
        )
        let headers = config.deployments.map {
            ResponseBuilder.headers(deployment: $0, group: $0.modelName, apiBase: "http://x", upstream: [:])
        }
        #expect(headers[0].contains { $0 == ("x-litellm-model-region", "eu") })
        #expect(!headers[1].contains { $0.0 == "x-litellm-model-region" })
    }
}
