import DSJSON
import DSPlan

/// One event a vendor rejected inside an otherwise successful batch response.
public struct PartialFailureEntry: Sendable, Equatable {
    /// 0-based position of the event in the batch.
    public var index: Int
    /// The vendor's message for it, if the plan says where to find one.
    public var message: String?
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
    public func partialFailures(_ body: [UInt8], batchSize: Int) -> [PartialFailureEntry] {
        guard let partialFailure, !body.isEmpty, let value = try? JSONParser().parseValue(body),
              let list = JSONPointer.resolve(partialFailure.errors, in: value)?.arrayValue else { return [] }
        var seen = Set<Int>()
        var entries: [PartialFailureEntry] = []
        for item in list {
            guard let index = JSONPointer.resolve(partialFailure.index, in: item)?.numberValue?.intValue,
                  (0..<batchSize).contains(index), seen.insert(index).inserted else { continue }
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
