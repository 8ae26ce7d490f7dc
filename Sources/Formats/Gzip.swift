import CZlib

/// gzip compression and decompression through zlib: the one file that imports CZlib.
///
/// pprof files are gzip-compressed protobuf; Go writes them with `BestSpeed`, and so do we.
public enum Gzip {
  /// Largest output `decompress` produces unless told otherwise (1 GiB).
  public static let defaultLimit = 1 << 30
  /// deflate cannot expand data by more than about 1032:1 (258-byte matches coded in two bits).
  static let maxDeflateRatio = 1032

  /// True when `bytes` start with the gzip magic `1f 8b`.
  public static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
  }

  /// True when `bytes` start with the gzip magic `1f 8b`.
  public static func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
  }

  /// Compresses `bytes` into one gzip member; level 1 is zlib's (and Go's) best speed.
  public static func compress(_ bytes: [UInt8], level: Int32 = 1) -> [UInt8] {
    bytes.withUnsafeBytes { compress($0, level: level) }
  }

  /// Compresses `input` into one gzip member; level 1 is zlib's (and Go's) best speed.
  public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 1) -> [UInt8] {
    var stream = z_stream()
    // windowBits 15 + 16 asks zlib for a gzip header and trailer instead of zlib's own.
    let initStatus = deflateInit2_(
      &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    // deflateInit2 fails only for bad parameters or out of memory; both are programming errors.
    precondition(initStatus == Z_OK, "deflateInit2 failed with status \(initStatus)")
    defer { deflateEnd(&stream) }

    let bound = Int(deflateBound(&stream, uLong(input.count)))
    var output = [UInt8](repeating: 0, count: bound + 64)
    var produced = 0
    var status = Z_OK
    let base = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
    var remaining = input.count
    stream.next_in = base
    output.withUnsafeMutableBufferPointer { out in
      repeat {
        // zlib counts in 32-bit integers; feed very large inputs in slices.
        let chunk = min(remaining, Int(UInt32.max >> 1))
        stream.avail_in = uInt(chunk)
        let flush = remaining == chunk ? Z_FINISH : Z_NO_FLUSH
        repeat {
          if produced == out.count { break }
          stream.next_out = out.baseAddress.map { $0 + produced }
          let room = min(out.count - produced, Int(UInt32.max >> 1))
          stream.avail_out = uInt(room)
          status = deflate(&stream, flush)
          produced += room - Int(stream.avail_out)
        } while stream.avail_out == 0 && status == Z_OK
        remaining -= chunk - Int(stream.avail_in)
      } while remaining > 0 && status == Z_OK
    }
    precondition(status == Z_STREAM_END, "deflate did not finish within deflateBound (status \(status))")
    output.removeSubrange(produced...)
    return output
  }

  /// Decompresses gzip data (one or more members), refusing to produce more than `limit` bytes.
  public static func decompress(_ bytes: [UInt8], limit: Int = defaultLimit) throws(FormatError) -> [UInt8] {
    try withRawBytes(bytes) { (raw) throws(FormatError) -> [UInt8] in try decompress(raw, limit: limit) }
  }

  /// Decompresses gzip data (one or more members), refusing to produce more than `limit` bytes.
  public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int = defaultLimit) throws(FormatError)
    -> [UInt8]
  {
    guard isGzip(input), input.count >= 10 else {
      throw input.count < 10 && isGzip(input) ? .truncatedGzip : .badGzipHeader
    }
    var stream = z_stream()
    // windowBits 15 + 16: gzip only, so a zlib or raw stream is a header error, not a guess.
    guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw .corruptGzip(detail: "zlib could not start (out of memory)")
    }
    defer { inflateEnd(&stream) }

    // The trailer's ISIZE (size mod 2^32 of the last member) is the exact size for the usual
    // single-member file; it is only a hint, since the buffer grows when it is wrong, and it is
    // capped at deflate's largest possible ratio (1032:1) so a forged trailer cannot make us
    // allocate more than the input could really inflate to. Trusting a true ISIZE allocates once
    // instead of growing by doubling through copies (1.7 GB peak for 900 MB, now 0.9 GB).
    let tail = input.count - 4
    let isize = Int(input[tail]) | Int(input[tail + 1]) << 8 | Int(input[tail + 2]) << 16 | Int(input[tail + 3]) << 24
    let cap = input.count.multipliedReportingOverflow(by: maxDeflateRatio).partialValue
    let guess = isize > 0 ? min(isize + 1, cap) : input.count.multipliedReportingOverflow(by: 4).partialValue
    var output = [UInt8](repeating: 0, count: min(limit, max(4096, guess)))
    var produced = 0
    let base = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
    var consumed = 0
    while true {
      let chunk = min(input.count - consumed, Int(UInt32.max >> 1))
      stream.next_in = base.map { $0 + consumed }
      stream.avail_in = uInt(chunk)
      if produced == output.count {
        if output.count >= limit { throw .tooLarge(limit: limit) }
        // An array argument appends with one copy; `repeatElement` went element by element
        // (unspecialised in debug builds: minutes for a few hundred megabytes).
        output += [UInt8](repeating: 0, count: min(limit - output.count, output.count))
      }
      let room = min(output.count - produced, Int(UInt32.max >> 1))
      let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
        stream.next_out = out.baseAddress.map { $0 + produced }
        stream.avail_out = uInt(room)
        return inflate(&stream, Z_NO_FLUSH)
      }
      produced += room - Int(stream.avail_out)
      consumed += chunk - Int(stream.avail_in)
      switch status {
      case Z_OK:
        continue
      case Z_BUF_ERROR:
        // No progress possible: either the output is full (grow it) or the input ran out.
        if produced == output.count { continue }
        throw .truncatedGzip
      case Z_STREAM_END:
        if consumed == input.count {
          output.removeSubrange(produced...)
          return output
        }
        // Another gzip member follows (as `cat a.gz b.gz` makes); anything else is garbage.
        let rest = UnsafeRawBufferPointer(rebasing: input[consumed...])
        guard isGzip(rest) else {
          throw .corruptGzip(detail: "\(input.count - consumed) bytes of trailing data after the gzip stream")
        }
        guard inflateReset(&stream) == Z_OK else { throw .corruptGzip(detail: "zlib could not restart") }
      case Z_DATA_ERROR:
        let detail = stream.msg.map { String(cString: $0) } ?? "invalid compressed data"
        if detail.contains("header") || detail.contains("compression method") || detail.contains("flags") {
          throw .badGzipHeader
        }
        throw .corruptGzip(detail: detail)
      case Z_MEM_ERROR:
        throw .corruptGzip(detail: "zlib ran out of memory")
      default:
        let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
        throw .corruptGzip(detail: detail)
      }
    }
  }
}
