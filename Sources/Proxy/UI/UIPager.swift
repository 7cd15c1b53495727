/// The previous/next links under a paged list (the `pager` partial): page `page` of however many `total` rows fill
/// at `size` a page; `link` makes a page's address, keeping the list's filters.
struct UIPager: Sendable, Equatable {
    var previous: String?
    var next: String?
    var text: String
    var previousLabel: String
    var nextLabel: String

    init(
        page: Int,
        total: Int,
        size: Int,
        labels: (previous: String, next: String) = ("Previous", "Next"),
        link: (Int) -> String
    ) {
        (previousLabel, nextLabel) = labels
        let pages = max(1, (total + size - 1) / size)
        previous = page > 1 ? link(page - 1) : nil
        next = page < pages ? link(page + 1) : nil
        text = "Page \(page) of \(pages)"
    }
}
