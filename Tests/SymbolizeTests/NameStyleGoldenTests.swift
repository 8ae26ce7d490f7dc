import Foundation
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Analysis
@testable import Symbolize

/// Simple and full function names (`set names simple|full`) for a C++ program built here
/// (templates, operators, lambdas, an anonymous namespace, overloads) and for Swift names:
/// golden files, and checks that no two different functions share a displayed name.
final class NameStyleGoldenTests: XCTestCase {
  static let cxxSource = """
    #include <cstdio>
    #include <vector>
    #include <map>
    #include <string>
    #include <algorithm>
    namespace demo {
    template <typename T> struct Box {
      T value;
      __attribute__((noinline)) T get() const { return value; }
      __attribute__((noinline)) Box operator+(const Box& o) const { return Box{value + o.value}; }
      __attribute__((noinline)) bool operator<(const Box& o) const { return value < o.value; }
      __attribute__((noinline)) T& operator[](int) { return value; }
      __attribute__((noinline)) operator bool() const { return value != T(); }
    };
    __attribute__((noinline)) long overloaded(int x) { return x * 3; }
    __attribute__((noinline)) long overloaded(double x) { return (long)(x * 2); }
    template <typename T> __attribute__((noinline)) std::vector<T> make(int n) { return std::vector<T>(n); }
    namespace {
    __attribute__((noinline)) int hidden(int x) { return x ^ 0x55; }
    }
    struct Sorter {
      __attribute__((noinline)) void run(std::vector<int>& v) {
        std::sort(v.begin(), v.end(), [](int a, int b) { return hidden(a) < hidden(b); });
      }
    };
    }
    int main(int argc, char**) {
      demo::Box<int> a{argc}, b{2};
      demo::Box<double> c{1.5};
      auto v = demo::make<int>(100);
      auto w = demo::make<std::string>(3);
      demo::Sorter().run(v);
      std::map<std::string, int> m; m["x"] = 1;
      a[0] = 3;
      long r = (a + b).get() + (a < b) + (bool)c + (long)c.get() + demo::overloaded(argc) + demo::overloaded(1.0) + w.size() + m.size();
      std::printf("%ld\\n", r);
    }
    """

  /// Every function of `raw` names (mangled) as a profile: name demangled, system name raw.
  private func profile(_ raws: [String]) -> Profile {
    var p = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
    for raw in raws {
      p.functions.append(
        Function(
          name: p.strings.intern(Demangler.demangle(raw)), systemName: p.strings.intern(raw),
          filename: .empty, startLine: 0))
    }
    return p
  }

  /// "shown  <=  full" per distinct full name, sorted by full name.
  private func table(_ p: Profile) -> (text: String, shown: [String: String]) {
    let simple = ProfileView(names: .simple).apply(to: p)
    var rows: [String: String] = [:]
    for (i, f) in p.functions.enumerated() { rows[p.strings[f.name]] = simple.strings[simple.functions[i].name] }
    let text = rows.keys.sorted().map { "\(rows[$0] ?? "")\n    <= \($0)" }.joined(separator: "\n") + "\n"
    return (text, rows)
  }

  /// No displayed name stands for two different full names.
  private func assertDistinct(_ shown: [String: String], file: StaticString = #filePath, line: UInt = #line) {
    var seen: [String: String] = [:]
    for (full, name) in shown {
      if let other = seen[name] { XCTFail("'\(name)' shows both \(full) and \(other)", file: file, line: line) }
      seen[name] = full
    }
  }

  func testCxxProgramSimpleAndFullNames() throws {
    let fx = try Fixtures()
    try fx.write("demo.cpp", Self.cxxSource)
    try fx.run("g++", ["-O0", "-o", "demo", "demo.cpp"])
    // The program's own functions and the library code instantiated for it (templates).
    let raws = try fx.run("nm", [fx.path("demo")]).split(separator: "\n").compactMap { line -> String? in
      let f = line.split(separator: " ")
      guard f.count == 3, ["T", "t", "W"].contains(f[1]), f[2].hasPrefix("_Z") else { return nil }
      let raw = String(f[2])
      return Demangler.demangle(raw).contains("demo::") ? raw : nil
    }
    let p = profile(raws)
    let (text, shown) = table(p)
    assertSnapshot(text, named: "cxx-simple-names")
    assertDistinct(shown)
    // Known shapes, independent of the golden file.
    XCTAssertEqual(shown["demo::(anonymous namespace)::hidden(int)"], "demo::(anonymous namespace)::hidden")
    XCTAssertEqual(shown["demo::Box<int>::operator+(demo::Box<int> const&) const"], "demo::Box::operator+")
    XCTAssertEqual(shown["demo::Box<int>::operator<(demo::Box<int> const&) const"], "demo::Box::operator<")
    XCTAssertEqual(shown["demo::Box<double>::operator bool() const"], "demo::Box::operator bool")
    // Overloads keep their parameters; instantiations of one template their arguments.
    XCTAssertEqual(shown["demo::overloaded(int)"], "demo::overloaded(int)")
    XCTAssertEqual(shown["demo::overloaded(double)"], "demo::overloaded(double)")
    XCTAssertEqual(shown["demo::Box<int>::get() const"], "demo::Box<int>::get")
    XCTAssertEqual(shown["demo::Box<double>::get() const"], "demo::Box<double>::get")
    XCTAssertEqual(shown["std::vector<int, std::allocator<int> > demo::make<int>(int)"], "demo::make<int>")
    let lambda = try XCTUnwrap(shown.first { $0.key.contains("{lambda(int, int)#1}::operator()") })
    XCTAssertEqual(lambda.value, "demo::Sorter::run::{lambda#1}::operator()")
    // Full names are the demangler's output, untouched.
    let full = ProfileView(names: .full).apply(to: p)
    XCTAssertEqual(full.functions.map { full.strings[$0.name] }, p.functions.map { p.strings[$0.name] })
  }

  func testSwiftSimpleAndFullNames() throws {
    let raws = [
      "$sSa6append10contentsOfyqd__n_t7ElementQyd__RszSTRd__lF", "$sSa6appendyyxnF",
      "$sSS5index5afterSS5IndexVAD_tF", "$sSh6insertySb8inserted_x17memberAfterInserttxnF",
      "$sSlsE3mapySayqd__Gqd__7ElementQzKXEKlF", "$sSDyq_Sgxcig", "$sS2Dyxq_GycfC",
      "$sSB16exponentBitCountSivgZTj", "$sSBsE5radixSivgZ", "$s4main3fooyyFyycfU_",
      "$sSa6appendyyxnFSi_Tg5", "$s4main4PairV1aSivg", "$s4main3BoxC5valueACyxGx_tcfc",
      "$s4main7computeyS2i_SitF", "$s4main7computeyS2dF",
    ]
    let (text, shown) = table(profile(raws))
    assertSnapshot(text, named: "swift-simple-names")
    assertDistinct(shown)
    XCTAssertEqual(shown["closure #1 () -> () in main.foo() -> ()"], "closure #1 in main.foo")
    XCTAssertEqual(shown["main.Pair.a.getter : Swift.Int"], "main.Pair.a.getter")
    XCTAssertEqual(shown["Swift.String.index(after: Swift.String.Index) -> Swift.String.Index"], "Swift.String.index")
    XCTAssertEqual(
      shown["(extension in Swift):Swift.Collection.map<A>((A.Element) throws -> A1) throws -> Swift.Array<A1>"],
      "Swift.Collection.map")
    // Overloads whose simple forms clash are told apart by their argument labels.
    XCTAssertEqual(shown["main.compute(Swift.Double) -> Swift.Double"], "main.compute(_:)")
    XCTAssertEqual(shown["main.compute(Swift.Int, Swift.Int) -> Swift.Int"], "main.compute(_:_:)")
    XCTAssertEqual(shown["Swift.Array.append(__owned A) -> ()"], "Swift.Array.append(_:)")
    XCTAssertEqual(
      shown["Swift.Array.append<A where A == A1.Element, A1: Swift.Sequence>(contentsOf: __owned A1) -> ()"],
      "Swift.Array.append(contentsOf:)")
  }

  func testCAndGoNamesAreUnchanged() {
    XCTAssertEqual(NameSimplifier.simplify(name: "main.(*T).Run", systemName: "main.(*T).Run"), "main.(*T).Run")
    XCTAssertEqual(NameSimplifier.simplify(name: "memcpy", systemName: "memcpy"), "memcpy")
    // Rust legacy names are Itanium-mangled but are not C++.
    let rust = "_ZN4core3fmt5write17h0123456789abcdefE"
    XCTAssertEqual(NameSimplifier.simplify(name: "core::fmt::write", systemName: rust), "core::fmt::write")
  }

  func testCloneSuffixesAndAbiTagsAndQualifiers() {
    XCTAssertEqual(NameSimplifier.cxx("foo::bar(int) [clone .cold]"), "foo::bar [clone .cold]")
    XCTAssertEqual(NameSimplifier.cxx("std::__cxx11::basic_string<char> foo[abi:cxx11](int)"), "foo")
    XCTAssertEqual(NameSimplifier.cxx("a::B::f() const &&"), "a::B::f")
    XCTAssertEqual(NameSimplifier.cxx("void* operator new(unsigned long)"), "operator new")
    XCTAssertEqual(NameSimplifier.cxx("a::X::operator<<(int)"), "a::X::operator<<")
    XCTAssertEqual(NameSimplifier.cxx("a::X::operator()(int) const"), "a::X::operator()")
    XCTAssertEqual(NameSimplifier.cxx("a::X::operator->() const"), "a::X::operator->")
  }
}
