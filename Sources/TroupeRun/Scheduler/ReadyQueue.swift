/// The jobs of one lane that are ready to start, first in first out. An index into the array
/// instead of `removeFirst`, which would move every queued job on each start (quadratic in
/// the queue's length).
struct ReadyQueue {
    private var items: [Int] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    mutating func append(_ job: Int) { items.append(job) }

    /// The queued jobs, first first.
    var queued: ArraySlice<Int> { items[head...] }

    mutating func popFirst() -> Int? {
        guard head < items.count else { return nil }
        defer {
            head += 1
            // Drop the consumed front now and then, so the array does not only grow.
            if head >= 1024 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
        }
        return items[head]
    }

    mutating func removeAll() {
        items = []
        head = 0
    }

    /// Starts the queue at its `n`th job, those before it moved to the back in their order.
    mutating func rotate(by n: Int) {
        let waiting = Array(items[head...])
        guard !waiting.isEmpty else { return }
        let k = ((n % waiting.count) + waiting.count) % waiting.count
        items = Array(waiting[k...] + waiting[..<k])
        head = 0
    }

    /// Moves the jobs for which `first` holds to the front, each group in its own order.
    mutating func prioritize(_ first: (Int) -> Bool) {
        let waiting = items[head...]
        var front: [Int] = [], back: [Int] = []
        for job in waiting { if first(job) { front.append(job) } else { back.append(job) } }
        items = front + back
        head = 0
    }
}
