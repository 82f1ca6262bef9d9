/// Where a cursor is in a JSON document that may be half typed (so it need not parse): the
/// path of keys and indexes around it, and whether it is in a key or a value, inside a string
/// or not. A tolerant scan from the start of the document to the cursor.
public struct CursorContext: Sendable, Equatable {
    /// What the cursor is on.
    public enum Slot: Sendable, Equatable {
        /// Where an object key goes (typed or not).
        case key
        /// Where a value goes.
        case value
    }

    /// Keys and array indexes (as decimal strings) of the enclosing containers; for a value
    /// slot in an object this ends with the value's key.
    public var path: [String]
    /// Key or value.
    public var slot: Slot
    /// Byte offset of the first character inside the string the cursor is in, if it is in one.
    public var stringContentStart: Int?

    /// Scans `bytes` up to `offset`.
    public static func at(_ bytes: [UInt8], offset: Int) -> CursorContext {
        struct Frame {
            var isObject: Bool
            var key: String?
            var index = 0
            var expectingKey: Bool
        }
        var stack: [Frame] = []
        var inString = false
        var escape = false
        var stringStart = 0
        var pendingKey: String?
        let end = max(0, min(offset, bytes.count))
        var i = 0
        while i < end {
            let b = bytes[i]
            if inString {
                if escape { escape = false } else if b == 0x5C { escape = true } else if b == 0x22 {
                    inString = false
                    if let top = stack.last, top.isObject, top.expectingKey {
                        pendingKey = String(decoding: bytes[stringStart..<i], as: UTF8.self)
                    }
                }
                i += 1
                continue
            }
            switch b {
            case 0x22: inString = true; stringStart = i + 1
            case 0x7B: stack.append(Frame(isObject: true, key: nil, expectingKey: true))
            case 0x5B: stack.append(Frame(isObject: false, key: nil, expectingKey: false))
            case 0x7D, 0x5D: if !stack.isEmpty { stack.removeLast() }
            case 0x3A:
                if !stack.isEmpty, stack[stack.count - 1].isObject {
                    stack[stack.count - 1].key = pendingKey
                    stack[stack.count - 1].expectingKey = false
                }
            case 0x2C:
                if !stack.isEmpty {
                    if stack[stack.count - 1].isObject {
                        stack[stack.count - 1].expectingKey = true
                        stack[stack.count - 1].key = nil
                    } else {
                        stack[stack.count - 1].index += 1
                    }
                }
            default: break
            }
            i += 1
        }
        var path: [String] = []
        for frame in stack.dropLast() { path.append(frame.isObject ? (frame.key ?? "") : String(frame.index)) }
        var slot = Slot.value
        if let top = stack.last {
            if top.isObject {
                if top.expectingKey { slot = .key } else { path.append(top.key ?? "") }
            } else {
                path.append(String(top.index))
            }
        }
        return CursorContext(path: path, slot: slot, stringContentStart: inString ? stringStart : nil)
    }
}
