import CDemangle
import Glibc

/// Turns raw symbol names into readable ones: Swift (`$s…`, `_T0…`) through the Swift
/// runtime, C++ (`_Z…`) through libstdc++, Rust legacy (`_ZN…17h<hash>E`) as C++ without the
/// hash and with `$LT$`-style escapes decoded, Rust v0 (`_R…`) through `RustV0Demangler`.
/// Anything else (C, Go) is returned unchanged; so is a name a demangler rejects.
public enum Demangler {
  /// The readable form of `raw`, or `raw` itself.
  public static func demangle(_ raw: String) -> String {
    let u = raw.utf8
    guard u.count > 2 else { return raw }
    if isSwift(raw) { return swift(raw) ?? raw }
    if raw.hasPrefix("_R") || raw.hasPrefix("__R") { return RustV0Demangler.demangle(raw) ?? raw }
    if raw.hasPrefix("_Z") {
      guard let cxx = cxx(raw) else { return raw }
      return isRustLegacy(raw) ? rustLegacyCleanup(cxx) : cxx
    }
    return raw
  }

  static func isSwift(_ raw: String) -> Bool {
    raw.hasPrefix("$s") || raw.hasPrefix("$S") || raw.hasPrefix("$e") || raw.hasPrefix("_$s")
      || raw.hasPrefix("_$S") || raw.hasPrefix("_T0") || raw.hasPrefix("@__swiftmacro_")
  }

  static func swift(_ raw: String) -> String? {
    raw.withCString { p -> String? in
      guard let out = perfsh_swift_demangle(p, strlen(p)) else { return nil }
      defer { free(out) }
      return String(cString: out)
    }
  }

  static func cxx(_ raw: String) -> String? {
    raw.withCString { p -> String? in
      guard let out = perfsh_cxx_demangle(p) else { return nil }
      defer { free(out) }
      return String(cString: out)
    }
  }

  /// Rust legacy names are Itanium-style nested names whose last part is `h` + 16 hex digits.
  static func isRustLegacy(_ raw: String) -> Bool {
    let b = Array(raw.utf8)
    guard b.count > 22, raw.hasPrefix("_ZN"), b[b.count - 1] == UInt8(ascii: "E") else { return false }
    let hash = b[(b.count - 20)..<(b.count - 1)]
    guard hash.starts(with: Array("17h".utf8)) else { return false }
    return hash.dropFirst(3).allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }

  /// Drops the `::h<hash>` suffix and decodes Rust's `$…$` escapes and `..` separators.
  static func rustLegacyCleanup(_ demangled: String) -> String {
    var s = Substring(demangled)
    let u = Array(s.utf8)
    if u.count > 19, u[u.count - 19] == UInt8(ascii: ":"), u[u.count - 18] == UInt8(ascii: ":"),
      u[u.count - 17] == UInt8(ascii: "h")
    {
      s = s.dropLast(19)
    }
    var out = ""
    out.reserveCapacity(s.utf8.count)
    var i = s.startIndex
    if s.hasPrefix("_$") { i = s.index(after: i) }
    let escapes: [Substring: String] = [
      "SP": "@", "BP": "*", "RF": "&", "LT": "<", "GT": ">", "LP": "(", "RP": ")", "C": ",",
    ]
    while i < s.endIndex {
      let c = s[i]
      if c == "$", let close = s[s.index(after: i)...].firstIndex(of: "$") {
        let code = s[s.index(after: i)..<close]
        if let e = escapes[code] {
          out += e
          i = s.index(after: close)
          continue
        }
        if code.hasPrefix("u"), let v = UInt32(code.dropFirst(), radix: 16), let scalar = Unicode.Scalar(v) {
          out.unicodeScalars.append(scalar)
          i = s.index(after: close)
          continue
        }
      }
      if c == ".", s[i...].hasPrefix("..") {
        out += "::"
        i = s.index(i, offsetBy: 2)
        continue
      }
      out.append(c)
      i = s.index(after: i)
    }
    return out
  }
}
