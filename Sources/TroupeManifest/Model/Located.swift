/// A value with the position it was written at, so later stages (media checks, the planner)
/// can report problems against the manifest text.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var mark: Mark
    public var span: Int

    public init(_ value: Value, at mark: Mark, span: Int = 1) {
        self.value = value
        self.mark = mark
        self.span = span
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
