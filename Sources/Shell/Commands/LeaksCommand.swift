import ArgumentParser
import Foundation
import ProfileModel
import Render

/// `leaks [N] [SESSION]`: the allocation stacks still holding memory when a `run --alloc` ended.
struct LeaksCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "leaks",
    abstract: "List the allocation stacks still holding memory at exit, largest first (run --alloc sessions).",
    discussion: """
      Bytes and objects are estimates from the sampled allocations, unbiased for the
      sampling rate (inuse_space, inuse_objects). Blocks a process still held when it
      exited count, including those of forked children; an exec drops the old image's.

      EXAMPLES:
        leaks
        leaks 5 @prev
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.session]) }

  @Argument(help: "Stacks to show (default 10; 0 for all) and/or a session.")
  var words: [String] = []

  @Option(help: "Frames shown per stack.")
  var depth: Int = 8

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let args = try CountAndSession(words, command: "leaks")
    let session = try context.session(args.session)
    let p = session.profile
    guard let bytesColumn = p.sampleTypeIndex(named: "inuse_space"),
      let objectsColumn = p.sampleTypeIndex(named: "inuse_objects")
    else {
      throw .command(
        .sessionLacks(
          command: "leaks", session: session.id, what: "has no allocation data; record it with 'run --alloc CMD'"))
    }
    let leaks = LeakList(profile: p, bytesColumn: bytesColumn, objectsColumn: objectsColumn)
    let count = args.count ?? context.settings.nodeCount
    let shown = count == 0 ? leaks.stacks : Array(leaks.stacks.prefix(count))
    let out = context.out
    guard !leaks.stacks.isEmpty else {
      out.write("No memory held at exit by sampled allocations.\n")
      return .success
    }
    out.write(
      "\(ByteText.string(leaks.total)) in \(leaks.stacks.count) stack\(leaks.stacks.count == 1 ? "" : "s") "
        + "still held at exit (estimated); showing \(shown.count), largest first\n")
    for stack in shown {
      let frames = stack.frames.prefix(max(1, depth))
      let more = stack.frames.count > frames.count ? " ← …" : ""
      out.write(
        "\(ByteText.string(stack.bytes).leftPadded(10))  \(String(stack.objects).leftPadded(8)) obj  "
          + frames.joined(separator: " ← ") + more + "\n")
    }
    return .success
  }
}

/// Stacks holding memory at exit, merged over labels (pid, thread), largest first.
struct LeakList {
  struct Stack {
    var bytes: Int64
    var objects: Int64
    /// Function names, the allocating function first.
    var frames: [String]
  }
  var stacks: [Stack] = []
  var total: Int64 = 0

  init(profile p: Profile, bytesColumn: Int, objectsColumn: Int) {
    // By function names, not stack nodes: the same stack at other addresses (another run of
    // `run -n N`, another process) is one row.
    var byNames: [[String]: (bytes: Int64, objects: Int64)] = [:]
    var names: [StackID: [String]] = [:]
    for i in 0..<p.samples.count {
      let bytes = p.samples.value(i, bytesColumn)
      guard bytes > 0 else { continue }
      let node = p.samples.stacks[i]
      let frames = names[node] ?? Self.frames(p, node)
      names[node] = frames
      byNames[frames, default: (0, 0)].bytes += bytes
      byNames[frames, default: (0, 0)].objects += p.samples.value(i, objectsColumn)
      total += bytes
    }
    stacks = byNames.map { frames, v in Stack(bytes: v.bytes, objects: v.objects, frames: frames) }
      .sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.frames.lexicographicallyPrecedes($1.frames) }
  }

  /// Function names from the leaf up (inlined functions included), or addresses when unsymbolized.
  static func frames(_ p: Profile, _ leaf: StackID) -> [String] {
    var names: [String] = []
    var node = leaf
    while node != .root {
      let loc = p.location(p.stacks.location(of: node))
      if loc.lines.isEmpty {
        names.append("0x" + String(loc.address, radix: 16))
      } else {
        for line in loc.lines { names.append(p.name(of: line.function)) }
      }
      node = p.stacks.parent(of: node)
    }
    return names
  }
}

/// Byte counts for people: `812 B`, `4.0 KiB`, `100.0 MiB`, `1.25 GiB`.
enum ByteText {
  static func string(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(bytes)
    var unit = 0
    while abs(v) >= 1024 && unit < units.count - 1 {
      v /= 1024
      unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let text =
      abs(v) >= 100 ? String(format: "%.1f", v) : abs(v) >= 10 ? String(format: "%.2f", v) : String(format: "%.3f", v)
    return "\(text) \(units[unit])"
  }
}

extension String {
  /// The string right-aligned in `width` columns.
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
