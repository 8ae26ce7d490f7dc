import Formats
import Foundation
import ProfileModel

/// `perfsh-bench held FILE`: what a loaded session holds, part by part. The file is loaded as
/// the shell loads it (then the stack tree's lookup index is dropped, as `SessionStore` does),
/// and each part is released in turn; the RSS it gives back (after malloc_trim) is its share.
func benchHeldMemory(_ args: [String]) {
  guard args.count >= 3, let data = FileManager.default.contents(atPath: args[2]) else {
    fail("usage: perfsh-bench held FILE")
  }
  let bytes = [UInt8](data)
  var held: Profile
  do {
    held = try ProfileLoader.load(bytes: bytes, name: args[2])
  } catch {
    fail("\(args[2]): \(error)")
  }
  held.stacks.dropLookupIndex()
  let n = max(1, held.samples.count)
  trimMalloc()
  var last = procStatus("VmRSS")
  print(
    "held: \(args[2]): sample records \(held.samples.count), stack nodes \(held.stacks.count), locations \(held.locations.count), strings \(held.strings.count), label sets \(held.labelSets.count)"
  )
  var total = 0
  func release(_ what: String, _ body: (inout Profile) -> Void) {
    body(&held)
    trimMalloc()
    let now = procStatus("VmRSS")
    let name = what + String(repeating: " ", count: max(0, 12 - what.count))
    print(
      "held: " + name
        + String(format: " %7.1f MB %6.0f bytes/record", Double(last - now) / 1e6, Double(last - now) / Double(n)))
    total += last - now
    last = now
  }
  release("stack tree") { $0.stacks = StackTree() }
  release("samples") { $0.samples = SampleTable(width: $0.samples.width) }
  release("label sets") { $0.labelSets = LabelSetTable() }
  release("locations") { $0.locations = LocationTable() }
  release("functions") { $0.functions = [] }
  release("strings") { $0.strings = StringTable() }
  // The sum of the parts: RSS before the load is no baseline (the file's bytes and pages the
  // loader touched once are in it), the parts given back are what the session held.
  print(String(format: "held: total %.1f MB, %.0f bytes/record", Double(total) / 1e6, Double(total) / Double(n)))
}
