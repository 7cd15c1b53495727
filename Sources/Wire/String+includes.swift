extension String {
    /// Whether `needle` occurs in the text, compared byte for byte. Foundation's `contains` bridges both strings to
    /// NSString, which costs microseconds on the request path.
    public func includes(_ needle: String) -> Bool {
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { text in
            needle.withUTF8 { pattern in
                guard let first = pattern.first else { return true }
                guard pattern.count <= text.count else { return false }
                for start in 0 ... (text.count - pattern.count) where text[start] == first {
                    if text[start ..< start + pattern.count].elementsEqual(pattern) { return true }
                }
                return false
            }
        }
    }
}
