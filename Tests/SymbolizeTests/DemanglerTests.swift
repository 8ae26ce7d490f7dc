import PerfshTestSupport
import XCTest

@testable import Symbolize

/// Demangling of Swift, C++ and Rust legacy names; C and Go names pass through.
final class DemanglerTests: XCTestCase {
  func testTable() {
    let cases: [(String, String)] = [
      ("$sSi", "Swift.Int"),
      ("$s4main4workyS2iF", "main.work(Swift.Int) -> Swift.Int"),
      ("_ZN2ns5Klass6methodEi", "ns::Klass::method(int)"),
      ("_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back(int const&)"),
      ("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write"),
      (
        "_ZN66_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h1c2b3a4d5e6f7089E",
        "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop"
      ),
      ("_ZN3foo3barE", "foo::bar"),
      ("main", "main"),
      ("runtime.mallocgc", "runtime.mallocgc"),
      ("_Z", "_Z"),
      ("_Zinvalid", "_Zinvalid"),
      ("$sinvalid!!", "$sinvalid!!"),
    ]
    for (raw, expected) in cases { XCTAssertEqual(Demangler.demangle(raw), expected, raw) }
  }
}

extension DemanglerTests {
  func testRustV0() {
    let cases: [(String, String)] = [
      ("_RNvC6_123foo3bar", "123foo::bar"),
      (
        "_RNvNtNtNtNtCs92dm3009vxr_4rand4rngs7adapter9reseeding4fork23FORK_HANDLER_REGISTERED",
        "rand::rngs::adapter::reseeding::fork::FORK_HANDLER_REGISTERED"
      ),
      ("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "cc::spawn::{closure#0}::{closure#0}"),
      (
        "_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_ECs1iopQbuBiw2_3std",
        "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>"
      ),
      ("_RNvNvMCs4fqI2P2rA04_13const_genericINtB4_3FooKpE3foo3FOO", "<const_generic::Foo<_>>::foo::FOO"),
      ("_RINvNtC3std3mem8align_ofjE", "std::mem::align_of::<usize>"),
      ("_RNvXs_Cs1234_7mycrateNtB4_3FooNtNtCs5678_4core3fmt5Debug3fmt", "<mycrate::Foo as core::fmt::Debug>::fmt"),
      ("_RNvCs1234_7mycrate3foo.llvm.12345", "mycrate::foo"),
    ]
    for (raw, expected) in cases { XCTAssertEqual(Demangler.demangle(raw), expected, raw) }
    // Malformed or punycode names are kept raw.
    for raw in ["_R", "_RX", "_RNvCs1234_7mycrate", "_RB0_", "_RNvB_3foo", "_RCu5a_b6c3foo"] {
      XCTAssertEqual(Demangler.demangle(raw), raw)
    }
  }
}

extension DemanglerTests {
  func testRandomRustV0InputNeverCrashes() {
    var rng = SeededGenerator(seed: 99)
    let alphabet = Array("_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    let structural = Array("CNMXYIBKLESTRQPOFDGUp0123_")
    for _ in 0..<5000 {
      let length = Int.random(in: 1...40, using: &rng)
      var raw = "_R"
      for _ in 0..<length {
        let pool = Bool.random(using: &rng) ? structural : alphabet
        raw.append(pool[Int.random(in: 0..<pool.count, using: &rng)])
      }
      let out = Demangler.demangle(raw)
      XCTAssertFalse(out.isEmpty, raw)
    }
    // Back-references that double the output at every level stop at the work budget.
    var bomb = "_RINvC1a1bT"
    for _ in 0..<40 { bomb += "TB" + "0_" + "E" }
    _ = Demangler.demangle(bomb + "EE")
  }
}
