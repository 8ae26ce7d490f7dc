/// A demangler for Rust's v0 symbol mangling (`_R…`, RFC 2603), printing names as
/// `rustc-demangle`'s alternate form does (no crate disambiguators): paths, inherent and
/// trait impls, generic arguments, basic and compound types, constants and back-references.
/// Punycode identifiers are not decoded: such names (and any malformed input) give nil, so
/// the caller keeps the raw name.
public enum RustV0Demangler {
  /// The demangled form of `raw`, or nil.
  public static func demangle(_ raw: String) -> String? {
    var bytes = Array(raw.utf8)
    if bytes.starts(with: Array("__R".utf8)) { bytes.removeFirst() }
    guard bytes.count > 2, bytes[0] == UInt8(ascii: "_"), bytes[1] == UInt8(ascii: "R") else { return nil }
    // A suffix after a '.' (e.g. ".llvm.123") is not part of the mangling.
    if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) { bytes = Array(bytes[..<dot]) }
    var parser = Parser(input: Array(bytes.dropFirst(2)))
    if let c = parser.peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
      guard parser.decimal() != nil else { return nil }  // encoding version
    }
    guard let path = parser.path(inValue: true), !parser.failed, !path.isEmpty else { return nil }
    return path
  }

  private struct Parser {
    let input: [UInt8]
    var position = 0
    var depth = 0
    var failed = false
    /// Work budget: back-references can make output grow exponentially; stop early instead.
    var steps = 0

    init(input: [UInt8]) { self.input = input }

    func peek() -> UInt8? { position < input.count ? input[position] : nil }

    mutating func eat(_ c: Character) -> Bool {
      guard let ascii = c.asciiValue, peek() == ascii else { return false }
      position += 1
      return true
    }

    mutating func next() -> UInt8? {
      guard position < input.count else { return nil }
      defer { position += 1 }
      return input[position]
    }

    mutating func fail() -> String? {
      failed = true
      return nil
    }

    /// `0 | [1-9][0-9]*`: a leading zero is a whole number on its own.
    mutating func decimal() -> Int? {
      if eat("0") { return 0 }
      var value = 0
      var digits = 0
      while let c = peek(), c >= 48, c <= 57 {
        value = value &* 10 &+ Int(c - 48)
        position += 1
        digits += 1
        if value > 1 << 30 { return nil }
      }
      return digits > 0 ? value : nil
    }

    /// `{0-9a-zA-Z} _`: "_" is 0, otherwise the base-62 value plus one.
    mutating func base62() -> UInt64? {
      if eat("_") { return 0 }
      var value: UInt64 = 0
      while let c = next() {
        if c == UInt8(ascii: "_") { return value &+ 1 }
        let digit: UInt64
        switch c {
        case 48...57: digit = UInt64(c - 48)
        case 97...122: digit = UInt64(c - 97) + 10
        case 65...90: digit = UInt64(c - 65) + 36
        default: return nil
        }
        value = value &* 62 &+ digit  // disambiguators are hashes: wrap, only their presence matters
      }
      return nil
    }

    mutating func disambiguator() -> UInt64? {
      guard eat("s") else { return 0 }
      return base62()
    }

    mutating func identifier() -> (name: String, disambiguator: UInt64)? {
      guard let dis = disambiguator() else { return nil }
      if peek() == UInt8(ascii: "u") { return nil }  // punycode
      guard let length = decimal() else { return nil }
      _ = eat("_")
      guard position + length <= input.count else { return nil }
      let name = String(decoding: input[position..<position + length], as: UTF8.self)
      position += length
      return (name, dis)
    }

    /// Parses something at a back-reference target, then returns to where we were.
    /// Call just after the `B` was consumed.
    mutating func backref(_ body: (inout Parser) -> String?) -> String? {
      let start = position - 1
      guard let target = base62(), target < UInt64(start), depth < 64 else { return fail() }
      let saved = position
      position = Int(target)
      depth += 1
      let result = body(&self)
      depth -= 1
      position = saved
      return result
    }

    /// A path; `inValue` paths write generic arguments as `::<…>`, type paths as `<…>`.
    mutating func path(inValue: Bool) -> String? {
      depth += 1
      steps += 1
      defer { depth -= 1 }
      guard depth < 200, steps < 4096, !failed, let tag = next() else { return fail() }
      switch tag {
      case UInt8(ascii: "C"):
        guard let id = identifier() else { return fail() }
        return id.name
      case UInt8(ascii: "N"):
        guard let ns = next(), let parent = path(inValue: inValue), let id = identifier() else { return fail() }
        if ns >= UInt8(ascii: "A"), ns <= UInt8(ascii: "Z") {
          let kind = ns == UInt8(ascii: "C") ? "closure" : ns == UInt8(ascii: "S") ? "shim" : String(UnicodeScalar(ns))
          let label = id.name.isEmpty ? kind : "\(kind):\(id.name)"
          return "\(parent)::{\(label)#\(id.disambiguator)}"
        }
        return id.name.isEmpty ? parent : "\(parent)::\(id.name)"
      case UInt8(ascii: "M"):
        guard disambiguator() != nil, path(inValue: false) != nil, let self_ = type() else { return fail() }
        return "<\(self_)>"
      case UInt8(ascii: "X"):
        guard disambiguator() != nil, path(inValue: false) != nil, let self_ = type(), let trait = path(inValue: false)
        else { return fail() }
        return "<\(self_) as \(trait)>"
      case UInt8(ascii: "Y"):
        guard let self_ = type(), let trait = path(inValue: false) else { return fail() }
        return "<\(self_) as \(trait)>"
      case UInt8(ascii: "I"):
        guard let base = path(inValue: inValue) else { return fail() }
        var args: [String] = []
        while !eat("E") {
          guard let a = genericArg() else { return fail() }
          if !a.isEmpty { args.append(a) }
        }
        return "\(base)\(inValue ? "::" : "")<\(args.joined(separator: ", "))>"
      case UInt8(ascii: "B"):
        return backref { $0.path(inValue: inValue) }
      default:
        return fail()
      }
    }

    mutating func genericArg() -> String? {
      if eat("L") {
        guard base62() != nil else { return nil }
        return ""  // lifetimes are not printed
      }
      if eat("K") { return const() }
      return type()
    }

    static let basicTypes: [UInt8: String] = [
      97: "i8", 98: "bool", 99: "char", 100: "f64", 101: "str", 102: "f32", 104: "u8", 105: "isize", 106: "usize",
      108: "i32", 109: "u32", 110: "i128", 111: "u128", 115: "i16", 116: "u16", 117: "()", 118: "...", 120: "i64",
      121: "u64", 122: "!", 112: "_",
    ]

    mutating func type() -> String? {
      depth += 1
      steps += 1
      defer { depth -= 1 }
      guard depth < 200, steps < 4096, !failed, let c = peek() else { return fail() }
      if let basic = Parser.basicTypes[c] {
        position += 1
        return basic
      }
      switch c {
      case UInt8(ascii: "A"):
        position += 1
        guard let t = type(), let n = const() else { return fail() }
        return "[\(t); \(n)]"
      case UInt8(ascii: "S"):
        position += 1
        guard let t = type() else { return fail() }
        return "[\(t)]"
      case UInt8(ascii: "T"):
        position += 1
        var items: [String] = []
        while !eat("E") {
          guard let t = type() else { return fail() }
          items.append(t)
        }
        return items.count == 1 ? "(\(items[0]),)" : "(\(items.joined(separator: ", ")))"
      case UInt8(ascii: "R"), UInt8(ascii: "Q"):
        position += 1
        if eat("L") { guard base62() != nil else { return fail() } }
        guard let t = type() else { return fail() }
        return (c == UInt8(ascii: "R") ? "&" : "&mut ") + t
      case UInt8(ascii: "P"), UInt8(ascii: "O"):
        position += 1
        guard let t = type() else { return fail() }
        return (c == UInt8(ascii: "P") ? "*const " : "*mut ") + t
      case UInt8(ascii: "F"):
        position += 1
        return fnSignature()
      case UInt8(ascii: "D"):
        position += 1
        return dynBounds()
      case UInt8(ascii: "B"):
        position += 1
        return backref { $0.type() }
      default:
        return path(inValue: false)
      }
    }

    mutating func fnSignature() -> String? {
      if eat("G") { guard base62() != nil else { return fail() } }
      var prefix = ""
      if eat("U") { prefix += "unsafe " }
      if eat("K") {
        if eat("C") {
          prefix += "extern \"C\" "
        } else {
          guard let abi = identifier() else { return fail() }
          prefix += "extern \"\(abi.name.replacingUnderscores())\" "
        }
      }
      var params: [String] = []
      while !eat("E") {
        guard let t = type() else { return fail() }
        params.append(t)
      }
      guard let result = type() else { return fail() }
      return "\(prefix)fn(\(params.joined(separator: ", ")))" + (result == "()" ? "" : " -> \(result)")
    }

    mutating func dynBounds() -> String? {
      if eat("G") { guard base62() != nil else { return fail() } }
      var traits: [String] = []
      while !eat("E") {
        guard var trait = path(inValue: false) else { return fail() }
        var bindings: [String] = []
        while eat("p") {
          guard let name = identifier(), let t = type() else { return fail() }
          bindings.append("\(name.name) = \(t)")
        }
        if !bindings.isEmpty {
          if trait.hasSuffix(">") {
            trait = String(trait.dropLast()) + ", " + bindings.joined(separator: ", ") + ">"
          } else {
            trait += "<" + bindings.joined(separator: ", ") + ">"
          }
        }
        traits.append(trait)
      }
      guard eat("L"), base62() != nil else { return fail() }
      return "dyn " + traits.joined(separator: " + ")
    }

    mutating func const() -> String? {
      if eat("p") { return "_" }
      if eat("B") { return backref { $0.const() } }
      guard let typeTag = next() else { return fail() }
      let negative = eat("n")
      var value: UInt64 = 0
      var digits = 0
      while let c = next() {
        if c == UInt8(ascii: "_") { break }
        guard let d = hexValue(c) else { return fail() }
        value = value &<< 4 | UInt64(d)
        digits += 1
        if digits > 16 { return fail() }
      }
      switch typeTag {
      case UInt8(ascii: "b"): return value == 0 ? "false" : "true"
      case UInt8(ascii: "c"):
        return Unicode.Scalar(UInt32(truncatingIfNeeded: value)).map { "'\(Character($0))'" } ?? fail()
      default: return (negative ? "-" : "") + String(value)
      }
    }
  }
}

extension String {
  fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
