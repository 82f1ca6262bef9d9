// The libFuzzer harness for every DSFuzz target (see fuzz/README.md). Built by `fuzz/run`
// with `swiftc -parse-as-library -sanitize=fuzzer,address` against the DSFuzz module and the
// instrumented objects of the package; never part of `swift build`.
//
// The target is chosen by the DSPEC_FUZZ_TARGET environment variable (fuzz/run sets it).
import DSFuzz

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

nonisolated(unsafe) var selected: FuzzTarget?
/// DSPEC_FUZZ_SKIP_KNOWN=1: inputs matching an already-reported open defect are not run.
nonisolated(unsafe) var skipKnown = false

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if selected == nil {
        let name = getenv("DSPEC_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget.named(name) else {
            fputs("DSPEC_FUZZ_TARGET must name a target: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n", stderr)
            exit(2)
        }
        selected = target
        skipKnown = getenv("DSPEC_FUZZ_SKIP_KNOWN").map { String(cString: $0) } == "1"
    }
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if skipKnown, selected!.knownDefect(in: bytes) != nil { return 0 }
    let violations = selected!.run(bytes)
    if !violations.isEmpty {
        fputs("dspec fuzz target \(selected!.name): property violated:\n", stderr)
        for v in violations { fputs("  \(v)\n", stderr) }
        abort()  // libFuzzer saves the input as a crash artifact
    }
    return 0
}
