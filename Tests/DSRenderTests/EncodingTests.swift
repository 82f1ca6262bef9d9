import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// Form bodies (WHATWG urlencoded serializer, bracket nesting) and URL building.
final class EncodingTests: XCTestCase {
    private func form(_ json: String) throws -> String {
        String(decoding: try FormBodyEncoder.encode(TestPlans.event(json)), as: UTF8.self)
    }

    func testWHATWGCharacterClasses() throws {
        XCTAssertEqual(try form(#"{"q":"a b"}"#), "q=a+b")
        XCTAssertEqual(try form(#"{"k":"*-._"}"#), "k=*-._")
        XCTAssertEqual(try form(#"{"k":"~"}"#), "k=%7E")
        XCTAssertEqual(try form(#"{"k":"a+b&c=d/e?f#g%"}"#), "k=a%2Bb%26c%3Dd%2Fe%3Ff%23g%25")
        XCTAssertEqual(try form(#"{"k":"é€😀"}"#), "k=%C3%A9%E2%82%AC%F0%9F%98%80")
        XCTAssertEqual(try form(#"{"a key":"x"}"#), "a+key=x")
        XCTAssertEqual(PercentEncoding.formComponent("AZaz09"), "AZaz09")
        XCTAssertEqual(PercentEncoding.formComponent("!'()"), "%21%27%28%29")
    }

    func testScalarsAndNull() throws {
        XCTAssertEqual(try form(#"{"n":1.50,"big":12345678901234567890,"t":true,"f":false,"z":null,"s":""}"#),
                       "n=1.50&big=12345678901234567890&t=true&f=false&z=&s=")
    }

    func testBracketNesting() throws {
        XCTAssertEqual(try form(#"{"a":{"b":"c"}}"#), "a%5Bb%5D=c")
        XCTAssertEqual(try form(#"{"items":[{"price":5,"sku":"x y"},{"price":7}]}"#),
                       "items%5B0%5D%5Bprice%5D=5&items%5B0%5D%5Bsku%5D=x+y&items%5B1%5D%5Bprice%5D=7")
        XCTAssertEqual(try form(#"{"tags":["a","b"],"empty":[],"obj":{}}"#), "tags%5B0%5D=a&tags%5B1%5D=b")
        XCTAssertEqual(try form(#"{"a":{"b":{"c":[1]}}}"#), "a%5Bb%5D%5Bc%5D%5B0%5D=1")
    }

    func testNonObjectIsRejected() {
        XCTAssertThrowsError(try FormBodyEncoder.encode(.array([]))) { error in
            XCTAssertTrue("\(error)".contains("array"))
        }
    }

    func testFormPlanRendersFormBody() throws {
        let mapping: JSONValue = ["event": ["@path": "event"], "amount": ["@path": "properties.total"], "meta": ["order": ["@path": "properties.order_id"]]]
        let plan = TestPlans.plan(format: "form", contentType: "application/x-www-form-urlencoded", body: .mapping(mapping))
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
        let request = try renderer.render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        XCTAssertEqual(request.bodyText, "event=Order+Completed&amount=42.5&meta%5Border%5D=o-1")
        XCTAssertEqual(request.header("content-type"), "application/x-www-form-urlencoded")
    }

    func testURLPathSegmentsAndQueryValuesAreEncoded() throws {
        let plan = TestPlans.plan(url: "https://api.example.com/users/{{user_id}}/track?campaign={{properties.campaign}}",
                                  query: [PlanHeader(name: "na me", value: "{{properties.q}}"), PlanHeader(name: "static", value: "1")])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
        let event = TestPlans.event(#"{"type":"track","user_id":"a/b c","properties":{"campaign":"x&y=z","q":"1+1=2 & ~ok"}}"#)
        let request = try renderer.render(event, environment: FixedRenderEnvironment())
        XCTAssertEqual(request.url, "https://api.example.com/users/a%2Fb%20c/track?campaign=x%26y%3Dz&na%20me=1%2B1%3D2%20%26%20~ok&static=1")
    }

    func testAPIKeyInQueryIsAppendedAndEncoded() throws {
        let plan = TestPlans.plan(url: "https://api.example.com/collect", query: [PlanHeader(name: "v", value: "2")],
                                  auth: .apiKey(location: "query", name: "api_secret", value: "{{@secrets.key}}", prefix: ""), secrets: ["key"])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("key", "k&y=1 /")])))
        let request = try renderer.render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        XCTAssertEqual(request.url, "https://api.example.com/collect?v=2&api_secret=k%26y%3D1%20%2F")
        XCTAssertNil(request.header("Authorization"))
    }

    func testQueryAppendsToAnExistingQueryAndKeepsTheFragmentLast() throws {
        let plan = TestPlans.plan(url: "https://api.example.com/x?a=1#frag", query: [PlanHeader(name: "b", value: "2")])
        let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration()).render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        XCTAssertEqual(request.url, "https://api.example.com/x?a=1&b=2#frag")
    }

    func testPathOfURL() {
        XCTAssertEqual(URLBuilder.path(of: Array("https://h.example/a/b?c=1".utf8)), "/a/b")
        XCTAssertEqual(URLBuilder.path(of: Array("https://h.example".utf8)), "/")
        XCTAssertEqual(URLBuilder.path(of: Array("https://h.example?x=/y".utf8)), "/")
    }
}
