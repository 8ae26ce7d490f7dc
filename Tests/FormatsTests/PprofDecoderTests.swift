import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Formats

/// Hand-built protobuf messages, to feed the decoder shapes our encoder never writes.
private struct ProtoBuilder {
  var w = ProtoWriter()
  mutating func varintField(_ field: Int, _ v: UInt64) {
    w.tag(field, .varint)
    w.varint(v)
  }
  mutating func message(_ field: Int, _ build: (inout ProtoBuilder) -> Void) {
    var sub = ProtoBuilder()
    build(&sub)
    w.message(field, sub.w)
  }
  mutating func strings(_ s: [String]) { for x in s { w.string(6, x) } }
  mutating func raw(_ bytes: [UInt8]) { w.bytes += bytes }
}

/// A minimal valid profile: one sample type, one function, one location, one sample.
private func minimal(_ extra: (inout ProtoBuilder) -> Void = { _ in }) -> [UInt8] {
  var b = ProtoBuilder()
  b.message(1) {
    $0.varintField(1, 1)
    $0.varintField(2, 2)
  }
  b.message(2) { s in
    s.varintField(1, 7)
    s.varintField(2, 5)
  }  // unpacked location id and value
  b.message(4) { l in
    l.varintField(1, 7)
    l.message(4) { $0.varintField(1, 3) }
  }
  b.message(5) { f in
    f.varintField(1, 3)
    f.varintField(2, 3)
  }
  b.strings(["", "samples", "count", "main"])
  extra(&b)
  return b.w.bytes
}

final class PprofDecoderTests: XCTestCase {
  private func decodeError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> FormatError? {
    do {
      _ = try PprofDecoder.decode(bytes)
      XCTFail("decoded without error", file: file, line: line)
      return nil
    } catch {
      return error
    }
  }

  private func assertInvalid(
    _ bytes: [UInt8], contains text: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    guard let e = decodeError(bytes, file: file, line: line) else { return }
    XCTAssertTrue(e.description.contains(text), "\(e.description) does not contain \(text)", file: file, line: line)
  }

  func testUnpackedScalarsAndSparseIDsDecode() throws {
    let p = try PprofDecoder.decode(minimal())
    XCTAssertEqual(p.samples.count, 1)
    XCTAssertEqual(p.samples.value(0, 0), 5)
    XCTAssertEqual(p.sampleTypes, [ValueType(type: "samples", unit: "count")])
    XCTAssertEqual(p.name(of: p.locations[0].lines[0].function), "main")
  }

  func testHugeSparseIDsUseTheDictionaryPath() throws {
    var b = ProtoBuilder()
    b.message(1) {
      $0.varintField(1, 1)
      $0.varintField(2, 2)
    }
    b.message(2) { s in
      s.varintField(1, 1 << 60)
      s.varintField(1, 9)
      s.varintField(2, 4)
    }
    b.message(4) { l in
      l.varintField(1, 1 << 60)
      l.message(4) { $0.varintField(1, 1 << 62) }
    }
    b.message(4) { l in
      l.varintField(1, 9)
      l.message(4) { $0.varintField(1, 1 << 62) }
    }
    b.message(5) { f in
      f.varintField(1, 1 << 62)
      f.varintField(2, 3)
    }
    b.strings(["", "samples", "count", "main"])
    let p = try PprofDecoder.decode(b.w.bytes)
    XCTAssertEqual(p.stacks.frames(leafFirst: p.samples.stacks[0]), [LocationID(0), LocationID(1)])
  }

  func testFirstStringMustBeEmpty() {
    var b = ProtoBuilder()
    b.strings(["x"])
    assertInvalid(b.w.bytes, contains: "string_table[0]")
  }

  func testOutOfRangeStringIndex() {
    assertInvalid(
      minimal {
        $0.message(5) { f in
          f.varintField(1, 4)
          f.varintField(2, 99)
        }
      }, contains: "refers to string 99")
  }

  func testOutOfRangeFunctionAndLocationIDs() {
    assertInvalid(
      minimal { b in
        b.message(4) { l in
          l.varintField(1, 8)
          l.message(4) { $0.varintField(1, 42) }
        }
      },
      contains: "refers to function 42")
    assertInvalid(
      minimal { b in
        b.message(4) { l in
          l.varintField(1, 8)
          l.message(4) { _ in }
        }
      },
      contains: "line with no function")
    assertInvalid(
      minimal { b in
        b.message(2) { s in
          s.varintField(1, 1234)
          s.varintField(2, 1)
        }
      },
      contains: "refers to location 1234")
    assertInvalid(
      minimal { b in
        b.message(4) { l in
          l.varintField(1, 8)
          l.varintField(2, 5)
        }
      },
      contains: "refers to mapping 5")
  }

  func testZeroAndDuplicateIDs() {
    assertInvalid(minimal { $0.message(5) { f in f.varintField(2, 3) } }, contains: "function with reserved id 0")
    assertInvalid(minimal { $0.message(5) { f in f.varintField(1, 3) } }, contains: "duplicate function id 3")
    assertInvalid(minimal { $0.message(4) { l in l.varintField(1, 7) } }, contains: "duplicate location id 7")
    assertInvalid(minimal { $0.message(3) { _ in } }, contains: "mapping with reserved id 0")
  }

  func testValueCountMustMatchSampleTypes() {
    assertInvalid(minimal { $0.message(2) { s in s.varintField(1, 7) } }, contains: "0 values vs. 1 sample types")
    assertInvalid(
      minimal {
        $0.message(2) { s in
          s.varintField(2, 1)
          s.varintField(2, 2)
        }
      }, contains: "more values")
    var b = ProtoBuilder()
    b.message(2) { s in s.varintField(2, 1) }
    b.strings([""])
    assertInvalid(b.w.bytes, contains: "missing sample type")
  }

  func testConcatenatedProfilesAreRejected() {
    let once = minimal { $0.varintField(9, 5) }
    XCTAssertNoThrow(try PprofDecoder.decode(once))
    assertInvalid(once + once, contains: "concatenated profiles")
  }

  func testAbsurdLengthsAndWireTypes() {
    // A length prefix of 2^63 (what a negative int64 length looks like on the wire).
    var b = ProtoBuilder()
    b.w.tag(2, .lengthDelimited)
    b.w.varint(1 << 63)
    guard case .corruptPprof(let offset, let reason)? = decodeError(b.w.bytes) else { return XCTFail() }
    XCTAssertEqual(offset, 1)
    XCTAssertTrue(reason.contains("runs past the end"), reason)
    // Wire type 3 (start group) is not part of proto3.
    assertInvalid([0x0B], contains: "unsupported wire type 3")
    // A known field with the wrong wire type.
    assertInvalid([0x08, 0x01], contains: "field 1 of Profile has wire type 0")
    // Eleven continuation bytes.
    assertInvalid([0x48] + [UInt8](repeating: 0xff, count: 11), contains: "varint longer than 10 bytes")
    assertInvalid([0x48, 0xff], contains: "ends inside a varint")
  }

  func testSampleDeeperThanTheLimitKeepsItsLeafMostFramesUnderAMarker() throws {
    let count = 1_000_001
    let bytes = minimal { b in
      b.message(2) { s in
        s.w.tag(1, .lengthDelimited)
        s.w.varint(UInt64(count))
        s.w.bytes += [UInt8](repeating: 7, count: count)
        s.varintField(2, 1)
      }
    }
    let p = try PprofDecoder.decode(bytes)
    XCTAssertEqual(p.samples.count, 2)
    XCTAssertEqual(p.total(column: 0), 6)
    let frames = p.stacks.frames(leafFirst: p.samples.stacks[1])
    XCTAssertEqual(frames.count, StackDepthLimit.maxFrames)
    let names = frames.map { p.name(of: p.locations[$0.index].lines[0].function) }
    XCTAssertEqual(names.last, "[truncated \(count - StackDepthLimit.maxFrames + 1) frames]")
    XCTAssertEqual(Set(names.dropLast()), ["main"])
  }

  func testManyIdenticalDeepStacksShareOneBranch() throws {
    // Hostile shape for a sort-based decoder: every sample the same 3000-frame stack.
    let samples = 300
    let depth = 3000
    let bytes = minimal { b in
      for _ in 0..<samples {
        b.message(2) { s in
          s.w.tag(1, .lengthDelimited)
          s.w.varint(UInt64(depth))
          s.w.bytes += [UInt8](repeating: 7, count: depth)
          s.varintField(2, 1)
        }
      }
    }
    let p = try PprofDecoder.decode(bytes)
    XCTAssertEqual(p.samples.count, samples + 1)
    XCTAssertEqual(p.stacks.count, depth + 1)
    XCTAssertEqual(p.stacks.depth(of: p.samples.stacks[samples]), depth)
    XCTAssertEqual(p.total(column: 0), Int64(samples) + 5)
  }

  func testInvalidUTF8InTheStringTableReadsAsAStringWould() throws {
    var b = ProtoBuilder()
    b.message(1) {
      $0.varintField(1, 1)
      $0.varintField(2, 2)
    }
    b.strings(["", "samples", "count"])
    let bad: [UInt8] = [0x6d, 0xff, 0xc3, 0xa9]  // "m", a stray byte, "é"
    b.w.tag(6, .lengthDelimited)
    b.w.varint(UInt64(bad.count))
    b.w.bytes += bad
    b.strings(["naïve"])
    let p = try PprofDecoder.decode(b.w.bytes)
    XCTAssertEqual(p.strings.count, 5)
    XCTAssertEqual(p.strings[StringID(3)], String(decoding: bad, as: UTF8.self))
    XCTAssertEqual(p.strings[StringID(3)], "m\u{FFFD}é")
    XCTAssertEqual(p.strings.lookup("m\u{FFFD}é"), StringID(3))
    XCTAssertEqual(p.strings.lookup("naïve"), StringID(4))
  }

  func testEveryTruncationFailsCleanly() throws {
    let proto = try PprofEncoder.encode(FixtureProfiles.rich(), compress: false)
    for n in 0..<proto.count {
      // Some prefixes end on a field boundary and are valid smaller profiles; the rest must
      // be errors. Neither may crash.
      _ = try? PprofDecoder.decode(Array(proto[..<n]))
    }
    XCTAssertThrowsError(try PprofDecoder.decode(Array(proto[..<(proto.count - 1)])))
  }
}
