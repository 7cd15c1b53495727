import Testing
import Wire

/// multipart/form-data as uploads carry it, and the length of a WAV recording.
@Suite struct MultipartFormTests {
    @Test func encodedFormReadsBack() throws {
        let file: [UInt8] = [0, 13, 10, 45, 45, 255]
        let form = MultipartForm(parts: [
            .init(name: "purpose", data: Array("batch".utf8)),
            .init(name: "file", filename: "a b.bin", contentType: "application/octet-stream", data: file),
        ])
        let body = form.encoded(boundary: "----b0undary")
        let boundary = try #require(
            MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"----b0undary\"")
        )
        let read = try #require(MultipartForm(body: body, boundary: boundary))
        #expect(read.field("purpose") == "batch")
        #expect(read.file()?.data == file && read.file()?.filename == "a b.bin")
        #expect(read.file()?.contentType == "application/octet-stream")
    }

    @Test func malformedFormsAreRefused() {
        let body = MultipartForm(parts: [.init(name: "a", data: [1])]).encoded(boundary: "xx")
        #expect(MultipartForm(body: Array(body.dropLast(10)), boundary: "xx") == nil)
        #expect(MultipartForm(body: body, boundary: "yy") == nil)
        #expect(MultipartForm.boundary(contentType: "application/json") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
    }

    @Test func wavDurationComesFromItsHeader() {
        func wav(bytes: Int, rate: Int) -> [UInt8] {
            func le32(_ value: Int) -> [UInt8] { (0 ..< 4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
            let format: [UInt8] = [1, 0, 1, 0] + le32(rate) + le32(rate * 2) + [2, 0, 16, 0]
            return Array("RIFF".utf8) + le32(36 + bytes) + Array("WAVEfmt ".utf8) + le32(16) + format
                + Array("data".utf8) + le32(bytes) + [UInt8](repeating: 0, count: bytes)
        }
        #expect(WAVAudio.duration(wav(bytes: 32000, rate: 8000)) == 2.0)
        #expect(WAVAudio.duration(Array("not audio at all, just some text of some length".utf8)) == nil)
    }
}
