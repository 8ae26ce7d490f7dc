/// Short forms of demangled C++ and Swift names, as pprof's default `-symbolize=demangle=simple`
/// and perf's `--no-demangle-params` print them: no return type, no parameter lists, no
/// template or generic arguments (`std::vector<int>::push_back(int const&)` → `std::vector::push_back`).
/// Lambdas keep their number (`{lambda#1}`), operators and `(anonymous namespace)` stay whole.
public enum NameSimplifier {
  /// The simple form of `name` (demangled) given its raw `systemName`; names of other
  /// languages (C, Go, Rust) are returned unchanged.
  public static func simplify(name: String, systemName: String) -> String {
    forms(name: name, systemName: systemName).first ?? name
  }

  /// The shortest to the longest forms of a name, the last being `name` itself: simple;
  /// then with as much of template arguments and parameters as tells functions apart.
  /// Used to tell apart functions whose simple forms are equal with as little text as that takes.
  public static func forms(name: String, systemName: String) -> [String] {
    (0..<formCount(systemName: systemName)).map { form($0, name: name, systemName: systemName) }
  }

  /// How many forms `forms` has for a name with this raw name (1 when it is not simplified).
  public static func formCount(systemName: String) -> Int {
    if isCxx(systemName) { return 7 }
    if isSwift(systemName) { return 3 }
    return 1
  }

  /// Form number `level` (0 is the simple one, `formCount - 1` the name itself), computed
  /// alone so that only names that clash pay for their longer forms.
  public static func form(_ level: Int, name: String, systemName: String) -> String {
    let count = formCount(systemName: systemName)
    if level >= count - 1 { return name }
    if isCxx(systemName) {
      // Shortest first: each step adds what most often tells two instantiations or
      // overloads apart for the fewest characters.
      switch level {
      case 0: return cxx(name, templates: .none, parameters: false)
      case 1: return cxx(name, templates: .shallow, parameters: false)
      case 2: return cxx(name, templates: .none, parameters: true)
      case 3: return cxx(name, templates: .shallow, parameters: true)
      case 4: return cxx(name, templates: .full, parameters: false)
      default: return cxx(name, templates: .full, parameters: true)
      }
    }
    return level == 0 ? swift(name) : swift(name, keepLabels: true)
  }

  static func isCxx(_ raw: String) -> Bool {
    guard raw.hasPrefix("_Z") else { return false }
    // Rust legacy names are Itanium-mangled too, ending in `17h<16 hex digits>E`.
    let u = Array(raw.utf8)
    if u.count > 22, u[u.count - 1] == UInt8(ascii: "E"), u[u.count - 20] == UInt8(ascii: "1"),
      u[u.count - 19] == UInt8(ascii: "7"), u[u.count - 18] == UInt8(ascii: "h")
    {
      return false
    }
    return true
  }

  static func isSwift(_ raw: String) -> Bool {
    raw.hasPrefix("$s") || raw.hasPrefix("$S") || raw.hasPrefix("$e") || raw.hasPrefix("_$s")
      || raw.hasPrefix("_$S") || raw.hasPrefix("_T0")
  }

  // MARK: C++

  private static let operatorTokens: [[UInt8]] = [
    "()", "[]", "<=>", "<<=", ">>=", "->*", "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "~", "!",
    "=", ",", " new[]", " delete[]", " new", " delete", "\"\" ",
  ].map { Array($0.utf8) }

  /// How much of the template arguments a C++ form keeps.
  enum TemplateArguments: Comparable {
    /// None: `std::vector::push_back`.
    case none
    /// The arguments without the parameter lists inside them:
    /// `llvm::function_ref<void>::callback_fn<clang::Sema::f::$_5>`.
    case shallow
    /// All of them, as the demangler wrote them.
    case full
  }

  /// Drops the return type, `[abi:…]` tags and (unless kept) template arguments and
  /// parameter lists of a demangled C++ name; keeps ` [clone .cold]`-style suffixes (they
  /// name other code).
  static func cxx(_ name: String, keepTemplates: Bool = false, keepParameters: Bool = false) -> String {
    cxx(name, templates: keepTemplates ? .full : .none, parameters: keepParameters)
  }

  /// The C++ form with `templates` of the template arguments and, with `parameters`, the
  /// parameter lists (whose own template arguments follow `templates` too).
  static func cxx(_ name: String, templates: TemplateArguments, parameters: Bool) -> String {
    let b = Array(name.utf8)
    var suffix: [UInt8] = []
    var end = b.count
    while end > 0, b[end - 1] == UInt8(ascii: "]"), let open = lastIndex(of: Token.clone, in: b, before: end) {
      suffix = Array(b[open..<end]) + suffix
      end = open
    }
    var out: [UInt8] = []
    out.reserveCapacity(end)
    // Open brackets, outermost first: '(' or '<', and whether this form drops their contents;
    // a character shows only when `hidden` (the number of dropping brackets open) is zero.
    // Bytes are written as literals ('(' 0x28, ')' 0x29, '<' 0x3C, '>' 0x3E, ' ' 0x20,
    // '[' 0x5B, ']' 0x5D, '{' 0x7B, '}' 0x7D): this loop runs once per byte of every name.
    var brackets: [UInt8] = []
    var hides: [Bool] = []
    var hidden = 0
    var openTemplates = 0
    var openParens = 0
    var braces = 0
    var cut = -1  // output index just after the space that ends a return type
    var sawOperator = false
    var sawParameters = false  // a top-level '(' ends the part a return type can be in
    var i = 0
    while i < end {
      let c = b[i]
      let topLevel = brackets.count == 0
      if topLevel, c == 0x6F, startsWord(Token.operatorWord, b, at: i, end: end) {
        out += Token.operatorWord
        i += 8
        if braces == 0 { sawOperator = true }
        if let token = operatorTokens.first(where: { starts($0, b, at: i, end: end) }) {
          out += token
          i += token.count
        }
        continue
      }
      if topLevel, c == 0x28, starts(Token.anonymous, b, at: i, end: end) {
        out += Token.anonymous
        i += 21
        continue
      }
      if topLevel, c == 0x5B, starts(Token.abi, b, at: i, end: end), let close = b[i..<end].firstIndex(of: 0x5D) {
        i = close + 1
        continue
      }
      if c == 0x28 || c == 0x3C {
        if c == 0x28, topLevel, braces == 0 { sawParameters = true }
        // A parameter list inside template arguments goes with them; inside parameters, with those.
        let h =
          c == 0x3C ? templates == .none : topLevel ? !parameters : openTemplates > 0 ? templates != .full : !parameters
        brackets.append(c)
        hides.append(h)
        if h { hidden += 1 }
        if c == 0x3C { openTemplates += 1 } else { openParens += 1 }
        if hidden == 0 { out.append(c) }
      } else if (c == 0x29 && openParens > 0) || (c == 0x3E && brackets.last == 0x3C) {
        if hidden == 0 { out.append(c) }
        // A stray '<' left open inside parentheses closes with them.
        let opening: UInt8 = c == 0x29 ? 0x28 : 0x3C
        while let top = brackets.popLast() {
          if hides.removeLast() { hidden -= 1 }
          if top == 0x3C { openTemplates -= 1 } else { openParens -= 1 }
          if top == opening { break }
        }
      } else {
        if topLevel {
          if c == 0x7B { braces += 1 }
          if c == 0x7D, braces > 0 { braces -= 1 }
        }
        if hidden == 0 { out.append(c) }
      }
      if c == 0x20, brackets.count == 0, braces == 0, !sawOperator, !sawParameters {
        cut = out.count
      }
      i += 1
    }
    var result = cut > 0 && cut < out.count ? Array(out[cut...]) : out
    while result.last == UInt8(ascii: " ") { result.removeLast() }
    let text = String(decoding: result, as: UTF8.self)
    return (parameters ? text : trimQualifiers(text)) + String(decoding: suffix, as: UTF8.self)
  }

  /// Drops a trailing ` const`, ` volatile`, ` &` or ` &&` left after the parameter list.
  private static func trimQualifiers(_ s: String) -> String {
    var t = Substring(s)
    var trimmed = true
    while trimmed {
      trimmed = false
      for q in [" const", " volatile", " &&", " &", " noexcept"] where t.hasSuffix(q) {
        t = t.dropLast(q.count)
        trimmed = true
      }
    }
    return String(t)
  }

  // MARK: Swift

  /// Drops argument lists, generic arguments, return types (` -> T`) and accessor types
  /// (` : T`) of a demangled Swift name, keeping `closure #1 in` and `specialization` words.
  /// With `keepLabels`, a function's argument list becomes its labels, as Swift writes a
  /// function's name: `Swift.Array.append(contentsOf:)`, `main.f(_:_:)`.
  static func swift(_ name: String, keepLabels: Bool = false) -> String {
    let b = Array(name.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    var parens = 0
    var angles = 0
    var skippingType = false  // inside ` -> T` or ` : T`, until ` in ` at depth 0
    var i = 0
    while i < b.count {
      let c = b[i]
      if keepLabels, c == UInt8(ascii: "("), parens == 0, angles == 0, !skippingType, i > 0,
        isIdentifier(b[i - 1]) || b[i - 1] == UInt8(ascii: ">"), let close = matchingParen(b, from: i)
      {
        out += labels(Array(b[(i + 1)..<close]))
        i = close + 1
        continue
      }
      if parens == 0, angles == 0 {
        if c == UInt8(ascii: " "),
          starts(Token.arrow, b, at: i, end: b.count) || starts(Token.colon, b, at: i, end: b.count)
        {
          skippingType = true
          i += 3
          continue
        }
        if c == UInt8(ascii: " "), starts(Token.inWord, b, at: i, end: b.count) {
          skippingType = false
          out += Token.inWord
          i += 4
          continue
        }
      }
      switch c {
      case UInt8(ascii: "("): parens += 1
      case UInt8(ascii: ")"): parens = max(0, parens - 1)
      case UInt8(ascii: "<") where parens == 0: angles += 1
      case UInt8(ascii: ">") where parens == 0:
        // `->` inside a generic or argument list is not a closing bracket.
        if i > 0, b[i - 1] != UInt8(ascii: "-") { angles = max(0, angles - 1) }
      case UInt8(ascii: ":") where parens == 0 && angles == 0 && i > 0 && b[i - 1] == UInt8(ascii: ")"):
        // `(extension in Foundation):Swift.String.f` loses its module part and the colon.
        break
      default:
        if parens == 0, angles == 0, !skippingType { out.append(c) }
      }
      i += 1
    }
    // Effects words that followed a dropped argument list go too; the dropped parts leave
    // runs of spaces, and one is enough.
    let words = String(decoding: out, as: UTF8.self).split(separator: " ")
      .filter { $0 != "throws" && $0 != "rethrows" && $0 != "async" }
    return words.isEmpty ? name : words.joined(separator: " ")
  }

  /// `(a:_:b:)` for the parameter list `a: T, U, b: V` (top-level commas only).
  private static func labels(_ inner: [UInt8]) -> [UInt8] {
    var parts: [[UInt8]] = []
    var depth = 0
    var current: [UInt8] = []
    for c in inner {
      switch c {
      case UInt8(ascii: "("), UInt8(ascii: "<"), UInt8(ascii: "["): depth += 1
      case UInt8(ascii: ")"), UInt8(ascii: "]"): depth = max(0, depth - 1)
      case UInt8(ascii: ">") where current.last != UInt8(ascii: "-"): depth = max(0, depth - 1)
      case UInt8(ascii: ",") where depth == 0:
        parts.append(current)
        current = []
        continue
      default: break
      }
      current.append(c)
    }
    if !current.isEmpty { parts.append(current) }
    var out: [UInt8] = [UInt8(ascii: "(")]
    for part in parts {
      let trimmed = Array(part.drop { $0 == UInt8(ascii: " ") })
      let identifier = trimmed.prefix { isIdentifier($0) }
      if !identifier.isEmpty, trimmed.count > identifier.count + 1, trimmed[identifier.count] == UInt8(ascii: ":"),
        trimmed[identifier.count + 1] == UInt8(ascii: " ")
      {
        out += identifier
      } else {
        out.append(UInt8(ascii: "_"))
      }
      out.append(UInt8(ascii: ":"))
    }
    out.append(UInt8(ascii: ")"))
    return out
  }

  /// Index of the `)` closing the `(` at `open`, or nil.
  private static func matchingParen(_ b: [UInt8], from open: Int) -> Int? {
    var depth = 0
    var i = open
    while i < b.count {
      if b[i] == UInt8(ascii: "(") { depth += 1 }
      if b[i] == UInt8(ascii: ")") {
        depth -= 1
        if depth == 0 { return i }
      }
      i += 1
    }
    return nil
  }

  // MARK: Byte helpers

  /// Byte spellings the scanners look for, made once.
  private enum Token {
    static let clone = Array(" [clone ".utf8)
    static let operatorWord = Array("operator".utf8)
    static let anonymous = Array("(anonymous namespace)".utf8)
    static let abi = Array("[abi:".utf8)
    static let arrow = Array(" -> ".utf8)
    static let colon = Array(" : ".utf8)
    static let inWord = Array(" in ".utf8)
  }

  private static func starts(_ token: [UInt8], _ b: [UInt8], at i: Int, end: Int) -> Bool {
    guard i + token.count <= end else { return false }
    for k in 0..<token.count where b[i + k] != token[k] { return false }
    return true
  }

  /// `word` at `i`, not preceded by an identifier character.
  private static func startsWord(_ w: [UInt8], _ b: [UInt8], at i: Int, end: Int) -> Bool {
    if i > 0, isIdentifier(b[i - 1]) { return false }
    guard starts(w, b, at: i, end: end) else { return false }
    return i + w.count >= end || !isIdentifier(b[i + w.count])
  }

  private static func isIdentifier(_ c: UInt8) -> Bool {
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
  }

  private static func lastIndex(of token: [UInt8], in b: [UInt8], before end: Int) -> Int? {
    var i = end - token.count
    while i >= 0 {
      if starts(token, b, at: i, end: end) { return i }
      i -= 1
    }
    return nil
  }
}
