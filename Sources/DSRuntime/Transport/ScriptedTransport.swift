import DSRender

/// A transport for tests: answers from a script instead of the network and records every
/// request it was given, in order.
public final class ScriptedTransport: HTTPTransport {
    /// The answer to one request: a response or a transport error.
    public typealias Answer = Result<HTTPResponse, TransportError>

    /// Decides each answer from the request and its 0-based position among all calls.
    public typealias Script = @Sendable (_ request: RenderedRequest, _ call: Int) -> Answer

    private let script: Script
    private let log = Locked<[RenderedRequest]>([])

    /// Creates a transport answering with `script`.
    public init(_ script: @escaping Script) { self.script = script }

    /// Creates a transport that plays `answers` in order, then answers 200 to the rest.
    public convenience init(answers: [Answer]) {
        self.init { _, call in call < answers.count ? answers[call] : .success(HTTPResponse(status: 200)) }
    }

    /// Every request sent so far, in order.
    public var requests: [RenderedRequest] { log.withLock { $0 } }

    public func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        let call = log.withLock { requests -> Int in
            requests.append(request)
            return requests.count - 1
        }
        switch script(request, call) {
        case .success(let response): return response
        case .failure(let error): throw error
        }
    }
}
