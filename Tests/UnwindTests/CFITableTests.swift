import Foundation
import PerfshTestSupport
import Symbolize
import XCTest

/// The CFI parser against `readelf --debug-dump=frames-interp` on real binaries: every
/// row readelf prints must be the row our table yields at its first and last address.
final class CFITableTests: XCTestCase {
  func testRowsMatchReadelfOnWorkload() throws {
    let bin = try UnwindWorkloads.binary("ratio_nofp")
    let checked = try compareWithReadelf(path: bin, everyNthFDE: 1)
    XCTAssertGreaterThanOrEqual(checked, 5)
  }

  func testRowsMatchReadelfOnLibc() throws {
    let libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
    guard FileManager.default.fileExists(atPath: libc) else { throw XCTSkip("no \(libc)") }
    let checked = try compareWithReadelf(path: libc, everyNthFDE: 7)
    XCTAssertGreaterThan(checked, 1000)
  }

  /// libc's signal trampoline (__restore_rt) is a signal frame whose CFA and registers are
  /// expressions over the kernel's ucontext; a normal function's row is not.
  func testSignalTrampolineRowIsSignalFrame() throws {
    let libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
    guard FileManager.default.fileExists(atPath: libc) else { throw XCTSkip("no \(libc)") }
    let fdes = try readelfFDEs(path: libc)
    let trampoline = try XCTUnwrap(
      fdes.first { f in
        f.rows.first.map { $0.cfa == "exp" && $0.columns["rip"] == nil && $0.columns["ra"] == "exp" } ?? false
      })
    let file = try MappedFile(path: libc)
    var table = CFITable(elf: try ELFFile(bytes: file.bytes, path: libc))
    let row = try XCTUnwrap(table.row(at: trampoline.start))
    XCTAssertTrue(row.isSignalFrame)
    guard case .expression = row.cfa else { return XCTFail("cfa \(row.cfa)") }
    guard case .expression = row.returnAddressRule else { return XCTFail("ra \(row.returnAddressRule)") }
    let other = try XCTUnwrap(table.row(at: try XCTUnwrap(fdes.last?.start)))
    XCTAssertFalse(other.isSignalFrame)
  }

  /// A stripped copy has the same .eh_frame rows.
  func testStrippedBinaryKeepsRows() throws {
    let a = try UnwindWorkloads.binary("ratio_nofp")
    let b = try UnwindWorkloads.binary("ratio_nofp_stripped")
    let fa = try MappedFile(path: a)
    let fb = try MappedFile(path: b)
    var ta = CFITable(elf: try ELFFile(bytes: fa.bytes, path: a))
    var tb = CFITable(elf: try ELFFile(bytes: fb.bytes, path: b))
    XCTAssertEqual(ta.source, ".eh_frame_hdr")
    XCTAssertEqual(ta.count, tb.count)
    for fde in try readelfFDEs(path: a) {
      XCTAssertEqual(ta.row(at: fde.start), tb.row(at: fde.start))
    }
  }

  // MARK: readelf

  struct ReadelfRow {
    var location: UInt64
    var cfa: String
    var columns: [String: String]
  }

  struct ReadelfFDE {
    var start: UInt64
    var end: UInt64
    var rows: [ReadelfRow]
  }

  private func readelfFDEs(path: String) throws -> [ReadelfFDE] {
    let data = Data(
      try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/readelf"), ["--debug-dump=frames-interp", path]).stdout.utf8)
    var fdes: [ReadelfFDE] = []
    var header: [String] = []
    var inFDE = false
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
      let words = line.split(separator: " ")
      if line.contains(" FDE "), let pc = words.first(where: { $0.hasPrefix("pc=") }) {
        let parts = pc.dropFirst(3).split(separator: ".")
        guard parts.count == 2, let s = UInt64(parts[0], radix: 16), let e = UInt64(parts[1], radix: 16) else {
          continue
        }
        fdes.append(ReadelfFDE(start: s, end: e, rows: []))
        inFDE = true
      } else if line.contains(" CIE ") || line.hasPrefix("Contents of") || line.contains("ZERO terminator") {
        inFDE = false
      } else if words.first == "LOC" {
        header = words.dropFirst(2).map(String.init)
      } else if inFDE, words.count >= 2, let loc = UInt64(words[0], radix: 16), words[0].count >= 8 {
        var cols: [String: String] = [:]
        for (name, value) in zip(header, words.dropFirst(2)) { cols[name] = String(value) }
        fdes[fdes.count - 1].rows.append(ReadelfRow(location: loc, cfa: String(words[1]), columns: cols))
      }
    }
    return fdes
  }

  private static let registerNames = [
    "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ra",
  ]

  private func describe(_ cfa: CFARule) -> String {
    switch cfa {
    case .registerOffset(let reg, let off):
      let name = Int(reg) < Self.registerNames.count ? Self.registerNames[Int(reg)] : "r\(reg)"
      return off >= 0 ? "\(name)+\(off)" : "\(name)\(off)"
    case .expression: return "exp"
    }
  }

  private func matches(_ rule: CFIRegisterRule, _ text: String) -> Bool {
    switch rule {
    case .undefined: return text == "u"
    case .sameValue: return text == "u" || text == "s"
    case .offset(let n): return text == (n >= 0 ? "c+\(n)" : "c\(n)")
    case .valueOffset(let n): return text == (n >= 0 ? "v+\(n)" : "v\(n)")
    case .register(let r):
      // readelf names a rule's register by number (r5 = rdi).
      return text == "r\(r)" || (Int(r) < Self.registerNames.count && text == Self.registerNames[Int(r)])
    case .expression: return text == "exp"
    case .valueExpression: return text == "vexp"
    }
  }

  /// Checks every row of every `n`th FDE at its first and last address; returns rows checked.
  private func compareWithReadelf(path: String, everyNthFDE n: Int) throws -> Int {
    let fdes = try readelfFDEs(path: path)
    XCTAssertFalse(fdes.isEmpty, "readelf listed FDEs of \(path)")
    let file = try MappedFile(path: path)
    var table = CFITable(elf: try ELFFile(bytes: file.bytes, path: path))
    var checked = 0
    var failures = 0
    for (i, fde) in fdes.enumerated() where i % n == 0 {
      for (j, expected) in fde.rows.enumerated() {
        let last = (j + 1 < fde.rows.count ? fde.rows[j + 1].location : fde.end) - 1
        for address in [expected.location, last] {
          checked += 1
          guard let row = table.row(at: address) else {
            failures += 1
            if failures < 10 { XCTFail("no row at 0x\(String(address, radix: 16)) in \(path)") }
            continue
          }
          var ok = describe(row.cfa) == expected.cfa
          for (name, text) in expected.columns {
            guard let reg = Self.registerNames.firstIndex(of: name) else { continue }
            ok = ok && matches(row.registers[reg], text)
          }
          if !ok {
            failures += 1
            if failures < 10 {
              XCTFail(
                "0x\(String(address, radix: 16)) in \(path): readelf \(expected.cfa) \(expected.columns), ours \(describe(row.cfa)) \(row.registers)"
              )
            }
          }
        }
      }
    }
    XCTAssertEqual(failures, 0)
    return checked
  }
}
