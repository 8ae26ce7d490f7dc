import Analysis
import PerfshTestSupport
import ProfileModel
import XCTest

/// pprof's -tagfocus / -tagignore / -tags over pid, tid and thread labels.
final class TagFilterTests: XCTestCase {
  /// Three threads of two processes: (pid, tid, thread) → value of the function `f<tid>`.
  private func profile() -> Profile {
    var b = ProfileBuilder(sampleTypes: [ValueType(type: "samples", unit: "count")])
    let pid = b.intern("pid")
    let tid = b.intern("tid")
    let thread = b.intern("thread")
    for (p, t, name, value) in [(12, 12, "main", 5), (12, 13, "worker-1", 3), (123, 124, "worker-2", 2)]
      as [(Int64, Int64, String, Int64)]
    {
      let loc = b.location(function: b.function("f\(t)"))
      b.addSample(
        leafFirst: [loc], values: [value],
        labels: [Label(key: pid, number: p), Label(key: tid, number: t), Label(key: thread, string: b.intern(name))])
    }
    return b.build()
  }

  private func names(_ p: Profile) throws -> Set<String> {
    Set(try TopReport(profile: p).rows.map(\.info.name))
  }

  func testFocusAndIgnoreByKeyAndByAnyLabel() throws {
    let p = profile()
    func view(focus: String? = nil, ignore: String? = nil) throws -> Profile {
      ProfileView(
        tagFocus: try focus.map { try TagFilter($0, option: "--tagfocus") },
        tagIgnore: try ignore.map { try TagFilter($0, option: "--tagignore") }
      ).apply(to: p)
    }
    XCTAssertEqual(try names(view(focus: "thread=worker")), ["f13", "f124"])
    XCTAssertEqual(try names(view(focus: "pid=12")), ["f12", "f13"], "numbers match whole: pid 123 is not 12")
    XCTAssertEqual(try names(view(ignore: "thread=worker-1")), ["f12", "f124"])
    XCTAssertEqual(try names(view(focus: "worker", ignore: "tid=124")), ["f13"], "a bare regex tests every label")
    XCTAssertEqual(try names(view(focus: "tid=1[23]")), ["f12", "f13"], "anchored: 124 does not match")
    XCTAssertThrowsError(try TagFilter("thread=(", option: "--tagfocus"))
  }

  func testTagReportSumsEachValue() throws {
    let report = try TagReport(profile: profile())
    XCTAssertEqual(report.total, 10)
    XCTAssertEqual(report.keys.map(\.name), ["pid", "thread", "tid"])
    let pid = try XCTUnwrap(report.keys.first)
    XCTAssertEqual(pid.values.map(\.value), ["12", "123"])
    XCTAssertEqual(pid.values.map(\.weight), [8, 2])
    XCTAssertEqual(report.keys[1].values.map(\.value), ["main", "worker-1", "worker-2"])
    XCTAssertEqual(report.keys[1].total, 10)
  }

  func testTagRootGroupsByLabelValues() throws {
    var view = ProfileView()
    view.tagRoot = ["pid", "thread"]
    let tree = try CallTree(profile: view.apply(to: profile()))
    let lines = tree.rows.map { String(repeating: " ", count: $0.depth) + "\($0.info.name) \($0.cum)" }
    XCTAssertEqual(
      lines,
      [
        "pid:12 8", " thread:main 5", "  f12 5", " thread:worker-1 3", "  f13 3",
        "pid:123 2", " thread:worker-2 2", "  f124 2",
      ])
    // Flat values are untouched: the pseudo-frames only add cum.
    let top = try TopReport(profile: view.apply(to: profile()))
    XCTAssertEqual(top.rows.first { $0.info.name == "f12" }?.flat, 5)
    XCTAssertEqual(top.rows.first { $0.info.name == "pid:12" }?.flat, 0)
  }
}
