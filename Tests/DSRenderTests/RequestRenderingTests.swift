import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// Headers, auth, bodies, selection and configuration errors.
final class RequestRenderingTests: XCTestCase {
    private let env = FixedRenderEnvironment()

    func testHeaderInjectionFromTheEventIsAnErrorNamingTheHeader() throws {
        let plan = TestPlans.plan(headers: [PlanHeader(name: "Content-Type", value: "application/json"), PlanHeader(name: "User-Agent", value: "{{context.user_agent}}")])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
        let evil = TestPlans.event(#"{"type":"track","event_id":"e1","context":{"user_agent":"Mozilla\r\nX-Evil: 1"}}"#)
        XCTAssertThrowsError(try renderer.render(evil, environment: env)) { error in
            let e = error as! RenderError
            XCTAssertEqual(e.kind, .headerInjection)
            XCTAssertTrue(e.message.contains("User-Agent"), e.message)
            XCTAssertFalse(e.message.contains("X-Evil"), e.message)
        }
        // In a run the event is reported as failed, and no request carries it.
        let run = renderer.renderAll([evil, TestPlans.trackEvent], environment: env)
        XCTAssertEqual(run.requests.map(\.eventIDs), [["evt_1"]])
        XCTAssertEqual(run.outcomes.map(\.status), [.failed])
        XCTAssertEqual(run.outcomes.first?.eventID, "e1")
        XCTAssertFalse(run.requests.contains { $0.headers.contains { $0.value.contains("\n") || $0.value.contains("\r") } })
    }

    func testAdversarialStringsKeepAJSONTemplateBodyValid() throws {
        let template = #"{"name": "{{event}}", "note": "{{properties.note}}", "raw": {{properties.note}}, "n": {{properties.n}}}"#
        let plan = TestPlans.plan(body: .template(template))
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
        let nasty = #"\"},\"admin\":true,\"x\":\"\u0000\u2028</script>\\"#
        let event = TestPlans.event(#"{"type":"track","event":"a\"b","properties":{"note":"\#(nasty)","n":"1}, \"inject\": {"}}"#)
        let request = try renderer.render(event, environment: env)
        let parsed = try JSONParser().parseValue(request.body)
        XCTAssertEqual(parsed["name"], "a\"b")
        XCTAssertNil(parsed["admin"])
        XCTAssertEqual(parsed["note"], parsed["raw"])
        XCTAssertEqual(parsed["n"], "1}, \"inject\": {")
    }

    func testMappingBodyKeepsDeclaredKeyOrderAndCanonicalKeepsEventOrder() throws {
        let mapping = TestPlans.event(#"{"z":{"@path":"event"},"a":{"@path":"user_id"},"m":"const"}"#)
        let mapped = try RequestRenderer(plan: TestPlans.plan(body: .mapping(mapping)), configuration: RenderConfiguration()).render(TestPlans.trackEvent, environment: env)
        XCTAssertEqual(mapped.bodyText, #"{"z":"Order Completed","a":"u1","m":"const"}"#)
        let event = TestPlans.event(#"{"type":"track","zeta":1,"alpha":{"y":2,"b":[1.0]}}"#)
        let canonical = try RequestRenderer(plan: TestPlans.plan(), configuration: RenderConfiguration()).render(event, environment: env)
        XCTAssertEqual(canonical.bodyText, #"{"type":"track","zeta":1,"alpha":{"y":2,"b":[1.0]}}"#)
    }

    func testWrapperEmbedsThePayload() throws {
        let wrapper = TestPlans.event(#"{"client_id":{"@path":"anonymous_id"},"events":[{"@path":"@payload"}]}"#)
        let plan = TestPlans.plan(body: .mapping(TestPlans.event(#"{"name":{"@path":"event"}}"#)), wrapper: wrapper)
        let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration()).render(TestPlans.trackEvent, environment: env)
        XCTAssertEqual(request.bodyText, #"{"client_id":"a1","events":[{"name":"Order Completed"}]}"#)
    }

    func testAuthHeaders() throws {
        let secrets = JSONObject([("token", "tok-1"), ("pass", "p:w")])
        func header(_ auth: PlanAuth, token: String? = nil) throws -> String? {
            let plan = TestPlans.plan(auth: auth, settings: [PlanSetting(name: "user", type: "string", required: true, defaultValue: nil, allowed: nil)], secrets: ["token", "pass"])
            let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("user", "ada")]), secrets: secrets))
            let request = try renderer.render(TestPlans.trackEvent, environment: env, accessToken: token)
            return request.headers.first { $0.name == "Authorization" || $0.name == "X-Api-Key" }?.value
        }
        XCTAssertEqual(try header(.bearer(token: "{{@secrets.token}}")), "Bearer tok-1")
        XCTAssertEqual(try header(.basic(username: "{{@settings.user}}", password: "{{@secrets.pass}}")), "Basic " + "YWRhOnA6dw==")
        XCTAssertEqual(try header(.apiKey(location: "header", name: "X-Api-Key", value: "{{@secrets.token}}", prefix: "Token ")), "Token tok-1")
        let oauth = PlanAuth.oauth2ClientCredentials(tokenURL: "https://auth.example/token", clientID: "id", clientSecret: "{{@secrets.pass}}", clientAuth: "basic", scope: nil, audience: nil)
        XCTAssertEqual(try header(oauth, token: "at-9"), "Bearer at-9")
        XCTAssertThrowsError(try header(oauth)) { XCTAssertEqual(($0 as? RenderError)?.kind, .accessToken) }
    }

    func testMissingSecretAndSettingErrorsNameThemAndNoValue() {
        let plan = TestPlans.plan(auth: .bearer(token: "{{@secrets.token}}"),
                                  settings: [PlanSetting(name: "region", type: "string", required: true, defaultValue: nil, allowed: nil)], secrets: ["token", "unused"])
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("token", "s3cr3t-value")])))) { error in
            let e = error as! RenderError
            XCTAssertEqual(e.kind, .setting)
            XCTAssertTrue(e.message.contains("\"region\""), e.message)
        }
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("region", "eu")]), secrets: JSONObject([("unused", "s3cr3t-value")])))) { error in
            let e = error as! RenderError
            XCTAssertEqual(e.kind, .secret)
            XCTAssertTrue(e.message.contains("\"token\""), e.message)
            XCTAssertFalse(e.message.contains("s3cr3t"), e.message)
            XCTAssertFalse(e.message.contains("unused"), "only referenced secrets are required: \(e.message)")
        }
    }

    func testSettingDefaultsAndEnum() throws {
        let settings = [PlanSetting(name: "host", type: "string", required: false, defaultValue: "a.example.com", allowed: ["a.example.com", "b.example.com"])]
        let plan = TestPlans.plan(url: "https://{{@settings.host}}/x", settings: settings)
        XCTAssertEqual(try RequestRenderer(plan: plan, configuration: RenderConfiguration()).render(TestPlans.trackEvent, environment: env).url, "https://a.example.com/x")
        XCTAssertEqual(try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("host", "b.example.com")]))).render(TestPlans.trackEvent, environment: env).url, "https://b.example.com/x")
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("host", "evil.example")])))) {
            XCTAssertEqual(($0 as? RenderError)?.kind, .setting)
        }
    }

    func testSecretValuesAreScrubbedFromEngineErrors() throws {
        // A mapping coercion error may quote the value; a secret flowing into it must not leak.
        let mapping = TestPlans.event(#"{"k":{"@path":"@secrets.key","@type":"integer"}}"#)
        let plan = TestPlans.plan(body: .mapping(mapping), secrets: ["key"])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("key", "very-secret-key")])))
        XCTAssertThrowsError(try renderer.render(TestPlans.trackEvent, environment: env)) { error in
            XCTAssertFalse("\(error)".contains("very-secret-key"), "\(error)")
        }
    }

    func testEventSelection() {
        let selector = EventSelector(PlanEvents(types: ["track", "page"], names: ["Order Completed"], consent: ["analytics", "ads"]))
        func decide(_ json: String) -> EventSelection { selector.select(TestPlans.event(json)) }
        XCTAssertEqual(decide(#"{"type":"track","event":"Order Completed","context":{"consent":{"categories":["analytics","ads"]}}}"#), .selected)
        XCTAssertEqual(decide(#"{"type":"page","context":{"consent":{"categoryPreferences":{"analytics":true,"ads":true}}}}"#), .selected, "names do not apply to page events")
        XCTAssertEqual(decide(#"{"type":"track","event":"Order Completed","context":{"consent":{"categories":["analytics"],"categoryPreferences":{"ads":true}}}}"#), .selected)
        guard case .filtered(let r1) = decide(#"{"type":"identify"}"#) else { return XCTFail() }
        XCTAssertTrue(r1.contains("identify"))
        guard case .filtered(let r2) = decide(#"{"type":"track","event":"Other","context":{"consent":{"categories":["analytics","ads"]}}}"#) else { return XCTFail() }
        XCTAssertTrue(r2.contains("Other"))
        guard case .filtered(let r3) = decide(#"{"type":"track","event":"Order Completed","context":{"consent":{"categories":["analytics"],"categoryPreferences":{"ads":false}}}}"#) else { return XCTFail() }
        XCTAssertTrue(r3.contains("ads"))
        guard case .filtered = decide(#"{"type":"track","event":"Order Completed","context":{"consent":{"categoryPreferences":{"analytics":"true","ads":true}}}}"#) else { return XCTFail("a string is not consent") }
        guard case .filtered = decide(#"{"type":"track","event":"Order Completed"}"#) else { return XCTFail("no consent context, no delivery") }
    }

    func testFilteredEventsAreReportedNotDropped() throws {
        let plan = TestPlans.plan(events: PlanEvents(types: ["track"], names: nil, consent: []))
        let run = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
            .renderAll([TestPlans.event(#"{"type":"page","event_id":"p1"}"#), TestPlans.trackEvent], environment: env)
        XCTAssertEqual(run.requests.count, 1)
        XCTAssertEqual(run.outcomes, [EventOutcome(index: 0, eventID: "p1", status: .filtered, reason: "type \"page\" is not selected (events.types: track)")])
    }

    func testBodylessGet() throws {
        let plan = TestPlans.plan(url: "https://api.example.com/pixel?e={{event}}", method: "GET")
        let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration()).render(TestPlans.trackEvent, environment: env)
        XCTAssertEqual(request.body, [])
        XCTAssertEqual(request.url, "https://api.example.com/pixel?e=Order%20Completed")
    }

    func testFixedEnvironmentIsDerivedFromEventIDs() {
        let env = FixedRenderEnvironment()
        XCTAssertEqual(env.unixTime(), 1_767_225_600)
        XCTAssertEqual(env.requestID(forEventIDs: ["a", "b"]), env.requestID(forEventIDs: ["a", "b"]))
        XCTAssertNotEqual(env.requestID(forEventIDs: ["a", "b"]), env.requestID(forEventIDs: ["a"]))
        // The runtime's rule: the event id for one event, batch_ + 32 hex digits for a batch.
        XCTAssertEqual(env.requestID(forEventIDs: ["a"]), "a")
        XCTAssertTrue(env.requestID(forEventIDs: ["a", "b"]).hasPrefix("batch_"))
        XCTAssertEqual(env.requestID(forEventIDs: ["a", "b"]).count, 6 + 32)
        XCTAssertEqual(env.requestID(forEventIDs: ["a", "b"]), RequestIdentity.id(forEventIDs: ["a", "b"]))
        // Events without ids still get a deterministic id in fixtures.
        XCTAssertTrue(env.requestID(forEventIDs: [""]).hasPrefix("msg_"))
        XCTAssertEqual(env.requestID(forEventIDs: [""]), env.requestID(forEventIDs: [""]))
    }

    func testSystemEnvironmentIDsAreUniqueAndWellFormed() {
        let env = SystemRenderEnvironment()
        let ids = (0..<1000).map { _ in env.requestID(forEventIDs: []) }
        XCTAssertEqual(Set(ids).count, 1000)
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("msg_") && $0.count == 28 && $0.dropFirst(4).allSatisfy(\.isHexDigit) })
        XCTAssertNotEqual(SystemRenderEnvironment().requestID(forEventIDs: []), SystemRenderEnvironment().requestID(forEventIDs: []))
        XCTAssertGreaterThan(env.unixTime(), FixedRenderEnvironment.fixtureTimestamp - 86_400 * 365 * 10)
    }
}
