/// `-` names standard input for every input a command reads; it can be read only once.
enum StandardInput {
    /// A usage message when more than one of `inputs` is `-`, else nil.
    static func conflict(_ inputs: [(name: String, value: String?)]) -> String? {
        let named = inputs.filter { $0.value == "-" }.map(\.name)
        guard named.count > 1 else { return nil }
        return "standard input (-) can be read only once, but \(named.joined(separator: " and ")) both name it: pass all but one as a file"
    }
}
