internal import CYAML

/// Builds a `Node` tree from YAML text with libyaml's event API, keeping the position of
/// every node, and reports every structural problem as a `Diagnostic`.
struct YAMLParser {
    let file: String
    let limits: YAMLLimits

    struct Result {
        var root: Node?
        var diagnostics: [Diagnostic]
    }

    func parse(_ bytes: [UInt8]) -> Result {
        if bytes.count > limits.maxFileBytes {
            return Result(root: nil, diagnostics: [error(.start, "file-too-large",
                "file is \(bytes.count) bytes; manifests are limited to \(limits.maxFileBytes) bytes",
                hint: "split the campaign into several manifests")])
        }
        if let bad = Self.firstInvalidUTF8(bytes) {
            return Result(root: nil, diagnostics: [error(Self.mark(ofByte: bad, in: bytes), "invalid-utf8",
                "file is not valid UTF-8 (byte \(bad) is 0x\(String(bytes[bad], radix: 16)))",
                hint: "save the manifest as UTF-8")])
        }
        return bytes.withUnsafeBufferPointer { buffer in
            let handle = ParserHandle(buffer)
            var builder = TreeBuilder(file: file, limits: limits)
            return builder.run(handle, bytes: bytes)
        }
    }

    private func error(_ mark: Mark, _ code: String, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(file: file, at: mark, code: code, message: message, hint: hint)
    }

    /// Byte offset of the first byte that is not part of valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let width: Int
            let minimum: UInt32
            switch b {
            case 0xC2...0xDF: width = 2; minimum = 0x80
            case 0xE0...0xEF: width = 3; minimum = 0x800
            case 0xF0...0xF4: width = 4; minimum = 0x10000
            default: return i
            }
            guard i + width <= n else { return i }
            var value = UInt32(b) & (0xFF >> (width + 1))
            for k in 1..<width {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                value = value << 6 | UInt32(c & 0x3F)
            }
            if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return i }
            i += width
        }
        return nil
    }

    /// Line and column (1-based, counting characters) of a byte offset.
    static func mark(ofByte offset: Int, in bytes: [UInt8]) -> Mark {
        var line = 1
        var column = 1
        for b in bytes[..<offset] {
            if b == UInt8(ascii: "\n") {
                line += 1; column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }
}

/// Owns a libyaml parser for the duration of one parse.
private final class ParserHandle {
    var parser = yaml_parser_t()

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        yaml_parser_initialize(&parser)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
    }

    deinit { yaml_parser_delete(&parser) }
}

/// Turns the event stream into nodes. Containers under construction live on an explicit
/// stack, so deep input cannot overflow the call stack.
private struct TreeBuilder {
    let file: String
    let limits: YAMLLimits
    var diagnostics: [Diagnostic] = []

    private struct Frame {
        var isMapping: Bool
        var mark: Mark
        var anchor: String?
        var isFlow: Bool
        var items: [Node] = []
        var pairs: [Node.Pair] = []
        var pendingKey: Node?
        var keysSeen: [String: Mark] = [:]
        var weight = 1
    }

    private var stack: [Frame] = []
    private var anchors: [String: (node: Node, weight: Int)] = [:]
    private var expanded = 0
    private var root: Node?
    private var documents = 0

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func run(_ handle: ParserHandle, bytes: [UInt8]) -> YAMLParser.Result {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&handle.parser, &event) == 1 else {
                diagnostics.append(syntaxError(handle.parser, bytes: bytes))
                return YAMLParser.Result(root: nil, diagnostics: diagnostics)
            }
            defer { yaml_event_delete(&event) }
            let start = Self.mark(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                if documents == 0 || root == nil {
                    diagnostics.append(Diagnostic(file: file, at: .start, code: "empty-file",
                        message: "manifest is empty",
                        hint: "start from `troupe init`, or add at least `troupe: 1`, `name`, `characters`, `clips` and `renders`"))
                }
                return YAMLParser.Result(root: root, diagnostics: diagnostics)
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    diagnostics.append(Diagnostic(file: file, at: start, span: 3, code: "multiple-documents",
                        message: "file holds more than one YAML document",
                        hint: "a manifest is one document: remove the `---` separator, or split it into several files"))
                    return YAMLParser.Result(root: nil, diagnostics: diagnostics)
                }
            case YAML_SCALAR_EVENT:
                let length = troupe_yaml_scalar_length(&event)
                if length > limits.maxScalarBytes {
                    diagnostics.append(Diagnostic(file: file, at: start, code: "value-too-large",
                        message: "value is \(length) bytes long; troupe accepts at most \(limits.maxScalarBytes) bytes per value",
                        hint: "no manifest field needs that much; prompts are limited to 2500 characters"))
                    return YAMLParser.Result(root: nil, diagnostics: diagnostics)
                }
                let text = troupe_yaml_scalar_value(&event).map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: length).bindMemory(to: UInt8.self), as: UTF8.self)
                } ?? ""
                let end = Self.mark(event.end_mark)
                let span = end.line == start.line ? max(1, end.column - start.column) : 1
                var plain = troupe_yaml_scalar_style(&event) == YAML_PLAIN_SCALAR_STYLE
                if let tag = troupe_yaml_scalar_tag(&event), String(cString: tag) == "tag:yaml.org,2002:str" {
                    plain = false
                }
                let node = Node(.scalar(text), mark: start, span: span, isPlain: plain)
                if !add(node, weight: 1, anchor: troupe_yaml_scalar_anchor(&event)) { return failed() }
            case YAML_ALIAS_EVENT:
                let name = String(cString: troupe_yaml_alias_anchor(&event))
                guard let target = anchors[name] else {
                    diagnostics.append(Diagnostic(file: file, at: start, span: name.count + 1, code: "unknown-alias",
                        message: "alias '*\(name)' refers to no anchor", hint: "define `&\(name)` before using it"))
                    return failed()
                }
                expanded += target.weight
                if expanded > limits.maxAliasExpansion {
                    diagnostics.append(Diagnostic(file: file, at: start, span: name.count + 1, code: "alias-expansion",
                        message: "alias '*\(name)' expands the document past \(limits.maxAliasExpansion) nodes",
                        hint: "aliases are expanded with a bound to stop billion-laughs files; write the content out, or use fewer nested aliases"))
                    return failed()
                }
                var copy = target.node
                copy.mark = start
                copy.span = name.count + 1
                if !add(copy, weight: target.weight, anchor: nil) { return failed() }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if stack.count >= limits.maxDepth {
                    diagnostics.append(Diagnostic(file: file, at: start, code: "too-deep",
                        message: "nesting is deeper than \(limits.maxDepth) levels",
                        hint: "a manifest needs only a few levels; check for runaway brackets"))
                    return failed()
                }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? troupe_yaml_mapping_anchor(&event) : troupe_yaml_sequence_anchor(&event)
                let flow = isMapping
                    ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                    : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                stack.append(Frame(isMapping: isMapping, mark: start, anchor: anchor.map { String(cString: $0) }, isFlow: flow))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                var node: Node
                if frame.isMapping {
                    node = Node(.mapping(Self.merged(frame.pairs)), mark: frame.mark, isFlow: frame.isFlow)
                } else {
                    node = Node(.sequence(frame.items), mark: frame.mark, isFlow: frame.isFlow)
                }
                node.isFlow = frame.isFlow
                if !add(node, weight: frame.weight, anchor: nil) { return failed() }
                if let anchor = frame.anchor { anchors[anchor] = (node, frame.weight) }
            default:
                break
            }
        }
    }

    private func failed() -> YAMLParser.Result {
        YAMLParser.Result(root: nil, diagnostics: diagnostics)
    }

    /// Attaches a finished node to its parent (or makes it the root).
    private mutating func add(_ node: Node, weight: Int, anchor: UnsafePointer<CChar>?) -> Bool {
        if let anchor { anchors[String(cString: anchor)] = (node, weight) }
        guard !stack.isEmpty else {
            root = node
            return true
        }
        stack[stack.count - 1].weight += weight
        if stack[stack.count - 1].isMapping {
            if let key = stack[stack.count - 1].pendingKey {
                stack[stack.count - 1].pairs.append(Node.Pair(key: key, value: node))
                stack[stack.count - 1].pendingKey = nil
            } else {
                if let name = node.scalar, !(node.isPlain && name == "<<") {
                    if let first = stack[stack.count - 1].keysSeen[name] {
                        diagnostics.append(Diagnostic(file: file, at: node.mark, span: node.span, code: "duplicate-key",
                            message: "key '\(name)' appears twice in this mapping",
                            hint: "keep one of them; YAML would silently use only one",
                            related: [.init(file: file, line: first.line, column: first.column, message: "'\(name)' first appears here")]))
                    } else {
                        stack[stack.count - 1].keysSeen[name] = node.mark
                    }
                }
                stack[stack.count - 1].pendingKey = node
            }
        } else {
            stack[stack.count - 1].items.append(node)
        }
        return true
    }

    /// Applies YAML merge keys (`<<: *base`): merged keys never override ones written out.
    private static func merged(_ pairs: [Node.Pair]) -> [Node.Pair] {
        guard pairs.contains(where: { $0.key.isPlain && $0.key.scalar == "<<" }) else { return pairs }
        var result: [Node.Pair] = []
        var present = Set(pairs.compactMap { $0.key.isPlain && $0.key.scalar == "<<" ? nil : $0.key.scalar })
        var sources: [Node] = []
        for pair in pairs {
            if pair.key.isPlain && pair.key.scalar == "<<" {
                switch pair.value.content {
                case .mapping: sources.append(pair.value)
                case .sequence(let items): sources.append(contentsOf: items)
                case .scalar: result.append(pair)  // left for the decoder to report
                }
            } else {
                result.append(pair)
            }
        }
        for source in sources {
            guard case .mapping(let inner) = source.content else { continue }
            for pair in inner {
                guard let name = pair.key.scalar, !present.contains(name) else { continue }
                present.insert(name)
                result.append(pair)
            }
        }
        return result
    }

    private func syntaxError(_ parser: yaml_parser_t, bytes: [UInt8]) -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        var mark = Self.mark(parser.problem_mark)
        if parser.problem_mark.index == 0 && parser.problem_mark.line == 0, parser.context != nil {
            mark = Self.mark(parser.context_mark)
        }
        if let tab = Self.tabInIndentation(bytes: bytes, upToLine: mark.line) {
            return Diagnostic(file: file, at: tab, code: "tab-indentation",
                message: "tab character used for indentation",
                hint: "YAML indents with spaces only; replace the tab with spaces")
        }
        let message = context.map { "\(problem) \($0)" } ?? problem
        return Diagnostic(file: file, at: mark, code: "yaml-syntax",
            message: "YAML syntax error: \(message)",
            hint: "check the indentation and quoting on this line and the one before it")
    }

    /// The first tab in a line's leading whitespace, scanning up to the line libyaml stopped at.
    private static func tabInIndentation(bytes: [UInt8], upToLine last: Int) -> Mark? {
        var line = 1
        var column = 1
        var inIndent = true
        for b in bytes {
            if b == UInt8(ascii: "\n") {
                if line >= last { return nil }
                line += 1; column = 1; inIndent = true
                continue
            }
            if inIndent {
                if b == UInt8(ascii: "\t") { return Mark(line: line, column: column) }
                if b != UInt8(ascii: " ") { inIndent = false }
            }
            column += 1
        }
        return nil
    }

    static func mark(_ m: yaml_mark_t) -> Mark {
        Mark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }
}
