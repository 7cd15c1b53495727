/// Page numbers of the listings (keys, spend logs, UI tables), read from a query value.
public enum Paging {
    /// The highest page number a listing reads (a larger one is that page, empty): `(page - 1) * size` stays far
    /// from overflowing (`page=9223372036854775807` trapped).
    public static let lastPage = 1_000_000_000

    /// A listing's page number from a query value: 1 when absent or not a number, at most `lastPage`.
    public static func page(_ text: String?) -> Int {
        min(lastPage, max(1, Int(text ?? "") ?? 1))
    }
}
