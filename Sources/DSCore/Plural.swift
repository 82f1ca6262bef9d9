/// Counted nouns for messages: "1 change", "2 changes", "1 retry", "3 retries".
public enum Plural {
    /// `n` and the noun, singular for exactly 1. `plural` defaults to `singular + "s"`.
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }
}
