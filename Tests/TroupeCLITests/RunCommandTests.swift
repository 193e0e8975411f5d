import Foundation
import Testing
import TroupeTestSupport

/// A `troupe init` project in a temporary folder, driven through the real binary.
final class CLIProject: @unchecked Sendable {
    let dir: URL
    /// An empty folder that is removed with the project.
    init(folder: URL) throws {
        dir = folder
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-cli-run-\(UUID().uuidString)")
        let r = try troupe(["init", dir.path])
        precondition(r.status == 0, r.stderr)
    }
    deinit { try? FileManager.default.removeItem(at: dir) }
}

@Suite(.serialized) struct RunCommandTests {
    @Test func overBudgetRunExitsThreeBeforeSpending() throws {
        let r = try troupe(["run", "manifests/campaign.yaml", "--max-units", "10"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("over the budget of 10 units"))
    }

    @Test func lockedRefusesPaidJobsThatAreNotLocked() throws {
        let p = try CLIProject()
        let r = try troupe(["run", "--locked"], in: p.dir)
        #expect(r.status == 3)
        #expect(r.stderr.contains("--locked creates no paid task, and 5 would have to be created (nothing was run)"), "\(r.stderr)")
        #expect(r.stderr.contains("render:mochi/wave (0 units): not in troupe.lock"))
        #expect(!FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out").path))
    }

    /// After a run, a locked run of the same project is a no-op that spends nothing; a
    /// damaged lock is a located error (exit 2) for run, plan and status, never replaced.
    @Test func damagedLockIsALocatedErrorNeverReplaced() throws {
        let p = try CLIProject()
        #expect(try troupe(["run"], in: p.dir).status == 0)
        let locked = try troupe(["run", "--locked"], in: p.dir)
        #expect(locked.status == 0, "\(locked.stderr)")
        let lockURL = p.dir.appendingPathComponent("troupe.lock")
        var text = try String(contentsOf: lockURL, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"format\" : 2", with: "\"format\" : \"two\"")
        try text.write(to: lockURL, atomically: true, encoding: .utf8)
        for command in ["run", "plan", "status"] {
            let r = try troupe([command], in: p.dir)
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("troupe.lock:"), "\(command): \(r.stderr)")
            #expect(r.stderr.contains("error: troupe.lock is not a valid lock"), "\(command): \(r.stderr)")
            #expect(r.stderr.contains("git checkout -- troupe.lock"), "\(command): \(r.stderr)")
        }
        #expect(try String(contentsOf: lockURL, encoding: .utf8) == text, "the damaged lock is left as it was")
        // Where: the line of the value that is wrong.
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("\"format\"") }! + 1
        #expect(try troupe(["plan"], in: p.dir).stderr.contains("troupe.lock:\(line):"))
    }

    @Test func patternsThatMatchNothingExitTwoWithADidYouMean() throws {
        let p = try CLIProject()
        let only = try troupe(["run", "--only", "mochi/wav"], in: p.dir)
        #expect(only.status == 2)
        #expect(only.stderr.contains("--only 'mochi/wav' matches no render or output; did you mean 'mochi/wave'?"), "\(only.stderr)")
        let reroll = try troupe(["run", "--reroll", "nosuch/cell"], in: p.dir)
        #expect(reroll.status == 2)
        #expect(reroll.stderr.contains("--reroll 'nosuch/cell' matches no render"))
        #expect(!FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out").path), "nothing ran")
        // A glob that matches is fine.
        #expect(try troupe(["run", "--only", "pip/*"], in: p.dir).status == 0)
    }

    @Test func initRefusesToOverwrite() throws {
        let p = try CLIProject()
        let r = try troupe(["init", p.dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("already exists"))
    }

    @Test func interruptedRunExits130AndTheNextRunResumes() throws {
        let p = try CLIProject()
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("troupe")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--events", "events.ndjson", "--concurrency", "1"]
        process.currentDirectoryURL = p.dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until a few jobs are done, then interrupt.
        let events = p.dir.appendingPathComponent("events.ndjson")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: events, encoding: .utf8)) ?? ""
            if text.components(separatedBy: "\"job_done\"").count > 3 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let lines = try String(contentsOf: events, encoding: .utf8).split(separator: "\n")
        let done = lines.filter { $0.contains("\"job_done\"") }.count
        #expect(done >= 3 && done < 16)
        for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        #expect(lines.last?.contains("\"run_finished\"") == true)

        let resumed = try troupe(["run"], in: p.dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(16 - done) job(s) done, \(done) already done"))
        let again = try troupe(["run"], in: p.dir)
        #expect(again.stderr.contains("nothing to do"))
        let verify = try troupe(["verify"], in: p.dir)
        #expect(verify.status == 0, "\(verify.stderr)")
        try expectValid(p.dir.appendingPathComponent("troupe.lock").path, schema: "lock.schema.json", lines: false)
        try expectValid(events.path, schema: "events.schema.json", lines: true)
    }

    /// Validates a JSON file (or each line of an NDJSON file) against one of schemas/.
    func expectValid(_ file: String, schema: String, lines: Bool) throws {
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        docs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()] if sys.argv[3] == "1" else [json.load(open(sys.argv[2]))]
        errors = [e for d in docs for e in v.iter_errors(d)]
        for e in errors: print(e.json_path, e.message)
        sys.exit(1 if errors or not docs else 0)
        """
let (status, out) = try runPython(script, [repoRoot.appendingPathComponent("schemas/" + schema).path, file, lines ? "1" : "0"])
        #expect(status == 0, "\(schema): \(out)")
    }
}
