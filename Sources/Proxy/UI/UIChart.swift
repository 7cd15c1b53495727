import Foundation

/// A stacked bar chart (one bar per day, one segment per model group) as numbers for the SVG in `usage.mustache`:
/// the template draws it, so every label goes through its HTML escaping.
struct UIChart {
    struct Bar {
        var x: String
        var y: String
        var width: String
        var height: String
        var series: Int
        var title: String
    }

    struct Label {
        var x: String
        var y: String
        var text: String
    }

    struct Legend {
        var series: Int
        var name: String
    }

    var width = 760
    var height = 260
    var bars: [Bar] = []
    var xLabels: [Label] = []
    var yLabels: [Label] = []
    var grid: [Label] = []
    var legend: [Legend] = []
    var summary: String
    var plotLeft = "64"
    var plotRight = "748"
    var plotBottom = "220"

    static let seriesLimit = 6

    /// `value` picks what is drawn (spend or tokens); `format` writes an axis value.
    init(_ report: UIUsageReport, metric: String, value: (UIUsageReport.Totals) -> Double, format: (Double) -> String) {
        let left = 64.0, right = 748.0, top = 16.0, bottom = 220.0
        // The biggest model groups get their own colour; the rest are drawn as "other".
        let named = report.models.prefix(UIChart.seriesLimit - 1).map(\.name)
        let hasOther = report.models.count > named.count
        legend =
            named.enumerated().map { Legend(series: $0.offset, name: $0.element) }
            + (hasOther ? [Legend(series: UIChart.seriesLimit - 1, name: "other")] : [])
        let maximum = report.days.map { value($0.totals) }.max() ?? 0
        let scale = maximum > 0 ? (bottom - top) / maximum : 0
        let slot = (right - left) / Double(max(1, report.days.count))
        let barWidth = max(1, slot * 0.7)
        let labelEvery = max(1, Int((Double(report.days.count) / 10).rounded(.up)))
        for (index, day) in report.days.enumerated() {
            let x = left + slot * Double(index) + (slot - barWidth) / 2
            var base = bottom
            var segments = named.enumerated().map { ($0.offset, $0.element, day.byModel[$0.element].map(value) ?? 0) }
            if hasOther {
                let other = day.byModel.filter { !named.contains($0.key) }.values.map(value).reduce(0, +)
                segments.append((UIChart.seriesLimit - 1, "other", other))
            }
            for (series, name, amount) in segments where amount > 0 {
                let height = amount * scale
                base -= height
                bars.append(
                    Bar(
                        x: UIChart.n(x),
                        y: UIChart.n(base),
                        width: UIChart.n(barWidth),
                        height: UIChart.n(max(height, 0.5)),
                        series: series,
                        title: "\(day.day) · \(name): \(format(amount))"
                    )
                )
            }
            if index % labelEvery == 0 {
                xLabels.append(
                    Label(x: UIChart.n(x + barWidth / 2), y: UIChart.n(bottom + 16), text: String(day.day.suffix(5)))
                )
            }
        }
        for fraction in [0.0, 0.5, 1.0] {
            let y = bottom - (bottom - top) * fraction
            grid.append(Label(x: UIChart.n(left), y: UIChart.n(y), text: ""))
            yLabels.append(Label(x: UIChart.n(left - 6), y: UIChart.n(y + 4), text: format(maximum * fraction)))
        }
        let first = report.days.first?.day ?? "", last = report.days.last?.day ?? ""
        summary = "\(metric) per day from \(first) to \(last), largest day \(format(maximum))"
    }

    static func n(_ value: Double) -> String { String(format: "%.1f", value) }
}
