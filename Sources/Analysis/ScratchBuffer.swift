/// A growable buffer of plain values for the hot loops of a tree walk: reads and writes go
/// straight to memory it owns, where a `[T]` stored in a struct that is mutated in place pays a
/// uniqueness check (and a possible copy) on every write. Used only inside one analysis call.
final class ScratchBuffer<T: BitwiseCopyable> {
  private(set) var base: UnsafeMutablePointer<T>
  private(set) var count: Int
  private var capacity: Int

  /// `count` copies of `value`.
  init(repeating value: T, count: Int) {
    capacity = Swift.max(count, 16)
    base = UnsafeMutablePointer<T>.allocate(capacity: capacity)
    base.initialize(repeating: value, count: count)
    self.count = count
  }

  /// An empty buffer with room for `capacity` values before it grows.
  init(capacity: Int) {
    self.capacity = Swift.max(capacity, 16)
    base = UnsafeMutablePointer<T>.allocate(capacity: self.capacity)
    count = 0
  }

  deinit { base.deallocate() }

  @inline(__always) subscript(i: Int) -> T {
    get {
      assert(i >= 0 && i < count)
      return base[i]
    }
    set {
      assert(i >= 0 && i < count)
      base[i] = newValue
    }
  }

  @inline(__always) func append(_ value: T) {
    if count == capacity { grow() }
    (base + count).initialize(to: value)
    count += 1
  }

  /// Removes and returns the last value; nil when empty.
  @inline(__always) func popLast() -> T? {
    guard count > 0 else { return nil }
    count -= 1
    return base[count]
  }

  /// Drops the last `k` values (`k` ≤ count).
  @inline(__always) func removeLast(_ k: Int) {
    assert(k >= 0 && k <= count)
    count -= k
  }

  var last: T? { count > 0 ? base[count - 1] : nil }

  /// The values as a read-only buffer, valid until the next append.
  @inline(__always) var buffer: UnsafeBufferPointer<T> { UnsafeBufferPointer(start: base, count: count) }

  /// The values as an array (a copy).
  var array: [T] { Array(buffer) }

  private func grow() {
    let wider = capacity * 2
    let moved = UnsafeMutablePointer<T>.allocate(capacity: wider)
    moved.moveInitialize(from: base, count: count)
    base.deallocate()
    base = moved
    capacity = wider
  }
}
