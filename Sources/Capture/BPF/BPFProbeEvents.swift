import BPFObjects
import CBPF
import Glibc
import Synchronization

/// Uprobes that run a BPF program instead of writing ring records: each site is defined through
/// tracefs and gets a perf event on the target (every CPU, inherited by its threads and
/// children, enabled at exec), which makes the kernel plant the breakpoint in the target's
/// processes only; the program is attached once per site, to a second event that is not
/// inherited, with the site's index as its cookie.
/// The kernel writes no record when the program returns 0, so the cost per hit is the trap and
/// the program.
public final class BPFProbeEvents {
  /// A probed instruction: an entry (`isReturn` false) or a uretprobe of the function there.
  public struct Site: Sendable, Equatable {
    public var path: String
    public var offset: UInt64
    public var isReturn: Bool
    public init(path: String, offset: UInt64, isReturn: Bool) {
      self.path = path
      self.offset = offset
      self.isReturn = isReturn
    }
  }

  private let sites: [Site]
  private var tracefs: TracefsUprobes?
  private var files: [OpenEvent] = []
  /// This set's tracefs names are `b<instance>_<site>`: unique in the process, so a set still
  /// being released in the background never holds a name a new set defines.
  private let instance = BPFProbeEvents.instances.add(1, ordering: .relaxed).newValue
  private static let instances = Atomic<Int>(0)

  /// A class around an open event so the non-copyable files can live in an array.
  private final class OpenEvent {
    let file: PerfEventFile
    init(_ file: consuming PerfEventFile) { self.file = file }
  }

  public init(sites: [Site]) { self.sites = sites }

  /// Defines the sites, opens their events on `pid` (held at the exec gate unless `enableNow`)
  /// and attaches `program` of `object` to each, cookie = the site's index.
  public func open(pid: Int32, object: BPFObject, program: String, enableNow: Bool = false) throws(CaptureError) {
    var fs = try TracefsUprobes()
    defer { tracefs = fs }  // also on a failure half-way, so `release` removes what exists
    for (index, site) in sites.enumerated() {
      let id = try fs.define(
        name: "b\(instance)_\(index)", path: site.path, offset: site.offset, isReturn: site.isReturn)
      var attr = PerfEventFile.uprobeTracepointAttributes(id: id, wakeupBytes: 1)
      attr.sample_type = 0
      attr.watermark = 0
      attr.wakeup_watermark = 0
      if enableNow {
        // perfsh's own thread (the probe-cost calibration): counting now, and not inherited —
        // threads perfsh starts meanwhile (the queue releasing the events among them) would
        // carry copies that keep the definitions busy.
        attr.disabled = 0
        attr.enable_on_exec = 0
        attr.inherit = 0
      }
      // Two events per site: the inherited one plants the breakpoint in every thread and
      // child; the program goes on a second, not inherited, one. A thread's inherited copy
      // of an event carrying the program takes the program off the site's trace event when
      // the thread exits (the kernel detaches it by program), and every later hit would be lost.
      var carrierAttr = attr
      carrierAttr.inherit = 0
      for (k, attributes) in [attr, carrierAttr].enumerated() {
        let file: PerfEventFile
        do {
          file = try PerfEventFile.open(attributes: attributes, pid: pid, cpu: -1)
        } catch {
          guard case .perfEventOpen(_, _, let errno) = error else { throw error }
          let kind = site.isReturn ? "uretprobe" : "uprobe"
          throw .system(
            call: "perf_event_open(\(kind) \(site.path)+0x\(String(site.offset, radix: 16)))", errno: errno)
        }
        if k == 1 { try object.attach(program, toPerfEvent: file.descriptor, cookie: UInt64(index)) }
        files.append(OpenEvent(file))
      }
    }
  }

  /// Stops every site (the breakpoints stay until `release`).
  public func disable() {
    for event in files { try? event.file.disable() }
  }

  /// Closes the events and removes the tracefs definitions (also on deinit). Detach the
  /// programs (close their object) first or with it.
  public func release() {
    files.removeAll()
    tracefs?.remove()
    tracefs = nil
  }

  /// Closes `object` (detaching the programs on these events) and then the events and their
  /// definitions, on a background queue (see `BackgroundRelease`); nothing here is used after.
  public func release(after object: BPFObject?, inBackground: Bool) {
    guard inBackground else {
      object?.close()
      release()
      return
    }
    let handed = Releasing(value: (object, files, tracefs))
    files = []
    tracefs = nil
    BackgroundRelease.run {
      guard var (object, files, tracefs) = handed.take() else { return }
      object?.close()
      files.removeAll()  // the last references: each event closes here
      tracefs?.remove()
      object = nil
    }
  }

  deinit { release() }
}

/// Counts hits of uprobe sites inside the kernel (the selftest program): exact counts at the
/// kernel's floor cost per hit, with no records to read. Rides along a `CommandCapture` run.
public final class BPFHitCounter: CaptureCompanion {
  private let events: BPFProbeEvents
  private let siteCount: Int
  private var object: BPFObject?

  /// A counter for `sites` (at most PERFSH_SELFTEST_SLOTS of them).
  public init(sites: [BPFProbeEvents.Site]) throws(CaptureError) {
    guard sites.count <= Int(PERFSH_SELFTEST_SLOTS) else {
      throw .bpf(operation: "counting \(sites.count) sites", errno: .invalidArgument, log: "")
    }
    events = BPFProbeEvents(sites: sites)
    siteCount = sites.count
  }

  public func open(pid: Int32, cpus: [Int32]) throws(CaptureError) {
    let object = try BPFObject(bytes: BPFObjects.selftest, name: "perfsh_count")
    try object.load()
    self.object = object
    try events.open(pid: pid, object: object, program: "count_hit")
  }

  public var descriptors: [Int32] { [] }
  public func drain(final: Bool) throws(CaptureError) {}
  public func disable() { events.disable() }

  /// Hits per site so far, in the order given.
  public func counts() throws(CaptureError) -> [UInt64] {
    guard let object else { return Array(repeating: 0, count: siteCount) }
    let map = try object.map("hits")
    return try (0..<siteCount).map { (index) throws(CaptureError) in
      try map.value(at: UInt32(index), as: UInt64.self) ?? 0
    }
  }

  /// Detaches the program and removes the sites.
  public func release() {
    events.release(after: object, inBackground: false)
    object = nil
  }

  deinit { release() }
}
