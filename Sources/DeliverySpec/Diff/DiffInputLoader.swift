import DSCompiler
import DSCore
import DSDiff
import DSJSON
import DSPlan
import DSRender
import Foundation

/// Loads one side of `dspec diff`: a spec file, a compiled plan, or `git:REV:path` (the
/// file as it is at a git revision, so CI can compare against the base branch).
public enum DiffInputLoader {
    /// A side that could not be loaded; `isUsage` separates I/O problems (exit 2) from spec errors (exit 1).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public let diagnostics: [Diagnostic]
        public var description: String { message }
    }

    /// Reads `git:REV:path` through `git show`, or a plain path.
    public static func readSource(_ argument: String) throws(Failure) -> SourceFile {
        if argument.hasPrefix("git:") {
            let rest = argument.dropFirst(4)
            guard let colon = rest.firstIndex(of: ":") else { throw Failure(message: "\(argument): expected git:REV:path", diagnostics: []) }
            let rev = String(rest[..<colon]), path = String(rest[rest.index(after: colon)...])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "show", "\(rev):\(path)"]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            do { try process.run() } catch { throw Failure(message: "\(argument): cannot run git", diagnostics: []) }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            let errorText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw Failure(message: "\(argument): git show failed: \(errorText.trimmingCharacters(in: .whitespacesAndNewlines))", diagnostics: [])
            }
            return SourceFile(path: "\(rev):\(path)", bytes: [UInt8](data))
        }
        do {
            return try SourceLoader.load(argument)
        } catch {
            throw Failure(message: error.description, diagnostics: [])
        }
    }

    /// Loads a side: a plan or a spec, as ``InputDocument`` decides.
    public static func load(_ argument: String, configuration: RenderConfiguration = RenderConfiguration()) throws(Failure) -> DiffSide {
        let source = try readSource(argument)
        switch InputDocument.plan(from: source, command: "diff") {
        case .success(let loaded):
            if loaded.kind == .plan { return DiffSide(plan: loaded.plan, configuration: configuration) }
            return DiffSide(plan: loaded.plan, source: source, document: loaded.compilation?.document, configuration: configuration)
        case .failure(let failure):
            if failure.isSpecError {
                throw Failure(message: "\(source.path) has errors; fix them before diffing", diagnostics: failure.diagnostics)
            }
            throw Failure(message: failure.message, diagnostics: [])
        }
    }
}
