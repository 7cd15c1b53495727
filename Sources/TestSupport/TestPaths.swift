import Foundation

/// Locations in this repository, for tests.
public enum TestPaths {
    /// The repository root (three levels above this file: Sources/TestSupport/TestPaths.swift).
    public static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures: String = root.appendingPathComponent("fixtures").path

    /// A new empty temporary folder.
    public static func temporaryDirectory(_ label: String = "test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
