import Foundation
import Testing
import TroupeSupport

@Suite struct AtomicFileBatchTests {
    @Test func stagedFilesAppearOnlyOnCommitAndWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-batch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.makeFolder(dir)
        try AtomicFile.write(Array("old".utf8), to: dir + "/a.jpg")
        let batch = AtomicFile.Batch()
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            try? batch.stage(Array(repeating: UInt8(i), count: 1000 + i), as: dir + "/\(i == 0 ? "a" : "f\(i)").jpg")
        }
        // Before the commit: the old content, and none of the new names.
        #expect(try String(contentsOfFile: dir + "/a.jpg", encoding: .utf8) == "old")
        #expect(!FileManager.default.fileExists(atPath: dir + "/f1.jpg"))
        try batch.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.jpg")) == Data(repeating: 0, count: 1000))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/f19.jpg")) == Data(repeating: 19, count: 1019))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted().count == 20)  // no temp file left
    }
}
