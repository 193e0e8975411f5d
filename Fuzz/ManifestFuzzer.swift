// libFuzzer entry point over the manifest loader, compiled by scripts/fuzz.sh into the
// same module as the loader's sources. Any crash, hang or runaway allocation is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var loader = ManifestLoader()
    loader.fileExists = { _ in true }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = loader.load(bytes: bytes, file: "fuzz.yaml", baseDirectory: "/fuzz")
    // Rendering exercises the source excerpts and caret arithmetic too.
    _ = DiagnosticRenderer(sources: [result.source]).render(result.diagnostics, format: .text)
    _ = DiagnosticRenderer(sources: [result.source]).render(result.diagnostics, format: .json)
    return 0
}
