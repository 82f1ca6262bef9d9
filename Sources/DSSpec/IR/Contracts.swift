import DSCore
import DSJSON

/// `events.schema`: the tracking plan the spec's events follow. Either one JSON Schema file for
/// every event, or one file per event name (`"*"` for every name not listed). Paths are
/// relative to the spec file; the driver loads them (the compiler never reads files).
public struct TrackingPlanReference: Sendable {
    /// The whole field (a string or an object), for diagnostics about it as a whole.
    public var node: Located<Void>
    /// One schema for every event (`"schema": "plan.schema.json"`).
    public var all: Located<String>?
    /// Per event name (`"schema": {"Order Completed": "order-completed.schema.json", "*": ...}`),
    /// in declaration order; the key `"*"` applies to events whose name is not listed.
    public var byEvent: [(name: Located<String>, path: Located<String>)] = []

    /// Creates a reference.
    public init(node: Located<Void>) { self.node = node }

    /// Every path written, in order.
    public var paths: [Located<String>] { all.map { [$0] } ?? byEvent.map(\.path) }
}

/// Where a vendor request contract's JSON Schema comes from.
public enum RequestContractSource: Sendable {
    /// A JSON Schema file for the request body (`"contract": {"schema": "..."}`).
    case schema(Located<String>)
    /// An OpenAPI 3.0 / 3.1 document in JSON and the operation in it.
    case openAPI(document: Located<String>, operation: OpenAPIOperationReference)
}

/// How an OpenAPI operation is named: by `operationId`, or by method and path template.
public enum OpenAPIOperationReference: Sendable {
    /// `"operation": "createEvents"`.
    case operationID(Located<String>)
    /// `"method": "POST", "path": "/v1/events"`.
    case route(method: Located<String>, path: Located<String>)
}

/// `contract`: the vendor's request contract every rendered request is checked against.
public struct RequestContractReference: Sendable {
    /// The whole block.
    public var node: Located<Void>
    /// The schema source (nil when the block is incomplete; the decoder reported why).
    public var source: RequestContractSource?

    /// Creates a reference.
    public init(node: Located<Void>, source: RequestContractSource?) {
        self.node = node
        self.source = source
    }
}
