import DSJSON
import DSPlan
import DSRender

/// One event a vendor rejected inside an otherwise successful batch response.
public struct PartialFailureEntry: Sendable, Equatable {
    /// 0-based position of the event in the batch.
    public var index: Int
    /// The vendor's message for it, if the plan says where to find one.
    public var message: String?
}

/// Where each element of a `batching.arrays` request came from.
public struct BatchArrayLayout: Sendable, Equatable {
    /// The arrays' names, in plan order.
    public var names: [String]
    /// For each array, the request position of the event behind each of its elements.
    public var positions: [[Int]]

    /// The layout of a request carrying `payloads`, whose parts name arrays of `names`.
    public init(names: [String], payloads: [EncodedPayload]) {
        self.names = names
        var positions = [[Int]](repeating: [], count: names.count)
        for (i, p) in payloads.enumerated() {
            for part in p.parts where positions.indices.contains(part.array) { positions[part.array].append(i) }
        }
        self.positions = positions
    }
}

/// Reads what a plan says to read from response bodies: the human-readable error message
/// (`response.error_message`, a JSON pointer) and per-event failures inside a success
/// (`response.partial_failure`, spec section 16.4).
public struct ResponseInspector: Sendable {
    /// Longest message kept in an outcome; vendors sometimes echo whole payloads.
    public static let maxMessageLength = 500

    private let errorPointer: String?
    private let partialFailure: PlanPartialFailure?

    /// Creates the inspector for a plan's response block.
    public init(_ response: PlanResponse) {
        errorPointer = response.errorMessage
        partialFailure = response.partialFailure
    }

    /// The error message of `body`: the value at the plan's pointer (a string as is, any
    /// other value as compact JSON); without a pointer, or when the body is not JSON or the
    /// pointer finds nothing, the start of the body as text. Nil for an empty body.
    public func errorMessage(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let errorPointer, let value = try? JSONParser().parseValue(body), let found = JSONPointer.resolve(errorPointer, in: value) {
            return Self.clip(found.stringValue ?? JSONWriter.string(found))
        }
        return Self.clip(String(decoding: body.prefix(Self.maxMessageLength * 4), as: UTF8.self))
    }

    /// True if the plan declares partial failures.
    public var readsPartialFailures: Bool { partialFailure != nil }

    /// What happens to the events a partial-failure list names.
    public var partialFailureOutcome: ResponseOutcome {
        partialFailure.flatMap { ResponseOutcome(rawValue: $0.outcome) } ?? .drop
    }

    /// The per-event failures in a success body: the array at `errors`, each element's
    /// `index` (entries without a usable index, or outside `0..<batchSize`, are ignored: they
    /// cannot be matched to an event) and `message`. Empty when the body has no such list.
    ///
    /// With `arrays` (a `batching.arrays` request) and the plan's `partial_failure.array`
    /// pointer, an error's index counts in the array it names (Braze's `input_array`): it is
    /// mapped back to the event that put that element there. An event named twice (an order
    /// rejected in two arrays) fails once.
    public func partialFailures(_ body: [UInt8], batchSize: Int, arrays: BatchArrayLayout? = nil) -> [PartialFailureEntry] {
        guard let partialFailure, !body.isEmpty, let value = try? JSONParser().parseValue(body),
              let list = JSONPointer.resolve(partialFailure.errors, in: value)?.arrayValue else { return [] }
        var seen = Set<Int>()
        var entries: [PartialFailureEntry] = []
        for item in list {
            guard var index = JSONPointer.resolve(partialFailure.index, in: item)?.numberValue?.intValue else { continue }
            if let arrayPointer = partialFailure.array, let arrays {
                guard let name = JSONPointer.resolve(arrayPointer, in: item)?.stringValue, let a = arrays.names.firstIndex(of: name),
                      arrays.positions[a].indices.contains(index) else { continue }
                index = arrays.positions[a][index]
            }
            guard (0..<batchSize).contains(index), seen.insert(index).inserted else { continue }
            let message = partialFailure.message.flatMap { JSONPointer.resolve($0, in: item) }.map { $0.stringValue ?? JSONWriter.string($0) }
            entries.append(PartialFailureEntry(index: index, message: message.map(Self.clip)))
        }
        return entries
    }

    static func clip(_ text: String) -> String {
        let oneLine = String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        return oneLine.count <= maxMessageLength ? oneLine : String(oneLine.prefix(maxMessageLength)) + "..."
    }
}
