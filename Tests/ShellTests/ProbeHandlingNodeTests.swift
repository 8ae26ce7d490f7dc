import ProfileModel
import XCTest

@testable import Shell

/// The one `[probe handling]` node a traced run's sampled stacks get.
final class ProbeHandlingNodeTests: XCTestCase {
  /// main → outer → inner (user), with kernel frames of a uprobe trap, of a timer interrupt
  /// and a leaf in the `[uprobes]` page, each as one sample of 10.
  private func traced() -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    let exe = b.mapping(Mapping(start: 0x1000, limit: 0x2000, fileOffset: 0, filename: b.intern("/bin/calls")))
    let kernel = b.mapping(Mapping(start: 0, limit: .max, fileOffset: 0, filename: b.intern("[kernel.kallsyms]")))
    let page = b.mapping(
      Mapping(start: 0x7fff_ffff_e000, limit: 0x7fff_ffff_f000, fileOffset: 0, filename: b.intern("[uprobes]")))
    func at(_ name: String, _ mapping: MappingID, _ address: UInt64) -> LocationID {
      b.location(Location(address: address, mapping: mapping, lines: [Line(function: b.function(name))]))
    }
    let main = at("main", exe, 0x1100)
    let outer = at("outer", exe, 0x1200)
    let inner = at("inner", exe, 0x1300)
    let trap = at("asm_exc_int3", kernel, 0xffff_0001)
    let notify = at("uprobe_notify_resume", kernel, 0xffff_0002)
    let timer = at("asm_sysvec_apic_timer_interrupt", kernel, 0xffff_0003)
    let slot = Location(address: 0x7fff_ffff_e080, mapping: page, lines: [])
    let inPage = b.location(slot)
    b.addSample(leafFirst: [notify, trap, inner, outer, main], values: [10])
    b.addSample(leafFirst: [trap, inner, outer, main], values: [10])
    b.addSample(leafFirst: [timer, inner, outer, main], values: [10])
    b.addSample(leafFirst: [notify, inPage, outer, main], values: [10])
    b.addSample(leafFirst: [inner, outer, main], values: [10])
    return b.profile
  }

  private func stacks(_ p: Profile) -> [String: Int64] {
    var out: [String: Int64] = [:]
    for i in 0..<p.samples.count {
      let names = p.stacks.frames(leafFirst: p.samples.stacks[i]).reversed().map { id in
        p.location(id).lines.first.map { p.name(of: $0.function) } ?? "?"
      }
      out[names.joined(separator: ";"), default: 0] += p.samples.value(i, 0)
    }
    return out
  }

  func testProbeFramesBecomeOneNodeUnderTheFrameWhereTheProbeHit() {
    var p = traced()
    XCTAssertEqual(ProbeHandlingNode.collapse(&p), 3)
    XCTAssertEqual(
      stacks(p),
      [
        "main;outer;inner;[probe handling]": 20,  // both trap samples merged
        "main;outer;[probe handling]": 10,  // the slot leaf is dropped, its caller kept
        "main;outer;inner;asm_sysvec_apic_timer_interrupt": 10,  // not probe handling: untouched
        "main;outer;inner": 10,
      ])
    XCTAssertEqual(p.functions.filter { p.string($0.name) == ProbeHandlingNode.name }.count, 1)
    XCTAssertEqual(p.total(column: 0), 50)
  }

  func testProfileWithoutProbeFramesIsUnchanged() {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    b.addSample(rootFirstNames: ["main", "work"], values: [5])
    var p = b.profile
    XCTAssertEqual(ProbeHandlingNode.collapse(&p), 0)
    XCTAssertEqual(stacks(p), ["main;work": 5])
  }

  func testNoteSaysTheShareAndHowToSubtractIt() {
    var p = traced()
    ProbeHandlingNode.note(collapsing: &p)
    XCTAssertEqual(
      p.run.notes,
      [
        "probe handling (the kernel's uprobe trap, single step and return trampoline): 60% of the samples, one "
          + #"[probe handling] node under the frame where the probe hit; ignore '^\[probe handling\]$' subtracts it"#
      ])
  }
}

/// Go's g0 stacks end at their switch function, not in an `[unknown]` root.
final class GoStackRootsTests: XCTestCase {
  func testUnknownFramesAboveASystemStackSwitchAreDropped() {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "cpu", unit: "nanoseconds")])
    b.addSample(rootFirstNames: ["[unknown]", "runtime.systemstack.abi0", "runtime.gcDrain"], values: [3])
    b.addSample(rootFirstNames: ["[unknown]", "[unknown]", "runtime.mstart.abi0", "runtime.sysmon"], values: [2])
    // A whole goroutine stack through systemstack, and an unknown frame that is not above a root, stay.
    b.addSample(
      rootFirstNames: ["runtime.goexit.abi0", "main.main", "runtime.systemstack.abi0", "runtime.gcDrain"], values: [5])
    b.addSample(rootFirstNames: ["[unknown]", "runtime.duffcopy"], values: [7])
    var p = b.profile
    XCTAssertEqual(GoStackRoots.trim(&p), 2)
    var roots: [String: Int64] = [:]
    for i in 0..<p.samples.count {
      let root = p.stacks.frames(leafFirst: p.samples.stacks[i]).last.map {
        p.name(of: p.location($0).lines[0].function)
      }
      roots[root ?? "", default: 0] += p.samples.value(i, 0)
    }
    XCTAssertEqual(
      roots, ["runtime.systemstack.abi0": 3, "runtime.mstart.abi0": 2, "runtime.goexit.abi0": 5, "[unknown]": 7])
  }
}
