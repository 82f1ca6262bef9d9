import DeliverySpec
import Foundation

// Request rendering benchmarks (issue #4): requests per second for a JSON template body of
// about 15 fields plus an HMAC-SHA256 signature, one event per request; events per second
// with 100-event json_array batches; and a baseline measured in the same run (Foundation
// JSONSerialization of the same payload dictionary plus the same HMAC), reported as a ratio.

/// The 15-field payload template.
private let renderBenchTemplate = #"{"event": "{{event}}", "event_id": "{{event_id}}", "user_id": "{{user_id}}", "anonymous_id": "{{anonymous_id}}", "timestamp": "{{timestamp}}", "ip": "{{context.ip}}", "user_agent": "{{context.user_agent}}", "page_url": "{{context.page.url}}", "page_title": "{{context.page.title}}", "referrer": "{{context.page.referrer}}", "locale": "{{context.locale}}", "order_id": "{{properties.order_id}}", "total": {{properties.total}}, "currency": "{{properties.currency}}", "coupon": "{{properties.coupon}}"}"#

/// The benchmark plan: the template above, bearer auth, Stripe-style timestamped signature.
private let renderBenchSpec = """
{
  "dspec": 1,
  "name": "render-bench",
  "secrets": {"signing_secret": {"description": "bench"}, "api_token": {"description": "bench"}},
  "events": {"types": ["track"]},
  "endpoint": {"url": "https://api.example.com/v1/events"},
  "auth": {"type": "bearer", "token": "{{@secrets.api_token}}"},
  "headers": {"X-Source": "dspec-bench"},
  "payload": {
    "format": "json",
    "template": \(JSONWriter.string(.string(renderBenchTemplate)))
  },
  "signing": {"preset": "stripe", "secret": "{{@secrets.signing_secret}}"}
}
"""

/// The same spec with 100-event json_array batches.
private let renderBatchSpec = renderBenchSpec.replacingOccurrences(
    of: "\"signing\":", with: "\"batching\": {\"max_events\": 100, \"max_bytes\": 5000000, \"max_wait_ms\": 1000, \"format\": \"json_array\"},\n  \"signing\":")

private func benchEvent(_ i: Int) -> JSONValue {
    let text = """
    {"type":"track","event":"Order Completed","event_id":"evt_\(i)","user_id":"user-\(i % 977)","anonymous_id":"anon-\(i)-a3f1c9e2",\
    "timestamp":"2026-03-14T09:31:07.864Z","context":{"ip":"203.0.113.\(i % 250)","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15",\
    "locale":"en-GB","page":{"url":"https://shop.example.com/checkout/complete?step=\(i % 5)","title":"Order confirmed | Example Shop","referrer":"https://shop.example.com/checkout/payment"}},\
    "properties":{"order_id":"ORD-\(100000 + i)","total":\(100 + i % 900).95,"currency":"GBP","coupon":"SPRING10"}}
    """
    return try! JSONParser().parseValue(text)
}

/// Calls `body` (once to warm up, then) repeatedly for at least `seconds` and returns the
/// operations per second (`operationsPerCall` operations per call). The one timing loop of
/// the render and peer benchmarks.
func timedRate(seconds: Double, operationsPerCall: Int, warmUp: Bool = true, _ body: () -> Void) -> Double {
    if warmUp { body() }
    var calls = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    repeat {
        body()
        calls += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    } while elapsed < seconds
    return Double(calls * operationsPerCall) / elapsed
}

private func renderBenchRate(_ label: String, quick: Bool, operationsPerCall: Int = 1, _ body: () -> Void) -> Double {
    let rate = timedRate(seconds: quick ? 0.5 : 2.0, operationsPerCall: operationsPerCall, body)
    print(String(format: "  %-58@ %12.0f /s", label as NSString, rate))
    return rate
}

private func compileBenchPlan(_ text: String) -> DeliveryPlan {
    let source = SourceFile(path: "render-bench.json", text: text)
    let diagnostics = DiagnosticCollector(source: source)
    guard let plan = SpecCompiler().compile(source, diagnostics: diagnostics).plan else {
        fatalError("render-bench spec does not compile: \(diagnostics.sorted.map(\.message))")
    }
    return plan
}

/// Runs the request-rendering benchmarks and prints figures and ratios.
func runRenderBenchmarks(quick: Bool) {
    print("\nRender (plan + event -> exact HTTP request), issue #4 target: >= 300,000 requests/s")
    let secrets = JSONObject([("signing_secret", .string("whsec_bench_secret_0123456789")), ("api_token", .string("tok_bench_0123456789"))])
    let configuration = RenderConfiguration(secrets: secrets)
    let renderer: RequestRenderer
    let batchRenderer: RequestRenderer
    do {
        renderer = try RequestRenderer(plan: compileBenchPlan(renderBenchSpec), configuration: configuration)
        batchRenderer = try RequestRenderer(plan: compileBenchPlan(renderBatchSpec), configuration: configuration)
    } catch {
        print("  render benchmark plan failed: \(error)")
        return
    }
    let events = (0..<1000).map(benchEvent)
    let sample = try! renderer.render(events[0], environment: FixedRenderEnvironment())
    print("  (body \(sample.body.count) bytes, \(sample.headers.count) headers, signed: \(sample.header("Stripe-Signature") != nil))")

    let fixed = FixedRenderEnvironment()
    let system = SystemRenderEnvironment()
    var sink = 0
    let requestRate = renderBenchRate("requests (template body + HMAC-SHA256), fixed env", quick: quick, operationsPerCall: events.count) {
        for e in events { sink &+= (try? renderer.render(e, environment: fixed))?.body.count ?? 0 }
    }
    let systemRate = renderBenchRate("requests, system clock + request-id counter (runtime env)", quick: quick, operationsPerCall: events.count) {
        for e in events { sink &+= (try? renderer.render(e, environment: system))?.body.count ?? 0 }
    }
    let batchRate = renderBenchRate("events in 100-event json_array batches (signed)", quick: quick, operationsPerCall: events.count) {
        sink &+= batchRenderer.renderAll(events, environment: fixed).requests.count
    }

    // Where the time goes: the payload template alone (DSTemplate) and the HMAC alone.
    let template = try! CompiledTemplate.compile(renderBenchTemplate, mode: .json)
    let data: [String: JSONValue] = ["settings": .object(JSONObject()), "secrets": .object(secrets)]
    var buffer: [UInt8] = []
    let templateRate = renderBenchRate("  of which: payload template render alone", quick: quick, operationsPerCall: events.count) {
        for e in events { buffer.removeAll(keepingCapacity: true); try? template.render(e, data: data, into: &buffer); sink &+= buffer.count }
    }
    // The renderer keys the HMAC once per plan (HMACKey), so that is what is timed here.
    let signingKey = HMACKey(.sha256, key: Array("whsec_bench_secret_0123456789".utf8))
    let hmacRate = renderBenchRate("  of which: HMAC-SHA256 of timestamp.body alone (key prepared once)", quick: quick, operationsPerCall: events.count) {
        for _ in events {
            var message = Array("1767225600.".utf8)
            message.append(contentsOf: sample.body)
            sink &+= signingKey.authenticationCode(message).count
        }
    }

    print("\nBaseline: Foundation JSONSerialization of the same 15-field payload + the same HMAC")
    let keys = Array("whsec_bench_secret_0123456789".utf8)
    let baseline = renderBenchRate("JSONSerialization + HMAC-SHA256 hex", quick: quick, operationsPerCall: events.count) {
        for e in events {
            let c = e["context"], p = e["properties"], page = c?["page"]
            let dict: [String: Any] = [
                "event": e["event"]?.stringValue ?? "", "event_id": e["event_id"]?.stringValue ?? "", "user_id": e["user_id"]?.stringValue ?? "",
                "anonymous_id": e["anonymous_id"]?.stringValue ?? "", "timestamp": e["timestamp"]?.stringValue ?? "",
                "ip": c?["ip"]?.stringValue ?? "", "user_agent": c?["user_agent"]?.stringValue ?? "", "page_url": page?["url"]?.stringValue ?? "",
                "page_title": page?["title"]?.stringValue ?? "", "referrer": page?["referrer"]?.stringValue ?? "", "locale": c?["locale"]?.stringValue ?? "",
                "order_id": p?["order_id"]?.stringValue ?? "", "total": p?["total"]?.numberValue?.doubleValue ?? 0,
                "currency": p?["currency"]?.stringValue ?? "", "coupon": p?["coupon"]?.stringValue ?? "",
            ]
            guard let body = try? JSONSerialization.data(withJSONObject: dict) else { continue }
            var message = Array("1767225600.".utf8)
            message.append(contentsOf: body)
            sink &+= Hex.encode(HMAC.authenticationCode(.sha256, key: keys, message: message)).utf8.count
        }
    }
    print(String(format: "\nRatios: requests / target = %.2fx (runtime env %.2fx); requests / baseline = %.2fx; batched events / requests = %.2fx",
                 requestRate / 300_000, systemRate / 300_000, requestRate / baseline, batchRate / requestRate))
    let perRequest = 1e9 / requestRate, perTemplate = 1e9 / templateRate, perHMAC = 1e9 / hmacRate
    print(String(format: "Per request: %.0f ns = template %.0f ns (%.0f%%) + HMAC %.0f ns (%.0f%%) + everything else %.0f ns",
                 perRequest, perTemplate, 100 * perTemplate / perRequest, perHMAC, 100 * perHMAC / perRequest, perRequest - perTemplate - perHMAC))
    if sink == 42 { print("") }  // keeps the work observable to the optimiser
}
