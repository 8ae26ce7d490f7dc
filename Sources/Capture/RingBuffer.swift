import CPerfEvent
import Glibc
import Syscalls

/// The mmap'ed ring buffer of one perf event: a metadata page followed by 2^n data pages.
///
/// The kernel writes records and advances `data_head`; the reader copies the bytes between
/// `data_tail` and `data_head` out (loading the head with acquire ordering) and then
/// publishes the new tail (release ordering) so the kernel may reuse the space.
public struct RingBuffer: ~Copyable {
  private let base: UnsafeMutableRawPointer
  private let mappedBytes: Int
  private let dataOffset: Int
  /// Size of the data area in bytes (a power of two).
  public let dataBytes: Int
  /// Bytes copied out so far.
  public private(set) var drainedBytes: UInt64 = 0

  /// Maps `1 + dataPages` pages of `file`; `dataPages` must be a power of two.
  public init(file: borrowing PerfEventFile, dataPages: Int) throws(CaptureError) {
    let page = SystemInfo.pageSize
    let pages = max(1, dataPages).nextPowerOfTwo
    let bytes = (1 + pages) * page
    guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, file.descriptor, 0),
      mapped != MAP_FAILED
    else { throw .mmap(cpu: file.cpu, bytes: bytes, errno: Syscall.lastError) }
    base = mapped
    mappedBytes = bytes
    let meta = mapped.assumingMemoryBound(to: perf_event_mmap_page.self)
    // data_offset/data_size exist since Linux 4.1; older kernels leave them zero.
    let offset = Int(meta.pointee.data_offset)
    let size = Int(meta.pointee.data_size)
    dataOffset = offset != 0 ? offset : page
    dataBytes = size != 0 ? size : pages * page
  }

  /// Appends every complete record the kernel has written since the last drain to `buffer`
  /// and releases the space; returns the number of bytes appended.
  @discardableResult
  public mutating func drain(into buffer: inout [UInt8]) -> Int {
    let meta = base.assumingMemoryBound(to: perf_event_mmap_page.self)
    let head = perfsh_ring_load_head(meta)
    let tail = meta.pointee.data_tail
    let data = UnsafeRawBufferPointer(start: base + dataOffset, count: dataBytes)
    let copied = RingBuffer.copyAvailable(data: data, head: head, tail: tail, into: &buffer)
    perfsh_ring_store_tail(meta, head)
    drainedBytes &+= UInt64(copied)
    return copied
  }

  /// Copies the bytes between `tail` and `head` of a ring's data area to the end of `buffer`,
  /// in order, joining the two pieces when they wrap past the end. Pure, so wrap-around can
  /// be tested without a kernel.
  public static func copyAvailable(
    data: UnsafeRawBufferPointer, head: UInt64, tail: UInt64, into buffer: inout [UInt8]
  ) -> Int {
    let size = UInt64(data.count)
    guard size > 0, head > tail else { return 0 }
    // A reader that fell more than a whole ring behind cannot recover the overwritten
    // part; keep the newest `size` bytes (the kernel does not overwrite unread data in
    // the default non-overwrite mode, so this only guards against a corrupt head).
    let available = min(head &- tail, size)
    let start = Int((head &- available) % size)
    let count = Int(available)
    let first = min(count, data.count - start)
    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[start..<(start + first)]))
    if first < count {
      buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[0..<(count - first)]))
    }
    return count
  }

  deinit { munmap(base, mappedBytes) }
}

extension Int {
  /// The smallest power of two that is at least `self` (1 for values below 2).
  var nextPowerOfTwo: Int {
    var p = 1
    while p < self { p <<= 1 }
    return p
  }
}
