/// One box to draw: a node of the graph, or a run of neighbouring frames too narrow to
/// draw alone, merged into one box that says how many frames it holds.
public struct FlameBox: Sendable, Equatable {
  /// The node drawn, or nil for a merged box.
  public var node: Int?
  /// The caller's node (-1 for a root or a merged box among the roots).
  public var parent: Int
  /// Level, 0 for the roots of the view.
  public var depth: Int
  /// Left edge in value units.
  public var start: Int64
  /// Width in value units.
  public var width: Int64
  /// Frames (with their subtrees) merged into this box; 0 for a node's own box.
  public var mergedFrames: Int
}

/// The boxes of a flame graph that are at least a minimum width, with thin neighbours merged.
public struct FlameLayout: Sendable {
  /// Boxes by level (callers above callees), then left to right.
  public var boxes: [FlameBox]
  /// Frames not drawn at all: in merged runs still narrower than the minimum.
  public var hiddenFrames: Int
  /// Left edge and width (value units) of the view: the zoomed node's, or the whole graph's.
  public var viewStart: Int64
  public var viewWidth: Int64

  /// Lays out `graph` from `zoom` (a node, drawn full width with its callers above it) or
  /// from the roots. Frames narrower than `minimumWidth` value units are merged with thin
  /// neighbours of the same caller; a merged run still narrower than that is left out.
  public init(graph: FlameGraph, minimumWidth: Int64, zoom: Int? = nil) {
    var boxes: [FlameBox] = []
    var hidden = 0
    let nodes = graph.nodes
    var parents: [Int] = [-1]
    if let zoom, nodes.indices.contains(zoom) {
      viewStart = nodes[zoom].start
      viewWidth = nodes[zoom].cum
      for a in graph.ancestry(of: zoom) {
        let n = nodes[a]
        boxes.append(
          FlameBox(
            node: a, parent: Int(n.parent), depth: Int(n.depth), start: viewStart, width: viewWidth, mergedFrames: 0))
      }
      parents = [zoom]
    } else {
      viewStart = 0
      viewWidth = graph.total
    }
    let minimum = max(1, minimumWidth)
    var work: [Int] = parents.reversed()
    while let p = work.popLast() {
      var run: (start: Int64, width: Int64, frames: Int)?
      var emitted: [FlameBox] = []
      let depth = p < 0 ? 0 : Int(nodes[p].depth) + 1
      func flush() {
        guard let r = run else { return }
        if r.width >= minimum {
          emitted.append(
            FlameBox(node: nil, parent: p, depth: depth, start: r.start, width: r.width, mergedFrames: r.frames))
        } else {
          hidden += r.frames
        }
        run = nil
      }
      for c in graph.children(of: p) {
        let n = nodes[c]
        if n.cum >= minimum {
          flush()
          emitted.append(FlameBox(node: c, parent: p, depth: depth, start: n.start, width: n.cum, mergedFrames: 0))
        } else {
          let frames = Int(n.end) - c
          if let r = run {
            run = (r.start, r.width &+ n.cum, r.frames + frames)
          } else {
            run = (n.start, n.cum, frames)
          }
        }
      }
      flush()
      boxes.append(contentsOf: emitted)
      work.append(contentsOf: emitted.compactMap(\.node).reversed())
    }
    // Renderers draw level by level, left to right.
    self.boxes = boxes.sorted { a, b in a.depth != b.depth ? a.depth < b.depth : a.start < b.start }
    hiddenFrames = hidden
  }
}
