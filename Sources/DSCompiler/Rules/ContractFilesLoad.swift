import DSCore
import DSSpec

/// The files `events.schema` and `contract` name must exist, be JSON and compile: a tracking
/// plan or vendor contract that cannot be read would silently check nothing.
public struct ContractFilesLoad: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS1001", name: "contract-files-load", severity: .error,
        summary: "Tracking-plan and request-contract files must exist, be JSON and compile as JSON Schema (or hold the named OpenAPI operation).",
        hint: "Paths are relative to the spec file. An OpenAPI contract names its operation by operationId, or by method and path as written under \"paths\".")
    public init() {}
    public func check(_ context: ValidationContext) {
        // Loading reports its own failures (ContractResolution), once, at the field that names the file.
        _ = context.contracts
    }
}
