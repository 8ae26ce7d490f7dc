import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// `--noinlines`, `[k]` marks with `hide --kernel`, and simple names that never merge two
/// functions, on hand-built profiles whose numbers are known.
final class ProfileViewTests: XCTestCase {
  let ms: Int64 = 1_000_000

  func testNoInlinesChargesInlinedFramesToTheirContainer() throws {
    // cpu(): line2001 is inlined into line2000; 10 ms end in it, 1 s passes through it.
    let profile = ProfileFixtures.cpu()
    let normal = try TopReport(profile: profile)
    XCTAssertEqual(normal.rows.first { $0.info.name == "line2001" }?.flat, 10 * ms)
    XCTAssertEqual(normal.rows.first { $0.info.name == "line2000" }?.flat, 0)
    let view = ProfileView(noInlines: true).apply(to: profile)
    let top = try TopReport(profile: view)
    XCTAssertNil(top.rows.first { $0.info.name == "line2001" }, "the inlined function is gone")
    let line2000 = try XCTUnwrap(top.rows.first { $0.info.name == "line2000" })
    XCTAssertEqual(line2000.flat, 10 * ms)
    XCTAssertEqual(line2000.cum, 1010 * ms)
    // Totals are unchanged: only the attribution moved.
    XCTAssertEqual(top.total, normal.total)
  }

  /// main → read → [kernel] ksys_read → schedule; values in ms.
  private func kernelProfile() -> Profile {
    var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
    let exe = b.mapping(Mapping(start: 0x1000, limit: 0x9000, fileOffset: 0, filename: b.intern("/usr/bin/app")))
    let kernel = b.mapping(
      Mapping(start: 0xffff_ffff_8000_0000, limit: .max, fileOffset: 0, filename: b.intern("[kernel.kallsyms]")))
    let main = b.location(Location(address: 0x1100, mapping: exe, lines: [Line(function: b.function("main"))]))
    let read = b.location(Location(address: 0x1200, mapping: exe, lines: [Line(function: b.function("read"))]))
    let ksys = b.location(
      Location(address: 0xffff_ffff_8100_0000, mapping: kernel, lines: [Line(function: b.function("ksys_read"))]))
    let sched = b.location(Location(address: 0xffff_ffff_8200_0000, lines: [Line(function: b.function("schedule"))]))
    b.addSample(leafFirst: [sched, ksys, read, main], values: [3, 30 * ms])
    b.addSample(leafFirst: [ksys, read, main], values: [2, 20 * ms])
    b.addSample(leafFirst: [read, main], values: [5, 50 * ms])
    return b.build()
  }

  func testKernelFunctionsAreMarkedAndHideKernelChargesTheirCaller() throws {
    let view = ProfileView().apply(to: kernelProfile())
    let top = try TopReport(profile: view)
    XCTAssertEqual(Set(top.rows.map(\.info.name)), ["main", "read", "ksys_read [k]", "schedule [k]"])
    let hidden = try TopReport(
      profile: view,
      options: TopOptions(graph: GraphOptions(filter: ProfileFilter(hide: try NameMatcher(ProfileView.kernelPattern)))))
    XCTAssertEqual(hidden.rows.map(\.info.name), ["read", "main"])
    XCTAssertEqual(hidden.rows.first?.flat, 100 * ms, "kernel time goes to the user function that entered it")
    let unmarked = try TopReport(profile: ProfileView(names: .full, markKernel: false).apply(to: kernelProfile()))
    XCTAssertTrue(unmarked.rows.contains { $0.info.name == "schedule" })
  }

  func testSimpleNamesNeverMergeTwoFunctions() throws {
    var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
    let a = b.location(function: b.function("ns::f(int)", systemName: "_ZN2ns1fEi"))
    let d = b.location(function: b.function("ns::f(double)", systemName: "_ZN2ns1fEd"))
    let g = b.location(function: b.function("ns::K<int>::g() const", systemName: "_ZNK2ns1KIiE1gEv"))
    b.addSample(leafFirst: [a], values: [1, 10 * ms])
    b.addSample(leafFirst: [d], values: [2, 20 * ms])
    b.addSample(leafFirst: [g], values: [4, 40 * ms])
    let top = try TopReport(profile: ProfileView().apply(to: b.build()))
    XCTAssertEqual(top.rows.map(\.info.name), ["ns::K::g", "ns::f(double)", "ns::f(int)"])
    let full = try TopReport(profile: ProfileView(names: .full).apply(to: b.build()))
    XCTAssertEqual(full.rows.map(\.info.name), ["ns::K<int>::g() const", "ns::f(double)", "ns::f(int)"])
  }

  func testSidesOfACompareShareOneNamePerFunction() throws {
    func profile(_ functions: [(String, String)]) -> Profile {
      var b = ProfileBuilder(sampleTypes: ProfileFixtures.cpuTypes)
      for (name, raw) in functions {
        b.addSample(leafFirst: [b.location(function: b.function(name, systemName: raw))], values: [1, 10 * ms])
      }
      return b.build()
    }
    let a = profile([("ns::f(int)", "_ZN2ns1fEi"), ("ns::g()", "_ZN2ns1gEv")])
    let b = profile([("ns::f(int)", "_ZN2ns1fEi"), ("ns::f(double)", "_ZN2ns1fEd"), ("ns::g()", "_ZN2ns1gEv")])
    // Alone, a would show ns::f; beside b (which has an overload) it must say which f.
    let alone = ProfileView().apply(to: a)
    XCTAssertEqual(alone.functions.map { alone.strings[$0.name] }, ["ns::f", "ns::g"])
    let both = ProfileView().apply(toAll: [a, b])
    XCTAssertEqual(both[0].functions.map { both[0].strings[$0.name] }, ["ns::f(int)", "ns::g"])
    XCTAssertEqual(both[1].functions.map { both[1].strings[$0.name] }, ["ns::f(int)", "ns::f(double)", "ns::g"])
  }
}
