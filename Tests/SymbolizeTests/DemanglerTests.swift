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
      ("_RNvCs1234_7mycrate3foo", "_RNvCs1234_7mycrate3foo"),
    ]
    for (raw, expected) in cases { XCTAssertEqual(Demangler.demangle(raw), expected, raw) }
  }
}
