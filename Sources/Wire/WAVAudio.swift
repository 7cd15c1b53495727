/// The length of a PCM WAV recording, read from its header: what MockAzure reports as a transcription's duration and
/// what the proxy prices a transcription by when the answer gives none.
public enum WAVAudio {
    /// Seconds of audio, nil for anything that is not a RIFF/WAVE file with a `fmt ` chunk before its `data`.
    public static func duration(_ data: [UInt8]) -> Double? {
        guard data.count >= 44, data[0 ..< 4].elementsEqual(Array("RIFF".utf8)),
            data[8 ..< 12].elementsEqual(Array("WAVE".utf8))
        else { return nil }
        func le32(_ at: Int) -> Int {
            Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24
        }
        var offset = 12
        var byteRate = 0
        while offset + 8 <= data.count {
            let size = le32(offset + 4)
            let id = String(decoding: data[offset ..< offset + 4], as: UTF8.self)
            if id == "fmt ", offset + 20 <= data.count { byteRate = le32(offset + 16) }
            if id == "data", byteRate > 0 { return Double(min(size, data.count - offset - 8)) / Double(byteRate) }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
