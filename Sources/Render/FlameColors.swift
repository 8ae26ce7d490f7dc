import Analysis

/// An sRGB colour, shared by the terminal and SVG flame graphs so both look alike.
public struct RGB: Sendable, Equatable {
  public var r: Int, g: Int, b: Int
  public init(_ r: Int, _ g: Int, _ b: Int) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// `#rrggbb`.
  public var hex: String {
    func two(_ v: Int) -> String {
      let s = String(max(0, min(255, v)), radix: 16)
      return s.count == 1 ? "0" + s : s
    }
    return "#" + two(r) + two(g) + two(b)
  }

  /// ANSI 24-bit background with black text.
  var ansiBackground: String { "\u{1B}[48;2;\(r);\(g);\(b);38;2;0;0;0m" }
}

/// The colours of flame-graph frames: by module, by self share, or by change (differential).
public enum FlameColors {
  /// Base colour of a module: user warm orange, library yellow, kernel blue, JIT green, unknown grey.
  public static func base(_ module: FrameModule) -> RGB {
    switch module {
    case .user: return RGB(235, 130, 60)
    case .library: return RGB(220, 195, 70)
    case .kernel: return RGB(110, 160, 230)
    case .jit: return RGB(100, 195, 100)
    case .unknown: return RGB(240, 165, 115)
    }
  }

  /// A module's colour varied a little by name (as flamegraph.pl does), so neighbours differ.
  public static func module(_ module: FrameModule, name: String) -> RGB {
    var h: UInt32 = 2_166_136_261
    for byte in name.utf8 { h = (h ^ UInt32(byte)) &* 16_777_619 }
    let shift = Int(h % 41) - 20
    let c = base(module)
    return RGB(c.r + shift, c.g + shift / 2, c.b + shift / 3)
  }

  /// Self share 0…1 of the heaviest frame's self: pale yellow (none) to deep red (the most).
  public static func selfShare(_ t: Double) -> RGB {
    let x = max(0, min(1, t))
    return RGB(250 - Int(25 * x), 235 - Int(200 * x), 170 - Int(150 * x))
  }

  /// A change `t` in −1…1 (share of the largest change): red for slower, blue for faster, white
  /// at 0; `nil` (not significant) is grey.
  public static func change(_ t: Double?) -> RGB {
    guard let t else { return RGB(200, 200, 200) }
    let x = max(-1, min(1, t))
    let fade = Int(200 * (1 - abs(x)))
    return x >= 0 ? RGB(255, 55 + fade, 55 + fade) : RGB(55 + fade, 55 + fade, 255)
  }

  /// Search matches, as flamegraph.pl marks them.
  public static let match = RGB(230, 0, 230)
}
